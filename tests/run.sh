#!/usr/bin/env bash
# The README's test command and CI's (.ci/run). Installs what is missing, then runs these lanes,
# each building in a directory of its own (ccache shared):
#   checks  clang-format over the tracked C++ files; the layering rules (check-layering.sh)
#   plain   build/: everything (RelWithDebInfo, warnings as errors) but the tests the asan lane
#           runs, and runs the rest: the slow, package and fuzz lanes and the tests labelled
#           unsanitized (their processes run out of descriptors on purpose, which a sanitizer
#           runtime cannot work with: tests/CMakeLists.txt). Without the asan lane: everything,
#           and every test
#   asan    build-asan/: the unit and integration tests (but the unsanitized ones) and the programs
#           they run, built with AddressSanitizer and UBSan (-O1 -g1, warnings as errors), and runs
#           them (never the fuzzers)
#   tsan    build-tsan/: the tests labelled threads (io_threads > 1, reload under load, the
#           milter) and the gateway, built with ThreadSanitizer, and runs them
# Then every test must carry one lane label (check-labels.sh over build/ and build-asan/). A
# sanitizer report from any process, the gateways the tests start included, fails its lane.
# A failing step does not stop the other lanes; the script exits 1 at the end if one failed.
# The default runs all four; PORTCULLIS_LANES="checks asan" runs only those lanes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install-deps.sh
# ccache hits across checkouts in different folders (CI clones afresh), and room for the three
# lanes' objects (ccache's default 5 GB holds little more than one: the lanes would evict each
# other's).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-16G}"
lanes=" ${PORTCULLIS_LANES:-checks plain asan tsan} "
failed=()
summary=()

# step NAME COMMAND...: runs COMMAND, notes its time and, without stopping, a failure.
step() {
  local name=$1 start=$SECONDS
  shift
  echo "=== $name"
  local status=0
  "$@" || status=$?
  local outcome=ok
  if [ "$status" -ne 0 ]; then
    outcome=FAILED
    failed+=("$name")
  fi
  summary+=("$(printf '%6d s  %-7s %s' $((SECONDS - start)) "$outcome" "$name")")
  return "$status"
}

configure() {
  local dir=$1
  shift
  cmake -S . -B "$dir" -G Ninja -DPORTCULLIS_WERROR=ON "$@"
}

# The SpamAssassin corpus, fetched once into build/corpus and shared with DIR.
corpus_for() {
  bash tests/support/fetch-corpus.sh build/corpus >/dev/null || return 1
  if [ "$1" != build ]; then ln -sfn ../build/corpus "$1/corpus"; fi
}

# Sanitized test runs: each process writes its reports to DIR/sanitizer-reports/<sanitizer>.<pid>.
sanitized_ctest() {
  local dir=$1 reports=$PWD/$1/sanitizer-reports supp=$PWD/tests/support/sanitizers
  shift
  rm -rf "$reports"
  mkdir -p "$reports"
  ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1" \
    LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0" \
    UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1:halt_on_error=1" \
    TSAN_OPTIONS="log_path=$reports/tsan:suppressions=$supp/tsan.supp:second_deadlock_stack=1" \
    ctest --test-dir "$dir" --output-on-failure -j2 --timeout 1500 "$@"
}

no_sanitizer_reports() {
  local reports=$1/sanitizer-reports
  if [ -n "$(ls -A "$reports" 2>/dev/null)" ]; then
    for report in "$reports"/*; do
      echo "--- $report"
      cat "$report"
    done
    return 1
  fi
}

sanitizer_flags=("-DCMAKE_BUILD_TYPE=Debug" "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1"
  "-DCMAKE_C_FLAGS_DEBUG=-O1 -g1" "-DPORTCULLIS_FUZZ=OFF")

if [[ $lanes == *" checks "* ]]; then
  step "checks: clang-format" bash tests/support/check-format.sh || true
  step "checks: layering" bash tests/support/check-layering.sh || true
fi

# With the asan lane the unit and integration tests run there only, but the unsanitized ones.
if [[ $lanes == *" asan "* ]]; then
  plain_targets=(--target plain_lane_targets)
  plain_labels=(-L '^(slow|package|fuzz|unsanitized)$')
else
  plain_targets=()
  plain_labels=()
fi
if [[ $lanes == *" plain "* ]] &&
  step "plain: configure" configure build -DCMAKE_BUILD_TYPE=RelWithDebInfo &&
  step "plain: build" cmake --build build "${plain_targets[@]}" &&
  step "plain: corpus" corpus_for build; then
  step "plain: tests ${plain_labels[*]:-(all)}" \
    ctest --test-dir build --output-on-failure -j2 --timeout 1500 "${plain_labels[@]}" || true
fi

if [[ $lanes == *" asan "* ]] &&
  step "asan: configure" configure build-asan "${sanitizer_flags[@]}" \
    -DPORTCULLIS_SANITIZE=address,undefined &&
  step "asan: build" cmake --build build-asan --target unit_and_integration_tests &&
  step "asan: corpus" corpus_for build-asan; then
  step "asan: tests (unit, integration)" \
    sanitized_ctest build-asan -L '^(unit|integration)$' -LE '^unsanitized$' || true
  step "asan: no sanitizer reports" no_sanitizer_reports build-asan || true
fi

if [[ $lanes == *" tsan "* ]] &&
  step "tsan: configure" configure build-tsan "${sanitizer_flags[@]}" -DPORTCULLIS_SANITIZE=thread &&
  step "tsan: build" cmake --build build-tsan --target thread_tests; then
  step "tsan: tests (threads)" sanitized_ctest build-tsan -L '^threads$' || true
  step "tsan: no sanitizer reports" no_sanitizer_reports build-tsan || true
fi

if [[ $lanes == *" checks "* ]]; then
  for dir in build build-asan; do
    if [ -f "$dir/CTestTestfile.cmake" ]; then
      step "checks: a lane label on every test of $dir" bash tests/support/check-labels.sh "$dir" ||
        true
    fi
  done
fi

echo "=== summary"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
