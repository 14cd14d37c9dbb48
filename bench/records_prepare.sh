#!/usr/bin/env bash
# records_prepare.sh: the benchmark city of issue 10 — bench/field.mjs's city of 1,000,000 residents
# (FIELD_DATA, default /tmp/hv-field-bench-1000000, made by `PREPARE_ONLY=1 node bench/field.mjs`,
# copied, never changed) with RECORDS (default 5,000,000) synthetic learning and field records
# written by `hocvuso demo --records RECORDS --seed SEED` (synth_records.h) into RECORDS_DATA
# (default /tmp/hv-ind-5m). Kept: a second run finds the records there and only prints the counts.
# Measures (BENCHMARKS.md, "Synthetic learning and field records"), SQLite, one run: how long the
# generator takes (its own clock: reading the population, planning, signing, writing), records per
# second; and the reference in the same run: the sqlite3 shell copying the same rows of the same
# nine tables into a fresh database with CREATE TABLE … AS SELECT (no index, no constraint, one
# transaction each), records per second.
# Settings: HOCVUSO_BIN (build/hocvuso), FIELD_DATA, RECORDS_DATA, RECORDS (5000000), SEED (1).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${HOCVUSO_BIN:-$ROOT/build/hocvuso}
SRC=${FIELD_DATA:-/tmp/hv-field-bench-1000000}
OUT=${RECORDS_DATA:-/tmp/hv-ind-5m}
RECORDS=${RECORDS:-5000000}
SEED=${SEED:-1}
TABLES="external_confirmations class_enrolments quiz_attempts attempt_competence certificates field_visits field_visit_topics field_visit_people field_visit_outcomes"
[ -f "$SRC/hocvuso.db" ] || { echo "no city in $SRC: PREPARE_ONLY=1 node bench/field.mjs" >&2; exit 2; }
counts() {
  for t in $TABLES classes; do printf '%s %s\n' "$t" "$(sqlite3 "$1" "SELECT COUNT(*) FROM $t")"; done
  printf 'people_vneid_level_2 %s\n' "$(sqlite3 "$1" "SELECT COUNT(*) FROM people WHERE vneid_level = 2 AND deleted_at IS NULL")"
}
MARK="Lớp kỹ năng số cơ bản (dữ liệu mô phỏng)"
if [ -f "$OUT/hocvuso.db" ] && [ "$(sqlite3 "$OUT/hocvuso.db" "SELECT COUNT(*) FROM classes WHERE title = '$MARK'")" != 0 ]; then
  echo "records_prepare: the records are in $OUT already" >&2
  counts "$OUT/hocvuso.db"
  exit 0
fi
rm -rf "$OUT"
mkdir -p "$OUT"
cp -a "$SRC/." "$OUT/"
"$BIN" migrate --data "$OUT" >/dev/null
BEFORE=$(mktemp)
AFTER=$(mktemp)
SCRATCH=$(mktemp -d /tmp/hv-records-ref.XXXXXX)
trap 'rm -f "$BEFORE" "$AFTER"; rm -rf "$SCRATCH"' EXIT
counts "$OUT/hocvuso.db" >"$BEFORE"
T0=$(date +%s.%N)
HOCVUSO_ADMIN_PASSWORD=${HOCVUSO_ADMIN_PASSWORD:-Mat-khau-ban-ghi-26} \
  "$BIN" demo --records "$RECORDS" --seed "$SEED" --data "$OUT" >"$OUT/records.log" 2>&1 || { cat "$OUT/records.log" >&2; exit 1; }
T1=$(date +%s.%N)
counts "$OUT/hocvuso.db" >"$AFTER"
GEN_S=$(grep -o 'records: [0-9]* in [0-9.]* s' "$OUT/records.log" | awk '{print $4}')
WRITTEN=$(grep -o 'records: [0-9]* in [0-9.]* s' "$OUT/records.log" | awk '{print $2}')
# The reference: the same rows copied by the sqlite3 shell into a fresh file, table by table.
REF_SQL="ATTACH '$OUT/hocvuso.db' AS src;"
for t in $TABLES; do REF_SQL="$REF_SQL CREATE TABLE $t AS SELECT * FROM src.$t;"; done
R0=$(date +%s.%N)
sqlite3 "$SCRATCH/ref.db" "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; $REF_SQL" >/dev/null
R1=$(date +%s.%N)
ALL_ROWS=$(for t in $TABLES; do grep "^$t " "$AFTER" | awk '{print $2}'; done | paste -sd+ | bc)
REF_S=$(echo "$R1 - $R0" | bc -l)
echo "records_prepare: $WRITTEN records in $OUT; the demo command took $(echo "$T1 - $T0" | bc -l | xargs printf '%.1f') s" >&2
echo
echo "| table | before | after | written |"
echo "|---|---:|---:|---:|"
paste -d' ' "$BEFORE" "$AFTER" | awk '{printf "| %s | %d | %d | %d |\n", $1, $2, $4, $4 - $2}'
echo
echo "| records | generator s | records/s | sqlite3 CREATE TABLE AS SELECT of all $ALL_ROWS rows of those tables, s | rows/s | generator / reference (time per row) |"
echo "|---:|---:|---:|---:|---:|---:|"
awk -v w="$WRITTEN" -v g="$GEN_S" -v n="$ALL_ROWS" -v r="$REF_S" 'BEGIN {
  printf "| %d | %.1f | %.0f | %.1f | %.0f | %.1f× |\n", w, g, w / g, r, n / r, (g / w) / (r / n) }'
