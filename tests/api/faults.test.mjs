// faults.test.mjs: the server under storage faults: PostgreSQL stopped and started again under a
// running server (503 with Retry-After meanwhile, recovery without a restart), and kill -9 under
// write load, repeated, on both backends (every acknowledged write survives; SQLite's
// integrity_check is ok).
// Owns: its own servers, and (PostgreSQL) a throw-away cluster of its own beside the suite's one,
// which it stops and starts: the suite's cluster serves the other files running at the same time
// (node --test runs two at once), and stopping it failed their requests with 503.
// Never: times anything for performance; deadlines here only keep a broken build from hanging.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  startServer, expectError, groupKind, WARD_NAME, ON_PG, REPO_ROOT, run, sleep, uniq, statusOf, tempDir,
} from './lib/server.mjs';
import { rmSync } from 'node:fs';

const PG_SCRIPT = join(REPO_ROOT, 'tests', 'pg-server.sh');
const OWN_PG = ON_PG ? tempDir('faultpg') : '';
const servers = [];
after(async () => {
  for (const s of servers) await s.stop();
  if (OWN_PG) {
    await run('bash', [PG_SCRIPT, 'stop', OWN_PG], { timeout: 90000 });
    rmSync(OWN_PG, { recursive: true, force: true });
  }
});

async function pg(cmd) {
  const r = await run('bash', [PG_SCRIPT, cmd, OWN_PG], { timeout: 90000 });
  assert.equal(r.code, 0, `pg-server.sh ${cmd}: ${r.stderr}`);
}

async function createUnit(srv, session, parentId, kind, name, timeout = 10000) {
  return srv.request('POST', '/api/v1/units', { session, body: { parent_id: parentId, kind, name }, timeout });
}

function assertUnavailable(r, what) {
  expectError(assert, r, 503, 'unavailable');
  const ra = Number(r.headers['retry-after']);
  assert.ok(Number.isInteger(ra) && ra > 0, `${what}: Retry-After must be a positive number of seconds, got ${r.headers['retry-after']}`);
}

test('PostgreSQL stopped under a running server: 503 with Retry-After, then recovery by itself', { skip: !ON_PG && 'PostgreSQL only (HOCVUSO_TEST_PG_DIR)', timeout: 180000 }, async () => {
  await pg('start');
  const srv = await startServer({ tag: 'pgrestart', pgDir: OWN_PG });
  servers.push(srv);
  const admin = await srv.login('admin');
  const wardId = await srv.unitId(admin, WARD_NAME);
  const kind = await groupKind(srv, admin);
  const first = await createUnit(srv, admin, wardId, kind, uniq('Tổ trước '));
  assert.equal(first.status, 201, first.text);

  await pg('stop');
  try {
    // Reads and writes, several times each (every pooled connection meets the dead server).
    for (let i = 0; i < 6; i++) {
      const r = await srv.request('GET', `/api/v1/units/${first.json.id}`, { session: admin, timeout: 20000 });
      assertUnavailable(r, 'read while PostgreSQL is down');
      const w = await createUnit(srv, admin, wardId, kind, uniq('Tổ lúc tắt '), 20000);
      assertUnavailable(w, 'write while PostgreSQL is down');
    }
    const h = await srv.request('GET', '/healthz', { timeout: 20000 });
    assert.equal(h.status, 503, h.text);
    assert.equal(srv.exit, null, `the server must stay up; stderr:\n${srv.stderr.slice(-2000)}`);
  } finally {
    await pg('start');
  }

  // Recovery without touching the server: a write succeeds within a short while.
  let created = null;
  const deadline = Date.now() + 30000;
  while (!created && Date.now() < deadline) {
    const w = await createUnit(srv, admin, wardId, kind, uniq('Tổ sau '), 20000);
    if (w.status === 201) created = w.json;
    else {
      assert.equal(w.status, 503, `only 503 while reconnecting: ${w.status} ${w.text}`);
      await sleep(300);
    }
  }
  assert.ok(created, `no write succeeded within 30 s after PostgreSQL came back; stderr:\n${srv.stderr.slice(-2000)}`);
  // Then everything works, on every pooled connection.
  for (let i = 0; i < 8; i++) {
    const r = await srv.request('GET', `/api/v1/units/${first.json.id}`, { session: admin });
    assert.equal(r.status, 200, r.text);
    const w = await createUnit(srv, admin, wardId, kind, uniq('Tổ hồi phục '));
    assert.equal(w.status, 201, w.text);
  }
  assert.equal((await srv.request('GET', '/healthz')).status, 200);
  const fivexx = srv.accessLog().filter((l) => statusOf(l) >= 500 && statusOf(l) !== 503);
  assert.deepEqual(fivexx, [], 'no 5xx other than 503');
  const exit = await srv.stop();
  assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null });
});

