// confirmations.test.mjs: confirmations from outside over real HTTP (issue 8, part 5): staff record
// that a resident was confirmed on VNeID, on the national platform (binhdanhocvuso.gov.vn) or
// finished a course elsewhere, one by one or from a CSV list matched by CCCD. A double record or a
// re-run import writes nothing twice; rows that match nobody in the caller's scope say only that
// (never whether the number exists elsewhere); bad rows name their field; a tổ officer neither
// records on nor sees a person of another tổ; a learner gets 403; no answer ever carries a CCCD;
// the people are counted by kind. SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// Owns: its server and the synthetic people, unit and files it makes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, finish, uniq, expectError, groupKind, hocvuso, storeArgs } from './lib/server.mjs';

let srv, admin, tdp01, hocvien;
let tdp1, tdp2, fresh, freshCode;
let pa, pb, pc, pd; // tổ 1, tổ 2, the fresh tổ, deleted (tổ 1)
const tag = uniq('c').replace(/[^a-z0-9]/g, '').replace(/[0-9]/g, (d) => 'abcdefghij'[d]);
const cccds = [];
const NOT_FOUND = 'Không tìm thấy người dân có số CCCD này trong phạm vi của bạn.';

// A 12-digit CCCD: Hà Nội (001), a man of the 20th century (0), born in 19YY, then 6 digits.
function newCccd() {
  const yy = String(50 + Math.floor(Math.random() * 40));
  const tail = String(Math.floor(Math.random() * 1e6)).padStart(6, '0');
  const c = `0010${yy}${tail}`;
  if (cccds.includes(c)) return newCccd();
  cccds.push(c);
  return c;
}
async function person(unit, name) {
  const cccd = newCccd();
  const r = await srv.request('POST', '/api/v1/residents', { session: admin, body: { full_name: name, unit_id: unit, cccd } });
  assert.equal(r.status, 201, r.text);
  return { id: r.json.id, cccd, unit };
}
function record(session, id, body) {
  return srv.request('POST', `/api/v1/residents/${id}/confirmations`, { session, body });
}
function importCsv(session, text, query = '') {
  return srv.request('POST', `/api/v1/confirmations/import${query}`, {
    session, rawBody: Buffer.from(text), headers: { 'content-type': 'text/csv' },
  });
}
// No answer carries a CCCD, whole or masked (first four and last three digits).
function noCccd(text) {
  for (const c of cccds) {
    assert.ok(!text.includes(c), 'a CCCD in an answer');
    assert.ok(!text.includes(`${c.slice(0, 4)}*****${c.slice(9)}`), 'a masked CCCD in an answer');
  }
}

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  tdp01 = await srv.login('tdp01');
  hocvien = await srv.login('hocvien');
  tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1');
  tdp2 = await srv.unitId(admin, 'Tổ dân phố số 2');
  const ward = await srv.unitId(admin, 'Phường Hải Dương');
  freshCode = `XN-${tag}`.slice(0, 30);
  const u = await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: ward, kind: await groupKind(srv, admin), name: `Tổ xác nhận ${tag}`, code: freshCode } });
  assert.equal(u.status, 201, u.text);
  fresh = u.json.id;
  pa = await person(tdp1, `Nguyễn Thị An ${tag}`);
  pb = await person(tdp2, `Trần Văn Bình ${tag}`);
  pc = await person(fresh, `Lê Thị Cúc ${tag}`);
  pd = await person(tdp1, `Phạm Văn Dũng ${tag}`);
  const del = await srv.request('DELETE', `/api/v1/residents/${pd.id}`, { session: admin });
  assert.equal(del.status, 204, del.text);
});
after(async () => finish(srv, assert));

test('an officer records a VNeID confirmation; the same one again records nothing (200, same id)', async () => {
  const r = await record(tdp01, pa.id, { kind: 'vneid', confirmed_on: '15/03/2026' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.kind, 'vneid');
  assert.equal(r.json.kind_label, 'VNeID');
  assert.equal(r.json.source, 'VNeID');
  assert.equal(r.json.confirmed_on, '2026-03-15');
  assert.equal(r.json.person_id, pa.id);
  assert.equal(r.json.recorded_by, 'Trần Văn Bình');
  assert.equal(r.json.via_import, false);
  noCccd(r.text);
  const again = await record(tdp01, pa.id, { kind: 'VNeID', confirmed_on: '2026-03-15' });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.id, r.json.id);
  const list = await srv.request('GET', `/api/v1/residents/${pa.id}/confirmations`, { session: tdp01 });
  assert.equal(list.status, 200, list.text);
  assert.equal(list.json.items.length, 1);
  // A course elsewhere, with its provider and a reference; the Vietnamese label is accepted.
  const course = await record(tdp01, pa.id, { kind: 'Khóa học khác', source: 'Trung tâm GDNN-GDTX', confirmed_on: '02/01/2026', reference: 'CC-15' });
  assert.equal(course.status, 201, course.text);
  assert.equal(course.json.kind, 'course_elsewhere');
  assert.equal(course.json.reference, 'CC-15');
  // Both are in the audit log, without a CCCD.
  const audit = await srv.request('GET', `/api/v1/audit?entity=person&entity_id=${pa.id}&action=confirmation.`, { session: admin });
  assert.equal(audit.status, 200, audit.text);
  assert.equal(audit.json.items.filter((x) => x.action === 'confirmation.create').length, 2);
  noCccd(audit.text);
});

