#!/usr/bin/env bash
# pg_path.sh: the PostgreSQL request path against PostgreSQL's own ceiling, in one run (see the
# section "PostgreSQL request path" of BENCHMARKS.md). Loopback and one unix socket only; bounded in
# time (about 2 minutes). Builds nothing: uses build/hocvuso or $HOCVUSO_BIN.
# Owns: a throw-away PostgreSQL (tests/pg-server.sh) with two databases, hocvuso's (the demo) and
# pgbench's (scale 1), and one `hocvuso serve` on it; its results under bench/results/<time>/.
# Never: touches any other database or server, or runs anything off this machine.
#
# A warm-up, then ROUNDS rounds (the order rotating: a b p, b p a, p a b) of DURATION each of
#   (a) GET /api/v1/hello                 wrk, 64 connections: the hello-world reference
#   (b) GET /api/v1/units/<id>            wrk, 64 connections, with the session cookie: the
#                                         authenticated unit read ("Tổ dân phố số 1")
#   (p) pgbench -S -M prepared -c 64 -j 2 PostgreSQL's own select-only ceiling on this machine, over
#                                         the same unix socket as the server's connections
#   (o) as (b), on a second server run from HOCVUSO_BIN_BEFORE (when set: an older build, for a
#       before/after in the same run; it shares the database, the data directory and the session)
#   (t) as (b), on a second server of the same binary run with THREADS_ALT worker threads (when set)
# and the medians of requests (transactions)/s, p99 latency (pgbench: from its per-transaction
# log, sampled), wrk timeouts, and the CPU time per request of the server and of PostgreSQL.
# Prints a Markdown table; b/a and b/p are ratios of medians of the same run.
#
# Settings (environment): HOCVUSO_BIN, DURATION (10s), WARMUP (5s), ROUNDS (3), CONNS (64),
# WRK_THREADS (2), PGBENCH_JOBS (2), SERVER_THREADS (unset: the server's default), PORT, HOCVUSO_BIN_BEFORE, THREADS_ALT,
# PERF=1 (perf record -g of the server during one extra run of (b)).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
BIN=${HOCVUSO_BIN:-$ROOT/build/hocvuso}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-5s}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-64}
WRK_THREADS=${WRK_THREADS:-2}
PGBENCH_JOBS=${PGBENCH_JOBS:-2}
SERVER_THREADS=${SERVER_THREADS:-}
PERF=${PERF:-0}
PASSWORD=bench-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')

die() { echo "pg_path: $*" >&2; exit 1; }
note() { echo "pg_path: $*" >&2; }

[[ -x "$BIN" ]] || die "no server binary at $BIN (build it: meson setup build && ninja -C build)"
for t in wrk curl node pgbench psql; do command -v $t >/dev/null || die "$t is not installed"; done

secs() { local d=$1; d=${d%s}; echo "$d"; }
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$ROOT/bench/results/$STAMP-pg_path
mkdir -p "$OUT"
TMP=$(mktemp -d /tmp/hvpgp.XXXXXX)
chmod 0711 "$TMP"
PG_DIR=$TMP/pg
SERVER_PID=""
BEFORE_BIN=${HOCVUSO_BIN_BEFORE:-}
BEFORE_PID=""
THREADS_ALT=${THREADS_ALT:-}
# Each server runs in a session of its own, as a daemon would (and as pg_ctl starts PostgreSQL): with
# the kernel's autogroup scheduling, a server in wrk's session would share one CPU share with wrk,
# while pgbench's server has its own. OWN_SESSION=0 keeps them in this script's session.
SESSION=
[[ ${OWN_SESSION:-1} == 1 ]] && command -v setsid >/dev/null && SESSION=setsid
ALT_PID=""

