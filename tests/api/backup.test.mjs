// backup.test.mjs: backups that finish while the server takes writes, and restores that work, as
// docs/OPERATIONS.md describes them: `hocvuso backup` on SQLite, pg_dump -Fc / pg_restore on
// PostgreSQL.
// Owns: its servers, their data directories and databases, and the backup files it writes.
// Never: times anything for performance; the deadlines only keep a broken backup from hanging.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { copyFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import {
  startServer, Server, groupKind, WARD_NAME, ON_PG, run, hocvuso, sleep, uniq, tempDir, freshDatabase, dropDatabase,
} from './lib/server.mjs';

const cleanups = [];
after(async () => {
  for (const f of cleanups.reverse()) await f();
});

// Writes units in a loop (about 40 a second) until stopped; answers the acknowledged ones.
function writeLoop(srv, session, parentId, kind) {
  const acked = [];
  let stop = false;
  const done = (async () => {
    while (!stop) {
      const t = Date.now();
      const name = uniq('Tổ trong lúc sao lưu ');
      const r = await srv.request('POST', '/api/v1/units', { session, body: { parent_id: parentId, kind, name } });
      if (r.status === 201) acked.push({ id: r.json.id, name, at: Date.now() });
      await sleep(Math.max(0, 25 - (Date.now() - t)));
    }
  })();
  return { acked, stop: async () => { stop = true; await done; } };
}

// Another connection committing about 100 times a second, straight into the SQLite file (the
// server's own writes are rate-limited per address to about 20 a second). Answers stop().
function sqliteWriter(db) {
  const p = spawn('sqlite3', [db], { stdio: ['pipe', 'ignore', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d) => (err += d));
  p.stdin.write('.timeout 10000\n');
  const t = setInterval(() => p.stdin.write('INSERT INTO hv_test_pad (b) VALUES (randomblob(200));\n'), 10);
  const closed = new Promise((res) => p.on('close', (code) => res(code)));
  return {
    stop: async () => {
      clearInterval(t);
      p.stdin.end('.quit\n');
      const code = await closed;
      assert.equal(code, 0, `the direct writer failed: ${err}`);
    },
  };
}

async function makeUnits(srv, session, parentId, kind, n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const name = uniq('Tổ trước sao lưu ');
    const r = await srv.request('POST', '/api/v1/units', { session, body: { parent_id: parentId, kind, name } });
    assert.equal(r.status, 201, r.text);
    out.push({ id: r.json.id, name });
  }
  return out;
}

async function assertUnits(srv, session, units) {
  for (const u of units) {
    const r = await srv.request('GET', `/api/v1/units/${u.id}`, { session });
    assert.equal(r.status, 200, `unit ${u.id} (${u.name}) after the restore: ${r.text}`);
    assert.equal(r.json.name, u.name);
  }
}

