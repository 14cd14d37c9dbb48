// purge.test.mjs: deleted records over real HTTP — the list of soft-deleted residents (scope,
// order, dates), their restore (404 when not deleted, 403 out of scope, 409 naming cccd when a live
// record holds the same CCCD, audited, the account link not restored) and the purge past the
// retention period: on demand (`hocvuso purge` prints {"purged": N}) and by the server itself
// (every --purge-interval seconds), with one audit entry each and nothing of other people touched.
// SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// Owns: its server and the people it makes. Never: times anything for performance (the polling
// deadline only keeps a broken build from hanging).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { startServer, finish, uniq, expectError, assertVietnamese, hocvuso, storeArgs, run, sleep, ON_PG } from './lib/server.mjs';

let srv, admin, tdp01, tinhnguyen, tdp1, tdp2;
// A name holds no digits.
const tag = uniq('x').replace(/[^a-z0-9]/g, '').replace(/[0-9]/g, (d) => 'abcdefghij'[d]);
const rnd6 = () => String(Math.floor(Math.random() * 1e6)).padStart(6, '0');
const CCCD = `0301${'85'}${rnd6()}`; // province 030, female born in the 1900s, year 85

async function sql(text) {
  const r = ON_PG ? await run('psql', ['-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', srv.dbUri, '-c', text])
    : await run('sqlite3', ['-cmd', '.timeout 10000', join(srv.dataDir, 'hocvuso.db'), text]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}
async function person(name, unit, extra = {}) {
  const r = await srv.request('POST', '/api/v1/residents', { session: admin, body: { full_name: `${name} ${tag}`, unit_id: unit, ...extra } });
  assert.equal(r.status, 201, r.text);
  return r.json;
}
async function del(session, id) {
  const r = await srv.request('DELETE', `/api/v1/residents/${id}`, { session });
  assert.equal(r.status, 204, r.text);
}
async function deletedList(session, query = '') {
  const r = await srv.request('GET', `/api/v1/residents/deleted?per_page=200${query}`, { session });
  assert.equal(r.status, 200, r.text);
  return r.json;
}
async function audit(action) {
  return (await srv.getJSON(admin, `/api/v1/audit?action=${action}&per_page=200`)).items;
}

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  tdp01 = await srv.login('tdp01');
  tinhnguyen = await srv.login('tinhnguyen');
  tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1');
  tdp2 = await srv.unitId(admin, 'Tổ dân phố số 2');
});
after(async () => finish(srv, assert));

test('the demo ward has deleted records to show', async () => {
  const all = await deletedList(admin);
  assert.ok(all.total >= 1, JSON.stringify(all));
});

