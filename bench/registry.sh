#!/usr/bin/env bash
# registry.sh: the registry's benchmarks of issue 7 (see BENCHMARKS.md, "Registry"), on SQLite and,
# when PG=1, on PostgreSQL (tests/pg-server.sh). Loopback only; bounded (about 5–10 minutes for a
# million residents). Builds nothing: uses build/hocvuso or $HOCVUSO_BIN.
#
# For each backend, on a synthetic ward of N residents (hocvuso synth, default 1,000,000):
#   import   `hocvuso import residents` of the synthetic CSV (wall time and peak RSS), against the
#            reference in the same run: the sqlite3 shell's `.import --csv` of the same file into a
#            table with the file's columns and the people table's indexes mirrored (CCCD unique,
#            tổ + name, name, phone, household); on PostgreSQL, psql's `\copy` into such a table.
#            IMPORT_ROUNDS rounds, product and reference alternating, each on fresh data; medians.
#   (a)      GET /api/v1/hello                                  wrk, the hello-world reference
#   (d)      GET /api/v1/residents?per_page=50                  the page an officer opens most: a
#            tổ dân phố officer's (tdp01, about 700 people); (w) the same page for the ward admin
#   (s)      GET /api/v1/residents?per_page=50&q=<name>         accent-free name search, the query
#            changing with every request (QUERIES names sampled from the file, folded: "nguyen thi
#            huong"; a third full names, a third family + given name, a third the given name alone)
#   (l)      the same searches one connection at a time: a search's own latency (p50, p99), without
#            the queue that 16 connections on 2 cores build
#   export   GET /api/v1/residents/export?format=csv of everyone, the server's peak RSS before and after
# Prints a Markdown table: import ratio, d/a, search p99, RSS. Raw outputs: bench/results/<time>-registry/.
#
# Settings: HOCVUSO_BIN, N (1000000), SEED (1), PG (0), DURATION (10s), ROUNDS (3), CONNS (16),
# WRK_THREADS (2), QUERIES (600), IMPORT_ROUNDS (1), ONLY ("": everything; "import": the import
# comparison alone, no server), SQLITE (1; 0: PostgreSQL alone, with PG=1).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
BIN=${HOCVUSO_BIN:-$ROOT/build/hocvuso}
N=${N:-1000000}
SEED=${SEED:-1}
PG=${PG:-0}
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-16}
WRK_THREADS=${WRK_THREADS:-2}
NQUERIES=${QUERIES:-600}
IMPORT_ROUNDS=${IMPORT_ROUNDS:-1}
SQLITE=${SQLITE:-1}
ONLY=${ONLY:-}
[[ -z $ONLY || $ONLY == import ]] || { echo "registry: ONLY must be empty or import" >&2; exit 1; }
PASSWORD=bench-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')

die() { echo "registry: $*" >&2; exit 1; }
note() { echo "registry: $*" >&2; }
[[ -x "$BIN" ]] || die "no server binary at $BIN"
for t in wrk curl node sqlite3; do command -v $t >/dev/null || die "$t is not installed"; done

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$ROOT/bench/results/$STAMP-registry
mkdir -p "$OUT"
TMP=$(mktemp -d /tmp/hvreg.XXXXXX)
chmod 0711 "$TMP"
SERVER_PID=""
PG_DIR=""
cleanup() {
  local rc=$?
  [[ -n "$SERVER_PID" ]] && { kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; }
  [[ -n "$PG_DIR" ]] && bash "$ROOT/tests/pg-server.sh" stop "$PG_DIR" >/dev/null 2>&1 || true
  rm -rf -- "$TMP"
  exit "$rc"
}
trap cleanup EXIT

hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
to_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000; printf "%.3f", n }'
}
median() { sort -g | awk '{v[NR] = $1} END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2];
  else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# seconds COMMAND...: wall time of COMMAND in seconds (3 decimals); its output goes to $OUT/last.txt.
seconds() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >"$OUT/last.txt" 2>&1 || { cat "$OUT/last.txt" >&2; die "failed: $*"; }
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}'
}

note "synthetic ward of $N residents (seed $SEED)"
CSV=$TMP/people.csv
"$BIN" synth --residents "$N" --seed "$SEED" --out "$CSV"
ROWS=$(($(wc -l <"$CSV") - 1))