test('kill -9 under write load, five times: every acknowledged write is there afterwards', { timeout: 300000 }, async () => {
  const srv = await startServer({ tag: 'kill9' });
  servers.push(srv);
  const admin = await srv.login('admin');
  const wardId = await srv.unitId(admin, WARD_NAME);
  const kind = await groupKind(srv, admin);
  const acknowledged = new Map(); // id -> name
  const db = join(srv.dataDir, 'hocvuso.db');

  for (let round = 1; round <= 5; round++) {
    let stop = false;
    const writer = async (k) => {
      for (let i = 0; !stop; i++) {
        const name = `Tổ ${round}-${k}-${i} ${uniq('')}`;
        try {
          const r = await createUnit(srv, admin, wardId, kind, name, 5000);
          if (r.status === 201) acknowledged.set(r.json.id, name);
        } catch {
          return; // the connection died with the server: not acknowledged
        }
      }
    };
    const writers = [0, 1, 2, 3].map(writer);
    // Let writes pile up, then kill in the middle of them.
    const target = acknowledged.size + 20;
    const until = Date.now() + 10000;
    while (acknowledged.size < target && Date.now() < until) await sleep(20);
    srv.proc.kill('SIGKILL');
    await srv.exited;
    stop = true;
    await Promise.all(writers);
    assert.equal(srv.exit.signal, 'SIGKILL');

    if (!ON_PG) {
      const ic = await run('sqlite3', [db, 'PRAGMA integrity_check']);
      assert.equal(ic.code, 0, ic.stderr);
      assert.equal(ic.stdout.trim(), 'ok', `round ${round}: integrity_check`);
    }
    await srv.spawn();
    for (const [id, name] of acknowledged) {
      const r = await srv.request('GET', `/api/v1/units/${id}`, { session: admin });
      assert.equal(r.status, 200, `round ${round}: acknowledged unit ${id} (${name}) is missing: ${r.text}`);
      assert.equal(r.json.name, name);
    }
  }
  assert.ok(acknowledged.size >= 100, `only ${acknowledged.size} writes acknowledged in five rounds`);
  const exit = await srv.stop();
  assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null });
});

test('several `hocvuso migrate` at once on a fresh data directory all succeed', { skip: ON_PG && 'SQLite start-up locking', timeout: 120000 }, async () => {
  const { hocvuso, tempDir } = await import('./lib/server.mjs');
  const { rmSync } = await import('node:fs');
  for (let round = 0; round < 3; round++) {
    const dir = tempDir('migrate');
    try {
      const runs = await Promise.all([0, 1, 2, 3, 4, 5].map(() => hocvuso(['migrate', '--data', join(dir, 'd')])));
      for (const r of runs) assert.equal(r.code, 0, `migrate failed: ${r.stderr}`);
      const again = await hocvuso(['migrate', '--data', join(dir, 'd')]);
      assert.match(again.stdout, /applied 0 migration/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('SQLite: writes waiting for a locked database get 503 with Retry-After at the deadline, then work again', { skip: ON_PG && 'SQLite file locks', timeout: 120000 }, async () => {
  const { spawn } = await import('node:child_process');
  const srv = await startServer({ tag: 'writerwait', env: { HOCVUSO_DB_WAIT_MS: '1000' } });
  servers.push(srv);
  const admin = await srv.login('admin');
  const wardId = await srv.unitId(admin, WARD_NAME);
  const kind = await groupKind(srv, admin);
  // A household of the demo ward: its visits are queued for the writes' combiner thread.
  const tdp = await srv.unitId(admin, 'Tổ dân phố số 1');
  const made = await srv.request('POST', '/api/v1/households', { session: admin, body: { unit_id: tdp, address: uniq('Số 5 ngõ Khóa ') } });
  assert.equal(made.status, 201, made.text);
  const hh = made.json.id;
  const visit = () => srv.request('POST', `/api/v1/households/${hh}/visits`, { session: admin, body: { topics: ['vneid'] }, timeout: 30000 });
  // Another process takes the write lock and keeps it for a few seconds.
  const holder = spawn('sqlite3', [join(srv.dataDir, 'hocvuso.db')], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  holder.stdout.on('data', (d) => (out += d));
  holder.stdin.write(".timeout 5000\nBEGIN IMMEDIATE;\nSELECT 'locked';\n");
  const until = Date.now() + 10000;
  while (!out.includes('locked') && Date.now() < until) await sleep(20);
  assert.ok(out.includes('locked'), 'the lock holder did not start');
  const release = sleep(4000).then(() => holder.stdin.end('COMMIT;\n.quit\n'));

  // The first write takes the writer and waits on the file lock (busy_timeout); the others
  // wait for the writer at most db-wait-ms and are told to come back.
  const first = createUnit(srv, admin, wardId, kind, uniq('Tổ chờ khóa '), 30000);
  await sleep(200);
  const [others, visits] = await Promise.all([
    Promise.all([0, 1, 2].map(() => createUnit(srv, admin, wardId, kind, uniq('Tổ đợi '), 30000))),
    Promise.all([0, 1, 2, 3].map(visit)),
  ]);
  for (const r of others) assertUnavailable(r, 'a write queued behind a held writer');
  // A visit read while the lock is held waits for the writer in the combiner's queue and is
  // answered 503 at the deadline (most runs: all four); one whose connection a worker thread
  // blocked by the first write reads only once the lock is gone is saved: 201. Nothing hangs.
  for (const r of visits) if (r.status !== 201) assertUnavailable(r, 'a visit queued for the combiner behind a held writer');
  if (visits.some((r) => r.status === 503)) assert.match(srv.stderr, /queued write\(s\) answered 503/);
  await release;
  const f = await first;
  assert.ok(f.status === 201 || f.status === 503, `the first write: ${f.status} ${f.text}`);
  if (f.status === 503) assertUnavailable(f, 'the write that met the file lock');
  const after = await createUnit(srv, admin, wardId, kind, uniq('Tổ sau khóa '));
  assert.equal(after.status, 201, after.text);
  const v = await visit();
  assert.equal(v.status, 201, v.text);
  const kept = (await srv.getJSON(admin, `/api/v1/households/${hh}/visits`)).items;
  assert.equal(kept.length, visits.filter((r) => r.status === 201).length + 1, 'a visit answered 503 is not stored');
  const fivexx = srv.accessLog().filter((l) => statusOf(l) >= 500 && statusOf(l) !== 503);
  assert.deepEqual(fivexx, [], 'no 5xx other than 503');
  const exit = await srv.stop();
  assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null });
});
