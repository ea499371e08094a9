#!/usr/bin/env bash
# Fails when a C++ file of the repository (*.h, *.cc: tracked, or new and not ignored) is not
# formatted as .clang-format says; prints the offending lines (clang-format --dry-run -Werror).
# Usage: check-format.sh [REPOSITORY].
set -euo pipefail
cd "${1:-$(dirname "$0")/../..}"
git ls-files -z --cached --others --exclude-standard -- '*.h' '*.cc' |
  while IFS= read -r -d '' file; do
    if [ -f "$file" ]; then printf '%s\0' "$file"; fi  # not deleted in the working tree
  done |
  xargs -0 clang-format --dry-run -Werror
echo "check-format: every C++ file is formatted"
