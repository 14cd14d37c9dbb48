#!/usr/bin/env bash
# bench/confirmations.sh: `hocvuso import confirmations` of a list of N rows (SQLite) against two
# references in the same run, on the same machine: `hocvuso import residents` of the N people the
# list names (the registry's own import, rows of the same count), and the sqlite3 shell's
# `.import --csv` of the confirmations file into a bare table (the database's own loader).
# usage: bench/confirmations.sh [N] [BIN] [RUNS]   (N = 100,000, 3 runs: the medians are printed)
# The list: one VNeID row per person with a CCCD of a synthetic ward of N residents, topped up to N
# rows with national-platform rows of the same people, plus nothing else (every row matches).
set -euo pipefail
N=${1:-100000}
BIN=$(realpath "${2:-build/hocvuso}")
RUNS=${3:-3}
W=$(mktemp -d /tmp/hv-bench-conf.XXXXXX)
trap 'rm -rf "$W"' EXIT
"$BIN" synth --residents "$N" --seed 7 --out "$W/ward.csv"
python3 - "$W/ward.csv" "$N" > "$W/conf.csv" <<'PY'
import csv, sys
n = int(sys.argv[2])
rows = [r['Số CCCD'] for r in csv.DictReader(open(sys.argv[1], encoding='utf-8')) if r['Số CCCD']]
print('Số CCCD,Loại xác nhận,Nguồn,Ngày xác nhận,Số hiệu\r')
out = 0
for i, c in enumerate(rows):
    if out == n: break
    print(f'{c},VNeID,,{1 + i % 28:02d}/{1 + i % 12:02d}/2025,\r'); out += 1
i = 0
while out < n:
    print(f'{rows[i % len(rows)]},Nền tảng Bình dân học vụ số,,{1 + i % 28:02d}/03/2026,BDHVS-{i}\r'); out += 1; i += 1
PY
T() { /usr/bin/time -f "%e %U %S" -o "$1" "${@:2}"; }
for run in $(seq 1 "$RUNS"); do
  D="$W/d$run"
  mkdir -p "$D"
  HOCVUSO_ADMIN_PASSWORD=Bench-mat-khau-1 "$BIN" demo --data "$D" --residents "$N" --seed 7 --units-only > /dev/null
  T "$W/res-$run.time" "$BIN" import residents --data "$D" "$W/ward.csv" > "$W/res-$run.json"
  T "$W/conf-$run.time" "$BIN" import confirmations --data "$D" "$W/conf.csv" > "$W/conf-$run.json"
  T "$W/again-$run.time" "$BIN" import confirmations --data "$D" "$W/conf.csv" > "$W/again-$run.json"
  rm -f "$W/ref.db"
  T "$W/ref-$run.time" sqlite3 "$W/ref.db" \
    "CREATE TABLE ref (cccd TEXT, kind TEXT, source TEXT, day TEXT, reference TEXT, UNIQUE (cccd, kind, source, day))" \
    ".import --csv --skip 1 $W/conf.csv ref"
  rm -rf "$D"
done
python3 - "$W" "$N" "$RUNS" <<'PY'
import json, statistics, sys
w, n, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def times(name, r):
    e, u, s = (float(x) for x in open(f"{w}/{name}-{r}.time").read().split()[-3:])
    return e, u + s
def med(name): return statistics.median(times(name, r)[0] for r in range(1, runs + 1))
def medc(name): return statistics.median(times(name, r)[1] for r in range(1, runs + 1))
o = json.load(open(f"{w}/conf-1.json")); a = json.load(open(f"{w}/again-1.json")); p = json.load(open(f"{w}/res-1.json"))
print(f"rows {n}: residents imported {p['imported']}; confirmations recorded {o['recorded']}, unchanged {o['unchanged']},"
      f" unmatched {o['unmatched_count']}, rejected {o['rejected_count']}; again: recorded {a['recorded']}, unchanged {a['unchanged']}")
res, conf, again, ref = med('res'), med('conf'), med('again'), med('ref')
cres, cconf, cagain, cref = medc('res'), medc('conf'), medc('again'), medc('ref')
for label, t, c in (('import residents (reference)', res, cres), ('import confirmations (new)', conf, cconf),
                    ('import confirmations (again)', again, cagain), ('sqlite3 .import (reference)', ref, cref)):
    print(f"  {label:32s} {t:7.2f} s wall {n / t:9.0f} rows/s   {c:7.2f} s CPU {n / c:9.0f} rows/CPU-s")
print(f"  confirmations / residents (rows/s): wall {res / conf:.2f} new, {res / again:.2f} again;"
      f" CPU {cres / cconf:.2f} new, {cres / cagain:.2f} again")
print(f"  confirmations / sqlite3 .import (rows/s): wall {ref / conf:.2f} new, {ref / again:.2f} again;"
      f" CPU {cref / cconf:.2f} new, {cref / cagain:.2f} again")
PY
