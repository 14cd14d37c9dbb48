// quiz_ab.mjs: durable quiz submissions against hello, two (or more) builds alternated in one run,
// with the server's own CPU per submission (BENCHMARKS.md, "Quiz submissions against hello").
// Loopback only, bounded (ROUNDS × builds × 2 × DURATION, plus a one-time preparation).
// Prepares QUIZ_DATA once (with the first build of BINS): the demo ward and its starter curriculum,
// the quiz bench/learning.mjs uses (10 questions of module M06, 70 %, no limit of attempts or time),
// ACCOUNTS learner accounts `hv.ab.K` (made with the command line, 8 at a time) and their sessions
// (logged in once, each from an address of its own through --trusted-proxy; kept in the database
// and in QUIZ_DATA/sessions.json). Every server then runs on a fresh copy of that data, so that no
// build inherits another's attempts (a learner's attempts are scanned when an attempt starts).
// For each round and each build in BINS: a server of that build (--trusted-proxy 127.0.0.1), then
//   (a) GET /api/v1/hello, wrk -t2 -c64, and
//   (s) CONC clients in loops, client i using accounts i, i + CONC, …: start an attempt
//       (POST /api/v1/quizzes/{id}/attempts), answer every question (the first option, the first
//       options of a multi, true, the matching's choices in order, a short text, a number) and
//       submit (POST /api/v1/attempts/{id}/submit: graded, durable);
// each with the server's utime+stime from /proc/PID/stat over the run divided by the answers (a
// submission's CPU counts its start). With ACCOUNTS = 1024 each account writes at most
// 2 × rate / 1024 times a second, far below the per-account limit (20 a second after a burst of
// 300) up to 10,000 submissions a second: any 429 is counted and printed.
// Prints one Markdown row per build (medians); raw rounds as JSON on stderr.
// Settings: BINS (comma-separated binaries; default build/hocvuso), QUIZ_DATA (/tmp/hv-quiz-ab),
// ACCOUNTS (1024), CONC (32), ROUNDS (3), DURATION (8); PERF=FILE: perf record of the first
// round's submissions into FILE.<build index> (PERF_ARGS, default -g).
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync, existsSync, mkdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import http from 'node:http';
import { REPO_ROOT, childEnv } from '../tests/api/lib/server.mjs';
import { serve, login, request as requestOn, wrk as wrkRun, cpuOf, metrics, median, sh } from './lib/serve.mjs';

const BINS = (process.env.BINS || join(REPO_ROOT, 'build', 'hocvuso')).split(',').map((b) => resolve(b));
const DATA = resolve(process.env.QUIZ_DATA || join(tmpdir(), 'hv-quiz-ab'));
const ROUNDS = Number(process.env.ROUNDS || 3);
const DURATION = Number(process.env.DURATION || 8);
const ACCOUNTS = Number(process.env.ACCOUNTS || 1024);
const CONC = Number(process.env.CONC || 32);
const CLIENT = process.env.CLIENT || 'wrk'; // wrk: the loops in C (Lua); node: in this process
const PW = 'Mat-khau-do-tai-2026';
const ADMIN_PW = 'Demo-mat-khau-2026';
const note = (m) => process.stderr.write(`quiz_ab: ${m}\n`);
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
const request = (port, method, path, opts = {}) => requestOn(port, method, path, { agent, ...opts });
const stop = (srv) => srv.stop();

const wrk = async (port, path) => {
  const { rps, n, bad } = await wrkRun(port, path, { duration: DURATION });
  return { rps, n, bad };
};

