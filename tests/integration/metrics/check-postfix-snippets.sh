#!/bin/sh
# Checks that Postfix accepts every parameter of the snippets in deploy/postfix/: each mode's
# main.cf and master.cf are added to a scratch copy of the stock configuration and `postconf`
# must read them without a warning (unknown or misspelt parameters are "unused parameter"
# warnings) and show the values they set. Exit 77 (skipped) without Postfix.
set -eu
snippets="$1"
postconf=$(command -v postconf || true)
if [ -z "$postconf" ] || [ ! -f /etc/postfix/master.cf.proto ]; then
  echo "postfix not installed: skipped"
  exit 77
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failed=0

check_mode() {
  mode="$1"
  conf="$dir/$mode"
  mkdir -p "$conf"
  { echo "compatibility_level = 3.6"; cat "$snippets/$mode/main.cf"; } > "$conf/main.cf"
  { cat /etc/postfix/master.cf.proto; cat "$snippets/$mode/master.cf"; } > "$conf/master.cf"
  output=$({
    "$postconf" -c "$conf" -n >/dev/null
    "$postconf" -c "$conf" -M >/dev/null
    "$postconf" -c "$conf" -P >/dev/null
  } 2>&1) || failed=1
  if [ -n "$output" ]; then
    echo "$mode: postconf complained:"
    echo "$output"
    failed=1
  fi
  shift
  for expected in "$@"; do
    if ! { "$postconf" -c "$conf" -n; "$postconf" -c "$conf" -P; } 2>/dev/null | grep -qxF -- "$expected"; then
      echo "$mode: expected the setting: $expected"
      failed=1
    fi
  done
}

check_mode gateway \
  "smtpd_reject_unlisted_recipient = yes" \
  "127.0.0.1:10025/inet/smtpd_milters =" \
  "127.0.0.1:10025/inet/smtpd_recipient_restrictions = permit_mynetworks,reject"
check_mode milter \
  "smtpd_milters = inet:127.0.0.1:10030" \
  "milter_protocol = 6" \
  "milter_default_action = tempfail" \
  "milter_connect_timeout = 10s" \
  "milter_command_timeout = 60s" \
  "milter_content_timeout = 300s"

[ "$failed" -eq 0 ] && echo "postfix snippets accepted"
exit "$failed"
