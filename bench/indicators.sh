#!/usr/bin/env bash
# indicators.sh: the indicators of a tổ dân phố and of the ward of a 1,000,000-resident city (issue
# 10; BENCHMARKS.md, "Indicators"), computed from the records (no live counts yet), against hello on
# the same server, one request at a time; and the reference for a full count: the sqlite3 shell's
# plain GROUP BY of the people by unit over the same file. Loopback only; bounded (ROUNDS requests).
# The city: bench/field.mjs's (FIELD_DATA, default /tmp/hv-field-bench-1000000, made by
# `PREPARE_ONLY=1 node bench/field.mjs`), copied, never changed.
# Settings: HOCVUSO_BIN (build/hocvuso), FIELD_DATA, ROUNDS (tổ: 50), WARD_ROUNDS (3).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${HOCVUSO_BIN:-$ROOT/build/hocvuso}
SRC=${FIELD_DATA:-/tmp/hv-field-bench-1000000}
ROUNDS=${ROUNDS:-50}
WARD_ROUNDS=${WARD_ROUNDS:-3}
[ -f "$SRC/hocvuso.db" ] || { echo "no city in $SRC: PREPARE_ONLY=1 node bench/field.mjs" >&2; exit 2; }
DATA=$(mktemp -d /tmp/hv-ind-bench.XXXXXX)
PORT=$((20000 + RANDOM % 20000))
cleanup() { [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$DATA"; }
trap cleanup EXIT
cp -a "$SRC/." "$DATA/"
"$BIN" migrate --data "$DATA" >/dev/null
PASS='Mat-khau-chi-tieu-26'
printf '%s\n' "$PASS" | "$BIN" user add chitieu.bench --name "Cán bộ đo chỉ tiêu" --password-stdin --data "$DATA" >/dev/null
"$BIN" user grant chitieu.bench unit_officer HP-HD --data "$DATA" >/dev/null
WARD=$(sqlite3 "$DATA/hocvuso.db" "SELECT id FROM units WHERE code = 'HP-HD'")
TDP=$(sqlite3 "$DATA/hocvuso.db" "SELECT id FROM units WHERE kind = 'residential_group' AND parent_id = $WARD ORDER BY id LIMIT 1")
PEOPLE=$(sqlite3 "$DATA/hocvuso.db" "SELECT COUNT(*) FROM people WHERE deleted_at IS NULL")
# The reference: a plain count of everyone by unit, in the sqlite3 shell, on the same file.
REF_MS=$( { /usr/bin/time -f '%e' sqlite3 "$DATA/hocvuso.db" "SELECT unit_id, COUNT(*) FROM people WHERE deleted_at IS NULL GROUP BY unit_id" >/dev/null; } 2>&1 | awk '{print $1 * 1000}')
"$BIN" serve --listen "127.0.0.1:$PORT" --data "$DATA" >"$DATA/serve.log" 2>&1 &
PID=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
PORT=$PORT PASS=$PASS WARD=$WARD TDP=$TDP ROUNDS=$ROUNDS WARD_ROUNDS=$WARD_ROUNDS PEOPLE=$PEOPLE REF_MS=$REF_MS node - <<'JS'
const base = `http://127.0.0.1:${process.env.PORT}`;
const r = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'chitieu.bench', password: process.env.PASS }) });
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
  return { p50: q(ms, 0.5), p99: q(ms, 0.99), last };
}
const hello = await time('/api/v1/hello', process.env.ROUNDS);
const tdp = await time(`/api/v1/indicators?unit=${process.env.TDP}`, process.env.ROUNDS);
const ward = await time(`/api/v1/indicators?unit=${process.env.WARD}`, process.env.WARD_ROUNDS);
// The ward's report of the last quarter, both files, from its snapshot (the first call keeps the
// snapshot of that unit: counted once, reported as "first"; then each file, WARD_ROUNDS times).
const now = new Date(Date.now() + 7 * 3600 * 1000);
let qy = now.getUTCFullYear(), qq = Math.floor(now.getUTCMonth() / 3);
if (qq === 0) { qy -= 1; qq = 4; }
const period = `${qy}-Q${qq}`;
const t0 = performance.now();
const first = await fetch(`${base}/api/v1/reports?unit=${process.env.WARD}&period=${period}`, { headers: { cookie } });
if (first.status !== 200) throw new Error(`report: ${first.status} ${await first.text()}`);
await first.json();
const firstMs = performance.now() - t0;
const both = [];
for (let i = 0; i < Number(process.env.WARD_ROUNDS); i++) {
  const t1 = performance.now();
  for (const f of ['pdf', 'report.xlsx']) {
    const res = await fetch(`${base}/api/v1/reports/${f}?unit=${process.env.WARD}&period=${period}`, { headers: { cookie, 'sec-fetch-site': 'same-origin' } });
    if (res.status !== 200) throw new Error(`${f}: ${res.status}`);
    await res.arrayBuffer();
  }
  both.push(performance.now() - t1);
}
console.log(`\nthe ward's report of ${period}: first (its snapshot kept) ${firstMs.toFixed(0)} ms; both files from the snapshot: median ${q(both, 0.5).toFixed(0)} ms, max ${q(both, 1).toFixed(0)} ms`);
const people = Number(process.env.PEOPLE), ref = Number(process.env.REF_MS);
const t3 = ward.last.items.find((x) => x.code === 'T3');
console.log(`| people | hello p50/p99 ms | tổ: indicators p50/p99 ms | ward: indicators p50/max ms | ward: people counted/s | sqlite3 GROUP BY by unit, ms (people/s) | ward recompute / GROUP BY |`);
console.log('|---:|---:|---:|---:|---:|---:|---:|');
console.log(`| ${people} | ${hello.p50.toFixed(2)} / ${hello.p99.toFixed(2)} | ${tdp.p50.toFixed(1)} / ${tdp.p99.toFixed(1)} | ${ward.p50.toFixed(0)} / ${q([ward.p50, ward.p99], 1).toFixed(0)} | ${Math.round(people / (ward.p50 / 1000))} | ${ref.toFixed(0)} (${Math.round(people / (ref / 1000))}) | ${(ward.p50 / ref).toFixed(1)}× |`);
console.error(JSON.stringify({ hello, tdp: { p50: tdp.p50, p99: tdp.p99 }, ward: { p50: ward.p50, p99: ward.p99 }, t3 }));
JS
