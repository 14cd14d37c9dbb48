#!/usr/bin/env bash
# import_only.sh: the registry import of issue 7 alone (BENCHMARKS.md, "Registry import (session 15)"):
# `hocvuso import residents` of a synthetic list against the database's own loader of the same file
# in the same run — the sqlite3 shell's `.import --csv` into a table with the file's columns and the
# people table's indexes mirrored (as bench/registry.sh), psql's `\copy` on PostgreSQL — and, when
# BASE_BIN names another build, that build's import too (before/after in one run). Builds nothing.
# Never touches anything but its own temporary directory (and a throw-away PostgreSQL in it).
#
# Settings: HOCVUSO_BIN (build/hocvuso), BASE_BIN (none), N (200000), SEED (1), ROUNDS (3),
# SQLITE (1), PG (0). Each round, on fresh copies of the same unit tree: base, product, reference.
# Prints one Markdown row a backend: wall seconds (median), CPU seconds (user + sys, median), peak
# RSS, ratios over the reference (medians of each round's ratio). Raw numbers: bench/results/<time>-import/.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
BIN=${HOCVUSO_BIN:-$ROOT/build/hocvuso}
BASE_BIN=${BASE_BIN:-}
N=${N:-200000}
SEED=${SEED:-1}
ROUNDS=${ROUNDS:-3}
SQLITE=${SQLITE:-1}
PG=${PG:-0}
PASSWORD=bench-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')

die() { echo "import_only: $*" >&2; exit 1; }
note() { echo "import_only: $*" >&2; }
[[ -x "$BIN" ]] || die "no binary at $BIN"
[[ -z "$BASE_BIN" || -x "$BASE_BIN" ]] || die "no binary at $BASE_BIN"

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$ROOT/bench/results/$STAMP-import
mkdir -p "$OUT"
TMP=$(mktemp -d /tmp/hvimp.XXXXXX)
chmod 0711 "$TMP" # the PostgreSQL server (another user) reaches its directory inside
PG_DIR=""
cleanup() {
  local rc=$?
  [[ -n "$PG_DIR" ]] && bash "$ROOT/tests/pg-server.sh" stop "$PG_DIR" >/dev/null 2>&1 || true
  rm -rf -- "$TMP"
  exit "$rc"
}
trap cleanup EXIT

