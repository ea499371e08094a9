#!/usr/bin/env bash
# Installs what is missing, builds Portcullis and runs the gateway in the foreground with the
# default configuration (deploy/portcullis.toml: SMTP on 127.0.0.1:2525, relaying to an MTA on
# 127.0.0.1:25, metrics on 127.0.0.1:9125). Stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build --target portcullis
mkdir -p /var/spool/portcullis
exec build/portcullis serve -c deploy/portcullis.toml
