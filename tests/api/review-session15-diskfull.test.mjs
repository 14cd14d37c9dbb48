// review-session15-diskfull.test.mjs: grouped transactions (store_acquire_grouped) against a real
// disk full (docs/REVIEW-SESSION-15.md). The server's data directory is put on a small tmpfs that
// is then filled; concurrent writes in groups whose COMMIT fails with SQLITE_FULL must answer 503,
// never 201, and every 201 must be stored; once space is back, writes succeed again.
// Runs only with REVIEW_TMPFS naming an empty, mounted tmpfs of about 96 MB (root:
// `mount -t tmpfs -o size=96m tmpfs /mnt/x`); SQLite only.
// Owns: its server, the filler file on that tmpfs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, groupKind, listAll, ON_PG } from './lib/server.mjs';

const FS = process.env.REVIEW_TMPFS || '';

test('a disk full under grouped writes: 503 for what was not saved, 201 only for what was', { skip: !FS || ON_PG ? 'needs REVIEW_TMPFS, SQLite' : false, timeout: 300000 }, async () => {
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = FS; // the lib makes the server's data directory under tmpdir()
  const filler = join(FS, 'filler');
  let srv;
  try {
    srv = await startServer();
    const admin = await srv.login('admin');
    const ward = await srv.unitId(admin, 'Phường Hải Dương');
    const kind = await groupKind(srv, admin);
    const avail = Number(execFileSync('df', ['-k', '--output=avail', FS]).toString().trim().split('\n').pop());
    execFileSync('fallocate', ['-l', String((avail - 200) * 1024), filler]);
    const res = [];
    for (let round = 0; round < 6; round++) {
      const jobs = [];
      for (let i = 0; i < 24; i++) {
        const body = { parent_id: ward, kind, name: `Tổ đầy ${round} ${i} ${'x'.repeat(150)}`.slice(0, 190), code: `F${round}-${i}` };
        jobs.push(srv.request('POST', '/api/v1/units', { session: admin, body }).then((r) => ({ body, status: r.status })));
      }
      res.push(...(await Promise.all(jobs)));
    }
    rmSync(filler, { force: true });
    for (const r of res) assert.ok(r.status === 201 || r.status === 503, `answered ${r.status}`);
    assert.ok(res.some((r) => r.status === 503), 'the disk was not full: the test shows nothing');
    const names = new Set((await listAll(srv, admin, `/api/v1/units?parent_id=${ward}`)).items.map((x) => x.name));
    for (const r of res) assert.equal(names.has(r.body.name), r.status === 201, `${r.body.code}: answered ${r.status}, stored ${names.has(r.body.name)}`);
    const again = await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: ward, kind, name: 'Tổ sau khi đầy', code: 'F-after' } });
    assert.equal(again.status, 201, again.text);
    await srv.stop();
    srv = null;
  } finally {
    rmSync(filler, { force: true });
    if (srv) await srv.stop();
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
});