test('SQLite: `hocvuso backup` of a 60 MB database finishes under steady writes; the copy is sound and restores', { skip: ON_PG && 'SQLite only', timeout: 240000 }, async () => {
  const srv = await startServer({ tag: 'backup' });
  cleanups.push(() => srv.stop());
  const admin = await srv.login('admin');
  const wardId = await srv.unitId(admin, WARD_NAME);
  const kind = await groupKind(srv, admin);
  const before = await makeUnits(srv, admin, wardId, kind, 5);
  const db = join(srv.dataDir, 'hocvuso.db');
  // Grow the database to about 60 MB (a table of the test's own, beside the application's).
  const pad = await run('sqlite3', [db, '.timeout 20000',
    'CREATE TABLE hv_test_pad (id INTEGER PRIMARY KEY, b BLOB);' +
    'WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 60000) INSERT INTO hv_test_pad (b) SELECT randomblob(1000) FROM g;'], { timeout: 120000 });
  assert.equal(pad.code, 0, pad.stderr);

  const out = tempDir('backup-out');
  cleanups.push(() => rmSync(out, { recursive: true, force: true }));
  const copy = join(out, 'copy.db');
  const load = writeLoop(srv, admin, wardId, kind);
  const direct = sqliteWriter(db);
  await sleep(300);
  const started = Date.now();
  // A step-wise backup restarts on every commit of another connection and never ends here.
  const b = await hocvuso(['backup', '--data', srv.dataDir, '--out', copy], { timeout: 60000 }).catch((e) => ({ code: -1, stderr: e.message }));
  const ended = Date.now();
  await sleep(200);
  await load.stop();
  await direct.stop();
  assert.equal(b.code, 0, `backup failed: ${b.stderr}`);
  const during = load.acked.filter((u) => u.at >= started && u.at <= ended).length;
  console.log(`# backup took ${ended - started} ms; ${during} writes acknowledged meanwhile`);
  assert.ok(during > 0, 'writes went on during the backup');
  assert.ok(statSync(copy).size > 50e6, `the copy is ${statSync(copy).size} bytes`);
  assert.ok(!existsSync(copy + '.tmp'), 'no temporary file left behind');
  const ic = await run('sqlite3', [copy, 'PRAGMA integrity_check']);
  assert.equal(ic.stdout.trim(), 'ok', ic.stderr);
  const acked_before = load.acked.filter((u) => u.at < started);

  // Restore as docs/OPERATIONS.md says: stop, copy the backup over the database, remove the
  // WAL files, start.
  await srv.stop({ cleanup: false });
  for (const s of ['', '-wal', '-shm']) rmSync(db + s, { force: true });
  copyFileSync(copy, db);
  await srv.spawn();
  const again = await srv.login('admin');
  await assertUnits(srv, again, [...before, ...acked_before]);
  const w = await srv.request('POST', '/api/v1/units', { session: again, body: { parent_id: wardId, kind, name: uniq('Tổ sau phục hồi ') } });
  assert.equal(w.status, 201, w.text);
});

test('PostgreSQL: pg_dump -Fc under steady writes, pg_restore into a fresh database, hocvuso serves it', { skip: !ON_PG && 'PostgreSQL only (HOCVUSO_TEST_PG_DIR)', timeout: 240000 }, async () => {
  const srv = await startServer({ tag: 'pgdump' });
  cleanups.push(() => srv.stop());
  const admin = await srv.login('admin');
  const wardId = await srv.unitId(admin, WARD_NAME);
  const kind = await groupKind(srv, admin);
  const before = await makeUnits(srv, admin, wardId, kind, 5);

  const out = tempDir('pgdump-out');
  cleanups.push(() => rmSync(out, { recursive: true, force: true }));
  const dump = join(out, 'hocvuso.dump');
  const load = writeLoop(srv, admin, wardId, kind);
  await sleep(300);
  const started = Date.now();
  const d = await run('pg_dump', ['-Fc', '-f', dump, '-d', srv.dbUri], { timeout: 120000 });
  await sleep(200);
  await load.stop();
  assert.equal(d.code, 0, `pg_dump failed: ${d.stderr}`);
  assert.ok(load.acked.length > 0, 'writes went on during the dump');

  const uri2 = await freshDatabase('restored');
  cleanups.push(() => dropDatabase(uri2));
  const r = await run('pg_restore', ['--no-owner', '--exit-on-error', '-d', uri2, dump], { timeout: 120000 });
  assert.equal(r.code, 0, `pg_restore failed: ${r.stderr}`);
  const m = await hocvuso(['migrate', '--data', srv.dataDir, '--database', uri2]);
  assert.equal(m.code, 0, m.stderr);
  assert.match(m.stdout, /applied 0 migration/);

  const dataDir = tempDir('pgdump-srv');
  const restored = new Server({ dataDir, dbUri: null, password: srv.password });
  restored.dbUri = uri2;
  cleanups.push(() => restored.stop({ cleanup: false }).then(() => rmSync(dataDir, { recursive: true, force: true })));
  await restored.spawn();
  const s2 = await restored.login('admin');
  await assertUnits(restored, s2, [...before, ...load.acked.filter((u) => u.at < started)]);
  const w = await restored.request('POST', '/api/v1/units', { session: s2, body: { parent_id: wardId, kind, name: uniq('Tổ sau phục hồi ') } });
  assert.equal(w.status, 201, w.text);
});
