// Units: which kind may sit under which, duplicate names, moving a subtree, deleting an empty
// unit, and search by code and by the usual abbreviations.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, expectError, listAll, WARD_NAME, userWithRole, finish } from './lib/server.mjs';

let srv, admin, wardId, tdp1, tdp2, meta;

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  meta = await srv.getJSON(admin, '/api/v1/meta');
  wardId = await srv.unitId(admin, WARD_NAME);
  tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1');
  tdp2 = await srv.unitId(admin, 'Tổ dân phố số 2');
});
after(async () => {
  await finish(srv, assert);
});

const create = (body, session = admin) => srv.request('POST', '/api/v1/units', { session, body });
const auditOf = async (action) => (await srv.getJSON(admin, `/api/v1/audit?action=${action}&per_page=200`)).items;

test('/meta names the parents each kind may have', () => {
  const kind = (code) => meta.unit_kinds.find((k) => k.code === code);
  for (const k of meta.unit_kinds) {
    assert.ok(Array.isArray(k.parents), `${k.code}.parents`);
    assert.equal(typeof k.may_be_top, 'boolean');
    for (const p of k.parents) assert.ok(kind(p), `${k.code}: parent ${p} is a kind`);
  }
  assert.ok(kind('residential_group').parents.includes('ward'));
  assert.ok(!kind('city').parents.includes('residential_group'), 'a city never sits under a tổ dân phố');
  assert.ok(!kind('residential_group').parents.includes('residential_group'));
});

test('a kind under a parent it may not have → 409 naming kind, nothing created', async () => {
  const before = (await listAll(srv, admin, `/api/v1/units?parent_id=${tdp1}`)).total;
  for (const kind of ['city', 'ward', 'residential_group', 'school_primary']) {
    const r = await create({ parent_id: tdp1, kind, name: `Sai chỗ ${kind}` });
    const e = expectError(assert, r, 409, 'conflict', 'kind');
    assert.match(e.message, /[ạảãàáâậầấẩẫăặằắẳẵđêệềếểễôộồốổỗơợờớởỡưựừứửữ]/, 'a Vietnamese message');
  }
  assert.equal((await listAll(srv, admin, `/api/v1/units?parent_id=${tdp1}`)).total, before);
  // A team under a tổ dân phố is fine.
  const ok = await create({ parent_id: tdp1, kind: 'team', name: 'Đội văn nghệ' });
  assert.equal(ok.status, 201, ok.text);
  // Changing a kind checks the parent and the children too.
  expectError(assert, await srv.request('PATCH', `/api/v1/units/${tdp1}`, { session: admin, body: { kind: 'city' } }), 409, 'conflict', 'kind');
  // The ward may not become an office: its tổ dân phố may not sit under an office.
  expectError(assert, await srv.request('PATCH', `/api/v1/units/${wardId}`, { session: admin, body: { kind: 'office' } }), 409, 'conflict', 'kind');
  assert.equal((await srv.getJSON(admin, `/api/v1/units/${tdp1}`)).kind, 'residential_group');
  assert.equal((await srv.getJSON(admin, `/api/v1/units/${wardId}`)).kind, 'ward');
});

test('the same name twice under one parent (any accents, any case) → 409 naming name', async () => {
  for (const name of ['Tổ dân phố số 1', 'TỔ DÂN PHỐ SỐ 1', 'to dan pho so 1', '  Tổ  dân phố số 1 ']) {
    const r = await create({ parent_id: wardId, kind: 'residential_group', name });
    const e = expectError(assert, r, 409, 'conflict', 'name');
    assert.match(e.message, /Tên đơn vị/);
  }
  // Under another parent the same name is fine.
  const r = await create({ parent_id: tdp2, kind: 'team', name: 'Đội văn nghệ' });
  assert.equal(r.status, 201, r.text);
  // Renaming onto a sibling's name is refused too; renaming to itself is not.
  expectError(assert, await srv.request('PATCH', `/api/v1/units/${tdp2}`, { session: admin, body: { name: 'tổ dân phố SỐ 1' } }), 409, 'conflict', 'name');
  const same = await srv.request('PATCH', `/api/v1/units/${tdp2}`, { session: admin, body: { name: 'Tổ dân phố số 2' } });
  assert.equal(same.status, 200, same.text);
});