test('bad input is refused naming its field, and nothing is recorded', async () => {
  expectError(assert, await record(tdp01, pa.id, { kind: 'giấy khen', confirmed_on: '15/03/2026' }), 400, 'invalid_value', 'kind');
  expectError(assert, await record(tdp01, pa.id, { kind: 'vneid', confirmed_on: '31/02/2026' }), 400, 'invalid_value', 'confirmed_on');
  expectError(assert, await record(tdp01, pa.id, { kind: 'vneid', confirmed_on: '2026' }), 400, 'invalid_value', 'confirmed_on');
  expectError(assert, await record(tdp01, pa.id, { kind: 'vneid', confirmed_on: '01/01/2099' }), 400, 'invalid_value', 'confirmed_on');
  expectError(assert, await record(tdp01, pa.id, { kind: 'course_elsewhere', confirmed_on: '01/01/2026' }), 400, 'invalid_value', 'source');
  expectError(assert, await record(tdp01, pa.id, { kind: 'vneid', source: 'a\u202eb', confirmed_on: '01/01/2026' }), 400, 'invalid_value', 'source');
  expectError(assert, await record(tdp01, pa.id, { kind: 'vneid', confirmed_on: '01/01/2026', reference: 'x'.repeat(101) }), 400, undefined, 'reference');
  expectError(assert, await record(tdp01, pa.id, { confirmed_on: '01/01/2026' }), 400, 'missing_field', 'kind');
  expectError(assert, await record(tdp01, pa.id, { kind: 'vneid', confirmed_on: '01/01/2026', cccd: '001080123456' }), 400, 'unknown_field', 'cccd');
  const list = await srv.request('GET', `/api/v1/residents/${pa.id}/confirmations`, { session: tdp01 });
  assert.equal(list.json.items.length, 2);
});

test('scope: a tổ officer neither records on nor sees a person of another tổ; a learner gets 403', async () => {
  expectError(assert, await record(tdp01, pb.id, { kind: 'vneid', confirmed_on: '15/03/2026' }), 403, 'forbidden');
  expectError(assert, await srv.request('GET', `/api/v1/residents/${pb.id}/confirmations`, { session: tdp01 }), 403, 'forbidden');
  expectError(assert, await record(hocvien, pa.id, { kind: 'vneid', confirmed_on: '15/03/2026' }), 403, 'forbidden');
  expectError(assert, await srv.request('GET', '/api/v1/confirmations', { session: hocvien }), 403, 'forbidden');
  expectError(assert, await importCsv(hocvien, 'Số CCCD,Loại xác nhận,Ngày xác nhận\r\n'), 403, 'forbidden');
  expectError(assert, await srv.request('GET', `/api/v1/confirmations?unit_id=${tdp2}`, { session: tdp01 }), 403, 'forbidden');
  expectError(assert, await importCsv(tdp01, 'Số CCCD,Loại xác nhận,Ngày xác nhận\r\n', `?unit_id=${tdp2}`), 403, 'forbidden');
  expectError(assert, await record(admin, 987654321, { kind: 'vneid', confirmed_on: '15/03/2026' }), 404, 'not_found');
  // The ward admin records on tổ 2's person; the tổ 1 officer's list does not show it.
  const b = await record(admin, pb.id, { kind: 'national_platform', confirmed_on: '10/10/2025' });
  assert.equal(b.status, 201, b.text);
  assert.equal(b.json.source, 'binhdanhocvuso.gov.vn');
  const mine = await srv.request('GET', '/api/v1/confirmations?per_page=200', { session: tdp01 });
  assert.equal(mine.status, 200, mine.text);
  assert.ok(mine.json.items.length >= 2);
  assert.ok(mine.json.items.every((x) => x.unit_id === tdp1 || x.unit_name.startsWith('Tổ dân phố số 1')), 'only tổ 1');
  assert.ok(!mine.json.items.some((x) => x.person_id === pb.id));
  noCccd(mine.text);
  const all = await srv.request('GET', `/api/v1/confirmations?unit_id=${tdp2}`, { session: admin });
  assert.ok(all.json.items.some((x) => x.person_id === pb.id));
  // Removing: not someone else's tổ; one's own, once.
  expectError(assert, await srv.request('DELETE', `/api/v1/confirmations/${b.json.id}`, { session: tdp01 }), 403, 'forbidden');
  const extra = await record(tdp01, pa.id, { kind: 'national_platform', confirmed_on: '01/02/2026' });
  assert.equal(extra.status, 201, extra.text);
  const d = await srv.request('DELETE', `/api/v1/confirmations/${extra.json.id}`, { session: tdp01 });
  assert.equal(d.status, 204, d.text);
  expectError(assert, await srv.request('DELETE', `/api/v1/confirmations/${extra.json.id}`, { session: tdp01 }), 404, 'not_found');
  const audit = await srv.request('GET', `/api/v1/audit?entity=person&entity_id=${pa.id}&action=confirmation.delete`, { session: admin });
  assert.equal(audit.json.items.length, 1);
});

