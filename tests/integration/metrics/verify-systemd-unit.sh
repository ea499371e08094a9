#!/bin/sh
# Runs `systemd-analyze verify` on the shipped unit. The unit names /usr/sbin/portcullis, which is
# not installed on a build machine: the check runs on a copy whose binary paths point to
# /bin/true, so that only the unit's own directives are judged. Exit 77 (skipped) without systemd.
set -eu
unit="$1"
analyze="${2:-}"
if [ -z "$analyze" ] || [ ! -x "$analyze" ]; then
  echo "systemd-analyze not available: skipped"
  exit 77
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sed 's#/usr/sbin/portcullis#/bin/true#g' "$unit" > "$dir/portcullis.service"
output=$("$analyze" verify --man=no "$dir/portcullis.service" 2>&1) || status=$?
echo "$output"
if [ "${status:-0}" -ne 0 ]; then
  echo "systemd-analyze verify failed with status $status"
  exit 1
fi
# verify exits 0 on some warnings (unknown directives, bad values): treat those as failures too.
if echo "$output" | grep -E "portcullis\.service:[0-9]+:" >/dev/null; then
  echo "systemd-analyze reported problems in the unit"
  exit 1
fi
# The hardening must keep systemd's exposure score at 3.0 ("OK") or better.
if ! "$analyze" security --offline=yes --threshold=30 "$dir/portcullis.service" >"$dir/security" 2>&1; then
  cat "$dir/security"
  echo "the unit's exposure score is above 3.0"
  exit 1
fi
tail -n 1 "$dir/security"
echo "unit verified"
