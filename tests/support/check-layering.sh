#!/usr/bin/env bash
# Fails when a source file includes across a layer it must not cross (issue 16):
#  * a file in filters/ includes a project header other than gateway/core, gateway/mime,
#    gateway/dns, gateway/config, the base library (gateway/base or base/) or its own filter's
#    folder, or a filter library named in filter_uses below;
#  * a file in gateway/pipeline includes a front end (gateway/smtp, gateway/milter).
# Prints one line per offending include (file:line: include -- rule) and exits 1 if there is one.
# Usage: check-layering.sh [REPOSITORY] (default: the repository this script is in).
set -euo pipefail
cd "${1:-$(dirname "$0")/../..}"

# Filters that use another filter as a library, each with its reason.
filter_uses=(
  "content classifier"  # the BAYES evals and autolearn score with the classifier
  "learning classifier" # learning trains the classifier's store
  "learning content"    # what is learnt is read through the content engine's view
  "dmarc dkim"          # DMARC records use DKIM's tag-list syntax and the same From author
)

allowed_in_filters='^(gateway/(core|mime|dns|config|base)|base)/'
violations=0

report() {
  echo "$1: $2 -- $3"
  violations=$((violations + 1))
}

# Every quoted include of a file under DIR: "file:line:header".
includes_under() {
  grep -rnE --include='*.h' --include='*.cc' '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$1" |
    sed -E 's/^([^:]+:[0-9]+):[^"]*"([^"]+)".*/\1:\2/' || true
}

while IFS=: read -r file line header; do
  [ -n "$file" ] || continue
  own=$(echo "$file" | cut -d/ -f2)
  case "$header" in
    */*) ;;
    *) continue ;;  # a header beside the file: its own folder
  esac
  [[ $header =~ $allowed_in_filters ]] && continue
  [[ $header == filters/$own/* ]] && continue
  used=$(echo "$header" | sed -nE 's|^filters/([^/]+)/.*|\1|p')
  if [ -n "$used" ] && printf '%s\n' "${filter_uses[@]}" | grep -qx "$own $used"; then
    continue
  fi
  report "$file:$line" "$header" \
    "filters/ may include gateway/core, gateway/mime, gateway/dns, gateway/config and the base library"
done < <(includes_under filters)

while IFS=: read -r file line header; do
  [ -n "$file" ] || continue
  case "$header" in
    gateway/smtp/* | gateway/milter/*)
      report "$file:$line" "$header" "gateway/pipeline must not include a front end" ;;
  esac
done < <(includes_under gateway/pipeline)

if [ "$violations" -gt 0 ]; then
  echo "check-layering: $violations include(s) across a layer"
  exit 1
fi
echo "check-layering: filters/ and gateway/pipeline keep to their layers"
