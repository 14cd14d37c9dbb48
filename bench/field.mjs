// field.mjs: the community digital teams' benchmarks (issue 9 part 1; BENCHMARKS.md, "Field work").
// Loopback only; builds nothing (build/hocvuso or $HOCVUSO_BIN); SQLite.
// The city: `hocvuso synth --residents N` (default 1,000,000, seed 1) imported with `hocvuso import
// residents` into the demo ward's units (`hocvuso demo --residents N --units-only`), as
// bench/registry.sh makes it; kept in FIELD_DATA (default /tmp/hv-field-bench-N) so that a second run
// skips the import (about 10–15 minutes at a million on the shared machine).
// Then, on a running server: tổ dân phố số 1 (HD-TDP01, about 750 residents in ~250 households) gets
// its team and visits to every other household (the worklist holds the other half), recorded through
// the API; ACCOUNTS field helpers are granted on tổ 2 (HD-TDP02) for the write test, so that the
// worklist measured stays as it is. ROUNDS rounds, interleaved, medians:
//   (a) GET /api/v1/hello                                   wrk, 64 connections: the reference; and
//       one connection (a1: the machine's own latency floor for (w)'s p99, in the same run)
//   (w) GET /api/v1/field/teams/{id}/worklist?per_page=50    the team's worklist (households not yet
//       visited), as the tổ 1 field helper: one connection (a request's own latency: p50, p99) and
//       16 connections (p99 with a queue on 2 cores)
//   (v) POST /api/v1/households/{id}/visits                  saving a visit (two topics, one resident
//       present with an outcome): wrk, 64 connections over ACCOUNTS helper sessions (the per-account
//       write limit is 20 a second), households of tổ 2 in turn; durable (the answer follows the
//       commit's sync). Visits per second and (v)/(a).
// Prints Markdown; raw numbers as JSON on stderr; wrk logs in bench/results/<time>-field/.
// PREPARE_ONLY=1: make the city and stop.
// Settings: HOCVUSO_BIN, N (1000000), SEED (1), FIELD_DATA, DURATION (8), ROUNDS (3), ACCOUNTS (256: the
// per-account write limit of 20 a second caps the rate at 20 × ACCOUNTS; they log in from addresses of
// their own through --trusted-proxy 127.0.0.1, as bench/login.mjs does).
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Server, run, BIN, REPO_ROOT, DEMO_PASSWORD } from '../tests/api/lib/server.mjs';

const N = Number(process.env.N || 1000000);
const SEED = Number(process.env.SEED || 1);
const DURATION = Number(process.env.DURATION || 8);
const ROUNDS = Number(process.env.ROUNDS || 3);
const ACCOUNTS = Number(process.env.ACCOUNTS || 256);
const DATA = process.env.FIELD_DATA || `/tmp/hv-field-bench-${N}`;
const PASSWORD = DEMO_PASSWORD;
const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
const OUT = join(REPO_ROOT, 'bench', 'results', `${stamp}-field`);
mkdirSync(OUT, { recursive: true });
const sh = promisify(execFile);
const note = (m) => process.stderr.write(`field: ${m}\n`);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function cli(args, opts = {}) {
  const r = await run(BIN, [...args, '--data', DATA], { timeout: 3600_000, env: { HOCVUSO_ADMIN_PASSWORD: PASSWORD }, ...opts });
  if (r.code !== 0) throw new Error(`hocvuso ${args.join(' ')}: ${r.code}\n${r.stderr}`);
  return r;
}

