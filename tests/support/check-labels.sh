#!/usr/bin/env bash
# Fails when a test registered in BUILD_DIR's ctest has no lane label or more than one: every test
# carries exactly one of unit, integration, slow, package, fuzz (tests/CMakeLists.txt says what
# each lane is and where tests/run.sh runs it). Prints the offenders and the count per lane.
# A GoogleTest binary not built in BUILD_DIR stands as one NAME_NOT_BUILT entry: skipped and
# counted (each lane's build directory builds, and so checks, its own tests).
# Usage: check-labels.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: check-labels.sh BUILD_DIR}
listing=$(mktemp)
trap 'rm -f "$listing"' EXIT
ctest --test-dir "$build" --show-only=json-v1 >"$listing"
python3 - "$listing" <<'EOF'
import collections, json, sys

LANES = ("unit", "integration", "slow", "package", "fuzz")
tests = json.load(open(sys.argv[1]))["tests"]
per_lane = collections.Counter()
offenders = []
not_built = 0
for test in tests:
    if test["name"].endswith("_NOT_BUILT"):
        not_built += 1
        continue
    labels = next((p["value"] for p in test.get("properties", []) if p["name"] == "LABELS"), [])
    lanes = [label for label in labels if label in LANES]
    if len(lanes) == 1:
        per_lane[lanes[0]] += 1
    else:
        offenders.append(f"{test['name']}: labels {labels or 'none'}")
for line in offenders:
    print(f"check-labels: {line} (needs exactly one of {', '.join(LANES)})")
print("check-labels:", len(tests), "tests;",
      ", ".join(f"{lane} {per_lane[lane]}" for lane in LANES) + f"; {not_built} binaries not built")
sys.exit(1 if offenders or not tests else 0)
EOF