test('the list: deleted people in scope, newest deletion first, with their dates', async () => {
  const a = await person('Lê Văn An', tdp1, { birth_date: '1970' });
  const b = await person('Phạm Thị Bích', tdp2);
  const live = await person('Hoàng Văn Sống', tdp1);
  await del(admin, a.id);
  await sleep(1100); // deleted_at is in seconds: b is deleted a second later
  await del(admin, b.id);
  const all = await deletedList(admin);
  assert.deepEqual(Object.keys(all).sort(), ['items', 'page', 'per_page', 'total']);
  const mine = all.items.filter((x) => x.full_name.endsWith(tag));
  assert.deepEqual(mine.map((x) => x.id), [b.id, a.id], 'newest deletion first');
  assert.ok(!all.items.some((x) => x.id === live.id), 'a live person is not listed');
  const ia = mine[1];
  assert.deepEqual(Object.keys(ia).sort(), ['birth_year', 'deleted_at', 'full_name', 'id', 'purge_after', 'unit_id', 'unit_name']);
  assert.equal(ia.birth_year, 1970);
  assert.equal(ia.unit_id, tdp1);
  assert.equal(ia.unit_name, 'Tổ dân phố số 1');
  assert.match(ia.deleted_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  const days = (Date.parse(ia.purge_after) - Date.parse(ia.deleted_at)) / 86400000;
  assert.equal(days, 30, 'kept for the retention period (30 days by default)');
  // tổ 1's officer sees tổ 1's deleted people only; a field helper (no people.write) none.
  const t1 = await deletedList(tdp01);
  assert.ok(t1.items.some((x) => x.id === a.id));
  assert.ok(!t1.items.some((x) => x.id === b.id), "tổ 2's deleted person is out of tdp01's scope");
  assert.ok(t1.items.every((x) => x.unit_id === tdp1));
  expectError(assert, await srv.request('GET', '/api/v1/residents/deleted', { session: tinhnguyen }), 403, 'forbidden');
  expectError(assert, await srv.request('GET', `/api/v1/residents/deleted?unit_id=${tdp2}`, { session: tdp01 }), 403, 'forbidden', 'unit_id');
  // The unit filter.
  const only2 = await deletedList(admin, `&unit_id=${tdp2}`);
  assert.ok(only2.items.some((x) => x.id === b.id));
  assert.ok(!only2.items.some((x) => x.id === a.id));
  // Paging.
  const p1 = await srv.getJSON(admin, '/api/v1/residents/deleted?per_page=1&page=1');
  assert.equal(p1.items.length, 1);
  assert.equal(p1.total, all.total);
  // A deleted person is not readable as a live one.
  expectError(assert, await srv.request('GET', `/api/v1/residents/${a.id}`, { session: admin }), 404, 'not_found');
});

test('restore: back in the lists, audited; 404 when not deleted; 403 out of scope', async () => {
  const c = await person('Đỗ Văn Cường', tdp1);
  const d = await person('Vũ Thị Dung', tdp2);
  await del(tdp01, c.id);
  await del(admin, d.id);
  // tổ 1's officer cannot restore tổ 2's person; a field helper cannot restore at all.
  expectError(assert, await srv.request('POST', `/api/v1/residents/${d.id}/restore`, { session: tdp01 }), 403, 'forbidden', 'id');
  expectError(assert, await srv.request('POST', `/api/v1/residents/${c.id}/restore`, { session: tinhnguyen }), 403, 'forbidden');
  const r = await srv.request('POST', `/api/v1/residents/${c.id}/restore`, { session: tdp01 });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.id, c.id);
  assert.equal(r.json.full_name, c.full_name);
  const back = await srv.getJSON(tdp01, `/api/v1/residents?q=${encodeURIComponent(`do van cuong ${tag}`)}`);
  assert.deepEqual(back.items.map((x) => x.id), [c.id], 'found by name again');
  assert.ok(!(await deletedList(admin)).items.some((x) => x.id === c.id), 'gone from the deleted list');
  const [sql1] = (await sql(`SELECT COALESCE(CAST(deleted_at AS TEXT), 'null') || ',' || COALESCE(CAST(purge_after AS TEXT), 'null') FROM people WHERE id = ${c.id}`)).trim().split('\n');
  assert.equal(sql1.trim(), 'null,null');
  const e = (await audit('person.restore')).find((x) => x.entity_id === c.id);
  assert.ok(e, 'the restore is audited');
  assert.equal(e.actor_username, 'tdp01');
  assert.equal(e.unit_id, tdp1);
  // Not deleted (any more), never existed, a live person: 404.
  const again = await srv.request('POST', `/api/v1/residents/${c.id}/restore`, { session: admin });
  expectError(assert, again, 404, 'not_found', 'id');
  assertVietnamese(assert, again.json.error.message);
  expectError(assert, await srv.request('POST', '/api/v1/residents/2147480001/restore', { session: admin }), 404, 'not_found');
  // The ward admin restores tổ 2's person.
  assert.equal((await srv.request('POST', `/api/v1/residents/${d.id}/restore`, { session: admin })).status, 200);
});

test('restore: 409 naming cccd when a live record now holds the same CCCD', async () => {
  const e = await person('Ngô Thị Én', tdp1, { cccd: CCCD, birth_date: '1985', sex: 'F' });
  await del(admin, e.id);
  // The number is free again for a new record (the unique index covers live records only).
  const f = await person('Ngô Thị Én Mới', tdp1, { cccd: CCCD, birth_date: '1985', sex: 'F' });
  const r = await srv.request('POST', `/api/v1/residents/${e.id}/restore`, { session: admin });
  expectError(assert, r, 409, 'conflict', 'cccd');
  assertVietnamese(assert, r.json.error.message);
  assert.ok(!r.text.includes(CCCD), 'the number is not echoed');
  assert.ok((await deletedList(admin)).items.some((x) => x.id === e.id), 'nothing changed: still deleted');
  // Once the other record is gone, the restore goes through.
  await del(admin, f.id);
  assert.equal((await srv.request('POST', `/api/v1/residents/${e.id}/restore`, { session: admin })).status, 200);
});

