// import_writes.mjs: how long a user's write waits while the server imports a large file (issue 7:
// "a large import runs as a background job"; DEVELOPERS.md: the single writer is for short
// transactions only). Loopback only, bounded (per build: QUIET_S, then the import, at most
// IMPORT_MAX_S). SQLite: the import's chunks and the maintenance thread's checkpoints (the WAL
// started over while an import runs, store.c MAINT_BULK_RESTART_WAIT_MS) share the one writer with
// the server's requests.
// For each build in BINS (comma-separated; default build/hocvuso), on a fresh copy of FIELD_DATA (a
// city bench/field.mjs has prepared: the demo ward's units, tổ 2's field helpers `tnv.tai.K`):
//   1. a server of that build; the admin and ACCOUNTS helpers log in (each from an address of its own);
//   2. quiet: for QUIET_S seconds, visits saved one at a time at RATE a second (POST
//      /api/v1/households/{id}/visits, as bench/visit_ab.mjs sends them: the next helper, the next
//      of 64 households of tổ 2, two topics, one resident with an outcome; durable);
//   3. import: CSV (a `hocvuso synth` list, e.g. 200,000 residents of the demo ward's tổ) uploaded as
//      the browser does (POST /api/v1/imports, then /start), the same visits meanwhile until the job
//      is done; the job's own time from its start to "done".
// Prints one Markdown row per build and phase: visits, p50 / p99 / max ms, non-2xx; the import's
// seconds and counts. Raw latencies' summary as JSON on stderr.
// Settings: BINS, FIELD_DATA (required), CSV (required), RATE (100), ACCOUNTS (8: the per-account
// limit is 20 writes a second), QUIET_S (10), IMPORT_MAX_S (600).
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import http from 'node:http';
import { REPO_ROOT } from '../tests/api/lib/server.mjs';
import { serve, login, request } from './lib/serve.mjs';

const BINS = (process.env.BINS || join(REPO_ROOT, 'build', 'hocvuso')).split(',').map((b) => resolve(b));
const DATA = process.env.FIELD_DATA;
const CSV = process.env.CSV;
const RATE = Number(process.env.RATE || 100);
const ACCOUNTS = Number(process.env.ACCOUNTS || 8);
const QUIET_S = Number(process.env.QUIET_S || 10);
const IMPORT_MAX_S = Number(process.env.IMPORT_MAX_S || 600);
const PW = 'Mat-khau-do-tai-2026';
const ADMIN_PW = 'Demo-mat-khau-2026';
if (!DATA || !CSV) throw new Error('FIELD_DATA (a city bench/field.mjs has prepared) and CSV (the file to import) are required');
const note = (m) => process.stderr.write(`import_writes: ${m}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const body = readFileSync(CSV);
const today = new Date().toISOString().slice(0, 10);

function pct(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
function summary(lat, bad) {
  const s = [...lat].sort((a, b) => a - b);
  return { n: s.length, p50: pct(s, 50), p99: pct(s, 99), max: s[s.length - 1], bad };
}

// Visits at RATE a second, one at a time (a slow one delays the next: the schedule is kept, not
// made up), until stop() is true; each visit's latency in ms.
async function visits(port, helpers, targets, stop) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const lat = [];
  let bad = 0, k = 0;
  const gap = 1000 / RATE;
  let next = performance.now();
  while (!stop()) {
    const [hh, person] = targets[k % targets.length];
    const who = helpers[k % helpers.length];
    k++;
    const present = person ? [{ person_id: person, outcomes: ['cashless_setup'] }] : [];
    const r = await request(port, 'POST', `/api/v1/households/${hh}/visits`, {
      body: { visited_on: today, topics: ['cashless', 'scam_awareness'], present }, session: who, agent,
    });
    lat.push(r.ms);
    if (r.status < 200 || r.status > 299) bad++;
    next += gap;
    const wait = next - performance.now();
    if (wait > 0) await sleep(wait);
    else next = performance.now();
  }
  agent.destroy();
  return summary(lat, bad);
}

const rows = [];
for (const bin of BINS) {
  const dir = mkdtempSync(join(tmpdir(), 'hv-import-writes-'));
  execFileSync('cp', ['-a', `${DATA}/.`, dir]);
  const srv = await serve(bin, dir);
  try {
    const admin = await login(srv.port, 'admin', ADMIN_PW, '10.77.0.1');
    const helpers = [];
    for (let i = 0; i < ACCOUNTS; i++) helpers.push(await login(srv.port, `tnv.tai.${i}`, PW, `10.77.1.${i + 1}`));
    const get = async (p) => (await request(srv.port, 'GET', p, { session: admin })).json;
    const tdp2 = (await get(`/api/v1/units?q=${encodeURIComponent('Tổ dân phố số 2')}&per_page=50`)).items.find((u) => u.name === 'Tổ dân phố số 2').id;
    const hh = (await get(`/api/v1/households?unit_id=${tdp2}&per_page=64&page=1`)).items;
    const targets = [];
    for (const h of hh) targets.push([h.id, (await get(`/api/v1/households/${h.id}`)).members[0]?.id || 0]);

    const t0 = performance.now();
    const quiet = await visits(srv.port, helpers, targets, () => performance.now() - t0 > QUIET_S * 1000);

    const up = await request(srv.port, 'POST', `/api/v1/imports?name=${encodeURIComponent('ds.csv')}`, {
      raw: body, contentType: 'text/csv', session: admin,
    });
    if (up.status !== 201) throw new Error(`upload: ${up.status} ${up.text.slice(0, 300)}`);
    let done = false, job = null;
    const during = visits(srv.port, helpers, targets, () => done);
    const started = await request(srv.port, 'POST', `/api/v1/imports/${up.json.id}/start`, { session: admin });
    if (started.status !== 200) throw new Error(`start: ${started.status} ${started.text.slice(0, 300)}`);
    const j0 = performance.now();
    while (!done) {
      await sleep(250);
      job = (await request(srv.port, 'GET', `/api/v1/imports/${up.json.id}`, { session: admin })).json;
      if (job.status === 'done' || job.status === 'failed' || performance.now() - j0 > IMPORT_MAX_S * 1000) done = true;
    }
    const importS = (performance.now() - j0) / 1000;
    const busy = await during;
    const label = bin.split('/').slice(-2).join('/');
    const fmt = (ph, s) => `| ${label} | ${ph} | ${s.n} | ${s.p50.toFixed(1)} | ${s.p99.toFixed(1)} | ${s.max.toFixed(1)} | ${s.bad} |`;
    rows.push(fmt(`quiet, ${QUIET_S} s`, quiet));
    rows.push(fmt(`during the import (${job.status}, ${importS.toFixed(1)} s: ${job.imported ?? '?'} imported, ${job.unchanged ?? '?'} unchanged, ${job.rejected_count ?? job.rejected ?? '?'} rejected)`, busy));
    process.stderr.write(`${JSON.stringify({ bin, quiet, busy, import_s: importS, job })}\n`);
  } finally {
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(`Visits at ${RATE}/s, one at a time, ${ACCOUNTS} helpers; latency in ms.\n`);
console.log('| build | phase | visits | p50 | p99 | max | non-2xx |');
console.log('|---|---|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(r);
