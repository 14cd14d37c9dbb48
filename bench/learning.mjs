// learning.mjs: the learning side's benchmarks (issue 8; see BENCHMARKS.md, "Learning").
// Loopback only, bounded in time (about a minute). Builds nothing: uses build/hocvuso or
// $HOCVUSO_BIN. Starts its own server with the demo ward and the starter curriculum (hocvuso import
// curriculum), through tests/api/lib/server.mjs; PostgreSQL when HOCVUSO_TEST_PG_DIR names a
// tests/pg-server.sh cluster. In one run, ROUNDS rounds of DURATION seconds, interleaved, medians:
//   (a) GET /api/v1/hello                     the hello-world reference (wrk, 64 connections)
//   (v) GET /api/v1/lessons/{id}              a lesson read by a logged-in learner (wrk, 64 connections)
//   (s) a quiz attempt submitted              CONC clients over ACCOUNTS learner accounts (each
//       account used by one client at a time, so that no account passes the per-account write
//       limit of 20 a second), each in a loop: start an attempt of a 10-question quiz, submit its
//       answers (POST …/submit: the write path, durable: the answer comes after the commit);
//       submissions per second and the p99 of a submission.
// Prints Markdown; raw numbers as JSON on stderr (with the server's CPU per hello and per submission,
// its start included: submit_cpu_us, hello_cpu_us; CLK_TCK taken as 100).
//
// Settings (environment): HOCVUSO_BIN, HOCVUSO_TEST_PG_DIR, DURATION (8), CONC (32), ACCOUNTS (1024: each
// logs in from an address of its own through --trusted-proxy 127.0.0.1, as the log-in throttle lets 120 in
// at once from one address; a submission is two writes, and N accounts × 20 writes/s cap submissions at
// 10 × N a second: 96 accounts, the former default, made 429s), ROUNDS (3). Alternated builds and the
// loops in C: bench/quiz_ab.mjs.
import { join } from 'node:path';
import http from 'node:http';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startServer, hocvuso, storeArgs, REPO_ROOT } from '../tests/api/lib/server.mjs';

const DURATION = Number(process.env.DURATION || 8);
const CONC = Number(process.env.CONC || 32);
const ROUNDS = Number(process.env.ROUNDS || 3);
const ACCOUNTS = Math.max(Number(process.env.ACCOUNTS || 1024), Number(process.env.CONC || 32));
const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
let port = 0;

