// uploads-writer.test.mjs: the upload routes of a unit or a task (a plan task's attachment, a
// school's evidence, the confirmations' import) read, check and store their file before the writer
// is taken (the route flag tx_late, docs/ARCHITECTURE.md): with another process holding SQLite's
// write lock (a backup, a CLI import's chunk), an upload its content refuses is answered at once, not
// after waiting for the writer (before: the dispatcher took the writer first, and the refusal waited
// for the lock: 503 after db-wait-ms). Once the lock is gone, the same routes still write (their
// right checked again in the transaction), and a caller out of scope is refused before the file is
// read, on both backends.
// SQLite for the lock (PostgreSQL has no database-wide write lock to hold from outside); the rest on
// both.
// Owns: its server, what it uploads and the sqlite3 process it starts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startServer, finish, expectError, sleep, ON_PG } from './lib/server.mjs';

let srv, admin, teacher, tdp01, task, ttvhtt, thd, tdp2;
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
const NOT_PDF = Buffer.from('<html><script>alert(1)</script></html>');

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  teacher = await srv.login('giaovien');
  tdp01 = await srv.login('tdp01');
  ttvhtt = await srv.unitId(admin, 'Trung tâm Văn hóa, Thể thao và Truyền thông');
  thd = await srv.unitId(admin, 'Trường THCS Trần Hưng Đạo');
  tdp2 = await srv.unitId(admin, 'Tổ dân phố số 2');
  const r = await srv.request('GET', '/api/v1/plan/tasks');
  assert.equal(r.status, 200, r.text);
  task = r.json.items.find((t) => t.code === '1.1');
  assert.ok(task);
});
after(async () => finish(srv, assert));

const attach = (bytes, type = 'application/pdf', session = admin, unit = ttvhtt) =>
  srv.request('POST', `/api/v1/plan/tasks/${task.id}/attachments?unit_id=${unit}&name=bao-cao.pdf`, { session, rawBody: bytes, headers: { 'content-type': type } });
const evidence = (bytes, type = 'application/pdf', session = teacher) =>
  srv.request('POST', `/api/v1/schools/${thd}/evidence?name=minh-chung.pdf`, { session, rawBody: bytes, headers: { 'content-type': type } });
const confirmations = (text, query = '') =>
  srv.request('POST', `/api/v1/confirmations/import${query}`, { session: tdp01, rawBody: Buffer.from(text), headers: { 'content-type': 'text/csv' } });

test('uploads their content refuses are answered without waiting for the writer (SQLite: another process holds the write lock)', { skip: ON_PG && 'PostgreSQL has no database-wide write lock to hold from outside' }, async () => {
  const holder = spawn('sqlite3', [join(srv.dataDir, 'hocvuso.db')], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  holder.stderr.on('data', (d) => { stderr += d; });
  const gone = new Promise((res) => holder.on('exit', res));
  holder.stdin.write('.timeout 20000\nBEGIN IMMEDIATE;\nINSERT INTO ind_dirty (person_id) SELECT -1 WHERE 0;\n');
  await sleep(800);
  const t0 = Date.now();
  try {
    const cases = [
      ['a plan attachment that is not a PDF', () => attach(NOT_PDF), 415, 'unsupported_media_type'],
      ['a school evidence that is not a PDF', () => evidence(NOT_PDF), 415, 'unsupported_media_type'],
      ['a confirmations list without its columns', () => confirmations('Họ và tên,Ngày\r\nAi đó,01/01/2026\r\n'), 400, 'invalid_value'],
    ];
    for (const [what, send, status, code] of cases) {
      const t = Date.now();
      const r = await send();
      const ms = Date.now() - t;
      expectError(assert, r, status, code, 'file');
      assert.ok(ms < 2500, `${what}: waited ${ms} ms for the writer`);
    }
  } finally {
    await sleep(Math.max(0, 6000 - (Date.now() - t0)));
    holder.stdin.end('COMMIT;\n');
    await gone;
  }
  assert.equal(stderr, '');
});

test('the same routes still write once the writer is free, and refuse a caller out of scope before reading the file', async () => {
  const a = await attach(PDF);
  assert.equal(a.status, 201, a.text);
  const e = await evidence(PDF);
  assert.equal(e.status, 201, e.text);
  const c = await confirmations('Số CCCD,Loại xác nhận,Ngày xác nhận\r\n');
  assert.equal(c.status, 200, c.text);
  assert.equal(c.json.recorded, 0);
  // Out of scope: the teacher on the plan's task for another unit, tdp01 on another tổ's confirmations.
  expectError(assert, await attach(PDF, 'application/pdf', teacher), 403, 'forbidden');
  expectError(assert, await confirmations('Số CCCD,Loại xác nhận,Ngày xác nhận\r\n', `?unit_id=${tdp2}`), 403, 'forbidden');
  expectError(assert, await evidence(PDF, 'application/pdf', tdp01), 403, 'forbidden');
});