test('restore: the account link removed at the deletion stays removed', async () => {
  const g = await person('Trịnh Văn Giang', tdp1);
  const hv = await srv.userId(admin, 'hocvien');
  const l = await srv.request('PUT', `/api/v1/users/${hv}/person`, { session: admin, body: { person_id: g.id } });
  assert.equal(l.status, 200, l.text);
  const hocvien = await srv.login('hocvien');
  assert.equal((await srv.request('GET', '/api/v1/me/person', { session: hocvien })).status, 200);
  await del(admin, g.id);
  assert.equal((await srv.request('POST', `/api/v1/residents/${g.id}/restore`, { session: admin })).status, 200);
  expectError(assert, await srv.request('GET', '/api/v1/me/person', { session: hocvien }), 404, 'not_found');
});

test('hocvuso purge: exactly the people past purge_after, with their data; others untouched', async () => {
  const gone1 = await person('Mai Văn Hết', tdp1, { cccd: `0300${'80'}${rnd6()}`, birth_date: '1980', sex: 'M' });
  const gone2 = await person('Mai Thị Hạn', tdp2);
  const waiting = await person('Mai Văn Chờ', tdp1);
  const live = await person('Mai Văn Còn', tdp1);
  for (const p of [gone1, gone2, waiting, live]) {
    const m = await srv.request('POST', `/api/v1/residents/${p.id}/memberships`, { session: admin, body: { unit_id: await srv.unitId(admin, 'Trường THCS Trần Hưng Đạo'), kind: 'student', grade: 7 } });
    assert.equal(m.status, 201, m.text);
  }
  for (const p of [gone1, gone2, waiting]) await del(admin, p.id);
  const ids = [gone1.id, gone2.id].join(',');
  await sql(`UPDATE people SET purge_after = deleted_at - 1 WHERE id IN (${ids})`);
  const out = await hocvuso(['purge', ...storeArgs(srv.dataDir, srv.dbUri)]);
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(JSON.parse(out.stdout), { purged: 2, files_removed: 0, attachments_removed: 0 });
  assert.ok(!out.stdout.includes(tag), 'no names printed');
  const left = (await sql(`SELECT id FROM people WHERE id IN (${[gone1.id, gone2.id, waiting.id, live.id].join(',')}) ORDER BY id`)).trim().split('\n').map((x) => Number(x.trim())).filter(Boolean);
  assert.deepEqual(left, [waiting.id, live.id].sort((x, y) => x - y));
  const cnt = async (table) => Number((await sql(`SELECT COUNT(*) FROM ${table} WHERE person_id IN (${ids})`)).trim().split('\n').filter((x) => /\d/.test(x))[0].trim());
  assert.equal(await cnt('person_words'), 0);
  assert.equal(await cnt('memberships'), 0);
  const keptWords = Number((await sql(`SELECT COUNT(*) FROM memberships WHERE person_id IN (${waiting.id},${live.id})`)).trim().split('\n').filter((x) => /\d/.test(x))[0].trim());
  assert.equal(keptWords, 2, "the others' memberships stay");
  // The API agrees: not restorable, not listed; the one still waiting is.
  expectError(assert, await srv.request('POST', `/api/v1/residents/${gone1.id}/restore`, { session: admin }), 404, 'not_found');
  const list = await deletedList(admin);
  assert.ok(!list.items.some((x) => x.id === gone1.id || x.id === gone2.id));
  assert.ok(list.items.some((x) => x.id === waiting.id));
  assert.equal((await srv.getJSON(admin, `/api/v1/residents/${live.id}`)).id, live.id);
  // One entry each, by the system, without the name; the earlier entries are kept.
  const entries = (await audit('person.purge')).filter((x) => x.entity_id === gone1.id || x.entity_id === gone2.id);
  assert.equal(entries.length, 2);
  for (const e of entries) {
    assert.equal(e.actor_id, null);
    assert.equal(e.entity, 'person');
    assert.ok(!JSON.stringify(e).includes(tag), JSON.stringify(e));
  }
  assert.ok((await audit('person.delete')).some((x) => x.entity_id === gone1.id), 'the deletion entry stays');
  // Nothing more to purge.
  const twice = await hocvuso(['purge', ...storeArgs(srv.dataDir, srv.dbUri)]);
  assert.deepEqual(JSON.parse(twice.stdout), { purged: 0, files_removed: 0, attachments_removed: 0 });
});

test('hocvuso purge: bad usage is refused', async () => {
  const r = await hocvuso(['purge', 'now', ...storeArgs(srv.dataDir, srv.dbUri)]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unexpected argument/);
});