# The queries: names of the file, folded as a person types them without diacritics.
node -e '
const fs = require("fs");
const [file, n, out] = process.argv.slice(1);
const lines = fs.readFileSync(file, "utf8").split(/\r?\n/).slice(1).filter(Boolean);
let seed = 12345; const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const fold = (s) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
const qs = [];
for (let i = 0; i < Number(n); i++) {
  const name = fold(lines[Math.floor(rnd() * lines.length)].split(",")[1]).split(" ");
  const q = i % 3 === 0 ? name : i % 3 === 1 ? [name[0], name[name.length - 1]] : [name[name.length - 1]];
  qs.push(encodeURIComponent(q.join(" ")));
}
fs.writeFileSync(out, qs.join("\n") + "\n");
' "$CSV" "$NQUERIES" "$TMP/queries.txt"

# The reference table: the file's columns, the people table's indexes mirrored on them: people_cccd
# (unique), people_unit_name (tổ, name), people_name (name), people_phone, people_household (a
# partial index, as ours). people_purge is left out: purge_after is empty after an import, and the
# file has no such column. (Before issue 7's import session the household index was missing.)
REF_COLS='stt TEXT, ho_ten TEXT, ngay_sinh TEXT, gioi_tinh TEXT, cccd TEXT, dien_thoai TEXT, to_dan_pho TEXT,
  dia_chi TEXT, ma_ho TEXT, quan_he TEXT, dinh_danh TEXT, noi_lam_viec TEXT, vai_tro TEXT, lop TEXT'
REF_IDX='CREATE UNIQUE INDEX ref_cccd ON ref (cccd) WHERE cccd <> '"''"';
  CREATE INDEX ref_phone ON ref (dien_thoai); CREATE INDEX ref_name ON ref (to_dan_pho, ho_ten);
  CREATE INDEX ref_name2 ON ref (ho_ten); CREATE INDEX ref_household ON ref (ma_ho) WHERE ma_ho <> '"''"';'

run_wrk() { # name url [lua]
  local name=$1 url=$2 lua=${3:-} log="$OUT/$1.txt"
  local args=(-t"$WRK_THREADS" -c"$CONNS" -d"$DURATION" --latency)
  [[ -n "$lua" ]] && args+=(-s "$lua")
  wrk "${args[@]}" "$url" >"$log" 2>&1 || die "wrk failed: $(tail -n 3 "$log")"
  local rps p99 non2xx
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$log")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$log")")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$log")
  echo "$rps $p99 ${non2xx:-0}"
}
# The median latency in ms of a wrk log.
p50_of() { to_ms "$(awk '$1 == "50%" {print $2}' "$OUT/$1.txt")"; }

