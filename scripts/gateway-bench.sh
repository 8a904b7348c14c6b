#!/usr/bin/env bash
# Benchmarks that need ONE gateway in a process of its own, beside a system already running (./run.sh): the
# gateway starts from its packaged jar, joined to that system's Kafka broker, and stops at the end.
#
#   scripts/gateway-bench.sh capacity [N]   N idle connections (default 19500) to the lone gateway: heap and RSS
#                                           per connection are the gateway's own, not the one-JVM system's
#   scripts/gateway-bench.sh death [C]      C clients (default 200) in C/2 rooms relay signals across the lone
#                                           gateway and ./run.sh's first one; half-way the lone gateway is killed
#                                           (SIGKILL): the survivors must get `peer_left` for every lost peer
#
# Options after those: --data DIR (./run.sh's broker data, default data/kafka), --port P (./run.sh's first
# gateway, default 8080). KAFKA_BOOTSTRAP_SERVERS overrides the broker found in DIR.
# Every connection is a file descriptor of the gateway's process: N must stay below the open-file hard limit
# (`ulimit -Hn`; 20,000 on our build machine, where it cannot be raised) minus the ~130 the JVM itself holds.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/find-java.sh
find_java || exit 1

what=${1:-}
shift || true
count=
case "${1:-}" in [0-9]*) count=$1; shift ;; esac
data=data/kafka
port=8080
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if [ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" ]; then
  [ -f "$data/ports" ] || { echo "No broker found in $data: start ./run.sh first (or set KAFKA_BOOTSTRAP_SERVERS)" >&2; exit 1; }
  KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$(cut -d' ' -f1 "$data/ports")
fi
jar=gateway/target/huddle-gateway.jar
[ -f "$jar" ] || mvn -B -q -pl gateway -am install -DskipTests >&2
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
lone=${GATEWAY_PORT:-18090}
log=$(mktemp)
KAFKA_BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP_SERVERS SERVER_PORT=$lone \
  "$JAVA_HOME/bin/java" -XX:+UseZGC -Xmx1g -jar "$jar" >"$log" 2>&1 &
gw=$!
trap 'kill -9 $gw 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 60); do grep -q 'ready on port' "$log" && break; sleep 1; done
grep -q 'ready on port' "$log" || { echo "The gateway did not start:" >&2; cat "$log" >&2; exit 1; }

case "$what" in
  capacity)
    ./loadgen.sh idle --gateways "ws://localhost:$lone/ws" --metrics "http://localhost:$lone/observe/metrics" \
      --gateway-pid "$gw" --clients "${count:-19500}" --seconds 30 ;;
  death)
    clients=${count:-200}
    seconds=30
    (sleep $((seconds / 2 + 5)); echo "killing the lone gateway (pid $gw) now" >&2; kill -9 "$gw") &
    # Rooms of two: one peer on each gateway, so every survivor loses exactly one peer.
    ./loadgen.sh relay --gateways "ws://localhost:$port/ws,ws://localhost:$lone/ws" --clients "$clients" \
      --rooms $((clients / 2)) --rate 5 --seconds "$seconds" --warmup 5 --ramp 5 ;;
  *) echo "usage: scripts/gateway-bench.sh capacity|death [N] [--data DIR] [--port P]" >&2; exit 2 ;;
esac