test('the server purges by itself, every --purge-interval seconds', async () => {
  await srv.stop({ cleanup: false });
  await srv.spawn({ args: ['--purge-interval', '1'] });
  admin = await srv.login('admin');
  const p = await person('Lý Văn Tự', tdp1);
  await del(admin, p.id);
  await sql(`UPDATE people SET purge_after = deleted_at - 1 WHERE id = ${p.id}`);
  const deadline = Date.now() + 30000;
  let status = 200;
  while (Date.now() < deadline) {
    const n = (await sql(`SELECT COUNT(*) FROM people WHERE id = ${p.id}`)).trim().split('\n').filter((x) => /\d/.test(x))[0].trim();
    if (n === '0') { status = 0; break; }
    await sleep(200);
  }
  assert.equal(status, 0, 'purged by the running server');
  assert.ok((await audit('person.purge')).some((x) => x.entity_id === p.id));
  // Expired sessions go in the same run, not only when the server starts.
  await srv.login('tdp01');
  const expired = "FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = 'tdp01')";
  await sql(`UPDATE sessions SET expires_at = 0 WHERE user_id = (SELECT id FROM users WHERE username = 'tdp01')`);
  let left = '1';
  for (const end = Date.now() + 30000; Date.now() < end;) {
    left = (await sql(`SELECT COUNT(*) ${expired} AND expires_at = 0`)).trim().split('\n').filter((x) => /\d/.test(x))[0].trim();
    if (left === '0') break;
    await sleep(200);
  }
  assert.equal(left, '0', 'expired sessions purged by the running server');
});

test('an uploaded file kept for its error report goes with its retention period; the report keeps lines and reasons', async () => {
  const header = 'STT,Họ và tên,Ngày sinh,Giới tính,Số CCCD,Số điện thoại,Tổ dân phố,Địa chỉ';
  const body = Buffer.from([header, `1,Trịnh Văn Lưu ${tag},1980,Nam,,,Tổ dân phố số 1,Số 9 ${tag}`,
    `2,Trịnh Văn Sai ${tag},1981,Nam,,,Tổ không có ${tag},Số 9`].join('\r\n') + '\r\n', 'utf8');
  const u = await srv.request('POST', '/api/v1/imports?name=ds.csv', { session: admin, rawBody: body, headers: { 'content-type': 'text/csv' } });
  assert.equal(u.status, 201, u.text);
  assert.equal((await srv.request('POST', `/api/v1/imports/${u.json.id}/start`, { session: admin })).status, 200);
  let job;
  for (let i = 0; i < 600; i++) {
    job = await srv.getJSON(admin, `/api/v1/imports/${u.json.id}`);
    if (job.status === 'done' || job.status === 'failed') break;
    await sleep(100);
  }
  assert.equal(job.status, 'done');
  assert.equal(job.rejected, 1);
  const before = await srv.request('GET', `/api/v1/imports/${u.json.id}/errors.csv`, { session: admin });
  assert.equal(before.status, 200);
  assert.ok(before.text.includes('Trịnh Văn Sai'), 'the report shows the row while the file is kept');
  const path = (await sql(`SELECT file_path FROM import_jobs WHERE id = ${u.json.id}`)).trim();
  assert.ok(path && existsSync(path), `the uploaded file is kept: ${path}`);
  // Not yet due: kept.
  let out = await hocvuso(['purge', ...storeArgs(srv.dataDir, srv.dbUri)]);
  assert.equal(JSON.parse(out.stdout).files_removed, 0);
  assert.ok(existsSync(path));
  // Untouched for longer than the retention period (30 days by default): removed.
  await sql(`UPDATE import_jobs SET updated_at = updated_at - 40 * 86400 WHERE id = ${u.json.id}`);
  out = await hocvuso(['purge', ...storeArgs(srv.dataDir, srv.dbUri)]);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(JSON.parse(out.stdout).files_removed, 1);
  assert.ok(!existsSync(path), 'the uploaded file is gone');
  const after = await srv.request('GET', `/api/v1/imports/${u.json.id}/errors.csv`, { session: admin });
  assert.equal(after.status, 200, after.text);
  const lines = after.text.replace(/^\uFEFF/, '').trim().split('\r\n');
  assert.equal(lines[0], 'Dòng,Lý do');
  assert.equal(lines.length, 2);
  assert.match(lines[1], /^3,.*tổ dân phố/i);
  assert.ok(!after.text.includes('Trịnh Văn Sai'), 'no cell of the row is left');
});

