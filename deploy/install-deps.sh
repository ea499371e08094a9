#!/usr/bin/env bash
# Installs every build, test and benchmark dependency of Portcullis from Debian 12 packages.
# Idempotent: packages already present are left alone. Needs root (or sudo).
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config ccache ninja-build git
  libboost1.81-dev libboost-json1.81-dev libhyperscan-dev libre2-dev libpcre2-dev libclamav-dev
  prometheus-cpp-dev libc-ares-dev libssl-dev libtomlplusplus-dev libcli11-dev libspdlog-dev
  libfmt-dev libsqlite3-dev libpsl-dev libhiredis-dev libgtest-dev libgmock-dev libbenchmark-dev
  libyaml-cpp-dev publicsuffix
  # the classifier bench's store comparison (SQLite against LMDB)
  liblmdb-dev
  # fuzzing (libFuzzer from clang); the format check of tests/run.sh
  clang libclang-rt-14-dev clang-format
  # real peers for integration tests and benchmarks
  postfix swaks dnsmasq-base python3-aiosmtpd python3-dkim python3-dnspython
  clamav clamav-testfiles prometheus spamassassin spamc spamd miltertest redis-server openssl
  ca-certificates testssl.sh sslscan
  # the web console: argon2id password hashes, and its browser tests
  libsodium-dev chromium chromium-driver python3-selenium
  procps iproute2 netcat-openbsd systemd dpkg-dev curl file
)

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # postfix asks how to configure itself; tests run private instances, so the system one stays off.
  echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
else
  echo "install-deps: all packages present"
fi
