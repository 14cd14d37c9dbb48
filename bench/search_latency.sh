#!/usr/bin/env bash
# search_latency.sh: the name search's own latency (BENCHMARKS.md, "Registry name search (issue 7,
# this session)"): bench/registry.sh's round (l), on a data directory that already holds a ward, for
# one or more server binaries in turn (A/B on the same data, back to back). Loopback only; reads
# and writes nothing but a copy of the data directory it is given, and bench/results/.
#
# For each round and each binary (the order rotating each round): start `hocvuso serve` on a copy
# of DATA, log in as the ward admin, warm up (WARMUP of the searches), then
#   (a) GET /api/v1/hello                          wrk -t1 -c1, the reference of the same run
#   (l) GET /api/v1/residents?per_page=50&q=<name>  wrk -t1 -c1 with bench/queries.lua: QUERIES
#       names sampled from CSV as bench/registry.sh samples them (folded; a third full names, a
#       third family + given name, a third the given name alone), one connection at a time
# and stop the server. Prints, per binary, the medians over the rounds of p50 and p99 of each, and
# of the server's CPU time (user + system, /proc/PID/stat) per search: what the noise of a shared
# machine does not change.
#
# Settings (environment): DATA (a data directory, required; copied to a temporary directory
# first unless COPY=0), CSV (the people file the ward was imported from, required), BINS
# (space-separated binaries; default build/hocvuso), DATABASE (a PostgreSQL URI: the ward is there,
# DATA holds its secrets; nothing is copied), PASSWORD (the admin's), USER_NAME (admin),
# ROUNDS (3), DURATION (10s), WARMUP (5s), QUERIES (600), THREADS (server threads, default 4).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
DATA=${DATA:?set DATA to a data directory holding a ward}
CSV=${CSV:?set CSV to the people file of that ward}
read -r -a BINS <<<"${BINS:-$ROOT/build/hocvuso}"
PASSWORD=${PASSWORD:-Tra-Xanh-Buoi-Sang-47}
USER_NAME=${USER_NAME:-admin}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-5s}
NQUERIES=${QUERIES:-600}
THREADS=${THREADS:-4}
COPY=${COPY:-1}
DATABASE=${DATABASE:-}
db_args=()
[[ -n "$DATABASE" ]] && { db_args=(--database "$DATABASE"); COPY=0; }

die() { echo "search_latency: $*" >&2; exit 1; }
note() { echo "search_latency: $*" >&2; }
for t in wrk curl node; do command -v $t >/dev/null || die "$t is not installed"; done
for b in "${BINS[@]}"; do [[ -x "$b" ]] || die "no server binary at $b"; done

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$ROOT/bench/results/$STAMP-search
mkdir -p "$OUT"
TMP=$(mktemp -d /tmp/hvsearch.XXXXXX)
SERVER_PID=""
cleanup() {
  local rc=$?
  [[ -n "$SERVER_PID" ]] && { kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; }
  rm -rf -- "$TMP"
  exit "$rc"
}
trap cleanup EXIT