table_rows=()
bench_backend() { # backend
  local backend=$1 data=$TMP/data-$1 dbargs=()
  local uri=""
  if [[ $backend == pg ]]; then
    PG_DIR=$TMP/pg
    bash "$ROOT/tests/pg-server.sh" start "$PG_DIR" >/dev/null
  fi
  # The demo ward and the units the list names (its people come from the import below), made once
  # and copied for each round on SQLite; a fresh database each round on PostgreSQL.
  local units=$TMP/units-$backend
  if [[ $backend == sqlite ]]; then
    mkdir -p "$units"
    HOCVUSO_ADMIN_PASSWORD=$PASSWORD "$BIN" demo --data "$units" --residents "$N" --seed "$SEED" --units-only \
      >"$OUT/demo-$backend.txt" 2>&1
  fi
  # Import: the product's, then the reference, on the same file, IMPORT_ROUNDS times.
  local r imps=() refs=() rss_imp=0 t_imp t_ref rss
  for ((r = 1; r <= IMPORT_ROUNDS; r++)); do
    rm -rf "$data"
    if [[ $backend == sqlite ]]; then
      cp -a "$units" "$data"
    else
      mkdir -p "$data"
      uri=$(bash "$ROOT/tests/pg-server.sh" createdb "$PG_DIR" "hvbench$r" | tail -n 1)
      dbargs=(--database "$uri")
      HOCVUSO_ADMIN_PASSWORD=$PASSWORD "$BIN" demo --data "$data" "${dbargs[@]}" --residents "$N" --seed "$SEED" \
        --units-only >"$OUT/demo-$backend.txt" 2>&1
    fi
    note "$backend: import of $ROWS rows (round $r of $IMPORT_ROUNDS)"
    /usr/bin/time -f "%e %M" -o "$OUT/import-$backend-$r.time" "$BIN" import residents --data "$data" "${dbargs[@]}" "$CSV" \
      >"$OUT/import-$backend-$r.json" 2>"$OUT/import-$backend-$r.err" ||
      die "import failed: $(tail -n 3 "$OUT/import-$backend-$r.err")"
    read -r t_imp rss <"$OUT/import-$backend-$r.time"
    ((rss > rss_imp)) && rss_imp=$rss
    if [[ $backend == sqlite ]]; then
      rm -f "$TMP/ref.db" "$TMP/ref.db-wal" "$TMP/ref.db-shm"
      sqlite3 "$TMP/ref.db" "PRAGMA journal_mode=WAL; CREATE TABLE ref ($REF_COLS); $REF_IDX" >/dev/null
      t_ref=$(seconds sqlite3 "$TMP/ref.db" ".import --csv --skip 1 $CSV ref")
    else
      psql -q "$uri" -c "SET client_min_messages = warning; DROP TABLE IF EXISTS ref; CREATE TABLE ref ($REF_COLS); $REF_IDX" >/dev/null
      t_ref=$(seconds psql -q "$uri" -c "\\copy ref FROM '$CSV' WITH (FORMAT csv, HEADER true)")
    fi
    imps+=("$t_imp"); refs+=("$t_ref")
    note "$backend round $r: import ${t_imp}s (peak RSS ${rss} kB), reference ${t_ref}s, ratio $(awk -v a="$t_imp" -v b="$t_ref" 'BEGIN {printf "%.2f", a / b}')"
  done
  t_imp=$(printf '%s\n' "${imps[@]}" | median); t_ref=$(printf '%s\n' "${refs[@]}" | median)
  note "$backend: import median ${t_imp}s, reference median ${t_ref}s"
  if [[ $ONLY == import ]]; then
    local ratios=() i
    for i in "${!imps[@]}"; do ratios+=("$(awk -v a="${imps[$i]}" -v b="${refs[$i]}" 'BEGIN {printf "%.2f", a / b}')"); done
    table_rows+=("| $backend | $ROWS | ${imps[*]} | ${refs[*]} | $t_imp | $t_ref | $(awk -v a="$t_imp" -v b="$t_ref" 'BEGIN {printf "%.2f", a / b}') | ${ratios[*]} | $((rss_imp / 1024)) |")
    if [[ $backend == pg ]]; then bash "$ROOT/tests/pg-server.sh" stop "$PG_DIR" >/dev/null 2>&1 || true; PG_DIR=""; fi
    return 0
  fi

  local port=$((18300 + RANDOM % 500))
  "$BIN" serve --listen "127.0.0.1:$port" --data "$data" "${dbargs[@]}" >"$OUT/serve-$backend.log" 2>&1 &
  SERVER_PID=$!
  local base="http://127.0.0.1:$port" i
  for ((i = 0; i < 100; i++)); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  local cookie
  cookie=$(curl -fs -D - -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$PASSWORD\"}" "$base/api/v1/session" |
    awk -F'[ ;]' 'tolower($1) == "set-cookie:" && $2 ~ /^hocvuso_session=/ {print $2}')
  [[ -n "$cookie" ]] || die "could not log in"
  local officer
  officer=$(curl -fs -D - -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"username\":\"tdp01\",\"password\":\"$PASSWORD\"}" "$base/api/v1/session" |
    awk -F'[ ;]' 'tolower($1) == "set-cookie:" && $2 ~ /^hocvuso_session=/ {print $2}')
  [[ -n "$officer" ]] || die "could not log in as tdp01"
  export HOCVUSO_COOKIE=$cookie HOCVUSO_QUERIES=$TMP/queries.txt
  local total
  total=$(curl -fs -H "Cookie: $cookie" "$base/api/v1/residents?per_page=1" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).total))')
  note "$backend: $total residents visible to the ward admin"
  local a=() d=() w=() s=() sp=() lp=() lm=() r
  for ((r = 1; r <= ROUNDS; r++)); do
    read -r rps p99 _ < <(run_wrk "a$r-$backend" "$base/api/v1/hello"); a+=("$rps")
    read -r rps p99 bad < <(HOCVUSO_COOKIE=$officer run_wrk "d$r-$backend" "$base/api/v1/residents?per_page=50" "$ROOT/bench/auth.lua"); d+=("$rps")
    [[ ${bad:-0} == 0 ]] || note "(d) had $bad non-2xx answers"
    read -r rps p99 bad < <(run_wrk "w$r-$backend" "$base/api/v1/residents?per_page=50" "$ROOT/bench/auth.lua"); w+=("$rps")
    [[ ${bad:-0} == 0 ]] || note "(w) had $bad non-2xx answers"
    read -r rps p99 bad < <(run_wrk "s$r-$backend" "$base" "$ROOT/bench/queries.lua"); s+=("$rps"); sp+=("$p99")
    [[ ${bad:-0} == 0 ]] || note "(s) had $bad non-2xx answers"
    # The same searches one at a time: a search's own latency, without the queue of 16 at once.
    read -r rps p99 bad < <(CONNS=1 WRK_THREADS=1 run_wrk "l$r-$backend" "$base" "$ROOT/bench/queries.lua"); lp+=("$p99")
    lm+=("$(p50_of "l$r-$backend")")
    note "$backend round $r: a ${a[-1]}/s, d ${d[-1]}/s, w ${w[-1]}/s, s ${s[-1]}/s p99 ${sp[-1]} ms; one at a time: p50 ${lm[-1]} ms, p99 ${lp[-1]} ms"
  done
  local ma md mw ms msp
  ma=$(printf '%s\n' "${a[@]}" | median); md=$(printf '%s\n' "${d[@]}" | median); mw=$(printf '%s\n' "${w[@]}" | median)
  ms=$(printf '%s\n' "${s[@]}" | median); msp=$(printf '%s\n' "${sp[@]}" | median)
  local mlp mlm
  mlp=$(printf '%s\n' "${lp[@]}" | median); mlm=$(printf '%s\n' "${lm[@]}" | median)
  # Export of everyone, the server's peak RSS around it.
  local hwm0 hwm1 t_exp
  hwm0=$(hwm_kb "$SERVER_PID")
  t_exp=$(seconds curl -fs -H "Cookie: $cookie" -o "$TMP/export.csv" "$base/api/v1/residents/export?format=csv")
  hwm1=$(hwm_kb "$SERVER_PID")
  local exported=$(($(wc -l <"$TMP/export.csv") - 1))
  kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  table_rows+=("| $backend | $ROWS | $t_imp | $t_ref | $(awk -v a="$t_imp" -v b="$t_ref" 'BEGIN {printf "%.2f", a / b}') | $((rss_imp / 1024)) | $ma | $md | $(awk -v a="$md" -v b="$ma" 'BEGIN {printf "%.2f", a / b}') | $mw | $ms | $msp | $mlm / $mlp | $exported in ${t_exp}s | $((hwm0 / 1024)) → $((hwm1 / 1024)) |")
  if [[ $backend == pg ]]; then bash "$ROOT/tests/pg-server.sh" stop "$PG_DIR" >/dev/null 2>&1 || true; PG_DIR=""; fi
}

{
  echo "date: $STAMP"
  echo "binary: $BIN ($("$BIN" version 2>/dev/null | head -n 1))"
  echo "source tree: $ROOT at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/machine.txt" >&2
[[ $SQLITE == 1 ]] && bench_backend sqlite
[[ $PG == 1 ]] && bench_backend pg
if [[ $ONLY == import ]]; then
  {
    echo "| backend | rows | import s, each round | reference s, each round | import s (median) | reference s (median) | **import ratio** (medians) | ratio, each round | import peak RSS MB |"
    echo "|---|---:|---|---|---:|---:|---:|---|---:|"
    printf '%s\n' "${table_rows[@]}"
  } | tee "$OUT/table.md"
  note "raw numbers in $OUT"
  exit 0
fi
{
  echo "| backend | rows | import s | reference s | **import ratio** | import peak RSS MB | (a) hello /s | (d) tổ officer's page of 50 /s | **d/a** | (w) ward admin's page of 50 /s | (s) search /s | **(s) p99 ms** (16 at once) | (l) search one at a time, p50 / **p99** ms | export | server peak RSS MB before → after export |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"
  printf '%s\n' "${table_rows[@]}"
} | tee "$OUT/table.md"
note "raw numbers in $OUT"