const cli = (bin, args, input) => new Promise((res) => {
  const p = spawn(bin, [...args, '--data', join(DATA, 'data')], { env: childEnv({ HOCVUSO_ADMIN_PASSWORD: ADMIN_PW }), stdio: ['pipe', 'ignore', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d) => (err += d));
  p.on('exit', (code) => res({ code, err }));
  p.stdin.on('error', () => {}); // a program that reads nothing may exit first
  p.stdin.end(input || '');
});

// ---- the data, made once ----
const READY = join(DATA, 'ready.json');
let ready = existsSync(READY) ? JSON.parse(readFileSync(READY, 'utf8')) : null;
if (ready && ready.sessions.length < ACCOUNTS) ready = null;
if (!ready) {
  rmSync(DATA, { recursive: true, force: true });
  mkdirSync(DATA, { recursive: true });
  note(`preparing ${DATA} with ${ACCOUNTS} learners`);
  const demo = await cli(BINS[0], ['demo']);
  if (demo.code !== 0) throw new Error(`demo: ${demo.err}`);
  for (let k = 0; k < ACCOUNTS; k += 8) {
    await Promise.all(Array.from({ length: Math.min(8, ACCOUNTS - k) }, async (_, j) => {
      const u = `hv.ab.${k + j}`;
      const a = await cli(BINS[0], ['user', 'add', u, '--name', `Học viên ${k + j}`, '--unit', 'HD-TDP01', '--password-stdin'], `${PW}\n`);
      if (a.code !== 0) throw new Error(`user add ${u}: ${a.err}`);
      const g = await cli(BINS[0], ['user', 'grant', u, 'learner', 'HD-TDP01']);
      if (g.code !== 0) throw new Error(`user grant ${u}: ${g.err}`);
    }));
  }
  const srv = await serve(BINS[0], join(DATA, 'data'));
  try {
    const admin = await login(srv.port, 'admin', ADMIN_PW, '10.78.0.1');
    const quiz = await request(srv.port, 'POST', '/api/v1/quizzes', { session: admin, body: { title: 'Đo tải', category: 'KNS-CB/M06', question_count: 10, pass_percent: 70 } });
    if (quiz.status !== 201) throw new Error(quiz.text);
    const sessions = [];
    for (let k = 0; k < ACCOUNTS; k += 8) {
      sessions.push(...(await Promise.all(Array.from({ length: Math.min(8, ACCOUNTS - k) }, (_, j) =>
        login(srv.port, `hv.ab.${k + j}`, PW, `10.77.${(k + j) >> 8}.${(k + j) & 255}`).then(({ cookie, csrf }) => ({ cookie, csrf }))))));
    }
    ready = { quiz_id: quiz.json.id, sessions };
  } finally {
    await stop(srv);
  }
  writeFileSync(READY, JSON.stringify(ready));
}
const sessions = ready.sessions.slice(0, ACCOUNTS);

/** Answers to an attempt's questions as shown (a right or wrong answer, whichever it is). */
function answersFor(att) {
  return att.questions.map((q) => {
    switch (q.type) {
      case 'single': return 0;
      case 'multi': return [0];
      case 'truefalse': return true;
      case 'matching': return (q.items || []).map((_, i) => (q.choices || [])[i % Math.max(1, (q.choices || []).length)] ?? null);
      case 'short': return 'mật khẩu mạnh';
      case 'numerical': return '6';
      default: return null;
    }
  });
}

/** CONC loops of start + submit for DURATION seconds. */
async function submissions(port) {
  const end = Date.now() + DURATION * 1000;
  const lat = []; // the submission (POST …/submit), as bench/learning.mjs measures it
  const pair = []; // its start and the submission
  const statuses = {};
  let passed = 0;
  const next = Array.from({ length: CONC }, (_, i) => i);
  await Promise.all(Array.from({ length: CONC }, async (_, i) => {
    while (Date.now() < end) {
      const s = sessions[next[i]];
      next[i] = (next[i] + CONC) % sessions.length;
      const a = await request(port, 'POST', `/api/v1/quizzes/${ready.quiz_id}/attempts`, { session: s });
      if (a.status !== 201 && a.status !== 200) {
        statuses[`start ${a.status}`] = (statuses[`start ${a.status}`] || 0) + 1;
        continue;
      }
      const r = await request(port, 'POST', `/api/v1/attempts/${a.json.id}/submit`, { session: s, body: { answers: answersFor(a.json) } });
      if (r.status !== 200) {
        statuses[`submit ${r.status}`] = (statuses[`submit ${r.status}`] || 0) + 1;
        continue;
      }
      if (r.json.passed) passed++;
      lat.push(r.ms);
      pair.push(a.ms + r.ms);
    }
  }));
  return { rps: lat.length / DURATION, n: lat.length, p50: pct(lat, 50), p99: pct(lat, 99), pair_p99: pct(pair, 99), passed, statuses, bad: Object.values(statuses).reduce((x, y) => x + y, 0) };
}

/** The same loops in C: wrk with one connection per thread (CONC threads), each thread alternating
 * start and submit on its accounts (tid, tid + CONC, …) as a Lua state machine; the answers by the
 * types the start's answer shows. Latencies are wrk's, of both requests. */
const tmp = mkdtempSync(join(tmpdir(), 'hv-quiz-ab-lua-'));
const lua = join(tmp, 'submit.lua');
writeFileSync(lua, [
  'local accounts = {', ...sessions.map((w) => `  {"${w.cookie}", "${w.csrf}"},`), '}',
  'local threads = {}',
  'local made = 0',
  `local step = ${CONC}`,
  'function setup(thread) thread:set("tid", made); made = made + 1; table.insert(threads, thread) end',
  'function init(args) k = tonumber(tid); phase = 0; ok = 0; bad = 0; passed = 0 end',
  'local kinds = {single = "0", multi = "[0]", truefalse = "true", matching = "[]", short = \'"mat khau manh"\', numerical = \'"6"\'}',
  'request = function()',
  '  local a = accounts[(k % #accounts) + 1]',
  '  local h = {["Cookie"] = a[1], ["X-CSRF-Token"] = a[2]}',
  `  if phase == 0 then return wrk.format("POST", "/api/v1/quizzes/${ready.quiz_id}/attempts", h) end`,
  '  h["Content-Type"] = "application/json"',
  '  return wrk.format("POST", "/api/v1/attempts/" .. attempt .. "/submit", h, body)',
  'end',
  'response = function(status, headers, resp)',
  ...(process.env.DIAG ? ['  if (ok + bad) < 2 and phase == 0 then print(status, string.sub(resp or "", 1, 200)) end'] : []),
  '  if phase == 0 then',
  '    if status == 201 or status == 200 then',
  '      attempt = string.match(resp, \'"id":(%d+)\')',
  '      local ans = {}',
  '      for t in string.gmatch(resp, \'"type":"(%a+)"\') do ans[#ans + 1] = kinds[t] or "null" end',
  '      body = \'{"answers":[\' .. table.concat(ans, ",") .. "]}"',
  '      phase = 1',
  '    else bad = bad + 1; k = k + step end',
  '  else',
  '    if status == 200 then ok = ok + 1; if string.find(resp, \'"passed":true\', 1, true) then passed = passed + 1 end else bad = bad + 1 end',
  '    phase = 0; k = k + step',
  '  end',
  'end',
  'function done(summary, latency, requests)',
  '  local o, b, p = 0, 0, 0',
  '  for _, t in ipairs(threads) do o = o + t:get("ok"); b = b + t:get("bad"); p = p + t:get("passed") end',
  '  io.write(string.format("SUBMITTED %d BAD %d PASSED %d P99US %d P50US %d\\n", o, b, p, latency:percentile(99), latency:percentile(50)))',
  'end',
].join('\n'));

async function submissionsWrk(port) {
  const { stdout: text, stderr } = await sh('wrk', [`-t${CONC}`, `-c${CONC}`, `-d${DURATION}s`, '-s', lua, `http://127.0.0.1:${port}/`], { maxBuffer: 1 << 24 });
  const m = /SUBMITTED (\d+) BAD (\d+) PASSED (\d+) P99US (\d+) P50US (\d+)/.exec(text);
  if (!m || process.env.DIAG) note(`wrk: ${text.slice(0, 3000)} ${stderr}`);
  if (!m) throw new Error("wrk printed no count");
  const n = Number(m[1]);
  return { rps: n / DURATION, n, p50: Number(m[5]) / 1000, p99: Number(m[4]) / 1000, passed: Number(m[3]), statuses: Number(m[2]) ? { refused: Number(m[2]) } : {}, bad: Number(m[2]) };
}

const rounds = BINS.map(() => []);
for (let r = 1; r <= ROUNDS; r++) {
  for (let b = 0; b < BINS.length; b++) {
    const dir = mkdtempSync(join(tmpdir(), 'hv-quiz-ab-run-'));
    cpSync(join(DATA, 'data'), join(dir, 'data'), { recursive: true });
    const srv = await serve(BINS[b], join(dir, 'data'));
    try {
      const one = {};
      for (const name of ['hello', 'submit']) {
        const m0 = await metrics(srv.port);
        const c0 = cpuOf(srv.proc.pid);
        const perf = process.env.PERF && name === 'submit' && r === 1
          ? spawn('perf', ['record', ...(process.env.PERF_ARGS || '-g').split(' '), '-o', `${process.env.PERF}.${b}`, '-p', String(srv.proc.pid), '--', 'sleep', String(Math.max(1, DURATION - 2))], { stdio: 'ignore' })
          : null;
        const w = name === 'hello' ? await wrk(srv.port, '/api/v1/hello') : CLIENT === 'node' ? await submissions(srv.port) : await submissionsWrk(srv.port);
        if (perf) await new Promise((res) => (perf.exitCode !== null ? res() : perf.on('exit', res)));
        const c1 = cpuOf(srv.proc.pid);
        const m1 = await metrics(srv.port);
        const d = (k) => (m1[k] || 0) - (m0[k] || 0);
        one[name] = { ...w, cpu_us: ((c1 - c0) / Math.max(1, w.n)) * 1e6, groups: d('hocvuso_db_grouped_commits_total'),
          grouped_tx: d('hocvuso_db_grouped_transactions_total'), syncs: d('hocvuso_db_wal_syncs_total') };
      }
      one.load = readFileSync('/proc/loadavg', 'utf8').trim();
      rounds[b].push(one);
      note(`round ${r} ${BINS[b]}: hello ${one.hello.rps}/s (${one.hello.cpu_us.toFixed(1)} µs), submissions ${one.submit.rps}/s (${one.submit.cpu_us.toFixed(0)} µs, p99 ${one.submit.p99.toFixed(1)} ms, passed ${one.submit.passed}, refused ${JSON.stringify(one.submit.statuses)}), ratio ${(one.submit.rps / one.hello.rps).toFixed(3)}, ${(one.submit.grouped_tx / Math.max(1, one.submit.groups)).toFixed(1)} a group; load ${one.load}`);
    } finally {
      await stop(srv);
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
rmSync(tmp, { recursive: true, force: true });
console.error(JSON.stringify({ bins: BINS, rounds }));
console.log('| build | submissions/s | hello/s | **submission / hello** (rounds) | submission p99 ms (rounds) | **CPU µs per submission** (rounds) | CPU µs per hello | refused |');
console.log('|---|---:|---:|---|---|---|---:|---:|');
BINS.forEach((bin, b) => {
  const rs = rounds[b];
  const ratios = rs.map((x) => x.submit.rps / x.hello.rps);
  const cpu = rs.map((x) => x.submit.cpu_us);
  const p99 = rs.map((x) => x.submit.p99);
  console.log(`| ${bin} | ${median(rs.map((x) => x.submit.rps)).toFixed(0)} | ${median(rs.map((x) => x.hello.rps)).toFixed(0)} | **${median(ratios).toFixed(3)}** (${ratios.map((x) => x.toFixed(3)).join(', ')}) | ${median(p99).toFixed(1)} (${p99.map((x) => x.toFixed(1)).join(', ')}) | **${median(cpu).toFixed(0)}** (${cpu.map((x) => x.toFixed(0)).join(', ')}) | ${median(rs.map((x) => x.hello.cpu_us)).toFixed(1)} | ${rs.reduce((n, x) => n + x.submit.bad + x.hello.bad, 0)} |`);
});