median() { sort -g | awk '{v[NR] = $1} END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2];
  else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# run NAME COMMAND...: "wall cpu rss_kB" of COMMAND (GNU time), its output in $OUT/NAME.*
run() {
  local name=$1
  shift
  /usr/bin/time -f "%e %U %S %M" -o "$OUT/$name.time" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err" ||
    die "$name failed: $(tail -n 3 "$OUT/$name.err")"
  awk '{printf "%.2f %.2f %d\n", $1, $2 + $3, $4}' "$OUT/$name.time"
}

CSV=$TMP/people.csv
"$BIN" synth --residents "$N" --seed "$SEED" --out "$CSV"
ROWS=$(($(wc -l <"$CSV") - 1))
REF_COLS='stt TEXT, ho_ten TEXT, ngay_sinh TEXT, gioi_tinh TEXT, cccd TEXT, dien_thoai TEXT, to_dan_pho TEXT,
  dia_chi TEXT, ma_ho TEXT, quan_he TEXT, dinh_danh TEXT, noi_lam_viec TEXT, vai_tro TEXT, lop TEXT'
REF_IDX='CREATE UNIQUE INDEX ref_cccd ON ref (cccd) WHERE cccd <> '"''"';
  CREATE INDEX ref_phone ON ref (dien_thoai); CREATE INDEX ref_name ON ref (to_dan_pho, ho_ten);
  CREATE INDEX ref_name2 ON ref (ho_ten); CREATE INDEX ref_household ON ref (ma_ho) WHERE ma_ho <> '"''"';'

{
  echo "date: $STAMP, rows: $ROWS"
  echo "product: $BIN; base: ${BASE_BIN:-none}"
  echo "source tree: $ROOT at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/machine.txt" >&2

rows_out=()
bench_backend() { # sqlite | pg
  local be=$1 units=$TMP/units-$1 r data uri="" dbargs=()
  if [[ $be == pg ]]; then
    PG_DIR=$TMP/pg
    bash "$ROOT/tests/pg-server.sh" start "$PG_DIR" >/dev/null
  else
    HOCVUSO_ADMIN_PASSWORD=$PASSWORD "$BIN" demo --data "$units" --residents "$N" --seed "$SEED" --units-only \
      >"$OUT/demo-$be.txt" 2>&1
    # the base build on a tree of its own schema (a migration of the product's may be what it lacks)
    [[ -n $BASE_BIN ]] && HOCVUSO_ADMIN_PASSWORD=$PASSWORD "$BASE_BIN" demo --data "$units-base" --residents "$N" \
      --seed "$SEED" --units-only >"$OUT/demo-$be-base.txt" 2>&1
  fi
  local pw=() pc=() bw=() bc=() rw=() rc=() rp=() rb=() rss=0 w c m
  for ((r = 1; r <= ROUNDS; r++)); do
    local who
    for who in ${BASE_BIN:+base} product; do
      local bin=$BIN
      [[ $who == base ]] && bin=$BASE_BIN
      data=$TMP/data-$be-$who
      rm -rf "$data"
      if [[ $be == sqlite ]]; then
        cp -a "$units${BASE_BIN:+$([[ $who == base ]] && echo -base)}" "$data"
      else
        mkdir -p "$data"
        uri=$(bash "$ROOT/tests/pg-server.sh" createdb "$PG_DIR" "hv${who}$r" | tail -n 1)
        dbargs=(--database "$uri")
        HOCVUSO_ADMIN_PASSWORD=$PASSWORD "$bin" demo --data "$data" "${dbargs[@]}" --residents "$N" --seed "$SEED" \
          --units-only >"$OUT/demo-$be.txt" 2>&1
      fi
      read -r w c m < <(run "$be-$who-$r" "$bin" import residents --data "$data" "${dbargs[@]}" "$CSV")
      grep -q "\"imported\":$ROWS," "$OUT/$be-$who-$r.out" || die "$be $who round $r did not import $ROWS rows"
      if [[ $who == base ]]; then bw+=("$w"); bc+=("$c"); else pw+=("$w"); pc+=("$c"); ((m > rss)) && rss=$m; fi
      note "$be round $r: $who ${w}s wall, ${c}s CPU, ${m} kB"
      if [[ $be == pg ]]; then
        psql -q "$uri" -c "SET client_min_messages = warning; DROP TABLE IF EXISTS ref; CREATE TABLE ref ($REF_COLS); $REF_IDX" >/dev/null
      fi
    done
    if [[ $be == sqlite ]]; then
      rm -f "$TMP/ref.db" "$TMP/ref.db-wal" "$TMP/ref.db-shm"
      sqlite3 "$TMP/ref.db" "PRAGMA journal_mode=WAL; CREATE TABLE ref ($REF_COLS); $REF_IDX" >/dev/null
      read -r w c m < <(run "$be-ref-$r" sqlite3 "$TMP/ref.db" ".import --csv --skip 1 $CSV ref")
    else
      read -r w c m < <(run "$be-ref-$r" psql -q "$uri" -c "\\copy ref FROM '$CSV' WITH (FORMAT csv, HEADER true)")
    fi
    rw+=("$w"); rc+=("$c")
    note "$be round $r: reference ${w}s wall, ${c}s CPU"
    rp+=("$(awk -v a="${pw[-1]}" -v b="$w" 'BEGIN {printf "%.2f", a / b}')")
    [[ -n $BASE_BIN ]] && rb+=("$(awk -v a="${bw[-1]}" -v b="$w" 'BEGIN {printf "%.2f", a / b}')")
  done
  local med_pw med_pc med_rw med_rc med_rp med_bw="" med_bc="" med_rb=""
  med_pw=$(printf '%s\n' "${pw[@]}" | median); med_pc=$(printf '%s\n' "${pc[@]}" | median)
  med_rw=$(printf '%s\n' "${rw[@]}" | median); med_rc=$(printf '%s\n' "${rc[@]}" | median)
  med_rp=$(printf '%s\n' "${rp[@]}" | median)
  if [[ -n $BASE_BIN ]]; then
    med_bw=$(printf '%s\n' "${bw[@]}" | median); med_bc=$(printf '%s\n' "${bc[@]}" | median)
    med_rb=$(printf '%s\n' "${rb[@]}" | median)
  fi
  rows_out+=("| $be | $ROWS | ${med_bw:-–} (${bw[*]:-}) | ${med_bc:-–} | ${med_rb:-–} (${rb[*]:-}) | $med_pw (${pw[*]}) | $med_pc | **$med_rp** (${rp[*]}) | $med_rw (${rw[*]}) | $med_rc | $((rss / 1024)) |")
  if [[ $be == pg ]]; then bash "$ROOT/tests/pg-server.sh" stop "$PG_DIR" >/dev/null 2>&1 || true; PG_DIR=""; fi
}

[[ $SQLITE == 1 ]] && bench_backend sqlite
[[ $PG == 1 ]] && bench_backend pg
{
  echo "| backend | rows | before: wall s, median (each round) | before: CPU s | before / reference (each round) | after: wall s, median (each round) | after: CPU s | **after / reference**, median (each round) | reference wall s (each round) | reference CPU s | after: peak RSS MB |"
  echo "|---|---:|---|---:|---|---|---:|---|---|---:|---:|"
  printf '%s\n' "${rows_out[@]}"
} | tee "$OUT/table.md"
note "raw numbers in $OUT"
