#!/usr/bin/env bash
# bench/import.sh: `hocvuso import residents` of a synthetic ward against the database's own bulk
# loader on the same file: the sqlite3 shell's `.import --csv` (SQLite), psql's `\copy` (PostgreSQL,
# when PGURI names an empty database), each into a table with the file's columns and the lookups
# indexed (CCCD, tổ + name, name, phone, household). Short: N = 100,000 by default.
# usage: [PGURI=postgresql://…] bench/import.sh [N] [BIN]
# Prints wall and CPU seconds of each and their ratios (the issue's targets for 1M rows: 1.5x the
# sqlite3 shell, 2x psql \copy), the first run (new rows) and the second (all unchanged).
set -euo pipefail
N=${1:-100000}
BIN=$(realpath "${2:-build/hocvuso}")
W=$(mktemp -d /tmp/hv-bench-import.XXXXXX)
trap 'rm -rf "$W"' EXIT
"$BIN" synth --residents "$N" --seed 7 --out "$W/ward.csv"
T() { /usr/bin/time -f "%e %U %S" -o "$W/$1.time" "${@:2}"; }

# The unit tree the file names, as SQL: a ward, its tổ dân phố and its organisations.
python3 - "$W/ward.csv" > "$W/units.sql" <<'PY'
import csv, sys, unicodedata
groups, orgs = set(), set()
for r in csv.DictReader(open(sys.argv[1], encoding='utf-8')):
    if r['Tổ dân phố']: groups.add(r['Tổ dân phố'])
    if r['Nơi làm việc/học tập']: orgs.add(r['Nơi làm việc/học tập'])
def fold(s):
    return ''.join(c for c in unicodedata.normalize('NFD', s.lower().replace('đ', 'd')) if unicodedata.category(c) != 'Mn')
q = lambda s: "'" + s.replace("'", "''") + "'"
print("INSERT INTO units (id, parent_id, kind, name, name_fold, path, depth, created_at, updated_at)"
      " VALUES (1, NULL, 'ward', 'Phường Hải Dương', 'phuong hai duong', '/1/', 0, 0, 0);")
i = 2
for kind, names in (('residential_group', sorted(groups)), ('enterprise', sorted(orgs))):
    for n in names:
        print(f"INSERT INTO units (id, parent_id, kind, name, name_fold, path, depth, created_at, updated_at)"
              f" VALUES ({i}, 1, '{kind}', {q(n)}, {q(fold(n))}, '/1/{i}/', 1, 0, 0);")
        i += 1
PY
REF_TABLE="CREATE TABLE ref_people (stt TEXT, full_name TEXT, birth TEXT, sex TEXT, cccd TEXT, phone TEXT, unit TEXT,
  address TEXT, household TEXT, relation TEXT, vneid TEXT, org TEXT, role TEXT, grade TEXT);
CREATE UNIQUE INDEX ref_cccd ON ref_people(cccd) WHERE cccd <> '';
CREATE INDEX ref_unit_name ON ref_people(unit, full_name);
CREATE INDEX ref_name ON ref_people(full_name);
CREATE INDEX ref_phone ON ref_people(phone) WHERE phone <> '';
CREATE INDEX ref_household ON ref_people(household) WHERE household <> '';"

report() { # backend reference-name
  python3 - "$W" "$1" "$2" <<'PY'
import json, sys
w, backend, refname = sys.argv[1:]
def t(name):
    e, u, s = (float(x) for x in open(f"{w}/{backend}-{name}.time").read().split()[-3:])
    return e, u + s
o1 = json.load(open(f"{w}/{backend}-first.json")); o2 = json.load(open(f"{w}/{backend}-again.json"))
(fe, fc), (ae, ac), (se, sc) = t('first'), t('again'), t('ref')
print(f"{backend}: imported {o1['imported']}, unchanged {o1['unchanged']}, rejected {len(o1['rejected'])};"
      f" again: imported {o2['imported']}, unchanged {o2['unchanged']}")
print(f"  hocvuso import (new rows):          {fe:7.2f} s wall {fc:7.2f} s CPU (client)")
print(f"  hocvuso import (again, unchanged):  {ae:7.2f} s wall {ac:7.2f} s CPU (client)")
print(f"  {refname:34s}  {se:7.2f} s wall {sc:7.2f} s CPU (client)")
print(f"  ratio (wall): {fe / se:.1f}x new rows, {ae / se:.1f}x unchanged")
PY
}

echo "rows: $(($(wc -l < "$W/ward.csv") - 1)); load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
# SQLite
"$BIN" migrate --data "$W/d" >/dev/null 2>&1
sqlite3 "$W/d/hocvuso.db" < "$W/units.sql"
T sqlite-first "$BIN" import residents --data "$W/d" "$W/ward.csv" > "$W/sqlite-first.json"
T sqlite-again "$BIN" import residents --data "$W/d" "$W/ward.csv" > "$W/sqlite-again.json"
printf 'PRAGMA journal_mode=WAL;\nPRAGMA synchronous=NORMAL;\n%s\n' "$REF_TABLE" | sqlite3 "$W/ref.db" >/dev/null
T sqlite-ref sqlite3 "$W/ref.db" ".import --csv --skip 1 $W/ward.csv ref_people"
report sqlite "sqlite3 .import --csv:"

# PostgreSQL, when asked
if [[ -n "${PGURI:-}" ]]; then
  "$BIN" migrate --data "$W/d" --database "$PGURI" >/dev/null 2>&1
  { cat "$W/units.sql"; echo "SELECT setval(pg_get_serial_sequence('units', 'id'), (SELECT MAX(id) FROM units));"; } |
    psql -q "$PGURI" >/dev/null
  T pg-first "$BIN" import residents --data "$W/d" --database "$PGURI" "$W/ward.csv" > "$W/pg-first.json"
  T pg-again "$BIN" import residents --data "$W/d" --database "$PGURI" "$W/ward.csv" > "$W/pg-again.json"
  echo "$REF_TABLE" | psql -q "$PGURI" >/dev/null
  T pg-ref psql -q "$PGURI" -c "\\copy ref_people FROM '$W/ward.csv' WITH (FORMAT csv, HEADER true)"
  report pg "psql \\copy:"
fi
