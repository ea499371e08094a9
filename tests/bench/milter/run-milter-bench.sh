#!/bin/bash
# Messages per second through a private Postfix on loopback, with the Portcullis milter
# (milter_test_server: the milter library around the integration tests' checks) and without it:
#   smtp-source -> postfix [-> milter] -> smtp-sink
# Prints both rates and their ratio, for the SMTP acceptance (smtp-source done) and end to end
# (Postfix's queue empty again).
#   run-milter-bench.sh MILTER_TEST_SERVER [MESSAGES] [SESSIONS] [SIZE]
set -euo pipefail
server=$1
messages=${2:-5000}
sessions=${3:-16}
size=${4:-5000}
support=$(cd "$(dirname "$0")/../../integration/milter" && pwd)
dir=$(mktemp -d /tmp/portcullis-milter-bench-XXXXXX)
chmod 755 "$dir"
port() { /usr/bin/python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
sink_port=$(port); milter_port=$(port); plain_port=$(port); milter_mta_port=$(port)
pids=()
cleanup() {
  "$support/postfix-instance.sh" stop "$dir/plain" || true
  "$support/postfix-instance.sh" stop "$dir/milter" || true
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

smtp-sink -u postfix "127.0.0.1:$sink_port" 256 & pids+=($!)
"$server" --milter "inet:$milter_port@127.0.0.1" --relay-port "$sink_port" > "$dir/server.log" 2>&1 & pids+=($!)
for _ in $(seq 100); do grep -q ready "$dir/server.log" && break; sleep 0.1; done
"$support/postfix-instance.sh" start "$dir/plain" "$plain_port" "$sink_port" none 6
"$support/postfix-instance.sh" start "$dir/milter" "$milter_mta_port" "$sink_port" \
  "inet:127.0.0.1:$milter_port" 6 60s

queue_empty() { [ -z "$(postqueue -c "$1" -j)" ]; }

# run NAME PORT: prints "accept_rate end_to_end_rate"
run() {
  local name=$1 port=$2 start accepted done
  start=$(date +%s.%N)
  smtp-source -s "$sessions" -m "$messages" -l "$size" -f bench@sender.test \
    -t rcpt@example.test "127.0.0.1:$port"
  accepted=$(date +%s.%N)
  until queue_empty "$dir/$name/etc"; do sleep 0.05; done
  done=$(date +%s.%N)
  echo "$messages $start $accepted $done" | awk '{printf "%.0f %.0f\n", $1/($3-$2), $1/($4-$2)}'
}

# Warm both instances (process start-up, first connections).
smtp-source -s 4 -m 200 -l "$size" -f bench@sender.test -t rcpt@example.test "127.0.0.1:$plain_port"
smtp-source -s 4 -m 200 -l "$size" -f bench@sender.test -t rcpt@example.test "127.0.0.1:$milter_mta_port"
until queue_empty "$dir/plain/etc" && queue_empty "$dir/milter/etc"; do sleep 0.05; done

read -r plain_accept plain_total < <(run plain "$plain_port")
read -r milter_accept milter_total < <(run milter "$milter_mta_port")
server_pid=${pids[1]}
echo "milter process CPU: $(awk '{printf "%.2f s user, %.2f s system", $14/100, $15/100}' /proc/$server_pid/stat)"
rejected=$(grep -c "milter-reject" "$dir/milter/postfix.log" || true)
echo "messages=$messages sessions=$sessions size=$size bytes milter_rejects=$rejected"
echo "postfix alone:       accepted $plain_accept msg/s, end to end $plain_total msg/s"
echo "postfix with milter: accepted $milter_accept msg/s, end to end $milter_total msg/s"
awk -v a="$milter_accept" -v b="$plain_accept" -v c="$milter_total" -v d="$plain_total" \
  'BEGIN {printf "ratio with/without milter: accepted %.2f, end to end %.2f\n", a/b, c/d}'
