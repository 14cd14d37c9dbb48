// answers.mjs: saving a learner's answers during a quiz (PUT /api/v1/attempts/{id}/answers: the
// quiz's write path as a learner uses it, durable) against hello, in one run on SQLite (issue 8's
// benchmark; BENCHMARKS.md, "Answers saved as the learner goes"). Loopback only, bounded.
// Prepares once, in DATA (kept for later runs): the demo ward, a bank of 10 questions and a quiz
// drawing them (no time limit), ACCOUNTS learners of Tổ dân phố số 1 made through the API, each
// logged in (from an address of its own) with one open attempt and a valid answer sheet
// (DATA/answers-bench.json). Then ROUNDS rounds, each on a fresh server: (a) GET /api/v1/hello and
// (s) the saves — request i is account i's sheet with question i mod 10 changed, so that every
// save writes — each wrk -t2 -cCONNS -dDURATION --latency, with the server's utime+stime over the
// run divided by the answers (/proc). Prints Markdown (medians; each round's ratio); raw numbers
// as JSON on stderr. Settings: HOCVUSO_BIN (build/hocvuso), DATA (/tmp/hv-answers), DATABASE (a
// PostgreSQL URI: the ward there, DATA for its secrets; default SQLite in DATA), ACCOUNTS (1536:
// the per-account limit of 20 writes a second caps the rate at 20 × ACCOUNTS), ROUNDS (3),
// DURATION (8), CONNS (64), PERF=FILE (perf record of the first round's saves; PERF_ARGS its options, -g).
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { REPO_ROOT, childEnv } from '../tests/api/lib/server.mjs';
import { serve, login, request, wrk, cpuOf, metrics, median } from './lib/serve.mjs';

const BIN = resolve(process.env.HOCVUSO_BIN || join(REPO_ROOT, 'build', 'hocvuso'));
const DATA = resolve(process.env.DATA || '/tmp/hv-answers');
const ACCOUNTS = Number(process.env.ACCOUNTS || 1536);
const ROUNDS = Number(process.env.ROUNDS || 3);
// PostgreSQL: DATABASE names a database (`tests/pg-server.sh createdb DIR NAME`); DATA then holds the secrets
const DB = process.env.DATABASE ? ['--database', process.env.DATABASE] : [];
const DURATION = Number(process.env.DURATION || 8);
const CONNS = Number(process.env.CONNS || 64);
const ADMIN_PW = 'Demo-mat-khau-2026';
const PW = 'Mat-khau-hoc-vien-2026';
const STATE = join(DATA, 'answers-bench.json');
const note = (m) => process.stderr.write(`answers: ${m}\n`);
const tmp = mkdtempSync(join(tmpdir(), 'hv-answers-'));

const GIFT = ['$CATEGORY: BENCH-ANS/4.2/1', '',
  ...Array.from({ length: 10 }, (_, i) => {
    if (i % 4 === 0) return `::C${i}::Câu ${i}: mã OTP có được đọc cho người khác không?{F####Không bao giờ.}\n`;
    if (i % 4 === 1) return `::C${i}::Câu ${i}: mật khẩu nào mạnh nhất?{=Ntong7ccbt!${i} ~123456 ~matkhau####Dài và khó đoán.}\n`;
    if (i % 4 === 2) return `::C${i}::Câu ${i}: dấu hiệu lừa đảo?{~%50%Hối thúc chuyển tiền ~%50%Gửi đường dẫn lạ ~%-100%Thông báo chính thức####Kẻ gian hối thúc.}\n`;
    return `::C${i}::Câu ${i}: cổng nộp hồ sơ trực tuyến là Cổng ... quốc gia.{=Dịch vụ công####Cổng Dịch vụ công quốc gia.}\n`;
  })].join('\n');

/* A valid answer to a question as the attempt shows it; `k` picks among the valid ones. */
function answerOf(q, k) {
  if (q.type === 'single') return k % q.options.length;
  if (q.type === 'multi') return [k % q.options.length];
  if (q.type === 'truefalse') return k % 2 === 0;
  if (q.type === 'matching') return q.items.map((_, i) => q.choices[(i + k) % q.choices.length]);
  return k % 2 ? 'dich vu cong' : 'cong dich vu';
}

