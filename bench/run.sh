#!/usr/bin/env bash
# run.sh: the request-path benchmark of hocvuso (see BENCHMARKS.md). Loopback only, bounded in time
# (about 2 to 3 minutes per backend). Builds nothing: uses build/hocvuso or $HOCVUSO_BIN.
#
# For each backend (SQLite in a temporary data directory; PostgreSQL through tests/pg-server.sh, over
# its unix socket, when that script and PostgreSQL's binaries exist): load the demo, start the server,
# log in as admin, then with wrk (64 connections, 2 threads) run a warm-up and 3 rounds of 10 s of
#   (a) GET /api/v1/hello                      the hello-world reference handler
#   (b) GET /api/v1/units/<id>                 one unit ("Tổ dân phố số 1"), authenticated: session,
#                                              grants, scope check, the unit and its ancestors
#   (c) GET /api/v1/units?parent_id=<ward>     authenticated page of 50 units with a total
# interleaved (the order rotates each round), taking the medians of requests/s, p99 latency, the
# server's CPU per request (and on PostgreSQL its server's CPU per request too), and b/a and c/a.
# (b) and (c) carry the session cookie (bench/auth.lua).
# Also the server's VmRSS when idle and with 1,000 idle keep-alive connections open
# (bench/idle_conns.mjs).
# Prints a Markdown table; raw outputs go to bench/results/<time>/ (gitignored).
#
# Settings (environment): HOCVUSO_BIN, BACKENDS ("sqlite pg"), DURATION (10s), WARMUP (5s), ROUNDS (3),
# CONNS (64), WRK_THREADS (2), IDLE_CONNS (1000), IDLE_HOLD (10), SERVER_THREADS (unset: the server's
# default), PORT (a free one from 18080), PERF=1 (perf record -g of the server during one extra run of
# PERF_ROUTE: c by default, or a or b).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
BIN=${HOCVUSO_BIN:-$ROOT/build/hocvuso}
BACKENDS=${BACKENDS:-sqlite pg}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-5s}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-64}
WRK_THREADS=${WRK_THREADS:-2}
IDLE_CONNS=${IDLE_CONNS:-1000}
IDLE_HOLD=${IDLE_HOLD:-10}
SERVER_THREADS=${SERVER_THREADS:-}
PERF=${PERF:-0}
PERF_ROUTE=${PERF_ROUTE:-c}
PASSWORD=${HOCVUSO_ADMIN_PASSWORD:-bench-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')}

die() { echo "bench: $*" >&2; exit 1; }
note() { echo "bench: $*" >&2; }

[[ $PERF_ROUTE == a || $PERF_ROUTE == b || $PERF_ROUTE == c ]] || die "PERF_ROUTE must be a, b or c"
[[ -x "$BIN" ]] || die "no server binary at $BIN (build it: meson setup build && ninja -C build; or set HOCVUSO_BIN)"
command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk)"
command -v curl >/dev/null || die "curl is not installed"
command -v node >/dev/null || die "node is not installed"

# The server and node each need more than 1,024 descriptors for 1,000 connections.
ulimit -n 4096 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true
(($(ulimit -n) >= IDLE_CONNS + 64)) || note "ulimit -n is $(ulimit -n): the idle-connection test may fail"

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$ROOT/bench/results/$STAMP
mkdir -p "$OUT"
# A short path: PostgreSQL's socket path must fit in 107 bytes. Searchable by the postgres user.
TMP=$(mktemp -d /tmp/hvbench.XXXXXX)
chmod 0711 "$TMP"
SERVER_PID=""
PG_DIR=""

