// people.test.mjs: the registry's core over real HTTP (issue 7): households and people, search
// without diacritics / by phone / by CCCD, scope (an officer of tổ A neither sees nor edits tổ B's
// people, nor moves one into or out of a unit it does not hold), the audit log on reads, validation
// with fields, 409 on a duplicate CCCD, account ↔ person and /me/person. SQLite, or PostgreSQL
// with HOCVUSO_TEST_PG_DIR.
// Owns: its server and the synthetic people it makes (never real ones).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, finish, uniq, expectError, listAll } from './lib/server.mjs';

let srv, admin, tdp01, vanhoa, hocvien;
let tdp1, tdp2, office, school;
let hh1, hh2;
let huong, binh; // people: Hương in tổ 1 (with a household), Bình in tổ 2
// Letters only: a name holds no digits.
const tag = uniq('p').replace(/[^a-z0-9]/g, '').replace(/[0-9]/g, (d) => 'abcdefghij'[d]);
// A synthetic CCCD: province 030, century/sex digit 1 (female, 1900s), year 85, six random digits.
const rnd6 = () => String(Math.floor(Math.random() * 1e6)).padStart(6, '0');
const CCCD_HUONG = `0301${'85'}${rnd6()}`;

async function create(session, body) {
  return srv.request('POST', '/api/v1/residents', { session, body });
}
async function count(session, q = '') {
  return (await srv.getJSON(session, `/api/v1/residents?per_page=1${q}`)).total;
}
async function auditOf(action) {
  return (await listAll(srv, admin, `/api/v1/audit?action=${encodeURIComponent(action)}`)).items;
}

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  tdp01 = await srv.login('tdp01');
  vanhoa = await srv.login('vanhoa');
  hocvien = await srv.login('hocvien');
  tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1');
  tdp2 = await srv.unitId(admin, 'Tổ dân phố số 2');
  office = await srv.unitId(admin, 'Phòng Văn hóa - Xã hội');
  school = await srv.unitId(admin, 'Trường THCS Trần Hưng Đạo');
});
after(async () => finish(srv, assert));

test('households: created in a tổ dân phố only, codes unique within it', async () => {
  const r1 = await srv.request('POST', '/api/v1/households', { session: admin, body: { unit_id: tdp1, code: `HO-${tag}`, address: 'Số 12 ngõ 5, phố Trần Hưng Đạo' } });
  assert.equal(r1.status, 201, r1.text);
  hh1 = r1.json;
  assert.equal(hh1.unit_id, tdp1);
  assert.equal(hh1.members_count, 0);
  const dup = await srv.request('POST', '/api/v1/households', { session: admin, body: { unit_id: tdp1, code: `HO-${tag}` } });
  expectError(assert, dup, 409, 'conflict', 'code');
  // The same code in another tổ is another household.
  const r2 = await srv.request('POST', '/api/v1/households', { session: admin, body: { unit_id: tdp2, code: `HO-${tag}`, address: 'Số 3 phố Nhị Châu' } });
  assert.equal(r2.status, 201, r2.text);
  hh2 = r2.json;
  const notTdp = await srv.request('POST', '/api/v1/households', { session: admin, body: { unit_id: office } });
  expectError(assert, notTdp, 400, 'invalid_value', 'unit_id');
  // tdp01 holds tổ 1 only.
  const out = await srv.request('POST', '/api/v1/households', { session: tdp01, body: { unit_id: tdp2, code: `X-${tag}` } });
  expectError(assert, out, 403, 'forbidden');
  const search = await srv.getJSON(admin, `/api/v1/households?q=${encodeURIComponent('tran hung dao')}&unit_id=${tdp1}`);
  assert.ok(search.items.some((h) => h.id === hh1.id), 'address search without diacritics');
  const mine = await listAll(srv, tdp01, '/api/v1/households');
  assert.ok(mine.items.some((h) => h.id === hh1.id));
  assert.ok(!mine.items.some((h) => h.id === hh2.id), 'tổ 2\'s household is out of tdp01\'s scope');
  expectError(assert, await srv.request('GET', `/api/v1/households/${hh2.id}`, { session: tdp01 }), 403, 'forbidden');
  const patched = await srv.request('PATCH', `/api/v1/households/${hh1.id}`, { session: tdp01, body: { address: 'Số 14 ngõ 5, phố Trần Hưng Đạo' } });
  assert.equal(patched.status, 200, patched.text);
  assert.equal(patched.json.address, 'Số 14 ngõ 5, phố Trần Hưng Đạo');
});

