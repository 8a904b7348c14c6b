#!/usr/bin/env bash
# Our call benchmark (CallBenchmark) against the system as people run it: `./run.sh --gateways 2` in a process of
# its own (its JVM settings, the AOT cache, the JIT warmed by --warm-up before READY), the footing the course
# app's harness gives the course app (scripts/course-app-call-bench.sh, its server a process of its own). Run
# inside the test's JVM instead (CallBenchmark alone), the broker, every service and the browsers' driver share one
# cold JVM, and the JIT's compiler threads take a core's worth of CPU from the browsers during the timed calls.
#
# Usage: scripts/call-bench.sh [calls] [people...]      default: 3 calls, 2 4 6 people
#   PORT (default 18080, and PORT+1 for the second gateway)  WARM_UP seconds of relays before READY (default 30)
#   BROWSER (default scripts/nice-chromium.sh: browsers below the servers' priority, as the course app's are)
#   MVN_ARGS (default -o: offline) extra Maven arguments; BENCH_ARGS extra -D options for CallBenchmark
#   (e.g. "-Dbench.timeline=true"). Prints the BENCH lines; the system's log stays in the folder it names.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. scripts/find-java.sh
find_java || exit 1
calls="${1:-3}"
shift || true
people=("$@")
[ ${#people[@]} -gt 0 ] || people=(2 4 6)
port="${PORT:-18080}"
work="$(mktemp -d /tmp/call-bench.XXXXXX)"

./run.sh --gateways 2 --port "$port" --data "$work/data" --warm-up "${WARM_UP:-30}" >"$work/system.log" 2>&1 &
system=$!
stop() {
  if kill -0 "$system" 2>/dev/null; then
    kill -TERM "$system"
    wait "$system" 2>/dev/null || true
  fi
}
trap stop EXIT INT TERM
echo "== ./run.sh (pid $system) starting and warming up; log: $work/system.log"
for _ in $(seq 1 600); do
  grep -q '^READY' "$work/system.log" && break
  kill -0 "$system" 2>/dev/null || { echo "the system stopped before READY:" >&2; tail -n 20 "$work/system.log" >&2; exit 1; }
  sleep 0.5
done
grep -q '^READY' "$work/system.log" || { echo "no READY after 300 s" >&2; exit 1; }
grep -E '^(READY|warmed up)' "$work/system.log" || true
echo "== loadavg $(cut -d' ' -f1-3 /proc/loadavg)"

list="$(IFS=,; echo "${people[*]}")"
# shellcheck disable=SC2086
mvn -B -q ${MVN_ARGS:--o} -pl system-tests -am verify -Dtest=CallBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  -Dcalls="$calls" -Dpeople="$list" -Dbench.gateways="http://localhost:$port,http://localhost:$((port + 1))" \
  -Dhuddle.chromium="${BROWSER:-$root/scripts/nice-chromium.sh}" ${BENCH_ARGS:-} >"$work/bench.log" 2>&1 \
  || { echo "the benchmark failed: $work/bench.log" >&2; exit 1; }
grep '^BENCH' system-tests/target/surefire-reports/dev.huddle.launcher.browser.CallBenchmark-output.txt \
  | grep -v '^BENCH timeline'
echo "== results: system-tests/target/surefire-reports/dev.huddle.launcher.browser.CallBenchmark-output.txt"
