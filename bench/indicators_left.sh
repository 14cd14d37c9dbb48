#!/usr/bin/env bash
# indicators_left.sh: those an indicator leaves behind (issue 10 item 4; BENCHMARKS.md, "Indicators:
# those left behind"), for tổ dân phố số 1 (~700 residents) of the 1,000,000-resident city, one
# request at a time: a page of 50 (T3, T4 over people; M3 over households) and the whole CSV
# worklist of T3, against two references in the same run on the same server: hello, and the tổ's
# own figures (GET /api/v1/indicators: the six cubes of the same subtree). Optionally the ward's
# first page (WARD_ROUNDS, default 1: it reads every person of the ward). Medians; loopback only.
# The city: bench/field.mjs's (FIELD_DATA, default /tmp/hv-field-bench-1000000, made by
# `PREPARE_ONLY=1 node bench/field.mjs`), copied, never changed.
# Settings: HOCVUSO_BIN (build/hocvuso), FIELD_DATA, ROUNDS (30), WARD_ROUNDS (1; 0 to skip).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${HOCVUSO_BIN:-$ROOT/build/hocvuso}
SRC=${FIELD_DATA:-/tmp/hv-field-bench-1000000}
ROUNDS=${ROUNDS:-30}
WARD_ROUNDS=${WARD_ROUNDS:-1}
[ -f "$SRC/hocvuso.db" ] || { echo "no city in $SRC: PREPARE_ONLY=1 node bench/field.mjs" >&2; exit 2; }
DATA=$(mktemp -d /tmp/hv-left-bench.XXXXXX)
PORT=$((20000 + RANDOM % 20000))
cleanup() { [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$DATA"; }
trap cleanup EXIT
sqlite3 "$SRC/hocvuso.db" ".backup '$DATA/hocvuso.db'"
cp "$SRC/secrets.json" "$DATA/"
"$BIN" migrate --data "$DATA" >/dev/null
PASS='Mat-khau-chua-dat-26'
printf '%s\n' "$PASS" | "$BIN" user add chuadat.bench --name "Cán bộ đo danh sách chưa đạt" --password-stdin --data "$DATA" >/dev/null
"$BIN" user grant chuadat.bench unit_officer HP-HD --data "$DATA" >/dev/null
WARD=$(sqlite3 "$DATA/hocvuso.db" "SELECT id FROM units WHERE code = 'HP-HD'")
TDP=$(sqlite3 "$DATA/hocvuso.db" "SELECT id FROM units WHERE code = 'HD-TDP01'")
"$BIN" serve --listen "127.0.0.1:$PORT" --data "$DATA" >"$DATA/serve.log" 2>&1 &
PID=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
PORT=$PORT PASS=$PASS WARD=$WARD TDP=$TDP ROUNDS=$ROUNDS WARD_ROUNDS=$WARD_ROUNDS node - <<'JS'
const base = `http://127.0.0.1:${process.env.PORT}`;
const r = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'chuadat.bench', password: process.env.PASS }) });
if (r.status !== 200) throw new Error(`log-in: ${r.status}`);
const cookie = r.headers.get('set-cookie').split(';')[0];
const q = (a, p) => { const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]; };
const { TDP, WARD } = process.env;
const ROUNDS = Number(process.env.ROUNDS);
// The paths, measured interleaved round after round, so that the machine's noise falls on all alike.
const paths = {
  hello: '/api/v1/hello',
  figures: `/api/v1/indicators?unit=${TDP}`,
  t3: `/api/v1/indicators/left-behind?code=T3&unit=${TDP}&per_page=50`,
  t4: `/api/v1/indicators/left-behind?code=T4&unit=${TDP}&per_page=50`,
  m3: `/api/v1/indicators/left-behind?code=M3&unit=${TDP}&per_page=50`,
  csv: `/api/v1/indicators/left-behind.csv?code=T3&unit=${TDP}`,
};
const ms = Object.fromEntries(Object.keys(paths).map((k) => [k, []]));
const last = {};
for (let i = 0; i < ROUNDS; i++) {
  for (const [k, p] of Object.entries(paths)) {
    const t0 = performance.now();
    const res = await fetch(base + p, { headers: { cookie } });
    const body = k === 'csv' ? await res.text() : await res.json();
    if (res.status !== 200) throw new Error(`${p}: ${res.status} ${JSON.stringify(body)}`);
    ms[k].push(performance.now() - t0);
    last[k] = body;
  }
}
const med = (k) => q(ms[k], 0.5);
const T3 = last.figures.items.find((x) => x.code === 'T3');
const total = (k) => last[k].total;
const csvRows = last.csv.split('\r\n').filter(Boolean).length - 1;
let ward = null;
if (Number(process.env.WARD_ROUNDS) > 0) {
  const w = [];
  let o;
  for (let i = 0; i < Number(process.env.WARD_ROUNDS); i++) {
    const t0 = performance.now();
    const res = await fetch(`${base}/api/v1/indicators/left-behind?code=T3&unit=${WARD}&per_page=50`, { headers: { cookie } });
    o = await res.json();
    if (res.status !== 200) throw new Error(`ward: ${res.status}`);
    w.push(performance.now() - t0);
  }
  ward = { p50: q(w, 0.5), total: o.total };
}
const f = (x) => x.toFixed(1);
console.log(`| request (tổ dân phố số 1: ${T3.denominator} adults, one connection, ${ROUNDS} rounds interleaved) | rows | p50 ms | p99 ms | p50 ÷ hello | p50 ÷ the tổ's figures |`);
console.log('|---|---|---|---|---|---|');
const line = (label, k, rows) => console.log(`| ${label} | ${rows} | ${f(med(k))} | ${f(q(ms[k], 0.99))} | ${f(med(k) / med('hello'))} | ${(med(k) / med('figures')).toFixed(2)} |`);
line('GET /api/v1/hello (reference)', 'hello', '—');
line('GET /api/v1/indicators?unit=tổ (reference: the 12 figures, 6 cubes)', 'figures', '12');
line('left-behind T3, page of 50', 't3', `${total('t3')} left`);
line('left-behind T4, page of 50', 't4', `${total('t4')} left`);
line('left-behind M3 (households), page of 50', 'm3', `${total('m3')} left`);
line('left-behind.csv T3, the whole worklist', 'csv', `${csvRows}`);
if (ward) console.log(`\nThe ward's first page of T3 (every person of the ward read once): ${f(ward.p50)} ms for ${ward.total} left behind (median of ${process.env.WARD_ROUNDS}).`);
console.error(JSON.stringify({ ms, ward }));
JS