test('create, read back, search without diacritics, by phone and by CCCD', async () => {
  const r = await create(tdp01, {
    full_name: `  Nguyễn   Thị Hương ${tag} `,
    unit_id: tdp1,
    household_id: hh1.id,
    relation: 'Chủ hộ',
    birth_date: '15/03/1985',
    sex: 'Nữ',
    phone: '0912 345 678',
    cccd: CCCD_HUONG,
  });
  assert.equal(r.status, 201, r.text);
  huong = r.json;
  assert.equal(huong.full_name, `Nguyễn Thị Hương ${tag}`, 'the name is cleaned');
  assert.equal(huong.birth_date, '1985-03-15');
  assert.equal(huong.birth_year, 1985);
  assert.equal(huong.sex, 'F');
  assert.equal(huong.phone, '0912345678');
  assert.equal(huong.household_id, hh1.id);
  assert.ok(huong.groups.includes('adults'), JSON.stringify(huong.groups));
  // tdp01 (unit officer) has no identity.read: masked.
  assert.equal(huong.cccd, `${CCCD_HUONG.slice(0, 4)}*****${CCCD_HUONG.slice(9)}`);
  assert.equal(huong.cccd_shown, 'masked');
  const full = await srv.getJSON(admin, `/api/v1/residents/${huong.id}`);
  assert.equal(full.cccd, CCCD_HUONG, 'the ward admin holds identity.read');
  assert.equal(full.household.id, hh1.id);

  const b = await create(admin, { full_name: `Trần Văn Bình ${tag}`, unit_id: tdp2, birth_date: '1950', sex: 'M' });
  assert.equal(b.status, 201, b.text);
  binh = b.json;
  assert.equal(binh.birth_year, 1950);
  assert.equal(binh.birth_date, null, 'year only');
  assert.deepEqual(binh.groups, [], 'not a resident of a household: no residents\' group');

  for (const q of ['nguyen thi huong', 'NGUYEN HUONG', 'huo', `thi ${tag}`, 'Nguyễn Thị Hương']) {
    const j = await srv.getJSON(admin, `/api/v1/residents?q=${encodeURIComponent(q)}`);
    assert.ok(j.items.some((p) => p.id === huong.id), `q=${q}: ${JSON.stringify(j.items.map((p) => p.full_name))}`);
    assert.ok(!j.items.some((p) => p.id === binh.id), `q=${q} does not find Bình`);
  }
  const item = (await srv.getJSON(admin, `/api/v1/residents?q=${tag}`)).items.find((p) => p.id === huong.id);
  assert.deepEqual(Object.keys(item).sort(), ['birth_date', 'birth_year', 'full_name', 'groups', 'household_id', 'id', 'phone', 'restricted', 'sex', 'unit_id', 'unit_name', 'vneid_level'].sort());
  assert.equal(item.unit_name, 'Tổ dân phố số 1');
  for (const q of ['0912345678', '+84 912 345 678', '0912.345.678']) {
    const j = await srv.getJSON(admin, `/api/v1/residents?q=${encodeURIComponent(q)}`);
    assert.deepEqual(j.items.map((p) => p.id), [huong.id], `phone ${q}`);
  }
  const before = (await auditOf('person.search')).length;
  const byId = await srv.getJSON(admin, `/api/v1/residents?q=${CCCD_HUONG}`);
  assert.deepEqual(byId.items.map((p) => p.id), [huong.id]);
  const searches = await auditOf('person.search');
  assert.equal(searches.length, before + 1, 'a CCCD search is logged');
  assert.ok(!JSON.stringify(searches).includes(CCCD_HUONG), 'the log never holds the number');
  assert.ok(!JSON.stringify(searches).includes(CCCD_HUONG.slice(3)), 'nor a part of it');
  // Filters.
  const adults = await srv.getJSON(admin, `/api/v1/residents?group=adults&q=${tag}`);
  assert.deepEqual(adults.items.map((p) => p.id), [huong.id]);
  const old = await srv.getJSON(admin, `/api/v1/residents?age_min=70&q=${tag}`);
  assert.deepEqual(old.items.map((p) => p.id), [binh.id]);
  const women = await srv.getJSON(admin, `/api/v1/residents?sex=F&q=${tag}`);
  assert.deepEqual(women.items.map((p) => p.id), [huong.id]);
  const inHh = await srv.getJSON(admin, `/api/v1/residents?household_id=${hh1.id}`);
  assert.deepEqual(inHh.items.map((p) => p.id), [huong.id]);
  expectError(assert, await srv.request('GET', '/api/v1/residents?group=khong-co', { session: admin }), 400, 'invalid_value', 'group');
  const hh = await srv.getJSON(tdp01, `/api/v1/households/${hh1.id}`);
  assert.deepEqual(hh.members.map((m) => m.id), [huong.id]);
});

