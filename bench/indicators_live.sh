#!/usr/bin/env bash
# indicators_live.sh: today's indicators served from the live counts (issue 10, part 2; BENCHMARKS.md,
# "Indicators, live") on a synthetic city, against hello on the same server, one request at a time:
# a tổ dân phố, the ward, and the city (every unit of the top level). Also the one-off costs: the
# migration that marks every record, the first drain that classifies them all, and a full recount
# (`hocvuso indicators --verify`) in records per second against the reference, a plain GROUP BY by
# unit over the same tables in the sqlite3 shell on the same file; the last quarter's snapshot of
# every unit (`hocvuso indicators snapshot`, taken before the server starts so that its housekeeper
# finds it done), and the ward's report of that quarter, both files, from it (REPORT_ROUNDS times).
# Loopback only; bounded (ROUNDS).
# The city: SQLite, IND_DATA (default /tmp/hv-field-bench-1000000, bench/field.mjs's PREPARE_ONLY
# city; with learning and field records when it has them), copied, never changed.
# PostgreSQL: PG=1 builds a demo city of PG_RESIDENTS (default 51522) in a throw-away cluster and
# measures the same; SQLite's side at the same size: IND_DATA pointing at such a demo.
# Settings: HOCVUSO_BIN (build/hocvuso), IND_DATA, ROUNDS (200), REPORT_ROUNDS (10), PG_URI (a PostgreSQL city
# kept, used as it is), PG, PG_RESIDENTS, PG_CITY (PostgreSQL: the
# field city's way, units then the imported list, no demo activity; LEARN_RECORDS: then `demo --records`).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${HOCVUSO_BIN:-$ROOT/build/hocvuso}
SRC=${IND_DATA:-/tmp/hv-field-bench-1000000}
ROUNDS=${ROUNDS:-200}
DATA=$(mktemp -d /tmp/hv-ind-live.XXXXXX)
PORT=$((20000 + RANDOM % 20000))
PGDIR=""
cleanup() {
  [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null
  wait 2>/dev/null
  [ -n "$PGDIR" ] && bash "$ROOT/tests/pg-server.sh" stop "$PGDIR" >/dev/null 2>&1
  rm -rf "$DATA" ${PGDIR:+"$PGDIR"}
}
trap cleanup EXIT
now() { date +%s.%N; }
STORE=(--data "$DATA")
if [ -n "${PG_URI:-}" ]; then
  # a PostgreSQL city made before (its import and first drain timed then): used as it is
  PG=1
  URI=$PG_URI
  STORE=(--data "$DATA" --database "$URI")
  MIG_S=0
  DRAIN_S=0
elif [ -n "${PG:-}" ]; then
  PGDIR=$(mktemp -d /tmp/hv-ind-live-pg.XXXXXX)
  URI=$(bash "$ROOT/tests/pg-server.sh" start "$PGDIR" | tail -1)
  URI=$(bash "$ROOT/tests/pg-server.sh" createdb "$PGDIR" city | tail -1)
  STORE=(--data "$DATA" --database "$URI")
  if [ -n "${PG_CITY:-}" ]; then
    # the field city's way (bench/field.mjs): the units, then the synthetic list imported; the
    # import marks everyone, so the drain after it is the first drain
    "$BIN" demo "${STORE[@]}" --residents "${PG_RESIDENTS:-51522}" --seed 1 --units-only >/dev/null
    "$BIN" synth --residents "${PG_RESIDENTS:-51522}" --seed 1 --out "$DATA/city.csv"
    T0=$(now); "$BIN" import residents "${STORE[@]}" "$DATA/city.csv" >/dev/null; echo "import: $(echo "$(now) - $T0" | bc) s"
    rm -f "$DATA/city.csv"
    MIG_S=0
    T0=$(now); "$BIN" indicators drain "${STORE[@]}" >/dev/null; DRAIN_S=$(echo "$(now) - $T0" | bc)
    if [ -n "${LEARN_RECORDS:-}" ]; then
      T0=$(now); "$BIN" demo "${STORE[@]}" --records "$LEARN_RECORDS" >/dev/null
      echo "records: $(echo "$(now) - $T0" | bc) s (the generator drains what it wrote)"
    fi
  else
    "$BIN" demo "${STORE[@]}" --residents "${PG_RESIDENTS:-51522}" --seed 1 >/dev/null
    MIG_S=0
    # the demo drained what it wrote: mark everything again, as a migration would, for the first drain
    psql -q "$URI" -c "INSERT INTO ind_dirty SELECT id FROM people ON CONFLICT DO NOTHING; INSERT INTO ind_dirty_hh SELECT id FROM households ON CONFLICT DO NOTHING" >/dev/null
    T0=$(now); "$BIN" indicators drain "${STORE[@]}" >/dev/null; DRAIN_S=$(echo "$(now) - $T0" | bc)
  fi
else
  [ -f "$SRC/hocvuso.db" ] || { echo "no city in $SRC: PREPARE_ONLY=1 node bench/field.mjs" >&2; exit 2; }
  cp -a "$SRC/." "$DATA/"
  T0=$(now); "$BIN" migrate "${STORE[@]}" >/dev/null; MIG_S=$(echo "$(now) - $T0" | bc)
  T0=$(now); "$BIN" indicators drain "${STORE[@]}" >/dev/null; DRAIN_S=$(echo "$(now) - $T0" | bc)
fi
# The reference: a plain GROUP BY by unit over the same tables, in the database's own shell
# (sqlite3, psql) on the same data.
REF_SQL="SELECT p.unit_id, COUNT(*), COUNT(c.person_id), COUNT(x.person_id), COUNT(e.person_id),
 SUM(CASE WHEN p.vneid_level = 2 THEN 1 ELSE 0 END) FROM people p
LEFT JOIN (SELECT DISTINCT person_id FROM certificates WHERE person_id IS NOT NULL AND revoked_at IS NULL) c ON c.person_id = p.id
LEFT JOIN (SELECT DISTINCT person_id FROM external_confirmations) x ON x.person_id = p.id
LEFT JOIN (SELECT DISTINCT person_id FROM class_enrolments WHERE outcome = 'completed') e ON e.person_id = p.id
WHERE p.deleted_at IS NULL GROUP BY p.unit_id;
SELECT m.unit_id, COUNT(*) FROM memberships m GROUP BY m.unit_id;
SELECT h.unit_id, COUNT(*), COUNT(v.household_id) FROM households h
LEFT JOIN (SELECT DISTINCT household_id FROM field_visits) v ON v.household_id = h.id
WHERE h.deleted_at IS NULL GROUP BY h.unit_id;"
T0=$(now)
if [ -n "${PG:-}" ]; then psql -q "$URI" -c "$REF_SQL" >/dev/null; else sqlite3 "$DATA/hocvuso.db" "$REF_SQL" >/dev/null; fi
REF_S=$(echo "$(now) - $T0" | bc)
T0=$(now); VERIFY=$("$BIN" indicators --verify "${STORE[@]}"); VERIFY_S=$(echo "$(now) - $T0" | bc)
echo "$VERIFY" | tail -1
RECORDS=$(echo "$VERIFY" | tail -1 | sed -E 's/.* ([0-9]+) record\(s\) recounted.*/\1/')
# the last quarter's snapshot, every unit (started again: an earlier one of that quarter removed)
QUARTER=$(node -e 'const n=new Date(Date.now()+7*3600e3);let y=n.getUTCFullYear(),q=Math.floor(n.getUTCMonth()/3);if(!q){y--;q=4}console.log(`${y}-Q${q}`)')
if [ -n "${PG:-}" ]; then psql -q "$URI" -c "DELETE FROM indicator_snapshots WHERE quarter = '$QUARTER'" >/dev/null
else sqlite3 "$DATA/hocvuso.db" "DELETE FROM indicator_snapshots WHERE quarter = '$QUARTER'"; fi
T0=$(now); SNAP=$("$BIN" indicators snapshot --quarter "$QUARTER" "${STORE[@]}" | tail -1); SNAP_S=$(echo "$(now) - $T0" | bc)
echo "snapshot $QUARTER: $SNAP in $SNAP_S s"
PASS='Mat-khau-chi-tieu-26'
printf '%s\n' "$PASS" | "$BIN" user add chitieu.live --name "Cán bộ đo chỉ tiêu" --password-stdin "${STORE[@]}" >/dev/null ||
  printf '%s\n' "$PASS" | "$BIN" user passwd chitieu.live --password-stdin "${STORE[@]}" >/dev/null
"$BIN" user grant chitieu.live ward_admin HP "${STORE[@]}" >/dev/null || true # granted by an earlier run on a kept city
q1() { if [ -n "${PG:-}" ]; then psql -tA "$URI" -c "$1"; else sqlite3 "$DATA/hocvuso.db" "$1"; fi; }
CITY=$(q1 "SELECT id FROM units WHERE depth = 0 ORDER BY id LIMIT 1")
WARD=$(q1 "SELECT id FROM units WHERE code = 'HP-HD'")
TDP=$(q1 "SELECT id FROM units WHERE kind = 'residential_group' AND parent_id = $WARD ORDER BY id LIMIT 1")
"$BIN" serve --listen "127.0.0.1:$PORT" "${STORE[@]}" >"$DATA/serve.log" 2>&1 &
PID=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
PORT=$PORT PASS=$PASS CITY=$CITY WARD=$WARD TDP=$TDP ROUNDS=$ROUNDS MIG_S=$MIG_S DRAIN_S=$DRAIN_S VERIFY_S=$VERIFY_S \
  REF_S=$REF_S RECORDS=$RECORDS KIND=${PG:+postgresql} QUARTER=$QUARTER SNAP_S=$SNAP_S REPORT_ROUNDS=${REPORT_ROUNDS:-10} \
  node - <<'JS'
const base = `http://127.0.0.1:${process.env.PORT}`;
const r = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'chitieu.live', password: process.env.PASS }) });
if (r.status !== 200) throw new Error(`log-in: ${r.status}`);
const cookie = r.headers.get('set-cookie').split(';')[0];
const q = (a, p) => { const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]; };
async function time(path, n) {
  const ms = [];
  let last;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await fetch(base + path, { headers: { cookie } });
    last = await res.json();
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(last)}`);
    ms.push(performance.now() - t0);
  }
  if (last.counted && last.counted !== 'live') throw new Error(`${path}: counted ${last.counted}`);
  return { p50: q(ms, 0.5), p99: q(ms, 0.99) };
}
const n = Number(process.env.ROUNDS);
const hello = await time('/api/v1/hello', n);
const tdp = await time(`/api/v1/indicators?unit=${process.env.TDP}`, n);
const ward = await time(`/api/v1/indicators?unit=${process.env.WARD}`, n);
const city = await time(`/api/v1/indicators?unit=${process.env.CITY}`, n);
const rank = await time(`/api/v1/indicators/ranking?code=T3&unit=${process.env.WARD}`, Math.max(10, n / 10));
// the ward's report of the quarter, both files, from the snapshot taken above
const both = [];
for (let i = 0; i < Number(process.env.REPORT_ROUNDS); i++) {
  const t1 = performance.now();
  for (const file of ['pdf', 'report.xlsx']) {
    const res = await fetch(`${base}/api/v1/reports/${file}?unit=${process.env.WARD}&period=${process.env.QUARTER}`, { headers: { cookie, 'sec-fetch-site': 'same-origin' } });
    if (res.status !== 200) throw new Error(`${file}: ${res.status}`);
    await res.arrayBuffer();
  }
  both.push(performance.now() - t1);
}
console.log(`the ward's report of ${process.env.QUARTER}, both files: median ${q(both, 0.5).toFixed(0)} ms, max ${q(both, 1).toFixed(0)} ms; every unit's snapshot ${Number(process.env.SNAP_S).toFixed(1)} s`);
const f = (x) => `${x.p50.toFixed(2)} / ${x.p99.toFixed(2)}`;
const rec = Number(process.env.RECORDS), vs = Number(process.env.VERIFY_S), ref = Number(process.env.REF_S);
console.log(`| backend | records | hello p50/p99 ms | tổ p50/p99 ms | ward p50/p99 ms | city p50/p99 ms | ranking of the ward's units p50/p99 ms | migration s | first drain s (records/s) | full recount s (records/s) | shell GROUP BY s | recount / GROUP BY |`);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
console.log(`| ${process.env.KIND || 'sqlite'} | ${rec} | ${f(hello)} | ${f(tdp)} | ${f(ward)} | ${f(city)} | ${f(rank)} | ${Number(process.env.MIG_S).toFixed(1)} | ${Number(process.env.DRAIN_S) ? `${Number(process.env.DRAIN_S).toFixed(1)} (${Math.round(rec / Number(process.env.DRAIN_S))})` : '–'} | ${vs.toFixed(1)} (${Math.round(rec / vs)}) | ${ref ? ref.toFixed(2) : '–'} | ${ref ? (vs / ref).toFixed(1) + '×' : '–'} |`);
JS
