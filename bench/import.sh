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
T() { /usr/bin/time -f "%e %U %S" -o "$W/$1.time" "${@:2}"; }
T first "$BIN" import residents --data "$W/d" "$W/ward.csv" > "$W/out.json"
python3 -c "import json,sys; o=json.load(open(sys.argv[1])); print('imported', o['imported'], 'unchanged', o['unchanged'], 'rejected', len(o['rejected'])); [print(' ', r) for r in o['rejected'][:5]]" "$W/out.json"
T again "$BIN" import residents --data "$W/d" "$W/ward.csv" > "$W/out2.json"
python3 -c "import json,sys; o=json.load(open(sys.argv[1])); print('second run: imported', o['imported'], 'unchanged', o['unchanged'])" "$W/out2.json"
# The shell's import: the same columns, the people table's indexes.
sqlite3 "$W/shell.db" >/dev/null <<'SQL'
PRAGMA journal_mode=WAL;
CREATE TABLE people (stt TEXT, full_name TEXT, birth TEXT, sex TEXT, cccd TEXT, phone TEXT, unit TEXT, address TEXT,
  household TEXT, relation TEXT, vneid TEXT, org TEXT, role TEXT, grade TEXT);
CREATE UNIQUE INDEX people_cccd ON people(cccd) WHERE cccd <> '';
CREATE INDEX people_unit_name ON people(unit, full_name);
CREATE INDEX people_name ON people(full_name);
CREATE INDEX people_phone ON people(phone) WHERE phone <> '';
CREATE INDEX people_household ON people(household) WHERE household <> '';
SQL
T shell sqlite3 "$W/shell.db" ".import --csv --skip 1 $W/ward.csv people"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
python3 - "$W" <<'PY'
import sys
w = sys.argv[1]
def t(name):
    e, u, s = (float(x) for x in open(f"{w}/{name}.time").read().split()[-3:])
    return e, u + s
(fe, fc), (ae, ac), (se, sc) = t('first'), t('again'), t('shell')
print(f"hocvuso import (new rows): {fe:.2f} s wall, {fc:.2f} s CPU")
print(f"hocvuso import (again, all unchanged): {ae:.2f} s wall, {ac:.2f} s CPU")
print(f"sqlite3 .import --csv: {se:.2f} s wall, {sc:.2f} s CPU")
print(f"ratio: {fe / se:.1f}x wall, {fc / sc:.1f}x CPU (target 1.5x)")
PY