async function prepare() {
  if (!existsSync(join(DATA, 'secrets.json'))) {
    note(`making the demo ward in ${DATA}`);
    await new Promise((res, rej) => {
      const p = spawn(BIN, ['demo', '--data', DATA, ...DB], { env: childEnv({ HOCVUSO_ADMIN_PASSWORD: ADMIN_PW }), stdio: ['ignore', 'ignore', 'inherit'] });
      p.on('exit', (code) => (code === 0 ? res() : rej(new Error(`demo exited ${code}`))));
    });
  }
  const srv = await serve(BIN, DATA, DB);
  try {
    let state = existsSync(STATE) ? JSON.parse(readFileSync(STATE, 'utf8')) : { learners: [] };
    if (state.learners.length && (await request(srv.port, 'GET', '/api/v1/me', { session: state.learners[0] })).status !== 200) state = { learners: [] };
    if (state.learners.length >= ACCOUNTS) return state;
    const admin = await login(srv.port, 'admin', ADMIN_PW, '10.79.0.1');
    const ok = async (method, path, body, want) => {
      const r = await request(srv.port, method, path, { session: admin, body });
      if (!want.includes(r.status)) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
      return r;
    };
    if (!state.quiz) {
      const imp = await request(srv.port, 'POST', '/api/v1/questions/import?name=bench.gift', { session: admin, raw: GIFT });
      if (imp.status !== 200) throw new Error(`question import: ${imp.status} ${imp.text}`);
      state.quiz = (await ok('POST', '/api/v1/quizzes', { title: `Bench lưu câu trả lời ${Date.now()}`, category: 'BENCH-ANS', question_count: 10, pass_percent: 70 }, [201])).json.id;
    }
    const tdp1 = (await ok('GET', `/api/v1/units?q=${encodeURIComponent('Tổ dân phố số 1')}&per_page=50`, undefined, [200])).json.items.find((u) => u.name === 'Tổ dân phố số 1').id;
    for (let k = state.learners.length; k < ACCOUNTS; k++) {
      const username = `hv.bench.${k}`;
      const u = await request(srv.port, 'POST', '/api/v1/users', { session: admin, body: { username, display_name: `Học viên thử ${k}`, password: PW } });
      if (u.status === 201) await ok('POST', `/api/v1/users/${u.json.id}/roles`, { role: 'learner', unit_id: tdp1 }, [201]);
      else if (u.status !== 409) throw new Error(`user ${username}: ${u.status} ${u.text}`);
      const ip = `10.80.${k >> 8}.${k & 255}`;
      const s = await login(srv.port, username, PW, ip);
      if (s.user && s.user.must_change_password) { /* an account made by the admin: its first log-in sets its own */
        const c = await request(srv.port, 'PUT', '/api/v1/me/password', { session: s, headers: { 'x-forwarded-for': ip }, body: { current_password: PW, new_password: `${PW}-2` } });
        if (c.status !== 204) throw new Error(`password of ${username}: ${c.status} ${c.text}`);
        const b = await request(srv.port, 'PUT', '/api/v1/me/password', { session: s, headers: { 'x-forwarded-for': ip }, body: { current_password: `${PW}-2`, new_password: PW } });
        if (b.status !== 204) throw new Error(`password of ${username}: ${b.status} ${b.text}`);
      }
      const a = await request(srv.port, 'POST', `/api/v1/quizzes/${state.quiz}/attempts`, { session: s });
      if (a.status !== 201 && a.status !== 200) throw new Error(`start of ${username}: ${a.status} ${a.text}`);
      state.learners.push({ cookie: s.cookie, csrf: s.csrf, attempt: a.json.id, sheets: [0, 1].map((v) => a.json.questions.map((q, i) => answerOf(q, i + v))) });
      if (k % 64 === 63) {
        writeFileSync(STATE, JSON.stringify(state));
        note(`${k + 1} learners ready`);
      }
    }
    writeFileSync(STATE, JSON.stringify(state));
    return state;
  } finally {
    await srv.stop();
  }
}