cleanup() {
  local rc=$?
  local p
  for p in $BEFORE_PID $ALT_PID; do
    if kill -0 "$p" 2>/dev/null; then
      kill -TERM "$p" 2>/dev/null || true
      wait "$p" 2>/dev/null || true
    fi
  done
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  bash "$ROOT/tests/pg-server.sh" stop "$PG_DIR" >/dev/null 2>&1 || true
  rm -rf -- "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
CLK_TCK=$(getconf CLK_TCK)
pg_cpu_ticks() {
  local pm
  pm=$(head -n 1 "$PG_DIR/pgdata/postmaster.pid")
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } | sed 's/^\([0-9]*\) (.*) /\1 /' |
    awk -v pm="$pm" '$1 == pm {s += $13 + $14 + $15 + $16} $3 == pm {s += $13 + $14} END {print s + 0}'
}
to_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000; printf "%.3f", n }'
}
median() { sort -g | awk '{v[NR] = $1} END {
  if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);const f=new Function("j","return ("+process.argv[1]+")");const v=f(j);console.log(v===undefined||v===null?"":v)})' "$1"; }

# measure NAME KIND FILE: one run of route a, b (wrk) or p (pgbench); appends
# "rate p99_ms timeouts errors server_cpu_us postgresql_cpu_us" to FILE.
measure() {
  local name=$1 kind=$2 file=$3 dur=$4
  local log=$OUT/$name.txt t0 t1 pg0 pg1 rate p99 tmo=0 errs=0 n pid=$SERVER_PID base=$BASE path srv99=-
  [[ $kind == o ]] && pid=$BEFORE_PID base=$BEFORE_BASE
  [[ $kind == t ]] && pid=$ALT_PID base=$ALT_BASE
  t0=$(cpu_ticks "$pid")
  pg0=$(pg_cpu_ticks)
  if [[ $kind == p ]]; then
    rm -f "$TMP"/pgbench_log.*
    (cd "$TMP" && pgbench -n -S -M prepared -c "$CONNS" -j "$PGBENCH_JOBS" -T "$(secs "$dur")" \
      -l --sampling-rate=0.05 --log-prefix=pgbench_log "$PGB_URI") >"$log" 2>&1 || die "pgbench failed: $(tail -n 3 "$log")"
    rate=$(awk '/^tps = / {print $3; exit}' "$log")
    n=$(awk '/^number of transactions actually processed:/ {print $NF}' "$log")
    # Column 3 of pgbench's log: the transaction's latency in microseconds.
    p99=$(cat "$TMP"/pgbench_log.* | awk '{print $3}' | sort -n |
      awk '{v[NR] = $1} END {i = int(NR * 0.99); if (i < 1) i = 1; printf "%.3f", v[i] / 1000}')
  else
    local lua=()
    [[ $kind != a ]] && lua=(-s "$ROOT/bench/auth.lua")
    path=${PATHS[$kind]}
    wrk -t"$WRK_THREADS" -c"$CONNS" -d"$dur" --latency "${lua[@]}" "$base$path" >"$log" 2>&1 ||
      die "wrk failed: $(tail -n 3 "$log")"
    rate=$(awk '/^Requests\/sec:/ {print $2}' "$log")
    p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$log")")
    n=$(awk '$2 == "requests" && $3 == "in" {print $1}' "$log")
    tmo=$(awk '/Socket errors:/ {gsub(/,/, ""); print $NF}' "$log")
    errs=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$log")
    # The server's own time per request (its access log's "ms": from the request's headers to
    # the answer), against the latency wrk sees: the difference is waiting for a worker thread.
    local slog=$TMP/$kind.log
    [[ $kind == a ]] && slog=$TMP/b.log
    srv99=$(grep -o '"ms":[0-9.]*' "$slog" | cut -d: -f2 | sort -g |
      awk '{v[NR] = $1} END {i = int(NR * 0.99); if (i < 1) i = 1; printf "%.3f", NR ? v[i] : 0}')
    : >"$slog"
  fi
  t1=$(cpu_ticks "$pid")
  pg1=$(pg_cpu_ticks)
  local cpu pgcpu
  cpu=$(awk -v d=$((t1 - t0)) -v n="$n" -v hz="$CLK_TCK" 'BEGIN {printf "%.1f", n ? d / hz * 1e6 / n : 0}')
  pgcpu=$(awk -v d=$((pg1 - pg0)) -v n="$n" -v hz="$CLK_TCK" 'BEGIN {printf "%.1f", n ? d / hz * 1e6 / n : 0}')
  echo "$rate $p99 ${tmo:-0} ${errs:-0} $cpu $pgcpu $srv99" >>"$file"
  printf '  %-10s %10.0f /s   p99 %8.3f ms (in the server %s ms)   timeouts %s   server CPU %6s us   PostgreSQL CPU %6s us\n' \
    "$name" "$rate" "$p99" "$srv99" "${tmo:-0}" "$([[ $kind == p ]] && echo - || echo "$cpu")" "$pgcpu" >&2
}

