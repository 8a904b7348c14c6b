#!/usr/bin/env bash
# The course app (the Node/Socket.IO app this product is compared with, ../shared/peers/course-app) measured by
# ITS OWN harness (harness/signal-load.mjs) at the load shapes of our relay rows, in the same sitting:
#   single: one Node process;  redis2: two processes joined by the Redis adapter (Debian's redis-server), every
#   room's two peers on different processes (--spread split), as our relay puts them on different gateways.
#
#   scripts/course-app-bench.sh [single|redis2|both] [SHAPES]
#   SHAPES: "clients rooms rate" triples, comma-separated; default "1000 500 5,2000 1000 5,200 100 5"
#   env: COURSE_APP (default ../shared/peers/course-app), SECONDS_LOAD (default 30), PORT (default 3300; the
#        second process takes PORT+1), REDIS_PORT (default 6390)
#
# The app is copied to a temporary folder and its npm dependencies installed there (nothing of it enters this
# repository). Prints one row per run: p50/p99/p99.9 of the relay latency in ms, as loadgen.sh prints ours, and
# delivered/sent. Every process it starts (node, redis-server) it stops by its PID.
set -euo pipefail
cd "$(dirname "$0")/.."
modes=${1:-both}
[ "$modes" = both ] && modes="single redis2"
shapes=${2:-"1000 500 5,2000 1000 5,200 100 5"}
app=${COURSE_APP:-../shared/peers/course-app}
seconds=${SECONDS_LOAD:-30}
port=${PORT:-3300}
redis_port=${REDIS_PORT:-6390}
for m in $modes; do
  case "$m" in single|redis2) ;; *) echo "usage: scripts/course-app-bench.sh [single|redis2|both] [SHAPES]" >&2; exit 2 ;; esac
done
[ -f "$app/harness/signal-load.mjs" ] || { echo "No course app at $app (set COURSE_APP)" >&2; exit 1; }
command -v node >/dev/null && command -v npm >/dev/null || { echo "Needs node (20+) and npm" >&2; exit 1; }

work=$(mktemp -d)
pids=()
stop_all() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 40); do kill -0 "$p" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$p" 2>/dev/null || true
  done
  pids=()
}
redis_pid=
trap 'stop_all; [ -n "$redis_pid" ] && kill -TERM "$redis_pid" 2>/dev/null; rm -rf "$work"' EXIT

cp -r "$app" "$work/course-app"
rm -rf "$work/course-app/node_modules"
cd "$work/course-app"
echo "Installing the course app's npm dependencies in $work ..." >&2
npm ci --no-audit --no-fund --loglevel=error >&2 || npm install --no-audit --no-fund --loglevel=error >&2

if [[ " $modes " == *" redis2 "* ]]; then
  if ! command -v redis-server >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "Installing Debian's redis-server ..." >&2
      apt-get install -y -q redis-server >&2 || { apt-get update -q >&2 && apt-get install -y -q redis-server >&2; }
    else
      echo "redis2 needs redis-server (apt-get install redis-server)" >&2; exit 1
    fi
  fi
  # No persistence: it only carries the adapter's pub/sub.
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$work/redis.log" 2>&1 &
  redis_pid=$!
  for _ in $(seq 40); do [ "$(redis-cli -p "$redis_port" ping 2>/dev/null)" = PONG ] && break; sleep 0.25; done
  [ "$(redis-cli -p "$redis_port" ping 2>/dev/null)" = PONG ] || { echo "redis-server did not start:" >&2; cat "$work/redis.log" >&2; exit 1; }
fi

start_server() { # port [redis]
  local p=$1
  local env=(ROOM_CHANGE=lobby ADMIN_PASSWORD="bench-$RANDOM$RANDOM" HOST=127.0.0.1 PORT="$p")
  [ "${2:-}" = redis ] && env+=(REDIS_URL="redis://127.0.0.1:$redis_port")
  env "${env[@]}" node src/server.js >"$work/server-$p.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 80); do curl -sf "http://127.0.0.1:$p/healthz" >/dev/null 2>&1 && return 0; sleep 0.25; done
  echo "course app on port $p did not start:" >&2; cat "$work/server-$p.log" >&2; return 1
}

# ROOM_CHANGE=lobby: the room list goes only to sockets not in a room, as our list_rooms watchers (the course's
# default re-sends it to every socket on each join, which measures a join storm, not relay).
printf '%-7s %-22s %-10s %-10s %-10s %s\n' mode "clients/rooms/rate" p50_ms p99_ms p999_ms delivered/sent
IFS=, read -ra list <<<"$shapes"
for shape in "${list[@]}"; do
  read -r c k m <<<"$shape"
  for mode in $modes; do
    if [ "$mode" = single ]; then
      start_server "$port"
      args=(--url "http://127.0.0.1:$port" --server-pid "${pids[0]}")
    else
      start_server "$port" redis
      start_server $((port + 1)) redis
      args=(--url "http://127.0.0.1:$port" --url2 "http://127.0.0.1:$((port + 1))" --spread split
            --server-pid "${pids[0]},${pids[1]},$redis_pid")
    fi
    out="$work/load-$mode-$c-$k-$m.json"
    node harness/signal-load.mjs "${args[@]}" --clients "$c" --rooms "$k" --rate "$m" --seconds "$seconds" \
      --quiet --out "$out" >"$work/load.txt" 2>&1 || true
    stop_all
    if [ -s "$out" ]; then
      node -e '
        const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")), L = r.load || {}, l = L.latency_ms || {};
        const [mode, shape] = process.argv.slice(2);
        console.log(`${mode.padEnd(7)} ${shape.padEnd(22)} ${String(l.p50).padEnd(10)} ${String(l.p99).padEnd(10)} ${String(l.p999).padEnd(10)} ${L.delivered}/${L.sent}`);
      ' "$out" "$mode" "$c/$k/$m"
    else
      echo "$mode $c/$k/$m: no result; the harness said:"; tail -5 "$work/load.txt"
    fi
  done
done