const state = await prepare();
const learners = state.learners.slice(0, ACCOUNTS);
const lua = join(tmp, 'answers.lua');
// Request i: learner i's sheet with question (i / #learners) mod 10 taken from the other sheet.
writeFileSync(lua, [
  'local L = {',
  ...learners.map((l) => {
    const q = (s) => JSON.stringify(JSON.stringify(s)).slice(1, -1).replace(/\\"/g, '\\"');
    return `  {"${l.cookie}", "${l.csrf}", ${l.attempt}, {${l.sheets[0].map((x) => `"${q(x)}"`).join(',')}}, {${l.sheets[1].map((x) => `"${q(x)}"`).join(',')}}},`;
  }),
  '}',
  'local i = 0',
  'function setup(thread) thread:set("off", math.random(0, 100000)) end',
  'function init(args) i = tonumber(off) or 0 end',
  'request = function()',
  '  i = i + 1',
  '  local l = L[(i % #L) + 1]',
  '  local flip = math.floor(i / #L) % #l[4]',
  '  local parts = {}',
  '  for k = 1, #l[4] do parts[k] = (k - 1 == flip) and l[5][k] or l[4][k] end',
  '  local body = \'{"answers":[\' .. table.concat(parts, ",") .. \']}\'',
  '  return wrk.format("PUT", "/api/v1/attempts/" .. l[3] .. "/answers", {["Cookie"] = l[1], ["X-CSRF-Token"] = l[2], ["Content-Type"] = "application/json"}, body)',
  'end',
].join('\n'));

const rounds = [];
for (let r = 1; r <= ROUNDS; r++) {
  const srv = await serve(BIN, DATA, DB);
  try {
    const one = {};
    for (const [name, path, script] of [['hello', '/api/v1/hello', null], ['save', '/api/v1/attempts/1/answers', lua]]) {
      const m0 = await metrics(srv.port);
      const c0 = cpuOf(srv.proc.pid);
      const perf = process.env.PERF && name === 'save' && r === 1
        ? spawn('perf', ['record', ...(process.env.PERF_ARGS || '-g').split(' '), '-o', process.env.PERF, '-p', String(srv.proc.pid), '--', 'sleep', String(Math.max(1, DURATION - 2))], { stdio: 'ignore' })
        : null;
      const w = await wrk(srv.port, path, { conns: CONNS, duration: DURATION, lua: script });
      if (perf) await new Promise((res) => (perf.exitCode !== null ? res() : perf.on('exit', res)));
      const c1 = cpuOf(srv.proc.pid);
      const m1 = await metrics(srv.port);
      const d = (k) => (m1[k] || 0) - (m0[k] || 0);
      delete w.text;
      one[name] = { ...w, cpu_us: ((c1 - c0) / w.n) * 1e6, groups: d('hocvuso_db_grouped_commits_total'),
        grouped_tx: d('hocvuso_db_grouped_transactions_total'), syncs: d('hocvuso_db_wal_syncs_total') };
    }
    one.load = readFileSync('/proc/loadavg', 'utf8').trim();
    rounds.push(one);
    note(`round ${r}: hello ${one.hello.rps}/s (${one.hello.cpu_us.toFixed(1)} µs), saves ${one.save.rps}/s (${one.save.cpu_us.toFixed(0)} µs, p99 ${one.save.p99} ms, non-2xx ${one.save.bad}), ratio ${(one.save.rps / one.hello.rps).toFixed(3)}, ${(one.save.grouped_tx / Math.max(1, one.save.groups)).toFixed(1)} a group, ${one.save.syncs} syncs; load ${one.load}`);
  } finally {
    await srv.stop();
  }
}
rmSync(tmp, { recursive: true, force: true });
console.error(JSON.stringify({ bin: BIN, accounts: learners.length, rounds }));
const ratios = rounds.map((x) => x.save.rps / x.hello.rps);
console.log('| saves/s | hello/s | **save / hello** (rounds) | save p50 / **p99** ms | CPU µs per save (rounds) | CPU µs per hello | requests per group | non-2xx |');
console.log('|---:|---:|---|---|---|---:|---:|---:|');
console.log(`| ${median(rounds.map((x) => x.save.rps)).toFixed(0)} | ${median(rounds.map((x) => x.hello.rps)).toFixed(0)} | **${median(ratios).toFixed(3)}** (${ratios.map((x) => x.toFixed(3)).join(', ')}) | ${median(rounds.map((x) => x.save.p50)).toFixed(2)} / **${median(rounds.map((x) => x.save.p99)).toFixed(1)}** | ${median(rounds.map((x) => x.save.cpu_us)).toFixed(0)} (${rounds.map((x) => x.save.cpu_us.toFixed(0)).join(', ')}) | ${median(rounds.map((x) => x.hello.cpu_us)).toFixed(1)} | ${median(rounds.map((x) => x.save.grouped_tx / Math.max(1, x.save.groups))).toFixed(1)} | ${rounds.reduce((n, x) => n + x.save.bad, 0)} |`);