cleanup() {
  local rc=$?
  stop_server
  if [[ -n "$PG_DIR" ]]; then bash "$ROOT/tests/pg-server.sh" stop "$PG_DIR" >/dev/null 2>&1 || true; fi
  rm -rf -- "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

stop_server() {
  [[ -n "$SERVER_PID" ]] || return 0
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    local i
    for ((i = 0; i < 100; i++)); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      note "server $SERVER_PID ignored SIGTERM for 10 s; killing it"
      kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
  fi
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

free_port() {
  local p=${PORT:-18080}
  for ((; p < 18180; p++)); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  die "no free port in 18080..18179"
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
# CPU time (user + system) the process has used, in clock ticks.
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
CLK_TCK=$(getconf CLK_TCK)
# CPU time of the PostgreSQL server of tests/pg-server.sh (the postmaster, its reaped children and its
# live backends), in clock ticks; empty when no such server runs.
pg_cpu_ticks() {
  [[ -n "$PG_DIR" && -f "$PG_DIR/pgdata/postmaster.pid" ]] || return 0
  local pm
  pm=$(head -n 1 "$PG_DIR/pgdata/postmaster.pid")
  # After the sed: $1 pid, $3 ppid, $13 utime, $14 stime, $15 cutime, $16 cstime.
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } | sed 's/^\([0-9]*\) (.*) /\1 /' |
    awk -v pm="$pm" '$1 == pm {s += $13 + $14 + $15 + $16} $3 == pm {s += $13 + $14} END {print s + 0}'
}

# (b)'s unit: its exact name, and the search that finds it (the name, percent-encoded as UTF-8).
UNIT_B_NAME="Tổ dân phố số 1"
UNIT_B_Q="T%E1%BB%95%20d%C3%A2n%20ph%E1%BB%91%20s%E1%BB%91%201"
declare -A PATHS DESCR

# route_wrk NAME FILE BASE ROUTE [wrk args...]: run_wrk on route a, b or c (b and c with the cookie).
route_wrk() {
  local name=$1 file=$2 base=$3 route=$4
  shift 4
  local lua=()
  [[ $route != a ]] && lua=(-s "$ROOT/bench/auth.lua")
  run_wrk "$name" "$file" "$base${PATHS[$route]}" "${lua[@]}" "$@"
}

# Converts wrk's latency (e.g. 812.00us, 1.23ms, 2.01s) to milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000;
    printf "%.3f", n }'
}

# median: the median of the numbers on stdin, one a line.
median() { sort -g | awk '{v[NR] = $1} END {
  if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# run_wrk NAME FILE URL [wrk args...]: one wrk run; appends
# "rps p99_ms non2xx errors server_cpu_us_per_request postgresql_cpu_us_per_request" to FILE.raw
# (the last is "-" on SQLite).
run_wrk() {
  local name=$1 file=$2 url=$3
  shift 3
  local log=$file.$name.txt
  local t0 t1 pg0 pg1
  t0=$(cpu_ticks "$SERVER_PID")
  pg0=$(pg_cpu_ticks)
  wrk -t"$WRK_THREADS" -c"$CONNS" --latency "$@" "$url" >"$log" 2>&1 || die "wrk failed: $(tail -n 3 "$log")"
  t1=$(cpu_ticks "$SERVER_PID")
  pg1=$(pg_cpu_ticks)
  local rps p99 non2xx errs nreq cpu pgcpu=-
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$log")
  p99=$(awk '$1 == "99%" {print $2}' "$log")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$log")
  errs=$(awk '/Socket errors:/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' "$log")
  nreq=$(awk '$2 == "requests" && $3 == "in" {print $1}' "$log")
  [[ -n "$rps" && -n "$p99" && -n "$nreq" ]] || die "cannot read wrk's output in $log"
  # The server's CPU time per answered request: less sensitive to a noisy machine than req/s.
  cpu=$(awk -v d=$((t1 - t0)) -v n="$nreq" -v hz="$CLK_TCK" 'BEGIN {printf "%.1f", n ? d / hz * 1e6 / n : 0}')
  # PostgreSQL's CPU time per request: its backends share the two cores with the server and wrk.
  [[ -n "$pg0" && -n "$pg1" ]] &&
    pgcpu=$(awk -v d=$((pg1 - pg0)) -v n="$nreq" -v hz="$CLK_TCK" 'BEGIN {printf "%.1f", n ? d / hz * 1e6 / n : 0}')
  echo "$rps $(to_ms "$p99") ${non2xx:-0} ${errs:-0} $cpu $pgcpu" >>"$file.raw"
  printf '  %-10s %10.0f req/s   p99 %8.3f ms   server CPU %6.1f us/req%s%s\n' "$name" "$rps" "$(to_ms "$p99")" "$cpu" \
    "$([[ $pgcpu != - ]] && echo "   PostgreSQL CPU $pgcpu us/req")" \
    "$([[ -n "$non2xx" ]] && echo "   NON-2xx: $non2xx")" >&2
  # Drop the request log written during the run (one JSON line per request), keeping its tail.
  if [[ -f "$TMP/server.log" ]]; then
    tail -n 3 "$TMP/server.log" >"$TMP/server.log.tail" 2>/dev/null || true
    : >"$TMP/server.log"
  fi
}

wait_healthy() {
  local i
  for ((i = 0; i < 150; i++)); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$PORT_USED/healthz" 2>/dev/null; then return 0; fi
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$TMP/server.log" >&2; die "the server exited at start"; }
    sleep 0.2
  done
  die "the server did not answer /healthz within 30 s"
}

# JSON helper: node -e over stdin (node is a project dependency; jq is not).
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);const f=new Function("j","return ("+process.argv[1]+")");const v=f(j);console.log(v===undefined||v===null?"":v)})' "$1"; }