test('scope: tổ 1\'s officer neither sees nor changes tổ 2\'s people, nor moves people across', async () => {
  const mine = await listAll(srv, tdp01, `/api/v1/residents?q=${tag}`);
  assert.deepEqual(mine.items.map((p) => p.id), [huong.id]);
  // The plain list of a tổ's officer (units in scope looked up first) and of the ward's admin
  // (everyone walked in name order) agree with the scope.
  const plain = await listAll(srv, tdp01, '/api/v1/residents');
  assert.ok(plain.items.some((p) => p.id === huong.id) && !plain.items.some((p) => p.id === binh.id));
  const ward = await listAll(srv, admin, '/api/v1/residents');
  assert.ok(ward.items.some((p) => p.id === huong.id) && ward.items.some((p) => p.id === binh.id));
  const names = ward.items.map((p) => p.full_name);
  assert.equal(ward.total, ward.items.length);
  assert.ok(names.length >= 2);
  expectError(assert, await srv.request('GET', `/api/v1/residents/${binh.id}`, { session: tdp01 }), 403, 'forbidden');
  expectError(assert, await srv.request('PATCH', `/api/v1/residents/${binh.id}`, { session: tdp01, body: { phone: '0987654321' } }), 403, 'forbidden');
  expectError(assert, await srv.request('DELETE', `/api/v1/residents/${binh.id}`, { session: tdp01 }), 403, 'forbidden');
  // Out of tổ 1 into tổ 2: the target unit is not held.
  expectError(assert, await srv.request('PATCH', `/api/v1/residents/${huong.id}`, { session: tdp01, body: { unit_id: tdp2, household_id: 0 } }), 403, 'forbidden', 'unit_id');
  // Into tổ 1 from tổ 2: the person's unit is not held.
  expectError(assert, await srv.request('PATCH', `/api/v1/residents/${binh.id}`, { session: tdp01, body: { unit_id: tdp1 } }), 403, 'forbidden');
  // A new record in tổ 2, or filtering by tổ 2.
  expectError(assert, await create(tdp01, { full_name: 'Lê Văn Cường', unit_id: tdp2 }), 403, 'forbidden', 'unit_id');
  expectError(assert, await srv.request('GET', `/api/v1/residents?unit_id=${tdp2}`, { session: tdp01 }), 403, 'forbidden', 'unit_id');
  // A household of tổ 2 cannot be given to a person of tổ 1.
  expectError(assert, await srv.request('PATCH', `/api/v1/residents/${huong.id}`, { session: admin, body: { household_id: hh2.id } }), 400, 'invalid_value', 'household_id');
  // Nothing changed.
  const b = await srv.getJSON(admin, `/api/v1/residents/${binh.id}`);
  assert.equal(b.unit_id, tdp2);
  assert.equal(b.phone, null);
  // The ward admin moves Bình to tổ 1: the audit entry names both units.
  const moved = await srv.request('PATCH', `/api/v1/residents/${binh.id}`, { session: admin, body: { unit_id: tdp1 } });
  assert.equal(moved.status, 200, moved.text);
  assert.equal(moved.json.unit_id, tdp1);
  const e = (await auditOf('person.update')).find((x) => x.entity_id === binh.id);
  assert.ok(e, 'the move is logged');
  assert.equal(e.detail.from_unit_id, tdp2);
  assert.equal(e.detail.unit_id, tdp1);
  const back = await srv.request('PATCH', `/api/v1/residents/${binh.id}`, { session: admin, body: { unit_id: tdp2 } });
  assert.equal(back.status, 200, back.text);
});

