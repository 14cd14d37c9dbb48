#!/usr/bin/env bash
# bench/import.sh: time `hocvuso import residents` on SQLite against the sqlite3 shell's
# `.import --csv` of the same file into a table with the same columns and indexes.
# usage: bench/import.sh [N=100000] [BIN=build/hocvuso]
set -euo pipefail
N=${1:-100000}
BIN=$(realpath "${2:-build/hocvuso}")
W=$(mktemp -d /tmp/hv-bench-import.XXXXXX)
trap 'rm -rf "$W"' EXIT
"$BIN" synth --residents "$N" --seed 7 --out "$W/ward.csv"
rows=$(($(wc -l < "$W/ward.csv") - 1))
"$BIN" migrate --data "$W/d" >/dev/null 2>&1
# The unit tree the file names: a ward, its tổ dân phố and its organisations.
python3 - "$W/ward.csv" "$W/d/hocvuso.db" <<'PY'
import csv, sqlite3, sys, unicodedata, time
rows = csv.DictReader(open(sys.argv[1], encoding='utf-8'))
groups, orgs = set(), set()
for r in rows:
    if r['Tổ dân phố']: groups.add(r['Tổ dân phố'])
    if r['Nơi làm việc/học tập']: orgs.add(r['Nơi làm việc/học tập'])
db = sqlite3.connect(sys.argv[2])
now = int(time.time())
def fold(s):
    return ''.join(c for c in unicodedata.normalize('NFD', s.lower().replace('đ', 'd')) if unicodedata.category(c) != 'Mn')
db.execute("INSERT INTO units (id, parent_id, kind, name, name_fold, path, depth, created_at, updated_at) VALUES (1, NULL, 'ward', 'Phường Hải Dương', 'phuong hai duong', '/1/', 0, ?, ?)", (now, now))
i = 2
for kind, names in (('residential_group', sorted(groups)), ('enterprise', sorted(orgs))):
    for n in names:
        db.execute("INSERT INTO units (id, parent_id, kind, name, name_fold, path, depth, created_at, updated_at) VALUES (?, 1, ?, ?, ?, ?, 1, ?, ?)", (i, kind, n, fold(n), '/1/%d/' % i, now, now))
        i += 1
db.commit()
PY
echo "rows: $rows"
t0=$(date +%s.%N)
"$BIN" import residents --data "$W/d" "$W/ward.csv" > "$W/out.json"
t1=$(date +%s.%N)
python3 -c "import json,sys; o=json.load(open(sys.argv[1])); print('imported', o['imported'], 'unchanged', o['unchanged'], 'rejected', len(o['rejected'])); [print(' ', r) for r in o['rejected'][:5]]" "$W/out.json"
t2=$(date +%s.%N)
"$BIN" import residents --data "$W/d" "$W/ward.csv" > "$W/out2.json"
t3=$(date +%s.%N)
python3 -c "import json,sys; o=json.load(open(sys.argv[1])); print('second run: imported', o['imported'], 'unchanged', o['unchanged'])" "$W/out2.json"
# The shell's import: the same columns, the people table's indexes.
sqlite3 "$W/shell.db" <<'SQL'
PRAGMA journal_mode=WAL;
CREATE TABLE people (stt TEXT, full_name TEXT, birth TEXT, sex TEXT, cccd TEXT, phone TEXT, unit TEXT, address TEXT,
  household TEXT, relation TEXT, vneid TEXT, org TEXT, role TEXT, grade TEXT);
CREATE UNIQUE INDEX people_cccd ON people(cccd) WHERE cccd <> '';
CREATE INDEX people_unit_name ON people(unit, full_name);
CREATE INDEX people_name ON people(full_name);
CREATE INDEX people_phone ON people(phone) WHERE phone <> '';
CREATE INDEX people_household ON people(household) WHERE household <> '';
SQL
t4=$(date +%s.%N)
sqlite3 "$W/shell.db" ".import --csv --skip 1 $W/ward.csv people"
t5=$(date +%s.%N)
python3 - "$t0" "$t1" "$t2" "$t3" "$t4" "$t5" <<'PY'
import sys
t = [float(x) for x in sys.argv[1:]]
imp, again, shell = t[1] - t[0], t[3] - t[2], t[5] - t[4]
print(f"hocvuso import: {imp:.2f} s; again (all unchanged): {again:.2f} s; sqlite3 .import: {shell:.2f} s; ratio {imp / shell:.1f}x")
PY