to_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000; printf "%.3f", n }'
}
median() { sort -g | awk '{v[NR] = $1} END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2];
  else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
pct() { to_ms "$(awk -v p="$2" '$1 == p {print $2}' "$1")"; }
# The server's CPU time (user + system) in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# The queries, as bench/registry.sh writes them.
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

data=$DATA
if [[ $COPY == 1 ]]; then
  note "copying $DATA"
  cp -a "$DATA" "$TMP/data"
  data=$TMP/data
fi

{
  echo "date: $STAMP"
  echo "data: $DATA${DATABASE:+ (PostgreSQL)}; queries: $NQUERIES from $CSV; rounds: $ROUNDS of $DURATION; server threads: $THREADS"
  for b in "${BINS[@]}"; do echo "binary: $b ($("$b" version 2>/dev/null | head -n 1))"; done
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/machine.txt" >&2

declare -A AP50 AP99 LP50 LP99 LCPU
nb=${#BINS[@]}
for ((r = 1; r <= ROUNDS; r++)); do
  for ((k = 0; k < nb; k++)); do
    bi=$(((k + r - 1) % nb))
    bin=${BINS[$bi]}
    port=$((18900 + RANDOM % 100))
    HOCVUSO_THREADS=$THREADS "$bin" serve --listen "127.0.0.1:$port" --data "$data" "${db_args[@]}" >"$OUT/serve-$r-$bi.log" 2>&1 &
    SERVER_PID=$!
    base="http://127.0.0.1:$port"
    for ((i = 0; i < 100; i++)); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
    cookie=$(curl -fs -D - -o /dev/null -H 'Content-Type: application/json' \
      -d "{\"username\":\"$USER_NAME\",\"password\":\"$PASSWORD\"}" "$base/api/v1/session" |
      awk -F'[ ;]' 'tolower($1) == "set-cookie:" && $2 ~ /^hocvuso_session=/ {print $2}')
    [[ -n "$cookie" ]] || die "could not log in as $USER_NAME"
    export HOCVUSO_COOKIE=$cookie HOCVUSO_QUERIES=$TMP/queries.txt
    wrk -t1 -c1 -d"$WARMUP" -s "$ROOT/bench/queries.lua" "$base" >/dev/null 2>&1
    wrk -t1 -c1 -d"$DURATION" --latency "$base/api/v1/hello" >"$OUT/a$r-$bi.txt" 2>&1
    t0=$(cpu_ticks "$SERVER_PID")
    wrk -t1 -c1 -d"$DURATION" --latency -s "$ROOT/bench/queries.lua" "$base" >"$OUT/l$r-$bi.txt" 2>&1
    t1=$(cpu_ticks "$SERVER_PID")
    nreq=$(awk '/requests in/ {print $1}' "$OUT/l$r-$bi.txt")
    cpu=$(awk -v a="$t0" -v b="$t1" -v n="$nreq" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.3f", (b - a) * 1000 / hz / n}')
    bad=$(awk '/Non-2xx/ {print $NF}' "$OUT/l$r-$bi.txt")
    [[ -z "$bad" ]] || note "round $r, $bin: $bad non-2xx answers"
    AP50[$bi]+="$(pct "$OUT/a$r-$bi.txt" 50%) "; AP99[$bi]+="$(pct "$OUT/a$r-$bi.txt" 99%) "
    LP50[$bi]+="$(pct "$OUT/l$r-$bi.txt" 50%) "; LP99[$bi]+="$(pct "$OUT/l$r-$bi.txt" 99%) "; LCPU[$bi]+="$cpu "
    note "round $r, $bin: hello p50 $(pct "$OUT/a$r-$bi.txt" 50%) p99 $(pct "$OUT/a$r-$bi.txt" 99%) ms;" \
      "search p50 $(pct "$OUT/l$r-$bi.txt" 50%) p99 $(pct "$OUT/l$r-$bi.txt" 99%) ms," \
      "$(awk '/^Requests\/sec:/ {print $2}' "$OUT/l$r-$bi.txt")/s, server CPU $cpu ms a search"
    kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  done
done
{
  echo "| binary | (a) hello p50 / p99 ms | (l) search one at a time p50 / **p99** ms | server CPU ms a search |"
  echo "|---|---:|---:|---:|"
  for ((bi = 0; bi < nb; bi++)); do
    m() { tr ' ' '\n' <<<"$1" | grep . | median; }
    echo "| ${BINS[$bi]} | $(m "${AP50[$bi]}") / $(m "${AP99[$bi]}") | $(m "${LP50[$bi]}") / $(m "${LP99[$bi]}") | $(m "${LCPU[$bi]}") |"
  done
} | tee "$OUT/table.md"
note "raw numbers in $OUT"