test('memberships: a person seen through a workplace is readable there, not writable', async () => {
  const r = await srv.request('POST', `/api/v1/residents/${binh.id}/memberships`, { session: admin, body: { unit_id: office, kind: 'staff' } });
  assert.equal(r.status, 201, r.text);
  assert.ok(r.json.groups.includes('public_staff'), JSON.stringify(r.json.groups));
  assert.equal(r.json.memberships[0].unit_id, office);
  const seen = await srv.request('GET', `/api/v1/residents/${binh.id}`, { session: vanhoa });
  assert.equal(seen.status, 200, seen.text);
  const list = await srv.getJSON(vanhoa, `/api/v1/residents?q=${tag}`);
  assert.deepEqual(list.items.map((p) => p.id), [binh.id]);
  const plain = await listAll(srv, vanhoa, '/api/v1/residents');
  assert.ok(plain.items.some((p) => p.id === binh.id), 'seen through the membership in a plain list too');
  assert.ok(!plain.items.some((p) => p.id === huong.id));
  expectError(assert, await srv.request('PATCH', `/api/v1/residents/${binh.id}`, { session: vanhoa, body: { phone: '0987654321' } }), 403, 'forbidden');
  const staff = await srv.getJSON(admin, `/api/v1/residents?group=public_staff&q=${tag}`);
  assert.deepEqual(staff.items.map((p) => p.id), [binh.id]);
  expectError(assert, await srv.request('POST', `/api/v1/residents/${binh.id}/memberships`, { session: admin, body: { unit_id: school, kind: 'student' } }), 400, 'invalid_value', 'grade');
  expectError(assert, await srv.request('POST', `/api/v1/residents/${binh.id}/memberships`, { session: admin, body: { unit_id: office, kind: 'staff' } }), 409, 'conflict');
});

test('every staff read of a record, and every change, is in the audit log', async () => {
  const before = (await auditOf('person.read')).filter((e) => e.entity_id === huong.id).length;
  await srv.getJSON(tdp01, `/api/v1/residents/${huong.id}`);
  const reads = (await auditOf('person.read')).filter((e) => e.entity_id === huong.id);
  assert.equal(reads.length, before + 1);
  const last = reads[0];
  assert.equal(last.actor_username, 'tdp01');
  assert.equal(last.unit_id, tdp1, 'on the person\'s unit, so that tổ 1\'s admins see it');
  assert.equal(last.detail.cccd, 'masked');
  assert.ok(!JSON.stringify(reads).includes(CCCD_HUONG));
  const creates = (await auditOf('person.create')).filter((e) => e.entity_id === huong.id);
  assert.equal(creates.length, 1);
  assert.ok(!JSON.stringify(creates).includes(CCCD_HUONG), 'a create logs the fields, not their values');
  assert.ok(creates[0].detail.fields.includes('cccd'));
  assert.ok((await auditOf('household.read')).some((e) => e.entity_id === hh1.id));
});

