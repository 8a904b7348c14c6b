#!/usr/bin/env bash
# How slow is the first half-minute after a start? Starts a fresh system (launcher jar, new broker data, two
# gateways on free ports), waits for READY, and at once runs the relay load for 30 s with no warm-up, reporting
# the latency of the whole first 30 s and of each 5 s. Modes, side by side:
#   none: no AOT cache;  aot: with the AOT cache (scripts/aot-cache.sh; made first if missing or stale);
#   warm: the AOT cache and `--warm-up 15` (the launcher relays signals itself for 15 s before READY)
#
#   scripts/warm-start-bench.sh [none|aot|warm|all] [--clients C] [--rooms K] [--rate M] [--seconds S]
#   default: all, 200 clients in 100 rooms at 5/s (1,000 signals/s) for 30 s
#
# Prints, per mode: the launcher's "started in", then loadgen's relay_latency_ms (the first S seconds),
# relay_windows_ms (each 5 s) and broker_requests_per_relayed_signal. Every process it starts, it stops.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/find-java.sh
find_java || exit 1
. scripts/launcher-opts.sh

modes=${1:-all}
case "$modes" in none|aot|warm) shift ;; all) shift || true; modes="none aot warm" ;; -*) modes="none aot warm" ;;
  *) echo "usage: scripts/warm-start-bench.sh [none|aot|warm|all] [--clients C] [--rooms K] [--rate M] [--seconds S]" >&2
     exit 2 ;; esac
clients=200 rooms=100 rate=5 seconds=30
while [ $# -gt 0 ]; do
  case "$1" in
    --clients) clients=$2; shift 2 ;;
    --rooms) rooms=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ -f "$LAUNCHER_JAR" ] && [ -f loadgen/target/huddle-loadgen.jar ] || mvn -B -q -DskipTests package -pl launcher,loadgen -am >&2
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

tmp=$(mktemp -d)
pid=
stop() {
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
    pid=
  fi
}
trap 'stop; rm -rf "$tmp"' EXIT

for mode in $modes; do
  flags=("${LAUNCHER_JAVA_OPTS[@]}")
  warm=()
  [ "$mode" = warm ] && warm=(--warm-up 15)
  if [ "$mode" != none ]; then
    if ! aot_usable "$LAUNCHER_AOT_CACHE"; then
      scripts/aot-cache.sh "$LAUNCHER_AOT_CACHE" || { echo "== aot: no cache could be made, skipped" >&2; continue; }
    fi
    flags+=(-XX:AOTCache="$LAUNCHER_AOT_CACHE")
  fi
  rm -rf "$tmp/kafka"
  log=$tmp/launcher-$mode.log
  "$JAVA_HOME/bin/java" "${flags[@]}" -jar "$LAUNCHER_JAR" --gateways 2 --port 0 --data "$tmp/kafka" \
    --broker-metrics-port 0 "${warm[@]}" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 240); do grep -q '^READY ' "$log" && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  grep -q '^READY ' "$log" || { echo "== $mode: the system did not start:" >&2; tail -20 "$log" >&2; exit 1; }
  gateways=$(sed -n 's/^gateways: //p' "$log")
  broker=$(sed -n 's/^broker metrics: \([^ ]*\).*/\1/p' "$log")
  echo "== $mode: $(grep '^started in' "$log")$(sed -n 's/^warmed up/, warmed up/p' "$log"), then at once $clients clients in $rooms rooms at $rate/s for ${seconds} s ($(cut -d' ' -f1-3 /proc/loadavg) load)"
  ./loadgen.sh relay --gateways "$gateways" --clients "$clients" --rooms "$rooms" --rate "$rate" \
    --seconds "$seconds" --warmup 0 --window 5 --ramp 2 --drain 30 --broker "$broker" >"$tmp/relay-$mode.txt" 2>&1 || true
  # The table's rows that answer the question, the per-window rows with them.
  grep -E '^(sent|delivered|relay_latency_ms|relay_windows_ms|errors|broker_requests_per_relayed_signal) |^    from_s' \
    "$tmp/relay-$mode.txt" || tail -5 "$tmp/relay-$mode.txt"
  stop
done
