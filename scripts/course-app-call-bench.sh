#!/usr/bin/env bash
# The course app's own browser harness (../shared/peers/course-app/harness/join-latency.mjs), run in the same
# sitting as our CallBenchmark so the two can be compared (absolute times drift on a shared box; ratios hold).
# It times, inside headless Chromium pages with fake media, the join click to a decoded frame of every remote
# video, and chat delivery. Works on a copy of the app; starts one server and stops it (by its PID) at the end.
#
# Usage: scripts/course-app-call-bench.sh [rounds] [peers...]      default: 3 rounds, 2 4 6 people
#   COURSE_APP=dir (default ../shared/peers/course-app from the repo root, else /work/shared/peers/course-app)
#   PORT (default 3300)  MODE=concurrent|sequential (default concurrent: everyone clicks join together)
#   BROWSER (default /usr/bin/chromium; scripts/nice-chromium.sh runs the browsers below the server's priority,
#   as CallBenchmark's -Dhuddle.chromium=... does for ours)  WARMUP (default 1): untimed calls of each size first
# Run ours in the same sitting:
#   mvn -B -o -q -pl system-tests -am verify -Dtest=CallBenchmark -Dsurefire.failIfNoSpecifiedTests=false -Dcalls=3 -Dpeople=2,4,6
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
app="${COURSE_APP:-$root/../shared/peers/course-app}"
[ -d "$app" ] || app=/work/shared/peers/course-app
[ -f "$app/harness/join-latency.mjs" ] || { echo "course app not found at $app (set COURSE_APP)" >&2; exit 1; }
command -v node >/dev/null || { echo "node is needed (apt-get install nodejs npm)" >&2; exit 1; }
rounds="${1:-3}"
shift || true
peers=("$@")
[ ${#peers[@]} -gt 0 ] || peers=(2 4 6)
port="${PORT:-3300}"
mode="${MODE:-concurrent}"
browser="${BROWSER:-/usr/bin/chromium}"
warmup="${WARMUP:-1}"

work="$(mktemp -d /tmp/course-app-bench.XXXXXX)"
cp -r "$app" "$work/"
cd "$work/course-app"
rm -rf node_modules
echo "== npm install in $work/course-app"
npm install --no-audit --no-fund --loglevel=error >/dev/null

server=""
stop() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server"
    wait "$server" 2>/dev/null || true
  fi
}
trap stop EXIT INT TERM
PORT="$port" ADMIN_USER=admin ADMIN_PASSWORD="bench-$RANDOM" node src/server.js >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  curl -sf "http://localhost:$port/" >/dev/null 2>&1 && break
  sleep 0.2
done
echo "== course app pid $server on $port; loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
for n in "${peers[@]}"; do
  # As CallBenchmark does (-Dbench.warmup): calls before the timed ones, so both servers are measured warm.
  for _ in $(seq 1 "$warmup"); do
    node harness/join-latency.mjs --url "http://localhost:$port" --peers "$n" --rounds 1 --mode "$mode" \
      --chromium "$browser" --out "$work/warm-up-n$n.json" | tail -n 1 | sed 's/^/warm-up: /'
  done
  node harness/join-latency.mjs --url "http://localhost:$port" --peers "$n" --rounds "$rounds" --mode "$mode" \
    --chromium "$browser" --out "$work/join-n$n.json" | tail -n 3
done
echo "== results: $work/join-n*.json"
