#!/usr/bin/env bash
# Idle capacity of ONE gateway, measured alone: starts a gateway from its packaged jar in its own JVM (so heap
# and RSS are the gateway's, not the whole one-JVM system's), joined to the Kafka broker of a system already
# running (./run.sh), opens N idle connections to it with the load generator, then stops it.
# usage: scripts/gateway-capacity.sh [N (default 19500)] [--data DIR of ./run.sh (default data/kafka)]
# Every connection is a file descriptor in the gateway's process: N must stay below the open-file hard limit
# (`ulimit -Hn`; 20,000 on our build machine, where it cannot be raised) minus the ~130 the JVM itself holds.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/find-java.sh
find_java || exit 1

clients=${1:-19500}
data=data/kafka
[ "${2:-}" = "--data" ] && data=$3
if [ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" ]; then
  [ -f "$data/ports" ] || { echo "No broker found in $data: start ./run.sh first (or set KAFKA_BOOTSTRAP_SERVERS)" >&2; exit 1; }
  KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$(cut -d' ' -f1 "$data/ports")
fi
jar=gateway/target/huddle-gateway.jar
[ -f "$jar" ] || mvn -B -q -pl gateway -am install -DskipTests >&2
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
port=${GATEWAY_PORT:-18090}
log=$(mktemp)
KAFKA_BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP_SERVERS SERVER_PORT=$port \
  "$JAVA_HOME/bin/java" -XX:+UseZGC -Xmx1g -jar "$jar" >"$log" 2>&1 &
gw=$!
trap 'kill $gw 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 60); do grep -q 'ready on port' "$log" && break; sleep 1; done
grep -q 'ready on port' "$log" || { echo "The gateway did not start:" >&2; cat "$log" >&2; exit 1; }
./loadgen.sh idle --gateways "ws://localhost:$port/ws" --metrics "http://localhost:$port/observe/metrics" \
  --gateway-pid "$gw" --clients "$clients" --seconds 30