function req(method, path, { body, cookie, csrf } = {}) {
  const payload = body ? Buffer.from(JSON.stringify(body)) : null;
  const headers = {};
  if (payload) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(payload.length);
  }
  if (cookie) headers.cookie = cookie;
  if (csrf) headers['x-csrf-token'] = csrf;
  const t0 = process.hrtime.bigint();
  return new Promise((res, rej) => {
    const r = http.request({ host: '127.0.0.1', port, method, path, headers, agent }, (resp) => {
      const chunks = [];
      resp.on('data', (c) => chunks.push(c));
      resp.on('end', () => res({ status: resp.statusCode, headers: resp.headers, text: Buffer.concat(chunks).toString('utf8'),
        ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
    });
    r.setTimeout(30000, () => r.destroy(new Error('timeout')));
    r.on('error', rej);
    r.end(payload);
  });
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const median = (xs) => pct(xs, 50);

/** CONC loops of `one(i)` for DURATION seconds: {rps, p99, errors}. */
async function load(one) {
  const end = Date.now() + DURATION * 1000;
  const lat = [];
  let errors = 0;
  const statuses = {};
  await Promise.all(Array.from({ length: CONC }, async (_, i) => {
    while (Date.now() < end) {
      const r = await one(i);
      if (r.ok) lat.push(r.ms);
      else {
        errors++;
        statuses[r.status] = (statuses[r.status] || 0) + 1;
      }
    }
  }));
  return { rps: lat.length / DURATION, p99: pct(lat, 99), errors, statuses };
}

const srv = await startServer({ args: ['--trusted-proxy', '127.0.0.1'] });
port = srv.port;
try {
  const args = storeArgs(srv.dataDir, srv.dbUri);
  const cur = await hocvuso(['import', 'curriculum', ...args, join(REPO_ROOT, 'content', 'curriculum')]);
  if (cur.code !== 0) throw new Error(cur.stderr);
  const admin = await srv.login('admin');
  const quiz = await req('POST', '/api/v1/quizzes', { ...admin, body: { title: 'Đo tải', category: 'KNS-CB/M06', question_count: 10, pass_percent: 70 } });
  if (quiz.status !== 201) throw new Error(quiz.text);
  const quizId = JSON.parse(quiz.text).id;
  const lessonId = JSON.parse((await req('GET', '/api/v1/courses', admin)).text).items[0].modules[0].lessons[0].id;
  // ACCOUNTS learner accounts (a few at a time: each is a password hash).
  const pw = 'Mat-khau-do-tai-2026';
  const learners = [];
  for (let i = 0; i < ACCOUNTS; i += 8) {
    const batch = [];
    for (let k = i; k < Math.min(ACCOUNTS, i + 8); k++) {
      batch.push((async () => {
        const username = `hv.tai.${k}`;
        const a = await hocvuso(['user', 'add', username, '--name', `Học viên ${k}`, '--unit', 'HD-TDP01', '--password-stdin', ...args], { input: `${pw}\n` });
        if (a.code !== 0) throw new Error(a.stderr);
        const g = await hocvuso(['user', 'grant', username, 'learner', 'HD-TDP01', ...args]);
        if (g.code !== 0) throw new Error(g.stderr);
        return srv.login(username, pw, { headers: { 'x-forwarded-for': `10.77.${k >> 8}.${k & 255}` } });
      })());
    }
    learners.push(...(await Promise.all(batch)));
  }
  const learner = learners[0];
  // hello and the lesson with wrk (a node client would be the bottleneck); run without blocking
  // node, which drains the server's log pipe.
  const run = promisify(execFile);
  const wrk = async (path, cookie) => {
    const lua = join(tmpdir(), `hv-learn-${process.pid}.lua`);
    writeFileSync(lua, `wrk.method = "GET"\n${cookie ? `wrk.headers["Cookie"] = "${cookie}"\n` : ''}`);
    const { stdout: text } = await run('wrk', ['-t2', '-c64', `-d${DURATION}s`, '--latency', '-s', lua, `http://127.0.0.1:${port}${path}`]);
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)[1]);
    const p99m = /\s99%\s+([\d.]+)(us|ms|s)/.exec(text);
    const p99 = Number(p99m[1]) * (p99m[2] === 'us' ? 0.001 : p99m[2] === 's' ? 1000 : 1);
    const bad = /Non-2xx or 3xx responses: (\d+)/.exec(text);
    return { rps, p99, errors: bad ? Number(bad[1]) : 0 };
  };
  const next = Array.from({ length: CONC }, (_, i) => i); // client i uses accounts i, i + CONC, …
  const submission = async (i) => {
    const s = learners[next[i]];
    next[i] = (next[i] + CONC) % learners.length;
    const a = await req('POST', `/api/v1/quizzes/${quizId}/attempts`, s);
    if (a.status !== 201 && a.status !== 200) return { ok: false, status: `start ${a.status} ${a.text.slice(0, 80)}` };
    const n = JSON.parse(a.text).questions.length;
    const r = await req('POST', `/api/v1/attempts/${JSON.parse(a.text).id}/submit`, { ...s, body: { answers: new Array(n).fill(null) } });
    return { ok: r.status === 200, ms: r.ms, status: `submit ${r.status} ${r.text.slice(0, 80)}` };
  };
  const rounds = { a: [], v: [], s: [] };
  // The server's own CPU (utime+stime, /proc) over a run, per answer: a submission counts its start.
  const hz = 100;
  const cpu = () => {
    const f = readFileSync(`/proc/${srv.proc.pid}/stat`, 'utf8');
    const x = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(x[11]) + Number(x[12])) / hz;
  };
  const timed = async (fn) => {
    const c0 = cpu();
    const o = await fn();
    o.cpu_us = ((cpu() - c0) / Math.max(1, o.rps * DURATION)) * 1e6;
    return o;
  };
  for (let r = 0; r < ROUNDS; r++) {
    rounds.a.push(await timed(() => wrk('/api/v1/hello')));
    rounds.v.push(await wrk(`/api/v1/lessons/${lessonId}`, learner.cookie));
    rounds.s.push(await timed(() => load(submission)));
  }
  const m = (k, f) => median(rounds[k].map((x) => x[f]));
  const out = {
    hello_rps: m('a', 'rps'), lesson_rps: m('v', 'rps'), lesson_p99_ms: m('v', 'p99'),
    submit_rps: m('s', 'rps'), submit_p99_ms: m('s', 'p99'), hello_p99_ms: m('a', 'p99'), accounts: learners.length,
    submit_cpu_us: m('s', 'cpu_us'), hello_cpu_us: m('a', 'cpu_us'),
    errors: Object.fromEntries(Object.entries(rounds).map(([k, v]) => [k, v.reduce((n, x) => n + x.errors, 0)])),
    backend: process.env.HOCVUSO_TEST_PG_DIR ? 'postgresql' : 'sqlite', conc: CONC, duration_s: DURATION, rounds: ROUNDS,
  };
  console.error(JSON.stringify({ out, rounds }));
  console.log(`| backend | hello/s | lesson view/s | lesson / hello | lesson p99 | submissions/s | submission / hello | submission p99 |`);
  console.log(`|---|---|---|---|---|---|---|---|`);
  console.log(`| ${out.backend} | ${out.hello_rps.toFixed(0)} | ${out.lesson_rps.toFixed(0)} | ${(out.lesson_rps / out.hello_rps).toFixed(2)} | ${out.lesson_p99_ms.toFixed(1)} ms | ${out.submit_rps.toFixed(0)} | ${(out.submit_rps / out.hello_rps).toFixed(3)} | ${out.submit_p99_ms.toFixed(1)} ms |`);
} finally {
  await srv.stop();
}
