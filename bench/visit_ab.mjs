// visit_ab.mjs: saving a visit against hello, two (or more) builds alternated in one run, with the
// server's own CPU per request (BENCHMARKS.md, "Durable writes (session 17)").
// Loopback only, bounded (ROUNDS × builds × 2 × DURATION). Needs a field city that bench/field.mjs
// has prepared and run once (FIELD_DATA: the team of tổ 2 and its ACCOUNTS helpers `tnv.tai.K`).
// For each round and each build in BINS: a server of that build on FIELD_DATA (--trusted-proxy
// 127.0.0.1, the helpers log in from addresses of their own), then
//   (a) GET /api/v1/hello, wrk -t2 -c64, and
//   (v) POST /api/v1/households/{id}/visits as bench/field.mjs's (v): the next account, the next of
//       64 households of tổ 2, two topics, one resident with an outcome; durable;
// each with the server's utime+stime from /proc/PID/stat over the run divided by the answers.
// Prints one Markdown row per build: medians of visits/s, hello/s, visit/hello, CPU µs per visit and
// per hello; raw rounds as JSON on stderr.
// Settings: BINS (comma-separated binaries; default build/hocvuso), FIELD_DATA, ROUNDS (3),
// DURATION (8), ACCOUNTS (256), CONNS (64), SERVE_ARGS (more options of `hocvuso serve`, e.g. --threads 8); PERF=FILE (perf record of the first round's visits into
// FILE.<build index>, PERF_ARGS: its options, default -g).
// A build in BINS may carry options of its own after a '|' ("build/hocvuso|--threads 2"), and
// FIELD_DATAS (comma-separated, one a build) gives each build a city of its own: copies of one city,
// for builds whose migrations differ (a build refuses a database migrated past it).
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { REPO_ROOT, childEnv } from '../tests/api/lib/server.mjs';
import { serve as serveOn, login, request, wrk as wrkRun, cpuOf, metrics, median } from './lib/serve.mjs';

const BUILDS = (process.env.BINS || join(REPO_ROOT, 'build', 'hocvuso')).split(',').map((b) => b.split('|'));
const BINS = BUILDS.map(([b]) => resolve(b));
const LABELS = BUILDS.map(([b, a]) => (a ? `${resolve(b)} ${a}` : resolve(b)));
const BIN_ARGS = BUILDS.map(([, a]) => (a || '').split(' ').filter(Boolean));
const DATAS = process.env.FIELD_DATAS ? process.env.FIELD_DATAS.split(',') : BINS.map(() => process.env.FIELD_DATA);
if (DATAS.length !== BINS.length) throw new Error('FIELD_DATAS: one city a build');
const ROUNDS = Number(process.env.ROUNDS || 3);
const DURATION = Number(process.env.DURATION || 8);
const ACCOUNTS = Number(process.env.ACCOUNTS || 256);
const CONNS = Number(process.env.CONNS || 64);
const PW = 'Mat-khau-do-tai-2026';
const ADMIN_PW = 'Demo-mat-khau-2026';
if (DATAS.some((d) => !d)) throw new Error('FIELD_DATA: a city bench/field.mjs has prepared and run once');
const tmp = mkdtempSync(join(tmpdir(), 'hv-visit-ab-'));
const note = (m) => process.stderr.write(`visit_ab: ${m}\n`);
const serve = (b) => serveOn(BINS[b], DATAS[b], [...(process.env.SERVE_ARGS || '').split(' ').filter(Boolean), ...BIN_ARGS[b]]);
async function wrk(port, path, lua) {
  const w = await wrkRun(port, path, { conns: CONNS, duration: DURATION, lua });
  if (process.env.DIAG) for (const line of w.text.split('\n')) if (/^\d{3}\s/.test(line)) note(`answer: ${line.slice(0, 300)}`);
  return { rps: w.rps, n: w.n, bad: w.bad };
}