bench_backend() {
  local backend=$1
  local data=$TMP/$backend-data
  local db_args=()
  mkdir -p "$data"
  if [[ $backend == pg ]]; then
    PG_DIR=$TMP/pg
    local uri
    uri=$(bash "$ROOT/tests/pg-server.sh" start "$PG_DIR") || die "tests/pg-server.sh start failed"
    db_args=(--database "$uri")
  fi

  note "[$backend] migrate and load the demo"
  "$BIN" migrate --data "$data" "${db_args[@]}" >"$OUT/$backend.migrate.txt" 2>&1 ||
    die "migrate failed: $(tail -n 5 "$OUT/$backend.migrate.txt")"
  HOCVUSO_ADMIN_PASSWORD=$PASSWORD "$BIN" demo --data "$data" "${db_args[@]}" >"$OUT/$backend.demo.txt" 2>&1 ||
    die "demo failed: $(tail -n 5 "$OUT/$backend.demo.txt")"

  PORT_USED=$(free_port)
  local thr=()
  [[ -n "$SERVER_THREADS" ]] && thr=(--threads "$SERVER_THREADS")
  note "[$backend] serve on 127.0.0.1:$PORT_USED"
  : >"$TMP/server.log"
  # Appending, so the log can be truncated between runs while the server writes on.
  "$BIN" serve --listen "127.0.0.1:$PORT_USED" --data "$data" "${db_args[@]}" "${thr[@]}" 2>>"$TMP/server.log" >/dev/null &
  SERVER_PID=$!
  wait_healthy
  sleep 1
  local rss_start
  rss_start=$(rss_kb "$SERVER_PID")

  local base=http://127.0.0.1:$PORT_USED
  local hdr=$TMP/login.hdr body
  body=$(curl -sS -D "$hdr" -H 'Content-Type: application/json' \
    --data "{\"username\":\"admin\",\"password\":\"$PASSWORD\"}" "$base/api/v1/session") || die "log-in request failed"
  local cookie
  cookie=$(tr -d '\r' <"$hdr" | awk 'tolower($1) == "set-cookie:" && $2 ~ /^hocvuso_session=/ {sub(/;.*/, "", $2); print $2; exit}')
  [[ -n "$cookie" ]] || die "log-in gave no session cookie: $(head -n 1 "$hdr") $body"
  export HOCVUSO_COOKIE=$cookie

  # (c): the children of the admin's first scope root with children (the ward's tổ dân phố).
  local roots ward
  roots=$(curl -sS -H "Cookie: $cookie" "$base/api/v1/units") || die "GET /api/v1/units failed"
  ward=$(printf '%s' "$roots" | json '(j.items||[]).find(u=>u.children_count>0)?.id') || ward=""
  [[ -n "$ward" ]] || die "no scope root with children in GET /api/v1/units: $(printf '%s' "$roots" | head -c 300)"
  # (b): the unit named exactly "Tổ dân phố số 1" (the search also finds "... số 10", "... số 11", ...).
  local found unit_b
  found=$(curl -sS -H "Cookie: $cookie" "$base/api/v1/units?q=$UNIT_B_Q&per_page=100") ||
    die "GET /api/v1/units?q=... failed"
  unit_b=$(printf '%s' "$found" | UNIT_B_NAME=$UNIT_B_NAME json '(j.items||[]).find(u=>u.name===process.env.UNIT_B_NAME)?.id') ||
    unit_b=""
  [[ -n "$unit_b" ]] || die "no unit named '$UNIT_B_NAME' in the search: $(printf '%s' "$found" | head -c 300)"
  PATHS=([a]=/api/v1/hello [b]="/api/v1/units/$unit_b" [c]="/api/v1/units?parent_id=$ward")
  DESCR=()
  local r got size status
  for r in a b c; do
    got=$(curl -sS -o "$OUT/$backend.$r-sample.json" -w '%{http_code} %{size_download}' -H "Cookie: $cookie" \
      "$base${PATHS[$r]}")
    status=${got%% *}
    size=${got#* }
    [[ $status == 200 ]] || die "GET ${PATHS[$r]} answered $status: $(head -c 300 "$OUT/$backend.$r-sample.json")"
    DESCR[$r]="GET ${PATHS[$r]}: $size bytes"
  done
  DESCR[c]+=", $(json '(j.items||[]).length + " of " + j.total + " units"' <"$OUT/$backend.c-sample.json")"
  for r in a b c; do note "[$backend] ($r) ${DESCR[$r]}"; done

  local f=$OUT/$backend
  : >"$f.a.raw"
  : >"$f.b.raw"
  : >"$f.c.raw"
  note "[$backend] warm-up ($WARMUP each)"
  for r in a b c; do route_wrk "warmup-$r" "$f.warmup" "$base" "$r" -d"$WARMUP"; done
  sleep 1
  local rss_warm
  rss_warm=$(rss_kb "$SERVER_PID")

  local i order=(a b c)
  for ((i = 1; i <= ROUNDS; i++)); do
    note "[$backend] round $i/$ROUNDS ($DURATION each, order ${order[*]})"
    # The order rotates (abc, bca, cab, ...) so that a slow moment of the machine does not always hit
    # the same route.
    for r in "${order[@]}"; do route_wrk "$r$i" "$f.$r" "$base" "$r" -d"$DURATION"; done
    order=("${order[@]:1}" "${order[0]}")
  done

  if [[ $PERF == 1 ]] && command -v perf >/dev/null; then
    note "[$backend] perf record of the server during one ($PERF_ROUTE) run"
    # DWARF unwinding: the libraries are built without frame pointers.
    perf record -F 299 --call-graph dwarf,16384 -o "$f.perf.data" -p "$SERVER_PID" -- sleep 8 >/dev/null 2>&1 &
    local perf_pid=$!
    route_wrk "perf-$PERF_ROUTE" "$f.perf" "$base" "$PERF_ROUTE" -d8s
    wait "$perf_pid" || true
    {
      echo "## route ($PERF_ROUTE): ${DESCR[$PERF_ROUTE]}"
      echo "## self time by library"
      perf report -i "$f.perf.data" --no-children --stdio --sort dso -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -n 15
      echo "## self time by symbol"
      perf report -i "$f.perf.data" --no-children --stdio --sort symbol -g none --percent-limit 0.7 2>/dev/null | grep -v '^#' | grep -v '^$' | head -n 40
      echo "## time including callees, by symbol"
      perf report -i "$f.perf.data" --children --stdio --sort symbol -g none --percent-limit 2 2>/dev/null | grep -v '^#' | grep -v '^$' | grep -v '\] 0x' | head -n 60
    } >"$f.perf.txt" || true
    note "[$backend] profile summary in ${f#"$ROOT"/}.perf.txt (perf report -i ${f#"$ROOT"/}.perf.data for more)"
  fi

  sleep 2
  local rss_idle
  rss_idle=$(rss_kb "$SERVER_PID")
  note "[$backend] $IDLE_CONNS idle keep-alive connections for $IDLE_HOLD s"
  local idle_json idle_ok=yes
  idle_json=$(node "$ROOT/bench/idle_conns.mjs" --port "$PORT_USED" --conns "$IDLE_CONNS" \
    --hold "$IDLE_HOLD" --pid "$SERVER_PID") || idle_ok=no
  echo "$idle_json" >"$f.idle.json"
  local rss_conns responded open_at_sample
  rss_conns=$(printf '%s' "$idle_json" | json 'j.rss_open_kb')
  responded=$(printf '%s' "$idle_json" | json 'j.responded')
  open_at_sample=$(printf '%s' "$idle_json" | json 'j.open_at_sample')
  [[ $idle_ok == yes ]] || note "[$backend] idle connections: only $responded answered, $open_at_sample open at the sample"
  local hwm
  hwm=$(hwm_kb "$SERVER_PID")

  stop_server
  if [[ $backend == pg ]]; then bash "$ROOT/tests/pg-server.sh" stop "$PG_DIR" >/dev/null 2>&1 || true; PG_DIR=""; fi

  # Medians.
  local -A rps p99 cpu pgcpu
  for r in a b c; do
    pgcpu[$r]=$(awk '$6 != "-" {print $6}' "$f.$r.raw" | median)
    rps[$r]=$(awk '{print $1}' "$f.$r.raw" | median)
    p99[$r]=$(awk '{print $2}' "$f.$r.raw" | median)
    cpu[$r]=$(awk '{print $5}' "$f.$r.raw" | median)
  done
  local b_ratio c_ratio bad
  b_ratio=$(awk -v a="${rps[a]}" -v b="${rps[b]}" 'BEGIN {printf "%.2f", b / a}')
  c_ratio=$(awk -v a="${rps[a]}" -v c="${rps[c]}" 'BEGIN {printf "%.2f", c / a}')
  bad=$(awk '{n += $3 + $4} END {print n + 0}' "$f.a.raw" "$f.b.raw" "$f.c.raw")
  cat >"$f.summary.json" <<EOF
{"backend":"$backend","a":"${DESCR[a]}","b":"${DESCR[b]}","c":"${DESCR[c]}",
 "a_rps":${rps[a]},"a_p99_ms":${p99[a]},"b_rps":${rps[b]},"b_p99_ms":${p99[b]},"c_rps":${rps[c]},"c_p99_ms":${p99[c]},
 "b_over_a":$b_ratio,"c_over_a":$c_ratio,"non2xx_or_socket_errors":$bad,
 "a_server_cpu_us_per_req":${cpu[a]},"b_server_cpu_us_per_req":${cpu[b]},"c_server_cpu_us_per_req":${cpu[c]},
 "a_postgresql_cpu_us_per_req":${pgcpu[a]/nan/null},"b_postgresql_cpu_us_per_req":${pgcpu[b]/nan/null},
 "c_postgresql_cpu_us_per_req":${pgcpu[c]/nan/null},
 "rss_start_kb":$rss_start,"rss_after_warmup_kb":$rss_warm,"rss_idle_after_load_kb":$rss_idle,
 "rss_idle_conns_kb":${rss_conns:-null},"idle_conns":$IDLE_CONNS,"idle_conns_answered":${responded:-0},
 "idle_conns_open_at_sample":${open_at_sample:-0},"hwm_kb":$hwm}
EOF
  local pgcol=-
  [[ ${pgcpu[b]} != nan ]] && pgcol="${pgcpu[a]} / ${pgcpu[b]} / ${pgcpu[c]}"
  ROWS+=("$(printf '| %s | %.0f | %.2f | %.0f | %.2f | %s | %.0f | %.2f | %s | %.1f / %.1f / %.1f | %s | %s | %s | %s |' \
    "$backend" "${rps[a]}" "${p99[a]}" "${rps[b]}" "${p99[b]}" "$b_ratio" "${rps[c]}" "${p99[c]}" "$c_ratio" \
    "${cpu[a]}" "${cpu[b]}" "${cpu[c]}" "$pgcol" \
    "$(awk -v s="$rss_start" -v k="$rss_idle" 'BEGIN {printf "%.1f / %.1f", s / 1024, k / 1024}')" \
    "$( [[ -n "$rss_conns" ]] && awk -v k="$rss_conns" -v o="$open_at_sample" -v n="$IDLE_CONNS" \
        'BEGIN {printf "%.1f%s", k / 1024, (o == n ? "" : " (" o "/" n " open)")}' || echo "failed")" \
    "$( ((bad > 0)) && echo "$bad non-2xx/errors" || echo ok)")")
}

ROWS=()
{
  echo "date: $STAMP"
  echo "binary: $BIN ($("$BIN" version 2>/dev/null | head -n 1 || echo unknown))"
  echo "source tree: $ROOT at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo none)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' (dirty)')"
  echo "cpu: $(nproc) x $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "kernel: $(uname -r)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "wrk: -t$WRK_THREADS -c$CONNS, warm-up $WARMUP, $ROUNDS rounds of $DURATION; server threads: ${SERVER_THREADS:-default}"
} | tee "$OUT/machine.txt" >&2

for b in $BACKENDS; do
  if [[ $b == pg ]]; then
    if [[ ! -f $ROOT/tests/pg-server.sh ]]; then note "no tests/pg-server.sh: skipping PostgreSQL"; continue; fi
    if ! compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null && [[ -z "${PG_BIN:-}" ]]; then
      note "no PostgreSQL server binaries: skipping PostgreSQL"; continue
    fi
  fi
  bench_backend "$b"
done

{
  echo "| backend | (a) hello req/s | (a) p99 ms | (b) unit req/s | (b) p99 ms | b/a | (c) list req/s | (c) p99 ms | c/a | server CPU us/req (a / b / c) | PostgreSQL CPU us/req (a / b / c) | idle RSS MB (start / after load) | RSS MB, $IDLE_CONNS idle conns | errors |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  printf '%s\n' "${ROWS[@]}"
} | tee "$OUT/table.md"
note "raw numbers in ${OUT#"$ROOT"/}"