test('move: the subtree follows (paths, depths, ancestors), audited; never under itself', async () => {
  // Build: ward → A (office) → B (team) → C (team); ward → D (office).
  const a = (await create({ parent_id: wardId, kind: 'office', name: 'Phòng chuyển đi' })).json;
  const b = (await create({ parent_id: a.id, kind: 'team', name: 'Tổ trong phòng' })).json;
  const c = (await create({ parent_id: b.id, kind: 'team', name: 'Nhóm nhỏ' })).json;
  const d = (await create({ parent_id: wardId, kind: 'office', name: 'Phòng nhận về' })).json;
  assert.ok(a && b && c && d);
  // Under itself or a descendant: refused, naming parent_id.
  for (const target of [b.id, c.id]) {
    expectError(assert, await srv.request('POST', `/api/v1/units/${b.id}/move`, { session: admin, body: { parent_id: target } }), 409, 'conflict', 'parent_id');
  }
  expectError(assert, await srv.request('POST', `/api/v1/units/${a.id}/move`, { session: admin, body: { parent_id: c.id } }), 409, 'conflict', 'parent_id');
  // A kind that may not sit there: refused.
  expectError(assert, await srv.request('POST', `/api/v1/units/${a.id}/move`, { session: admin, body: { parent_id: tdp1 } }), 409, 'conflict', 'parent_id');
  expectError(assert, await srv.request('POST', `/api/v1/units/${b.id}/move`, { session: admin, body: { parent_id: 99999999 } }), 404, 'not_found', 'parent_id');
  // Move B (with C) under D.
  const r = await srv.request('POST', `/api/v1/units/${b.id}/move`, { session: admin, body: { parent_id: d.id } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.parent_id, d.id);
  const cc = await srv.getJSON(admin, `/api/v1/units/${c.id}`);
  assert.deepEqual(cc.ancestors.slice(-2).map((x) => x.id), [d.id, b.id], 'the grandchild\'s ancestors follow');
  assert.equal(cc.depth, d.depth + 2);
  assert.equal((await srv.getJSON(admin, `/api/v1/units/${a.id}`)).children_count, 0);
  assert.equal((await srv.getJSON(admin, `/api/v1/units/${d.id}`)).children_count, 1);
  // Scope follows the paths: a reader granted on D sees C; one granted on A does not any more.
  const onD = await userWithRole(srv, admin, { username: 'doc.phong.d', role: 'unit_officer', unitId: d.id });
  assert.equal((await srv.request('GET', `/api/v1/units/${c.id}`, { session: onD })).status, 200);
  const onA = await userWithRole(srv, admin, { username: 'doc.phong.a', role: 'unit_officer', unitId: a.id });
  expectError(assert, await srv.request('GET', `/api/v1/units/${c.id}`, { session: onA }), 403, 'forbidden');
  // Audited, with the old and new parent.
  const e = (await auditOf('unit.move')).find((x) => x.entity_id === b.id);
  assert.ok(e, 'a unit.move entry');
  assert.equal(e.detail.from_parent_id, a.id);
  assert.equal(e.detail.parent_id, d.id);
  assert.equal(e.detail.from_parent, 'Phòng chuyển đi');
  assert.equal(e.detail.parent, 'Phòng nhận về');
  assert.equal(e.entity_name, 'Tổ trong phòng');
  // A name already used under the new parent: refused.
  await create({ parent_id: a.id, kind: 'team', name: 'Tổ trong phòng' });
  const dup = (await listAll(srv, admin, `/api/v1/units?parent_id=${a.id}`)).items[0];
  expectError(assert, await srv.request('POST', `/api/v1/units/${dup.id}/move`, { session: admin, body: { parent_id: d.id } }), 409, 'conflict', 'name');
});

test('move needs units.write on the unit AND on the new parent', async () => {
  const sub = await userWithRole(srv, admin, { username: 'qt.to.mot', role: 'ward_admin', unitId: tdp1 });
  const mine = (await create({ parent_id: tdp1, kind: 'team', name: 'Đội của tổ một' }, sub)).json;
  assert.ok(mine);
  // To a parent outside its scope: 403 naming parent_id.
  expectError(assert, await srv.request('POST', `/api/v1/units/${mine.id}/move`, { session: sub, body: { parent_id: tdp2 } }), 403, 'forbidden', 'parent_id');
  // A unit outside its scope: 403.
  expectError(assert, await srv.request('POST', `/api/v1/units/${tdp2}/move`, { session: sub, body: { parent_id: tdp1 } }), 403, 'forbidden');
  assert.equal((await srv.getJSON(admin, `/api/v1/units/${mine.id}`)).parent_id, tdp1);
  // An officer without units.write: 403.
  const officer = await srv.login('tdp01');
  expectError(assert, await srv.request('POST', `/api/v1/units/${mine.id}/move`, { session: officer, body: { parent_id: tdp1 } }), 403, 'forbidden');
  expectError(assert, await srv.request('DELETE', `/api/v1/units/${mine.id}`, { session: officer }), 403, 'forbidden');
});

test('delete: only an empty unit; refused with 409 for children, accounts or grants; audited with its name', async () => {
  const parent = (await create({ parent_id: wardId, kind: 'office', name: 'Phòng sẽ xóa' })).json;
  const child = (await create({ parent_id: parent.id, kind: 'team', name: 'Tổ sẽ xóa' })).json;
  let e = expectError(assert, await srv.request('DELETE', `/api/v1/units/${parent.id}`, { session: admin }), 409, 'conflict');
  assert.match(e.message, /trực thuộc/);
  // A grant on the child.
  const holder = await userWithRole(srv, admin, { username: 'giu.vai.tro', role: 'learner', unitId: child.id });
  e = expectError(assert, await srv.request('DELETE', `/api/v1/units/${child.id}`, { session: admin }), 409, 'conflict');
  assert.match(e.message, /vai trò/);
  const rv = await srv.request('DELETE', `/api/v1/users/${holder.userId}/roles/${holder.grantId}`, { session: admin });
  assert.equal(rv.status, 204, rv.text);
  // An account that belongs to the child.
  const acc = await srv.request('POST', '/api/v1/users', { session: admin, body: { username: 'thuoc.to.xoa', display_name: 'Thuộc Tổ Xóa', password: 'Mat-khau-rat-dai-9', unit_id: child.id } });
  assert.equal(acc.status, 201, acc.text);
  e = expectError(assert, await srv.request('DELETE', `/api/v1/units/${child.id}`, { session: admin }), 409, 'conflict');
  assert.match(e.message, /tài khoản/);
  assert.equal((await srv.getJSON(admin, `/api/v1/units/${child.id}`)).name, 'Tổ sẽ xóa');
  // An empty one goes: 204, then 404.
  const empty = (await create({ parent_id: parent.id, kind: 'team', name: 'Tổ trống' })).json;
  const r = await srv.request('DELETE', `/api/v1/units/${empty.id}`, { session: admin });
  assert.equal(r.status, 204, r.text);
  expectError(assert, await srv.request('GET', `/api/v1/units/${empty.id}`, { session: admin }), 404, 'not_found');
  expectError(assert, await srv.request('DELETE', `/api/v1/units/${empty.id}`, { session: admin }), 404, 'not_found');
  const entry = (await auditOf('unit.delete')).find((x) => x.entity_id === empty.id);
  assert.ok(entry, 'a unit.delete entry');
  assert.equal(entry.entity_name, 'Tổ trống', 'the entry keeps the name of the deleted unit');
  assert.equal(entry.unit_id, parent.id, 'recorded on the parent, which stays');
  assert.equal(entry.unit_name, 'Phòng sẽ xóa');
  // Every entry about the deleted unit stays visible where it was (its create entry too).
  const created = (await srv.getJSON(admin, `/api/v1/audit?action=unit.create&per_page=200`)).items.find((x) => x.entity_id === empty.id);
  assert.ok(created, 'the create entry of a deleted unit is still listed');
  assert.equal(created.entity_name, 'Tổ trống');
  // The name is free again under that parent.
  assert.equal((await create({ parent_id: parent.id, kind: 'team', name: 'Tổ trống' })).status, 201);
});

test('search finds a unit by its code and by the usual abbreviations', async () => {
  const names = async (q, per = 50) => (await srv.getJSON(admin, `/api/v1/units?q=${encodeURIComponent(q)}&per_page=${per}`)).items.map((u) => u.name);
  const first = async (q) => (await names(q))[0];
  assert.equal(await first('tdp 1'), 'Tổ dân phố số 1');
  assert.equal(await first('TDP 01'), 'Tổ dân phố số 1');
  assert.ok(!(await names('tdp 1', 200)).includes('Tổ dân phố số 10'), '"tdp 1" is not "tổ dân phố số 10"');
  assert.equal(await first('tdp 12'), 'Tổ dân phố số 12');
  const thcs = await names('THCS');
  assert.ok(thcs.includes('Trường THCS Trần Hưng Đạo') && thcs.includes('Trường THCS Ngọc Châu'), JSON.stringify(thcs));
  const th = await names('TH');
  for (const n of ['Trường Tiểu học Ngọc Châu', 'Trường Tiểu học Nhị Châu', 'Trường Tiểu học Quang Trung']) assert.ok(th.includes(n), `TH finds ${n}: ${JSON.stringify(th)}`);
  assert.ok(!th.includes('Trường THCS Trần Hưng Đạo'), 'TH is tiểu học, not THCS');
  const mn = await names('mn');
  assert.ok(mn.includes('Trường Mầm non Hoa Sen') && mn.includes('Trường Mầm non Ngọc Châu'), JSON.stringify(mn));
  assert.ok((await names('UBND')).includes('Văn phòng HĐND và UBND phường'));
  assert.ok((await names('MTTQ')).includes('Ủy ban Mặt trận Tổ quốc Việt Nam phường'));
  assert.ok((await names('CA')).includes('Công an phường Hải Dương'));
  assert.ok((await names('th ngoc chau')).includes('Trường Tiểu học Ngọc Châu'));
  // By code, any case, by its start.
  assert.equal(await first('HD-THCS-THD'), 'Trường THCS Trần Hưng Đạo');
  assert.equal(await first('hd-thcs-thd'), 'Trường THCS Trần Hưng Đạo');
  assert.ok((await names('HD-TDP0', 200)).includes('Tổ dân phố số 9'));
  // A part of a word still matches as before.
  assert.ok((await names('ương')).includes(WARD_NAME) || (await names('uong')).length > 0);
  // Within children too.
  const kids = await srv.getJSON(admin, `/api/v1/units?parent_id=${wardId}&q=${encodeURIComponent('thcs')}`);
  assert.equal(kids.total, 2);
  // Nothing matches nonsense, and punctuation alone matches nothing new.
  assert.equal((await names('zzqxw')).length, 0);
});
