#!/usr/bin/env bash
# cpu_per_request.sh: the server's CPU time per request of a few routes, and their throughput
# against hello, on an existing data directory (a loaded machine moves throughput by ±50%; the
# server's own CPU per request moves much less, so it is what a before/after compares).
# Loopback only; bounded (ROUNDS × routes × DURATION). Builds nothing.
#
# Usage: bench/cpu_per_request.sh BIN DATA_DIR USER PASSWORD PATH...
#   BIN        the hocvuso binary to measure (e.g. a copy of build/hocvuso)
#   DATA_DIR   a SQLite data directory (hocvuso.db, secrets.json); it is served as it is
#   USER/PASSWORD  the account whose session the routes are read with
#   PATH...    the routes, e.g. /api/v1/residents?per_page=50
# For each round and each route (hello first): wrk -t2 -cCONNS for DURATION, then the server's
# utime+stime (/proc/PID/stat) over the run divided by the requests answered.
# Prints one Markdown row per route: median req/s, median ratio to hello, median CPU µs/request.
# Settings: ROUNDS (3), DURATION (6s), CONNS (16), PORT (18999).
set -euo pipefail
BIN=$1 DATA=$2 USER_=$3 PASS=$4
shift 4
ROUNDS=${ROUNDS:-3} DURATION=${DURATION:-6s} CONNS=${CONNS:-16} PORT=${PORT:-18999}
base=http://127.0.0.1:$PORT
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
"$BIN" serve --data "$DATA" --listen 127.0.0.1:$PORT >"$tmp/serve.log" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -sf "$base/api/v1/hello" >/dev/null && break; sleep 0.1; done
cookie=$(curl -s -D - -o /dev/null -H 'content-type: application/json' \
  -d "{\"username\":\"$USER_\",\"password\":\"$PASS\"}" "$base/api/v1/session" |
  tr -d '\r' | awk -F': ' 'tolower($1)=="set-cookie" && $2 ~ /^hocvuso_session=/ {split($2, a, ";"); print a[1]}')
[ -n "$cookie" ] || { echo "log-in failed" >&2; exit 1; }
printf 'wrk.method = "GET"\nwrk.headers["Cookie"] = "%s"\n' "$cookie" >"$tmp/auth.lua"
hz=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
declare -A rps cpuus
paths=(/api/v1/hello "$@")
for r in $(seq "$ROUNDS"); do
  for p in "${paths[@]}"; do
    c0=$(cpu)
    out=$(wrk -t2 -c"$CONNS" -d"$DURATION" -s "$tmp/auth.lua" "$base$p")
    c1=$(cpu)
    n=$(awk '/requests in/ {print $1}' <<<"$out")
    non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
    [ -z "$non2xx" ] || { echo "$p: $non2xx non-2xx answers" >&2; exit 1; }
    rps[$p]+="$(awk '/Requests\/sec/ {print $2}' <<<"$out") "
    cpuus[$p]+="$(awk -v a="$c0" -v b="$c1" -v n="$n" -v hz="$hz" 'BEGIN {printf "%.1f", (b - a) / hz / n * 1e6}') "
  done
done
med() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
h=$(med <<<"${rps[/api/v1/hello]}")
echo "| route | req/s (median) | / hello | server CPU µs per request (median) |"
echo "|---|---|---|---|"
for p in "${paths[@]}"; do
  m=$(med <<<"${rps[$p]}")
  printf '| `%s` | %s | %.3f | %s |\n' "$p" "$m" "$(awk -v a="$m" -v b="$h" 'BEGIN {print a / b}')" "$(med <<<"${cpuus[$p]}")"
done