{
  echo "date: $STAMP"
  echo "binary: $BIN ($("$BIN" version 2>/dev/null | head -n 1 || echo unknown))"
  echo "source tree: $ROOT at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo none)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' (dirty)')"
  echo "cpu: $(nproc) x $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "autogroup: $(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null || echo '?'); servers in a session of their own: $([[ -n $SESSION ]] && echo yes || echo no)"
  echo "pgbench: $(pgbench --version); wrk -t$WRK_THREADS -c$CONNS; warm-up $WARMUP, $ROUNDS rounds of $DURATION; server threads: ${SERVER_THREADS:-default}"
} | tee "$OUT/machine.txt" >&2

URI=$(bash "$ROOT/tests/pg-server.sh" start "$PG_DIR") || die "tests/pg-server.sh start failed"
bash "$ROOT/tests/pg-server.sh" createdb "$PG_DIR" pgb >/dev/null || die "createdb pgb failed"
PGB_URI=${URI/\/hocvuso\?//pgb?}
[[ $PGB_URI != "$URI" ]] || die "unexpected URI shape: $URI"
note "pgbench -i -s 1"
pgbench -i -s 1 -q "$PGB_URI" >"$OUT/pgbench-init.txt" 2>&1 || die "pgbench -i failed: $(tail -n 3 "$OUT/pgbench-init.txt")"
psql -X -q -At "$URI" -c "SHOW max_connections" >"$OUT/pg-settings.txt" 2>&1 || true

DATA=$TMP/data
mkdir -p "$DATA"
"$BIN" migrate --data "$DATA" --database "$URI" >"$OUT/migrate.txt" 2>&1 || die "migrate failed"
HOCVUSO_ADMIN_PASSWORD=$PASSWORD "$BIN" demo --data "$DATA" --database "$URI" >"$OUT/demo.txt" 2>&1 || die "demo failed"

PORT_USED=${PORT:-18280}
for ((; PORT_USED < 18380; PORT_USED++)); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT_USED") 2>/dev/null || break; done
thr=()
[[ -n "$SERVER_THREADS" ]] && thr=(--threads "$SERVER_THREADS")
: >"$TMP/b.log"
: >"$TMP/o.log"
: >"$TMP/t.log"
$SESSION "$BIN" serve --listen "127.0.0.1:$PORT_USED" --data "$DATA" --database "$URI" "${thr[@]}" 2>>"$TMP/b.log" >/dev/null &
SERVER_PID=$!
BASE=http://127.0.0.1:$PORT_USED
for ((i = 0; i < 150; i++)); do curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null && break; sleep 0.2; done
curl -fsS -o /dev/null "$BASE/healthz" || die "the server did not start: $(tail -n 5 "$TMP/b.log")"

HDR=$TMP/login.hdr
curl -sS -D "$HDR" -o /dev/null -H 'Content-Type: application/json' \
  --data "{\"username\":\"admin\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/session" || die "log-in failed"
COOKIE=$(tr -d '\r' <"$HDR" | awk 'tolower($1) == "set-cookie:" && $2 ~ /^hocvuso_session=/ {sub(/;.*/, "", $2); print $2; exit}')
[[ -n "$COOKIE" ]] || die "no session cookie"
export HOCVUSO_COOKIE=$COOKIE
UNIT_B=$(curl -sS -H "Cookie: $COOKIE" "$BASE/api/v1/units?q=T%E1%BB%95%20d%C3%A2n%20ph%E1%BB%91%20s%E1%BB%91%201&per_page=100" |
  json '(j.items||[]).find(u=>u.name==="Tổ dân phố số 1")?.id')
[[ -n "$UNIT_B" ]] || die "no unit named 'Tổ dân phố số 1'"
declare -A PATHS=([a]=/api/v1/hello [b]="/api/v1/units/$UNIT_B" [o]="/api/v1/units/$UNIT_B" [t]="/api/v1/units/$UNIT_B")
ROUTES=(a b p)
if [[ -n "$BEFORE_BIN" ]]; then
  BEFORE_PORT=$((PORT_USED + 1))
  $SESSION "$BEFORE_BIN" serve --listen "127.0.0.1:$BEFORE_PORT" --data "$DATA" --database "$URI" "${thr[@]}" 2>>"$TMP/o.log" >/dev/null &
  BEFORE_PID=$!
  BEFORE_BASE=http://127.0.0.1:$BEFORE_PORT
  for ((i = 0; i < 150; i++)); do curl -fsS -o /dev/null "$BEFORE_BASE/healthz" 2>/dev/null && break; sleep 0.2; done
  curl -sS -o /dev/null -w '%{http_code}' -H "Cookie: $COOKIE" "$BEFORE_BASE${PATHS[o]}" | grep -qx 200 ||
    die "the server of HOCVUSO_BIN_BEFORE did not answer GET ${PATHS[o]} with 200"
  ROUTES+=(o)
  echo "before: $BEFORE_BIN ($("$BEFORE_BIN" version 2>/dev/null | head -n 1 || echo unknown))" >>"$OUT/machine.txt"
fi
if [[ -n "$THREADS_ALT" ]]; then
  ALT_PORT=$((PORT_USED + 2))
  $SESSION "$BIN" serve --listen "127.0.0.1:$ALT_PORT" --data "$DATA" --database "$URI" --threads "$THREADS_ALT" 2>>"$TMP/t.log" >/dev/null &
  ALT_PID=$!
  ALT_BASE=http://127.0.0.1:$ALT_PORT
  for ((i = 0; i < 150; i++)); do curl -fsS -o /dev/null "$ALT_BASE/healthz" 2>/dev/null && break; sleep 0.2; done
  curl -sS -o /dev/null -w '%{http_code}' -H "Cookie: $COOKIE" "$ALT_BASE${PATHS[t]}" | grep -qx 200 ||
    die "the server with $THREADS_ALT threads did not answer GET ${PATHS[t]} with 200"
  ROUTES+=(t)
  echo "alternative: the same binary with --threads $THREADS_ALT" >>"$OUT/machine.txt"
fi
curl -sS -o "$OUT/b-sample.json" -w '%{http_code}' -H "Cookie: $COOKIE" "$BASE${PATHS[b]}" | grep -qx 200 ||
  die "GET ${PATHS[b]} did not answer 200"

note "warm-up ($WARMUP each)"
for r in "${ROUTES[@]}"; do measure "warmup-$r" "$r" "$OUT/warmup.raw" "$WARMUP"; : >"$OUT/$r.raw"; done
order=("${ROUTES[@]}")
for ((i = 1; i <= ROUNDS; i++)); do
  note "round $i/$ROUNDS ($DURATION each, order ${order[*]})"
  for r in "${order[@]}"; do measure "$r$i" "$r" "$OUT/$r.raw" "$DURATION"; done
  order=("${order[@]:1}" "${order[0]}")
done

if [[ $PERF == 1 ]] && command -v perf >/dev/null; then
  note "perf record of the server during one (b) run"
  perf record -F 299 --call-graph dwarf,16384 -o "$OUT/b.perf.data" -p "$SERVER_PID" -- sleep 8 >/dev/null 2>&1 &
  perf_pid=$!
  measure perf-b b "$OUT/perf.raw" 8s
  wait "$perf_pid" || true
  perf report -i "$OUT/b.perf.data" --children --stdio --sort symbol -g none --percent-limit 2 2>/dev/null |
    grep -v '^#' | grep -v '^$' | head -n 60 >"$OUT/b.perf.txt" || true
fi
curl -sS "$BASE/metrics" >"$OUT/metrics.txt" 2>/dev/null || true

declare -A rate p99 tmo cpu pgcpu srv
for r in "${ROUTES[@]}"; do
  srv[$r]=$(awk '$7 != "-" {print $7}' "$OUT/$r.raw" | median)
  rate[$r]=$(awk '{print $1}' "$OUT/$r.raw" | median)
  p99[$r]=$(awk '{print $2}' "$OUT/$r.raw" | median)
  tmo[$r]=$(awk '{s += $3} END {print s + 0}' "$OUT/$r.raw")
  cpu[$r]=$(awk '{print $5}' "$OUT/$r.raw" | median)
  pgcpu[$r]=$(awk '{print $6}' "$OUT/$r.raw" | median)
done
bad=$(awk '{s += $4} END {print s + 0}' "$OUT/a.raw" "$OUT/b.raw")
ba=$(awk -v a="${rate[a]}" -v b="${rate[b]}" 'BEGIN {printf "%.2f", b / a}')
bp=$(awk -v p="${rate[p]}" -v b="${rate[b]}" 'BEGIN {printf "%.2f", b / p}')
{
  echo "| (a) hello req/s | (a) p99 ms | (b) unit req/s | (b) p99 ms | (b) p99 ms in the server | (b) wrk timeouts | (p) pgbench -S tps | (p) p99 ms | **b/p** | b/a | server CPU us/req (a / b) | PostgreSQL CPU us/req (b / p) | non-2xx |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  printf '| %.0f | %.2f | %.0f | %.2f | %s | %d | %.0f | %.2f | **%s** | %s | %.1f / %.1f | %.1f / %.1f | %d |\n' \
    "${rate[a]}" "${p99[a]}" "${rate[b]}" "${p99[b]}" "${srv[b]}" "${tmo[b]}" "${rate[p]}" "${p99[p]}" "$bp" "$ba" \
    "${cpu[a]}" "${cpu[b]}" "${pgcpu[b]}" "${pgcpu[p]}" "$bad"
  if [[ -n "$THREADS_ALT" ]]; then
    echo
    echo "| (t) unit req/s, $THREADS_ALT threads | (t) p99 ms | (t) p99 ms in the server | (t) wrk timeouts | t/p | server CPU us/req (t) | PostgreSQL CPU us/req (t) |"
    echo "|---:|---:|---:|---:|---:|---:|---:|"
    printf '| %.0f | %.2f | %s | %d | %s | %.1f | %.1f |\n' "${rate[t]}" "${p99[t]}" "${srv[t]}" "${tmo[t]}" \
      "$(awk -v p="${rate[p]}" -v t="${rate[t]}" 'BEGIN {printf "%.2f", t / p}')" "${cpu[t]}" "${pgcpu[t]}"
  fi
  if [[ -n "$BEFORE_BIN" ]]; then
    echo
    echo "| (o) unit req/s, before | (o) p99 ms | (o) p99 ms in the server | (o) wrk timeouts | o/p | o/a | server CPU us/req (o) | PostgreSQL CPU us/req (o) |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
    printf '| %.0f | %.2f | %s | %d | %s | %s | %.1f | %.1f |\n' "${rate[o]}" "${p99[o]}" "${srv[o]}" "${tmo[o]}" \
      "$(awk -v p="${rate[p]}" -v o="${rate[o]}" 'BEGIN {printf "%.2f", o / p}')" \
      "$(awk -v a="${rate[a]}" -v o="${rate[o]}" 'BEGIN {printf "%.2f", o / a}')" "${cpu[o]}" "${pgcpu[o]}"
  fi
} | tee "$OUT/table.md"
note "raw numbers in ${OUT#"$ROOT"/}"
