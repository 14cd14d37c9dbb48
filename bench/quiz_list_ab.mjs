// quiz_list_ab.mjs: the learner's quiz list (GET /api/v1/quizzes) before and after it closes the
// caller's attempts whose time ran out (session 19, "fixes"): one more indexed read a list (none to
// close: the common case). Two builds, each on a demo ward of its own (SQLite), the same learner's
// list read by wrk (64 connections, one session), rounds alternated A, B, A, B…, with hello in each
// round; the server's CPU per request from /proc (utime + stime). Loopback only, about ROUNDS × 4 ×
// DURATION seconds.
// Usage: A=/path/old/hocvuso B=/path/new/hocvuso [ROUNDS=3 DURATION=6] node bench/quiz_list_ab.mjs
// Prints a Markdown table; the raw numbers as JSON on stderr.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { sh, median, cpuOf, serve, login, wrk } from './lib/serve.mjs';

const A = process.env.A, B = process.env.B;
const ROUNDS = Number(process.env.ROUNDS || 3), DURATION = Number(process.env.DURATION || 6);
const PW = 'Demo-mat-khau-2026';
if (!A || !B) throw new Error('A=old binary B=new binary');

async function ward(bin, tag) {
  const data = mkdtempSync(join(tmpdir(), `hv-qlist-${tag}-`));
  await sh(bin, ['demo', '--data', data], { env: { ...process.env, HOCVUSO_ADMIN_PASSWORD: PW }, maxBuffer: 1 << 24 });
  const srv = await serve(bin, data);
  const s = await login(srv.port, 'hocvien', PW, '10.9.0.1');
  const lua = join(data, 'list.lua');
  writeFileSync(lua, `wrk.headers["Cookie"] = "${s.cookie}"\n`);
  return { srv, lua, tag };
}

async function measure(w, path, lua) {
  const c0 = cpuOf(w.srv.proc.pid);
  const r = await wrk(w.srv.port, path, { conns: 64, duration: DURATION, lua });
  const cpu = cpuOf(w.srv.proc.pid) - c0;
  return { rps: r.rps, p99: r.p99, bad: r.bad, cpu_us: (cpu / r.n) * 1e6 };
}

const sides = [await ward(A, 'a'), await ward(B, 'b')];
const rows = { a: [], b: [] };
for (let k = 0; k < ROUNDS; k++) {
  for (const w of sides) {
    const hello = await measure(w, '/api/v1/hello', null);
    const list = await measure(w, '/api/v1/quizzes?per_page=20', w.lua);
    rows[w.tag].push({ hello, list });
  }
}
for (const w of sides) await w.srv.stop();
const load = (await sh('cat', ['/proc/loadavg'])).stdout.trim();
console.error(JSON.stringify({ rows, load }));
console.log('| build | list/s (rounds) | hello/s | list / hello | list p99 ms | CPU µs per list (rounds) | CPU µs per hello | non-2xx |');
console.log('|---|---|---:|---:|---:|---|---:|---:|');
for (const w of sides) {
  const r = rows[w.tag];
  const m = (f) => median(r.map(f));
  console.log(`| ${w.tag === 'a' ? 'before (main)' : 'after (fixes)'} | ${m((x) => x.list.rps).toFixed(0)} (${r.map((x) => x.list.rps.toFixed(0)).join(', ')}) | ${m((x) => x.hello.rps).toFixed(0)} | ${m((x) => x.list.rps / x.hello.rps).toFixed(3)} | ${m((x) => x.list.p99).toFixed(1)} | ${m((x) => x.list.cpu_us).toFixed(1)} (${r.map((x) => x.list.cpu_us.toFixed(1)).join(', ')}) | ${m((x) => x.hello.cpu_us).toFixed(1)} | ${r.reduce((s, x) => s + x.list.bad + x.hello.bad, 0)} |`);
}
console.log(`\nload average at the end: ${load}`);
