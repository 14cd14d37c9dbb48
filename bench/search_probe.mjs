// search_probe.mjs: each query of a file sent REPS times, one at a time over one keep-alive
// connection, to a running server; writes "min_ms query total items status" per query (the
// fastest of the REPS: the query's own cost, less the shared machine's noise) and prints p50, p90,
// p95, p99 and max of those minima. Used to find which searches are slow (BENCHMARKS.md, "Registry
// name search (issue 7, this session)"); reads nothing but the server's answers.
// Usage: node bench/search_probe.mjs PORT COOKIE_FILE QUERIES_FILE REPS OUT [PATH_PREFIX]
//   COOKIE_FILE holds "hocvuso_session=…"; QUERIES_FILE one percent-encoded query a line
//   (bench/search_latency.sh and bench/registry.sh write such files).
import fs from 'fs';
import http from 'http';

const [port, cookieFile, qf, reps, out, prefix0] = process.argv.slice(2);
if (!out) {
  console.error('usage: node bench/search_probe.mjs PORT COOKIE_FILE QUERIES_FILE REPS OUT [PATH_PREFIX]');
  process.exit(2);
}
const prefix = prefix0 || '/api/v1/residents?per_page=50&q=';
const cookie = fs.readFileSync(cookieFile, 'utf8').trim();
const qs = fs.readFileSync(qf, 'utf8').split('\n').filter(Boolean);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const get = (path) => new Promise((res, rej) => {
  const t0 = process.hrtime.bigint();
  http.get({ host: '127.0.0.1', port, path, agent, headers: { Cookie: cookie } }, (r) => {
    let s = '';
    r.on('data', (d) => (s += d));
    r.on('end', () => res([Number(process.hrtime.bigint() - t0) / 1e6, r.statusCode, s]));
  }).on('error', rej);
});
const rows = [];
for (const q of qs) {
  let best = Infinity, tot = '?', n = 0, st = 0;
  for (let k = 0; k < Number(reps); k++) {
    const [ms, code, body] = await get(prefix + q);
    st = code;
    if (ms < best) best = ms;
    if (k === 0) {
      try { const j = JSON.parse(body); tot = j.total; n = j.items.length; } catch { tot = '?'; }
    }
  }
  rows.push([best, q, tot, n, st]);
}
fs.writeFileSync(out, rows.map((r) => `${r[0].toFixed(2)} ${r[1]} ${r[2]} ${r[3]} ${r[4]}`).join('\n') + '\n');
const v = rows.map((r) => r[0]).sort((a, b) => a - b);
const p = (x) => v[Math.min(v.length - 1, Math.floor(v.length * x))].toFixed(2);
console.log(`n ${v.length} p50 ${p(0.5)} p90 ${p(0.9)} p95 ${p(0.95)} p99 ${p(0.99)} max ${v[v.length - 1].toFixed(2)}`);
agent.destroy();
