#!/usr/bin/env bash
# Installs what is missing, builds everything with warnings as errors and runs the whole test
# suite (unit, integration against real servers on loopback, fuzzers for a bounded time).
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install-deps.sh
# ccache hits across checkouts in different folders (CI clones afresh).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPORTCULLIS_WERROR=ON
cmake --build build
bash tests/support/fetch-corpus.sh build/corpus
ctest --test-dir build --output-on-failure -j2 --timeout 1500