test('import: good rows recorded, unknown and out-of-scope alike unmatched, bad rows named; a re-run records nothing', async () => {
  const unknown = newCccd();
  const csv = [
    'STT;Số CCCD;Loại xác nhận;Nguồn;Ngày xác nhận;Số hiệu',
    `1;${pa.cccd};Nền tảng Bình dân học vụ số;;05/04/2026;BDHVS-0001`, // line 2: recorded
    `2;${pb.cccd};VNeID;;05/04/2026;`, // line 3: tổ 2, out of the officer's scope
    `3;${unknown};VNeID;;05/04/2026;`, // line 4: nobody has it
    `4;${pd.cccd};VNeID;;05/04/2026;`, // line 5: a deleted record
    `5;12345;VNeID;;05/04/2026;`, // line 6: not a CCCD
    `6;${pa.cccd};Giấy khen;;05/04/2026;`, // line 7: unknown kind
    `7;${pa.cccd};VNeID;;32/04/2026;`, // line 8: no such day
    `8;${pa.cccd};Khóa học khác;;05/04/2026;`, // line 9: a course without its provider
    ';;;;;', // a blank row: skipped
    `9;${pa.cccd};vneid;;2026-04-06;`, // line 11: recorded
    `10;${pa.cccd};VNeID;;06/04/2026;`, // line 12: the same as line 11: unchanged
  ].join('\r\n');
  const r = await importCsv(tdp01, csv, '?name=xac-nhan.csv');
  assert.equal(r.status, 200, r.text);
  noCccd(r.text);
  assert.equal(r.json.recorded, 2);
  assert.equal(r.json.unchanged, 1);
  assert.deepEqual(r.json.unmatched, [3, 4, 5].map((line) => ({ line, reason: NOT_FOUND })));
  assert.deepEqual(r.json.rejected.map((x) => [x.line, x.field]), [[6, 'cccd'], [7, 'kind'], [8, 'confirmed_on'], [9, 'source']]);
  assert.ok(r.json.rejected.every((x) => typeof x.reason === 'string' && x.reason.length > 10));
  assert.equal(r.json.unmatched_count, 3);
  assert.equal(r.json.rejected_count, 4);
  const again = await importCsv(tdp01, csv);
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.recorded, 0);
  assert.equal(again.json.unchanged, 3);
  const list = await srv.request('GET', `/api/v1/residents/${pa.id}/confirmations`, { session: tdp01 });
  assert.equal(list.json.items.filter((x) => x.via_import).length, 2);
  assert.ok(list.json.items.some((x) => x.reference === 'BDHVS-0001'));
  // The ward admin's scope holds tổ 2: the same file matches pb there.
  const ward = await importCsv(admin, csv);
  assert.equal(ward.json.recorded, 1);
  assert.deepEqual(ward.json.unmatched.map((x) => x.line), [4, 5]);
  // Limited to a unit: tổ 2's person only.
  const only = await importCsv(admin, `Số CCCD,Loại xác nhận,Ngày xác nhận\r\n${pa.cccd},VNeID,07/04/2026\r\n${pb.cccd},VNeID,07/04/2026\r\n`, `?unit_id=${tdp2}`);
  assert.equal(only.json.recorded, 1);
  assert.deepEqual(only.json.unmatched.map((x) => x.line), [2]);
  const audit = await srv.request('GET', '/api/v1/audit?action=confirmation.import', { session: admin });
  assert.ok(audit.json.items.length >= 4);
  noCccd(audit.text);
});