test('validation: every bad field named, in Vietnamese; nothing written on a 4xx', async () => {
  const n0 = await count(admin);
  const several = await create(admin, { full_name: 'Phạm Thu Trang', unit_id: tdp1, birth_date: '31/02/1990', phone: '12345', sex: 'X' });
  const e = expectError(assert, several, 400, 'invalid_value');
  const fields = e.errors.map((x) => x.field).sort();
  assert.deepEqual(fields, ['birth_date', 'phone', 'sex']);
  expectError(assert, await create(admin, { full_name: 'Phạm Thu Trang', unit_id: tdp1, birth_date: '2999-01-01' }), 400, 'invalid_value', 'birth_date');
  expectError(assert, await create(admin, { full_name: 'Phạm Thu Trang', unit_id: tdp1, birth_date: '1990' , cccd: '1234' }), 400, 'invalid_value', 'cccd');
  // Century/sex digit: 0 is a man born in the 1900s; Trang is a woman.
  expectError(assert, await create(admin, { full_name: 'Phạm Thu Trang', unit_id: tdp1, sex: 'F', birth_date: '1990', cccd: `030090${rnd6()}` }), 400, 'invalid_value', 'cccd');
  // Year digits 91 against a birth in 1990.
  expectError(assert, await create(admin, { full_name: 'Phạm Thu Trang', unit_id: tdp1, birth_date: '1990', cccd: `030191${rnd6()}` }), 400, 'invalid_value', 'cccd');
  // Same number again: 409 naming cccd, even written with spaces.
  const spaced = `${CCCD_HUONG.slice(0, 4)} ${CCCD_HUONG.slice(4, 8)} ${CCCD_HUONG.slice(8)}`;
  expectError(assert, await create(admin, { full_name: 'Nguyễn Thị Hương', unit_id: tdp1, cccd: spaced }), 409, 'conflict', 'cccd');
  expectError(assert, await create(admin, { full_name: 'Phạm Thu Trang', unit_id: tdp1, household_id: hh2.id }), 400, 'invalid_value', 'household_id');
  expectError(assert, await create(admin, { full_name: 'Phạm Thu Trang', unit_id: tdp1, vneid_level: 3 }), 400, undefined, 'vneid_level');
  expectError(assert, await create(admin, { unit_id: tdp1 }), 400, 'missing_field', 'full_name');
  expectError(assert, await create(admin, { full_name: 'Nguyễn Văn 2', unit_id: tdp1 }), 400, 'invalid_value', 'full_name');
  // Changing the birth year of Hương would contradict her CCCD.
  expectError(assert, await srv.request('PATCH', `/api/v1/residents/${huong.id}`, { session: admin, body: { birth_date: '1986' } }), 400, 'invalid_value', 'birth_date');
  assert.equal(await count(admin), n0, 'nothing was written');
  assert.equal((await srv.getJSON(admin, `/api/v1/residents/${huong.id}`)).birth_year, 1985);
});

test('an account linked to its person; /me/person is the owner\'s own record, logged', async () => {
  const hv = await srv.userId(admin, 'hocvien');
  expectError(assert, await srv.request('GET', '/api/v1/me/person', { session: hocvien }), 404, 'not_found');
  const r = await srv.request('PUT', `/api/v1/users/${hv}/person`, { session: admin, body: { person_id: huong.id } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { user_id: hv, person_id: huong.id });
  const me = await srv.request('GET', '/api/v1/me/person', { session: hocvien });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.id, huong.id);
  assert.equal(me.json.cccd, CCCD_HUONG, 'one\'s own number in clear');
  assert.ok((await auditOf('person.read_self')).some((e) => e.entity_id === huong.id && e.actor_username === 'hocvien'));
  // A person links to one account at most.
  const other = await srv.userId(admin, 'tinhnguyen');
  expectError(assert, await srv.request('PUT', `/api/v1/users/${other}/person`, { session: admin, body: { person_id: huong.id } }), 409, 'conflict', 'person_id');
  // tdp01 has no users.write.
  expectError(assert, await srv.request('PUT', `/api/v1/users/${hv}/person`, { session: tdp01, body: { person_id: huong.id } }), 403, 'forbidden');
  expectError(assert, await srv.request('PUT', `/api/v1/users/${hv}/person`, { session: admin, body: { person_id: 987654321 } }), 404, 'not_found', 'person_id');
});

test('soft delete hides the record at once, from lists, reads and /me/person', async () => {
  const d = await srv.request('DELETE', `/api/v1/residents/${huong.id}`, { session: tdp01 });
  assert.equal(d.status, 204, d.text);
  expectError(assert, await srv.request('GET', `/api/v1/residents/${huong.id}`, { session: admin }), 404, 'not_found');
  const j = await srv.getJSON(admin, `/api/v1/residents?q=${tag}`);
  assert.ok(!j.items.some((p) => p.id === huong.id));
  expectError(assert, await srv.request('GET', '/api/v1/me/person', { session: hocvien }), 404, 'not_found');
  const del = (await auditOf('person.delete')).find((e) => e.entity_id === huong.id);
  assert.ok(del && del.actor_username === 'tdp01');
  assert.equal(del.detail.retention_days, 30, 'the default retention (--retention-days)');
  // Her number is free again for a new live record.
  const again = await create(admin, { full_name: `Nguyễn Thị Hương ${tag}`, unit_id: tdp1, birth_date: '1985', sex: 'F', cccd: CCCD_HUONG });
  assert.equal(again.status, 201, again.text);
});
