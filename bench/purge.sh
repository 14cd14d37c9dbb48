#!/usr/bin/env bash
# purge.sh: the purge of deleted records (BENCHMARKS.md, "Purge of deleted records"), on SQLite.
# Bounded (about a minute for the defaults). Builds nothing: uses build/hocvuso or $HOCVUSO_BIN.
#
# A synthetic ward of N residents (hocvuso demo --residents N); a share of them (every K-th) is
# soft-deleted with purge_after in the past, directly in SQL. Then, on fresh copies of that data
# directory, ROUNDS times each:
#   purge      `hocvuso purge`: 200 people per transaction, one audit entry each, the writer given
#              back between chunks
#   reference  the sqlite3 shell deleting the same people in one statement, foreign keys on (the
#              same cascades to person_words, memberships, data_requests), accounts unlinked, no
#              audit entries: the floor for removing those rows
# Prints a Markdown table (medians): both times, their ratio, and the mean time of one chunk (the
# longest the purge keeps the writer from requests). Raw outputs: bench/results/<time>-purge/.
#
# Settings: HOCVUSO_BIN, N (20000), K (4: a quarter deleted), ROUNDS (3).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
BIN=${HOCVUSO_BIN:-$ROOT/build/hocvuso}
N=${N:-20000}
K=${K:-4}
ROUNDS=${ROUNDS:-3}

die() { echo "purge: $*" >&2; exit 1; }
[[ -x "$BIN" ]] || die "no server binary at $BIN"
command -v sqlite3 >/dev/null || die "sqlite3 is not installed"

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$ROOT/bench/results/$STAMP-purge
mkdir -p "$OUT"
TMP=$(mktemp -d /tmp/hvpurge.XXXXXX)
trap 'rm -rf -- "$TMP"' EXIT

now_s() { date +%s.%N; }
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

HOCVUSO_ADMIN_PASSWORD=bench-purge-$$-Xy9 "$BIN" demo --residents "$N" --seed 1 --data "$TMP/base" >"$OUT/demo.txt" 2>&1
sqlite3 "$TMP/base/hocvuso.db" "UPDATE people SET deleted_at = 1, purge_after = 2 WHERE id % $K = 0 AND deleted_at IS NULL;"
DUE=$(sqlite3 "$TMP/base/hocvuso.db" "SELECT COUNT(*) FROM people WHERE purge_after <= strftime('%s','now');")
echo "people: $N, due for the purge: $DUE" | tee "$OUT/setup.txt"

: >"$OUT/purge.txt"
: >"$OUT/reference.txt"
for r in $(seq 1 "$ROUNDS"); do
  rm -rf "$TMP/a" "$TMP/b"
  cp -a "$TMP/base" "$TMP/a"
  cp -a "$TMP/base" "$TMP/b"
  t0=$(now_s)
  out=$("$BIN" purge --data "$TMP/a" 2>/dev/null)
  t1=$(now_s)
  [[ "$out" == "{\"purged\": $DUE}" ]] || die "round $r: $out, expected $DUE purged"
  echo "$t1 - $t0" | bc -l >>"$OUT/purge.txt"
  t0=$(now_s)
  sqlite3 "$TMP/b/hocvuso.db" "PRAGMA foreign_keys=ON; BEGIN;
    UPDATE users SET person_id = NULL WHERE person_id IN (SELECT id FROM people WHERE purge_after <= strftime('%s','now'));
    DELETE FROM people WHERE purge_after <= strftime('%s','now') AND deleted_at IS NOT NULL; COMMIT;"
  t1=$(now_s)
  echo "$t1 - $t0" | bc -l >>"$OUT/reference.txt"
  left=$(sqlite3 "$TMP/b/hocvuso.db" "SELECT COUNT(*) FROM people WHERE deleted_at IS NOT NULL AND purge_after <= 2;")
  [[ "$left" == 0 ]] || die "reference left $left people"
done
P=$(median <"$OUT/purge.txt")
R=$(median <"$OUT/reference.txt")
CHUNKS=$(( (DUE + 199) / 200 ))
{
  echo "| people | purged | hocvuso purge (s) | sqlite3, one DELETE (s) | ratio | chunks | mean chunk (ms) |"
  echo "|---|---|---|---|---|---|---|"
  awk -v n="$N" -v d="$DUE" -v p="$P" -v r="$R" -v c="$CHUNKS" \
    'BEGIN { printf "| %d | %d | %.2f | %.2f | %.1f× | %d | %.0f |\n", n, d, p, r, p / r, c, p * 1000 / c }'
} | tee "$OUT/table.md"
