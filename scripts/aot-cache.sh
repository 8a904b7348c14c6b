#!/usr/bin/env bash
# Creates the launcher's ahead-of-time cache (JDK 25+: JEP 483, 514, 515) so that a start skips loading and linking
# thousands of classes and the JIT starts from recorded method profiles. A short training run of the whole system
# (its own broker in a temporary folder, two gateways on free ports) is driven by the load generator through
# joins and cross-gateway relays; at exit the JVM writes what it loaded, linked and profiled to the cache.
#
#   scripts/aot-cache.sh [FILE]     default data/aot/huddle-launcher.aot; run.sh calls it when the cache is
#                                   missing or older than the jar, and starts with -XX:AOTCache=FILE after
#
# Needs the packaged launcher and load generator (run.sh builds both). Exits 1, saying why, if the cache cannot be
# made (JDK older than 25, training run failed); nothing depends on it but start-up speed.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/find-java.sh
find_java || exit 1
. scripts/launcher-opts.sh

cache=${1:-$LAUNCHER_AOT_CACHE}
if ! aot_supported; then
  echo "aot-cache: $JAVA_HOME has no -XX:AOTCacheOutput (needs JDK 25+): no AOT cache" >&2
  exit 1
fi
for jar in "$LAUNCHER_JAR" loadgen/target/huddle-loadgen.jar; do
  [ -f "$jar" ] || { echo "aot-cache: $jar is missing: build first (./run.sh builds it)" >&2; exit 1; }
done
mkdir -p "$(dirname "$cache")"
tmp=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

started=$SECONDS
# The training JVM writes to a temporary name: an interrupted run leaves no half-written cache behind.
"$JAVA_HOME/bin/java" "${LAUNCHER_JAVA_OPTS[@]}" -XX:AOTCacheOutput="$tmp/cache.aot" -jar "$LAUNCHER_JAR" \
  --gateways 2 --port 0 --data "$tmp/kafka" --broker-metrics-port 0 >"$tmp/launcher.log" 2>&1 &
pid=$!
for _ in $(seq 240); do
  grep -q '^READY ' "$tmp/launcher.log" && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.5
done
if ! grep -q '^READY ' "$tmp/launcher.log"; then
  echo "aot-cache: the training run did not start; its log:" >&2
  tail -20 "$tmp/launcher.log" >&2
  exit 1
fi
gateways=$(sed -n 's/^gateways: //p' "$tmp/launcher.log")
broker=$(sed -n 's/^broker metrics: \([^ ]*\).*/\1/p' "$tmp/launcher.log")
echo "aot-cache: training the AOT cache: joins and relays through $gateways" >&2
# The same paths a real call takes: hello, join/leave, signals across gateways, the broker counters.
./loadgen.sh join --gateways "${gateways%%,*}" --joins 150 --seconds 60 >"$tmp/join.txt" 2>&1 || true
./loadgen.sh relay --gateways "$gateways" --clients 60 --rooms 30 --rate 5 --seconds 10 --warmup 2 --ramp 2 \
  --drain 10 --broker "$broker" >"$tmp/relay.txt" 2>&1 || true
# SIGTERM: the launcher stops cleanly, then the JVM assembles the cache (a child JVM; up to a minute here).
kill -TERM "$pid"
for _ in $(seq 360); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
if kill -0 "$pid" 2>/dev/null; then
  echo "aot-cache: the training run did not exit within 3 minutes: no AOT cache" >&2
  exit 1
fi
pid=
if [ ! -s "$tmp/cache.aot" ]; then
  echo "aot-cache: the JVM wrote no cache; its log:" >&2
  grep -i 'aot' "$tmp/launcher.log" | tail -10 >&2
  exit 1
fi
mv "$tmp/cache.aot" "$cache"
aot_key >"$cache.key"
echo "aot-cache: wrote $cache ($(( $(stat -c %s "$cache") / 1048576 )) MB) in $((SECONDS - started)) s" >&2
