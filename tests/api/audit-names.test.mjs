// Audit: names as they were (actor, object, unit), the unit a role was granted on, a failed
// log-in attributed to the name typed, filtering by part of a name, unit-less entries for
// every reader.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, listAll, WARD_NAME, userWithRole, finish } from './lib/server.mjs';

let srv, admin, wardId, unit, user;

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  wardId = await srv.unitId(admin, WARD_NAME);
  let r = await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: wardId, kind: 'office', name: 'Phòng Tên Cũ' } });
  assert.equal(r.status, 201, r.text);
  unit = r.json;
  r = await srv.request('POST', '/api/v1/users', { session: admin, body: { username: 'nguoi.ten.cu', display_name: 'Người Tên Cũ', password: 'Mat-khau-rat-dai-7', unit_id: unit.id } });
  assert.equal(r.status, 201, r.text);
  user = r.json;
  r = await srv.request('POST', `/api/v1/users/${user.id}/roles`, { session: admin, body: { role: 'learner', unit_id: unit.id } });
  assert.equal(r.status, 201, r.text);
  // Then both are renamed: the old entries keep the old names.
  r = await srv.request('PATCH', `/api/v1/units/${unit.id}`, { session: admin, body: { name: 'Phòng Tên Mới' } });
  assert.equal(r.status, 200, r.text);
  r = await srv.request('PATCH', `/api/v1/users/${user.id}`, { session: admin, body: { display_name: 'Người Tên Mới' } });
  assert.equal(r.status, 200, r.text);
});
after(async () => {
  await finish(srv, assert);
});

test('entries name the actor, the object and the unit as they were when it happened', async () => {
  const all = (await listAll(srv, admin, '/api/v1/audit')).items;
  const created = all.find((e) => e.action === 'unit.create' && e.entity_id === unit.id);
  assert.equal(created.entity_name, 'Phòng Tên Cũ');
  assert.equal(created.actor_name, 'Quản trị phường Hải Dương');
  const renamed = all.find((e) => e.action === 'unit.update' && e.entity_id === unit.id);
  assert.equal(renamed.entity_name, 'Phòng Tên Cũ', 'written before the change took effect? it names the unit as it was');
  const uc = all.find((e) => e.action === 'user.create' && e.entity_id === user.id);
  assert.equal(uc.entity_name, 'Người Tên Cũ');
  assert.equal(uc.unit_name, 'Phòng Tên Cũ');
  const grant = all.find((e) => e.action === 'role.grant' && e.entity_id === user.id);
  assert.equal(grant.unit_id, unit.id, 'the role was granted on this unit');
  assert.equal(grant.unit_name, 'Phòng Tên Cũ');
  assert.equal(grant.entity_name, 'Người Tên Cũ');
  assert.equal(grant.detail.role, 'learner');
});

test('a revoked role is recorded on the unit it was granted on, with the role', async () => {
  const tdp = await srv.unitId(admin, 'Tổ dân phố số 4');
  const g = await srv.request('POST', `/api/v1/users/${user.id}/roles`, { session: admin, body: { role: 'learner', unit_id: tdp } });
  assert.equal(g.status, 201, g.text);
  const r = await srv.request('DELETE', `/api/v1/users/${user.id}/roles/${g.json.id}`, { session: admin });
  assert.equal(r.status, 204, r.text);
  const e = (await srv.getJSON(admin, '/api/v1/audit?action=role.revoke')).items.find((x) => x.detail && x.detail.grant_id === g.json.id);
  assert.ok(e);
  assert.equal(e.unit_id, tdp, 'the unit of the grant, not the account\'s home unit');
  assert.equal(e.unit_name, 'Tổ dân phố số 4');
  assert.equal(e.detail.role, 'learner');
});

test('a failed log-in for an unknown name keeps the name typed and is seen by the ward admins, not by a tổ dân phố admin', async () => {
  const bad = await srv.request('POST', '/api/v1/session', { body: { username: 'khong.ai.ca', password: 'sai-mat-khau-1' } });
  assert.equal(bad.status, 401);
  const tdp = await srv.unitId(admin, 'Tổ dân phố số 3');
  const sub = await userWithRole(srv, admin, { username: 'qt.to.ba', role: 'ward_admin', unitId: tdp });
  const j = await srv.getJSON(admin, '/api/v1/audit?action=session.login_failed&per_page=200');
  const e = j.items.find((x) => x.detail && x.detail.username === 'khong.ai.ca');
  assert.ok(e, 'visible to the ward admin');
  assert.equal(e.unit_id, null);
  assert.equal(e.actor_id, null);
  // An entry without a unit concerns the whole instance: not for the admin of one tổ dân phố.
  const js = await srv.getJSON(sub, '/api/v1/audit?action=session.login_failed&per_page=200');
  assert.ok(!js.items.some((x) => x.detail && x.detail.username === 'khong.ai.ca'), 'hidden from a tổ dân phố admin');
  // By the typed name, in part.
  const byName = await srv.getJSON(admin, '/api/v1/audit?name=ai.ca');
  assert.ok(byName.items.some((x) => x.detail && x.detail.username === 'khong.ai.ca'));
});

test('filter by part of a name, accent- and case-insensitive', async () => {
  for (const q of ['tên cũ', 'TEN CU', 'ten cu']) {
    const j = await srv.getJSON(admin, `/api/v1/audit?name=${encodeURIComponent(q)}&per_page=200`);
    const actions = new Set(j.items.map((e) => e.action));
    for (const a of ['unit.create', 'user.create', 'role.grant']) assert.ok(actions.has(a), `${q}: ${a} in ${[...actions]}`);
    assert.equal(j.total, j.items.length);
  }
  const actor = await srv.getJSON(admin, `/api/v1/audit?name=${encodeURIComponent('quản trị phường')}&per_page=5`);
  assert.equal(actor.items.length, 5);
  assert.ok(actor.items.every((e) => e.actor_name === 'Quản trị phường Hải Dương' || /quan tri/i.test(JSON.stringify(e))));
  const none = await srv.getJSON(admin, '/api/v1/audit?name=khong-co-ai-ten-nay');
  assert.deepEqual(none.items, []);
  assert.equal(none.total, 0);
});