// ---- the city ----
if (!existsSync(join(DATA, 'hocvuso.db'))) {
  mkdirSync(DATA, { recursive: true });
  const csv = join(tmpdir(), `hv-field-${N}-${SEED}.csv`);
  note(`making a city of ${N} residents in ${DATA}`);
  await cli(['demo', '--residents', String(N), '--seed', String(SEED), '--units-only']);
  await run(BIN, ['synth', '--residents', String(N), '--seed', String(SEED), '--out', csv], { timeout: 600_000 });
  const t0 = Date.now();
  await cli(['import', 'residents', csv]);
  note(`imported in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  rmSync(csv, { force: true });
} else {
  note(`reusing the city in ${DATA}`);
}
if (process.env.PREPARE_ONLY) process.exit(0);
// The accounts: the ward's admin and tổ 1's helper come with the demo; the writers are made here.
const pw = 'Mat-khau-do-tai-2026';
for (let k = 0; k < ACCOUNTS; k++) {
  const username = `tnv.tai.${k}`;
  const a = await run(BIN, ['user', 'add', username, '--name', `Tình nguyện viên ${k}`, '--unit', 'HD-TDP02', '--password-stdin', '--data', DATA], { input: `${pw}\n` });
  if (a.code === 0) await run(BIN, ['user', 'grant', username, 'field_helper', 'HD-TDP02', '--data', DATA]);
}

const srv = new Server({ dataDir: DATA, dbUri: null, password: PASSWORD, pgDir: '' });
await srv.spawn({ args: ['--trusted-proxy', '127.0.0.1'] });
try {
  const admin = await srv.login('admin');
  const helper = await srv.login('tinhnguyen');
  const getJ = async (s, p) => {
    const r = await srv.request('GET', p, { session: s });
    if (r.status !== 200) throw new Error(`GET ${p}: ${r.status} ${r.text}`);
    return r.json;
  };
  // a ward-wide list does not count past a page when that would be slow (total: null): the city as made
  const residents = (await getJ(admin, '/api/v1/residents?per_page=1')).total ?? N;
  const tdp1 = (await getJ(admin, `/api/v1/units?q=${encodeURIComponent('Tổ dân phố số 1')}&per_page=50`)).items.find((u) => u.name === 'Tổ dân phố số 1').id;
  const tdp2 = (await getJ(admin, `/api/v1/units?q=${encodeURIComponent('Tổ dân phố số 2')}&per_page=50`)).items.find((u) => u.name === 'Tổ dân phố số 2').id;
  const teamOf = async (unit, name) => {
    const list = await getJ(admin, `/api/v1/field/teams?unit_id=${unit}`);
    if (list.items.length) return list.items[0].id;
    const r = await srv.request('POST', '/api/v1/field/teams', { session: admin, body: { unit_id: unit, name } });
    if (r.status !== 201) throw new Error(r.text);
    return r.json.id;
  };
  const team1 = await teamOf(tdp1, 'Tổ công nghệ số cộng đồng, tổ dân phố số 1');
  await teamOf(tdp2, 'Tổ công nghệ số cộng đồng, tổ dân phố số 2');
  // Households of a tổ, with one adult each (the resident present).
  const householdsOf = async (unit) => {
    const out = [];
    for (let page = 1; ; page++) {
      const j = await getJ(admin, `/api/v1/households?unit_id=${unit}&per_page=200&page=${page}`);
      out.push(...j.items);
      if (j.items.length < 200) return out;
    }
  };
  const hh1 = await householdsOf(tdp1);
  const hh2 = await householdsOf(tdp2);
  const firstMember = async (hh) => (await getJ(admin, `/api/v1/households/${hh.id}`)).members[0]?.id || 0;
  // Every other household of tổ 1 visited (once; a second run finds them visited already).
  let before = await getJ(helper, `/api/v1/field/teams/${team1}/worklist?per_page=1`);
  if (before.total === hh1.length) {
    for (let i = 0; i < hh1.length; i += 2) {
      const p = await firstMember(hh1[i]);
      const r = await srv.request('POST', `/api/v1/households/${hh1[i].id}/visits`, {
        session: helper, body: { topics: ['vneid', 'smartphone'], present: p ? [{ person_id: p, outcomes: ['vneid_level2'] }] : [] },
      });
      if (r.status === 429) { i -= 2; await new Promise((res) => setTimeout(res, 1000)); continue; }
      if (r.status !== 201) throw new Error(`visit: ${r.status} ${r.text}`);
    }
    before = await getJ(helper, `/api/v1/field/teams/${team1}/worklist?per_page=1`);
  }
  note(`${residents} residents; tổ 1: ${hh1.length} households, ${before.total} not yet visited; tổ 2: ${hh2.length} households`);
  // The writers' sessions and the households they visit (with a resident each).
  const writers = [];
  for (let k = 0; k < ACCOUNTS; k++) writers.push(await srv.login(`tnv.tai.${k}`, pw, { headers: { 'x-forwarded-for': `10.77.${k >> 8}.${k & 255}` } }));
  const targets = [];
  for (const hh of hh2.slice(0, 64)) targets.push([hh.id, await firstMember(hh)]);
  const luaPost = join(OUT, 'visit.lua');
  writeFileSync(luaPost, [
    '-- one visit per request: the next account, the next household of tổ 2',
    'local accounts = {', ...writers.map((w) => `  {"${w.cookie}", "${w.csrf}"},`), '}',
    'local targets = {', ...targets.map(([h, p]) => `  {${h}, ${p}},`), '}',
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
  ].join('\n'));
  const luaGet = join(OUT, 'get.lua');
  writeFileSync(luaGet, `wrk.method = "GET"\nwrk.headers["Cookie"] = "${helper.cookie}"\n`);
  const wrk = async (name, path, { conns = 64, lua = null } = {}) => {
    const args = ['-t2', `-c${conns}`, `-d${DURATION}s`, '--latency'];
    if (conns < 2) args[0] = '-t1';
    if (lua) args.push('-s', lua);
    const { stdout: text } = await sh('wrk', [...args, `http://127.0.0.1:${srv.port}${path}`], { maxBuffer: 1 << 24 });
    writeFileSync(join(OUT, `${name}.txt`), text);
    const ms = (re) => {
      const m = re.exec(text);
      return m ? Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1) : NaN;
    };
    const bad = /Non-2xx or 3xx responses: (\d+)/.exec(text);
    return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(text)[1]), p50: ms(/\s50%\s+([\d.]+)(us|ms|s)/), p99: ms(/\s99%\s+([\d.]+)(us|ms|s)/), bad: bad ? Number(bad[1]) : 0 };
  };
  const worklistPath = `/api/v1/field/teams/${team1}/worklist?per_page=50`;
  const rounds = { a: [], a1: [], w1: [], w16: [], v: [] };
  for (let r = 1; r <= ROUNDS; r++) {
    rounds.a.push(await wrk(`a${r}`, '/api/v1/hello'));
    rounds.a1.push(await wrk(`a1-${r}`, '/api/v1/hello', { conns: 1 }));
    rounds.w1.push(await wrk(`w1-${r}`, worklistPath, { conns: 1, lua: luaGet }));
    rounds.w16.push(await wrk(`w16-${r}`, worklistPath, { conns: 16, lua: luaGet }));
    rounds.v.push(await wrk(`v${r}`, '/api/v1/households/1/visits', { conns: 64, lua: luaPost }));
    note(`round ${r}: hello ${rounds.a.at(-1).rps}/s, 1 conn p99 ${rounds.a1.at(-1).p99} ms; worklist 1 conn p50 ${rounds.w1.at(-1).p50} ms p99 ${rounds.w1.at(-1).p99} ms, 16 conns ${rounds.w16.at(-1).rps}/s p99 ${rounds.w16.at(-1).p99} ms; visits ${rounds.v.at(-1).rps}/s (non-2xx ${rounds.v.at(-1).bad}) p99 ${rounds.v.at(-1).p99} ms`);
  }
  const m = (k, f) => median(rounds[k].map((x) => x[f]));
  const after = await getJ(helper, `/api/v1/field/teams/${team1}/worklist?per_page=1`);
  const out = {
    hello1_p50_ms: m('a1', 'p50'), hello1_p99_ms: m('a1', 'p99'),
    residents, tdp1_households: hh1.length, worklist_total: after.total, hello_rps: m('a', 'rps'),
    worklist_p50_ms: m('w1', 'p50'), worklist_p99_ms: m('w1', 'p99'), worklist16_rps: m('w16', 'rps'), worklist16_p99_ms: m('w16', 'p99'),
    visit_rps: m('v', 'rps'), visit_p99_ms: m('v', 'p99'), visit_non2xx: rounds.v.reduce((n, x) => n + x.bad, 0),
    worklist_non2xx: [...rounds.w1, ...rounds.w16].reduce((n, x) => n + x.bad, 0), rounds: ROUNDS, duration_s: DURATION,
    accounts: ACCOUNTS, load: (await sh('cat', ['/proc/loadavg'])).stdout.trim(),
  };
  console.error(JSON.stringify({ out, rounds }));
  writeFileSync(join(OUT, 'result.json'), JSON.stringify({ out, rounds }, null, 2));
  console.log('| residents | hello/s | hello p50 / p99 ms (1 conn.) | worklist p50 / **p99** ms (1 conn.) | worklist/s, p99 ms (16 conn.) | visits saved/s | **visit / hello** | visit p99 ms |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
  console.log(`| ${N} | ${out.hello_rps.toFixed(0)} | ${out.hello1_p50_ms.toFixed(2)} / ${out.hello1_p99_ms.toFixed(2)} | ${out.worklist_p50_ms.toFixed(2)} / ${out.worklist_p99_ms.toFixed(2)} | ${out.worklist16_rps.toFixed(0)}, ${out.worklist16_p99_ms.toFixed(1)} | ${out.visit_rps.toFixed(0)} | ${(out.visit_rps / out.hello_rps).toFixed(3)} | ${out.visit_p99_ms.toFixed(1)} |`);
} finally {
  await srv.stop({ cleanup: false });
}
