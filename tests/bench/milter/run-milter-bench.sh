#!/bin/bash
# Postfix alone against Postfix with the Portcullis milter (milter_test_server: the milter library
# around the integration tests' checks), in one run, on loopback:
#   client -> postfix [-> milter] -> smtp-sink
# For each client, the two instances are measured back to back (alone first, then with the milter,
# each after the queues have drained) and the ratio printed. Clients: Postfix's smtp-source (no
# pipelining) with -d (many messages per connection) and without it (one connection per message),
# and smtp_latency_client one command at a time and pipelined (RFC 2920), which also gives the
# p50/p99 transaction time (MAIL to the final reply) per message.
#   run-milter-bench.sh MILTER_TEST_SERVER SMTP_LATENCY_CLIENT [MESSAGES] [SESSIONS] [SIZE]
set -euo pipefail
server=$1
client=$2
messages=${3:-3000}
sessions=${4:-16}
size=${5:-5000}
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
server_pid=$!
for _ in $(seq 100); do grep -q ready "$dir/server.log" && break; sleep 0.1; done
"$support/postfix-instance.sh" start "$dir/plain" "$plain_port" "$sink_port" none 6
"$support/postfix-instance.sh" start "$dir/milter" "$milter_mta_port" "$sink_port" \
  "inet:127.0.0.1:$milter_port" 6 60s

queue_empty() { [ -z "$(postqueue -c "$1" -j)" ]; }
drain() { until queue_empty "$dir/plain/etc" && queue_empty "$dir/milter/etc"; do sleep 0.05; done; }
cpu() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }

# measure KIND PORT: prints "rate p50 p99" (p50/p99 "-" for smtp-source).
measure() {
  local kind=$1 port=$2 start end
  case $kind in
    source-d|source)
      local flags=(-s "$sessions" -m "$messages" -l "$size" -f bench@sender.test -t rcpt@example.test)
      [ "$kind" = source-d ] && flags=(-d "${flags[@]}")
      start=$(date +%s.%N)
      smtp-source "${flags[@]}" "127.0.0.1:$port"
      end=$(date +%s.%N)
      echo "$messages $start $end" | awk '{printf "%.0f - -\n", $1/($3-$2)}'
      ;;
    lockstep|pipelined)
      local flags=(--messages "$messages" --sessions "$sessions" --size "$size")
      [ "$kind" = pipelined ] && flags+=(--pipelining)
      "$client" "$port" "${flags[@]}" |
        sed -E 's/.*rate=([0-9.]+) p50_ms=([0-9.]+) p99_ms=([0-9.]+).*/\1 \2 \3/'
      ;;
  esac
}

# Warm both instances (process start-up, first connections).
for p in "$plain_port" "$milter_mta_port"; do
  smtp-source -s 4 -m 200 -l "$size" -f bench@sender.test -t rcpt@example.test "127.0.0.1:$p"
done
drain

echo "messages=$messages sessions=$sessions size=$size bytes, $(nproc) cores"
printf "%-34s %21s %21s %7s\n" "client" "postfix alone" "postfix with milter" "ratio"
printf "%-34s %7s %6s %7s %7s %6s %7s %7s\n" "" "msg/s" "p50ms" "p99ms" "msg/s" "p50ms" \
  "p99ms" "msg/s"
milter_cpu=0
for kind in source-d source lockstep pipelined; do
  case $kind in
    source-d) label="smtp-source -d (one connection)" ;;
    source) label="smtp-source (connection per msg)" ;;
    lockstep) label="one command at a time" ;;
    pipelined) label="pipelined MAIL/RCPT/DATA" ;;
  esac
  read -r a_rate a_p50 a_p99 < <(measure "$kind" "$plain_port")
  drain
  before=$(cpu)
  read -r m_rate m_p50 m_p99 < <(measure "$kind" "$milter_mta_port")
  milter_cpu=$((milter_cpu + $(cpu) - before))
  drain
  printf "%-34s %7s %6s %7s %7s %6s %7s %7s\n" "$label" "$a_rate" "$a_p50" "$a_p99" "$m_rate" \
    "$m_p50" "$m_p99" "$(awk -v a="$a_rate" -v m="$m_rate" 'BEGIN {printf "%.2f", m/a}')"
done
rejected=$(grep -c "milter-reject" "$dir/milter/postfix.log" || true)
echo "milter process CPU while measured: $(awk -v t="$milter_cpu" -v n="$((4 * messages))" \
  'BEGIN {printf "%.3f ms per message", 10 * t / n}'), milter rejects: $rejected"