test('a file that cannot be read is refused whole, naming the file', async () => {
  expectError(assert, await importCsv(tdp01, ''), 400, 'invalid_value', 'file');
  const noCols = await importCsv(tdp01, `Họ và tên,Ngày\r\nAi đó,01/01/2026\r\n`);
  expectError(assert, noCols, 400, 'invalid_value', 'file');
  assert.match(noCols.json.error.message, /Số CCCD/);
  assert.match(noCols.json.error.message, /Loại xác nhận/);
  const twice = await importCsv(tdp01, `Số CCCD,CCCD,Loại xác nhận,Ngày xác nhận\r\n`);
  expectError(assert, twice, 400, 'invalid_value', 'file');
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Số CCCD,Loại\r\n', 'utf16le')]);
  const r = await srv.request('POST', '/api/v1/confirmations/import', { session: tdp01, rawBody: utf16, headers: { 'content-type': 'text/csv' } });
  expectError(assert, r, 400, 'invalid_value', 'file');
});

test('people are counted by kind, each person once', async () => {
  const c1 = await record(admin, pc.id, { kind: 'vneid', confirmed_on: '01/03/2026' });
  const c2 = await record(admin, pc.id, { kind: 'vneid', source: 'Công an phường', confirmed_on: '02/03/2026' });
  const c3 = await record(admin, pc.id, { kind: 'national_platform', confirmed_on: '03/03/2026' });
  for (const c of [c1, c2, c3]) assert.equal(c.status, 201, c.text);
  const pe = await person(fresh, `Vũ Văn Em ${tag}`);
  await person(fresh, `Đỗ Thị Gấm ${tag}`); // nothing confirmed
  const imp = await importCsv(admin, `Số CCCD,Loại xác nhận,Nguồn,Ngày xác nhận\r\n${pe.cccd},Khóa học khác,Trường Chính trị,01/03/2026\r\n`);
  assert.equal(imp.status, 200, imp.text);
  assert.equal(imp.json.recorded, 1);
  const r = await srv.request('GET', `/api/v1/confirmations?unit_id=${fresh}`, { session: admin });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.total, 4);
  assert.deepEqual(r.json.people, { vneid: 1, national_platform: 1, course_elsewhere: 1, any: 2 });
  const v = await srv.request('GET', `/api/v1/confirmations?unit_id=${fresh}&kind=vneid`, { session: admin });
  assert.equal(v.json.total, 2);
  assert.ok(v.json.items.every((x) => x.kind === 'vneid'));
  assert.deepEqual(v.json.items.map((x) => x.confirmed_on), ['2026-03-02', '2026-03-01']);
  expectError(assert, await srv.request('GET', '/api/v1/confirmations?kind=khac', { session: admin }), 400, 'invalid_value', 'kind');
  // A deleted person is no longer counted nor listed.
  const del = await srv.request('DELETE', `/api/v1/residents/${pc.id}`, { session: admin });
  assert.equal(del.status, 204, del.text);
  const after2 = await srv.request('GET', `/api/v1/confirmations?unit_id=${fresh}`, { session: admin });
  assert.deepEqual(after2.json.people, { vneid: 0, national_platform: 0, course_elsewhere: 1, any: 1 });
  assert.equal(after2.json.total, 1);
});

test('the command line imports the same way and prints the same JSON', async () => {
  const dir = srv.dataDir;
  const file = join(dir, `xac-nhan-${tag}.csv`);
  const pf = await person(tdp1, `Hoàng Văn Phú ${tag}`);
  writeFileSync(file, `Số CCCD,Loại xác nhận,Ngày xác nhận\r\n${pf.cccd},VNeID,01/05/2026\r\n${pb.cccd},VNeID,01/05/2026\r\nabc,VNeID,01/05/2026\r\n`);
  const r = await hocvuso(['import', 'confirmations', ...storeArgs(srv.dataDir, srv.dbUri), '--unit', freshCode, file]);
  assert.equal(r.code, 0, r.stderr);
  const o = JSON.parse(r.stdout);
  assert.equal(o.recorded, 0);
  assert.deepEqual(o.unmatched.map((x) => x.line), [2, 3]);
  assert.deepEqual(o.rejected.map((x) => [x.line, x.field]), [[4, 'cccd']]);
  const all = await hocvuso(['import', 'confirmations', ...storeArgs(srv.dataDir, srv.dbUri), file]);
  assert.equal(all.code, 0, all.stderr);
  assert.equal(JSON.parse(all.stdout).recorded, 2);
  noCccd(all.stdout + all.stderr);
  const bad = join(dir, `khong-cot-${tag}.csv`);
  writeFileSync(bad, 'Họ và tên\r\nAi đó\r\n');
  const b = await hocvuso(['import', 'confirmations', ...storeArgs(srv.dataDir, srv.dbUri), bad]);
  assert.equal(b.code, 1);
  assert.match(b.stderr, /Số CCCD/);
  const u = await hocvuso(['import', 'confirmations', ...storeArgs(srv.dataDir, srv.dbUri), '--unit', 'KHONG-CO', file]);
  assert.equal(u.code, 1);
  assert.equal((await hocvuso(['import', 'confirmations', ...storeArgs(srv.dataDir, srv.dbUri)])).code, 2);
});
