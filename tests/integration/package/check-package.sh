#!/bin/sh
# Builds the Debian package with CPack from a finished build directory, unpacks it into a scratch
# root with `dpkg-deb -x` (no maintainer script runs, nothing touches the system) and checks that
# every file is where it belongs and that dpkg-shlibdeps computed the dependencies.
# Usage: check-package.sh BUILD_DIR SOURCE_DIR BINARY
set -eu
build="$1"
source="$2"
binary="$3"

fail() {
  echo "FAIL: $*"
  failed=1
}
failed=0

if [ ! -f "$build/CPackConfig.cmake" ]; then
  echo "FAIL: no $build/CPackConfig.cmake: the top-level CMakeLists.txt must end with include(cmake/packaging.cmake)"
  exit 1
fi
if [ ! -x "$binary" ]; then
  echo "FAIL: $binary is not built; build the project before running this test"
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work/out" >"$work/cpack.log" 2>&1; then
  cat "$work/cpack.log"
  echo "FAIL: cpack failed"
  exit 1
fi
set -- "$work"/out/*.deb
if [ "$#" -ne 1 ] || [ ! -f "$1" ]; then
  cat "$work/cpack.log"
  echo "FAIL: expected one .deb in $work/out, found: $*"
  exit 1
fi
deb="$1"
echo "package: $(basename "$deb")"
root="$work/root"
dpkg-deb -x "$deb" "$root"
dpkg-deb -e "$deb" "$work/control"

# Control fields.
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = portcullis ] || fail "Package is '$(field Package)'"
version=$(field Version)
depends=$(field Depends)
echo "Depends: $depends"
echo "$depends" | grep -q 'libc6 (>=' || fail "Depends lacks the shared-library dependencies (dpkg-shlibdeps): $depends"
grep -qx /etc/portcullis/portcullis.toml "$work/control/conffiles" 2>/dev/null ||
  fail "/etc/portcullis/portcullis.toml is not a conffile"
for script in postinst prerm postrm; do
  [ -x "$work/control/$script" ] || fail "maintainer script $script missing or not executable"
  sh -n "$work/control/$script" || fail "maintainer script $script has a syntax error"
done

# The binary, runnable from the unpacked tree, reports the package's version.
[ -x "$root/usr/sbin/portcullis" ] || fail "/usr/sbin/portcullis missing or not executable"
if [ -x "$root/usr/sbin/portcullis" ]; then
  reported=$("$root/usr/sbin/portcullis" --version 2>&1 || true)
  [ "$reported" = "$version" ] || fail "portcullis --version says '$reported', the package is $version"
fi

# Files copied from the source tree unchanged.
same() {
  if [ ! -f "$root$2" ]; then
    fail "$2 missing"
  elif ! cmp -s "$source/$1" "$root$2"; then
    fail "$2 differs from $1"
  fi
}
if [ -f "$source/deploy/portcullis.toml" ]; then
  same deploy/portcullis.toml /etc/portcullis/portcullis.toml
fi
same deploy/systemd/portcullis.service /lib/systemd/system/portcullis.service
same deploy/systemd/portcullis.sysusers /usr/lib/sysusers.d/portcullis.conf
same deploy/systemd/portcullis.tmpfiles /usr/lib/tmpfiles.d/portcullis.conf
same deploy/prometheus/portcullis-alerts.yml /usr/share/doc/portcullis/examples/prometheus/portcullis-alerts.yml
same deploy/grafana/portcullis.json /usr/share/doc/portcullis/examples/grafana/portcullis.json

# The unit starts the binary the package installs.
exec_start=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$root/lib/systemd/system/portcullis.service")
[ -x "$root$exec_start" ] || fail "the unit's ExecStart $exec_start is not in the package"

# Every shipped rule file (not the rules' tests) and every signature database.
[ -d "$root/usr/share/portcullis/rules" ] || fail "/usr/share/portcullis/rules missing"
[ -d "$root/usr/share/portcullis/signatures" ] || fail "/usr/share/portcullis/signatures missing"
(cd "$source/rules" && find . -type f -name '*.cf' ! -path './tests/*' | sort) >"$work/rules.expected"
(cd "$root/usr/share/portcullis/rules" && find . -type f | sort) >"$work/rules.packaged"
cmp -s "$work/rules.expected" "$work/rules.packaged" ||
  fail "packaged rules differ from rules/*.cf: $(diff "$work/rules.expected" "$work/rules.packaged" | tr '\n' ' ')"
(cd "$source/signatures" && find . -type f ! -name '*.md' ! -name CMakeLists.txt ! -path './tests/*' ! -path './testdata/*' | sort) >"$work/signatures.expected"
(cd "$root/usr/share/portcullis/signatures" && find . -type f | sort) >"$work/signatures.packaged"
cmp -s "$work/signatures.expected" "$work/signatures.packaged" ||
  fail "packaged signatures differ from signatures/: $(diff "$work/signatures.expected" "$work/signatures.packaged" | tr '\n' ' ')"
echo "$(wc -l <"$work/rules.packaged") rule files, $(wc -l <"$work/signatures.packaged") signature files"

# Nothing but the package's own directories.
for top in "$root"/*; do
  case "$(basename "$top")" in
    etc | lib | usr) ;;
    *) fail "unexpected top-level directory /$(basename "$top")" ;;
  esac
done

[ "$failed" -eq 0 ] && echo "package verified"
exit "$failed"