const sessionsOf = (data) => `${data}.visit-ab-sessions.json`;
// Helpers of tổ 2 beyond the ones bench/field.mjs made (the per-account write limit of 20 a second
// caps the rate at 20 × ACCOUNTS), made with the command line as it makes them.
for (const data of new Set(DATAS)) for (let k = 0; k < ACCOUNTS; k++) {
  const SESSIONS = sessionsOf(data);
  const username = `tnv.tai.${k}`;
  const cli = (args, input) => new Promise((res) => {
    const p = spawn(BINS[DATAS.indexOf(data)], [...args, '--data', data], { env: childEnv(), stdio: ['pipe', 'ignore', 'ignore'] });
    p.on('exit', (code) => res(code));
    p.stdin.end(input || '');
  });
  if (k < 256 || (existsSync(SESSIONS) && JSON.parse(readFileSync(SESSIONS, 'utf8')).length > k)) continue;
  if ((await cli(['user', 'add', username, '--name', `Tình nguyện viên ${k}`, '--unit', 'HD-TDP02', '--password-stdin'], `${PW}\n`)) === 0)
    await cli(['user', 'grant', username, 'field_helper', 'HD-TDP02']);
}
const rounds = BINS.map(() => []);
let luaPost = null;
for (let r = 1; r <= ROUNDS; r++) {
  for (let b = 0; b < BINS.length; b++) {
    const srv = await serve(b);
    const SESSIONS = sessionsOf(DATAS[b]);
    try {
      if (!luaPost) {
        // The households of tổ 2 and their first members, as the admin sees them (once).
        const admin = await login(srv.port, 'admin', ADMIN_PW, '10.78.0.1');
        const get = async (p) => (await request(srv.port, 'GET', p, { session: admin })).json;
        const tdp2 = (await get(`/api/v1/units?q=${encodeURIComponent('Tổ dân phố số 2')}&per_page=50`)).items.find((u) => u.name === 'Tổ dân phố số 2').id;
        const hh = (await get(`/api/v1/households?unit_id=${tdp2}&per_page=64&page=1`)).items;
        const targets = [];
        for (const h of hh) targets.push([h.id, (await get(`/api/v1/households/${h.id}`)).members[0]?.id || 0]);
        luaPost = targets;
      }
      // The helpers' sessions live in the database: logged in once, kept in SESSIONS for later runs.
      let writers = existsSync(SESSIONS) ? JSON.parse(readFileSync(SESSIONS, 'utf8')) : [];
      if (writers.length && (await request(srv.port, 'GET', '/api/v1/me', { session: writers[0] })).status !== 200) writers = [];
      for (let k = writers.length; k < ACCOUNTS; k++) writers.push(await login(srv.port, `tnv.tai.${k}`, PW, `10.77.${k >> 8}.${k & 255}`));
      writers = writers.slice(0, ACCOUNTS);
      if (!existsSync(SESSIONS) || JSON.parse(readFileSync(SESSIONS, 'utf8')).length < writers.length) writeFileSync(SESSIONS, JSON.stringify(writers.map(({ cookie, csrf }) => ({ cookie, csrf }))));
      const lua = join(tmp, `visit-${r}-${b}.lua`);
      writeFileSync(lua, [
        'local accounts = {', ...writers.map((w) => `  {"${w.cookie}", "${w.csrf}"},`), '}',
        'local targets = {', ...luaPost.map(([h, p]) => `  {${h}, ${p}},`), '}',
        'local i = 0',
        'local today = os.date("!%Y-%m-%d", os.time() - 86400)',
        'function setup(thread) thread:set("off", math.random(0, 1000)) end',
        'function init(args) i = tonumber(off) or 0 end',
        'request = function()',
        '  i = i + 1',
        '  local a = accounts[(i % #accounts) + 1]',
        '  local t = targets[(i % #targets) + 1]',
        '  local present = t[2] > 0 and string.format(\'[{"person_id":%d,"outcomes":["cashless_setup"]}]\', t[2]) or "[]"',
        '  local body = string.format(\'{"visited_on":"%s","topics":["cashless","scam_awareness"],"present":%s}\', today, present)',
        '  return wrk.format("POST", "/api/v1/households/" .. t[1] .. "/visits", {["Cookie"] = a[1], ["X-CSRF-Token"] = a[2], ["Content-Type"] = "application/json"}, body)',
        'end',
        // DIAG=1: the first non-2xx answers of each thread, on wrk's output
        ...(process.env.DIAG ? ['local shown = 0', 'response = function(status, headers, body)', '  if status >= 300 and shown < 3 then shown = shown + 1; print(status, body) end', 'end'] : []),
      ].join('\n'));
      const one = {};
      for (const [name, path, l] of [['hello', '/api/v1/hello', null], ['visit', '/api/v1/households/1/visits', lua]]) {
        const m0 = await metrics(srv.port);
        const c0 = cpuOf(srv.proc.pid);
        // PERF=FILE: perf record (PERF_ARGS, default -g) of the server during the first round's visits
        const perf = process.env.PERF && name === 'visit' && r === 1
          ? spawn('perf', ['record', ...(process.env.PERF_ARGS || '-g').split(' '), '-o', `${process.env.PERF}.${b}`, '-p', String(srv.proc.pid), '--', 'sleep', String(Math.max(1, DURATION - 2))], { stdio: 'ignore' })
          : null;
        const w = await wrk(srv.port, path, l);
        if (perf) await new Promise((res) => (perf.exitCode !== null ? res() : perf.on('exit', res)));
        const c1 = cpuOf(srv.proc.pid);
        const m1 = await metrics(srv.port);
        const d = (k) => (m1[k] || 0) - (m0[k] || 0);
        one[name] = { ...w, cpu_us: ((c1 - c0) / w.n) * 1e6, groups: d('hocvuso_db_grouped_commits_total'),
          grouped_tx: d('hocvuso_db_grouped_transactions_total'), syncs: d('hocvuso_db_wal_syncs_total') };
      }
      one.load = readFileSync('/proc/loadavg', 'utf8').trim();
      rounds[b].push(one);
      note(`round ${r} ${LABELS[b]}: hello ${one.hello.rps}/s (${one.hello.cpu_us.toFixed(1)} µs), visits ${one.visit.rps}/s (${one.visit.cpu_us.toFixed(0)} µs, non-2xx ${one.visit.bad}), ratio ${(one.visit.rps / one.hello.rps).toFixed(3)}, ${(one.visit.grouped_tx / one.visit.groups).toFixed(1)} a group, ${one.visit.syncs} syncs; load ${one.load}`);
    } finally {
      srv.proc.kill('SIGTERM');
      await srv.exited;
    }
  }
}
rmSync(tmp, { recursive: true, force: true });
console.error(JSON.stringify({ bins: BINS, rounds }));
console.log('| build | visits/s | hello/s | **visit / hello** (rounds) | CPU µs per visit (rounds) | CPU µs per hello | non-2xx |');
console.log('|---|---:|---:|---|---|---:|---:|');
LABELS.forEach((bin, b) => {
  const rs = rounds[b];
  const ratios = rs.map((x) => x.visit.rps / x.hello.rps);
  const cpu = rs.map((x) => x.visit.cpu_us);
  console.log(`| ${bin} | ${median(rs.map((x) => x.visit.rps)).toFixed(0)} | ${median(rs.map((x) => x.hello.rps)).toFixed(0)} | **${median(ratios).toFixed(3)}** (${ratios.map((x) => x.toFixed(3)).join(', ')}) | ${median(cpu).toFixed(0)} (${cpu.map((x) => x.toFixed(0)).join(', ')}) | ${median(rs.map((x) => x.hello.cpu_us)).toFixed(1)} | ${rs.reduce((n, x) => n + x.visit.bad, 0)} |`);
});
