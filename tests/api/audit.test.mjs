// Audit: what was done appears with actor, action, entity and ip, newest first; filters, paging, access.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, expectError, listAll, WARD_NAME, sleep, subtreeIds, userWithRole, groupKind, finish } from './lib/server.mjs';

let srv, admin, wardId, unit, user, grant, all;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

// The contract does not name the actions; find each entry by what it is about.
const find = {
  login: (e) => e.actor_username === 'admin' && /log.?in|session/i.test(e.action) && !/fail|out/i.test(e.action),
  unitCreate: (e) => e.entity_id === unit.id && /unit/i.test(e.entity) && /creat|add|insert|new/i.test(e.action),
  userCreate: (e) => e.entity_id === user.id && /user/i.test(e.entity) && /creat|add|insert|new/i.test(e.action),
  grant: (e) => /grant|role/i.test(e.action) && !/revoke/i.test(e.action) && (e.entity_id === grant.id || e.entity_id === user.id),
  disable: (e) => e.entity_id === user.id && /user/i.test(e.entity) && /disabl|updat|patch|edit|chang/i.test(e.action),
};

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  wardId = await srv.unitId(admin, WARD_NAME);
  const kind = await groupKind(srv, admin);
  // A second apart, so since/until can split them.
  await sleep(1100);
  let r = await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: wardId, kind, name: 'Tổ kiểm toán' } });
  assert.equal(r.status, 201, r.text);
  unit = r.json;
  r = await srv.request('POST', '/api/v1/users', { session: admin, body: { username: 'kiem.toan', display_name: 'Kiểm Toán', password: 'mat-khau-dai-1' } });
  assert.equal(r.status, 201, r.text);
  user = r.json;
  r = await srv.request('POST', `/api/v1/users/${user.id}/roles`, { session: admin, body: { role: 'learner', unit_id: unit.id } });
  assert.equal(r.status, 201, r.text);
  grant = r.json;
  await sleep(1100);
  r = await srv.request('PATCH', `/api/v1/users/${user.id}`, { session: admin, body: { disabled: true } });
  assert.equal(r.status, 200, r.text);
  all = await listAll(srv, admin, '/api/v1/audit');
});
after(async () => {
  await finish(srv, assert);
});

test('every entry has the contract\'s fields', () => {
  assert.ok(all.total >= 5, `at least 5 entries, got ${all.total}`);
  assert.equal(all.items.length, all.total);
  for (const e of all.items) {
    assert.equal(typeof e.id, 'number');
    assert.match(e.at, ISO);
    assert.equal(typeof e.action, 'string');
    assert.ok(e.action.length > 0);
    assert.equal(typeof e.entity, 'string');
    for (const k of ['actor_id', 'actor_username', 'entity_id', 'unit_id', 'ip', 'detail']) assert.ok(k in e, `${k} in ${JSON.stringify(e)}`);
  }
});

test('log-in, unit create, user create, role grant and disable appear with actor, entity and ip 127.0.0.1', () => {
  const adminId = admin.user.id;
  for (const [what, pred] of Object.entries(find)) {
    const e = all.items.find(pred);
    assert.ok(e, `no audit entry for ${what} in ${JSON.stringify(all.items.map((x) => [x.action, x.entity, x.entity_id, x.actor_username]))}`);
    assert.equal(e.actor_id, adminId, `${what}: actor_id`);
    assert.equal(e.actor_username, 'admin', `${what}: actor_username`);
    assert.equal(e.ip, '127.0.0.1', `${what}: ip`);
  }
  const u = all.items.find(find.unitCreate);
  assert.ok(u.unit_id === unit.id || u.unit_id === wardId, `the unit entry names its unit: ${u.unit_id}`);
  const g = all.items.find(find.grant);
  assert.equal(g.unit_id, unit.id, 'a grant is recorded on its unit');
});

test('newest first', () => {
  for (let i = 1; i < all.items.length; i++) {
    assert.ok(all.items[i - 1].id > all.items[i].id, 'ids descend');
    assert.ok(all.items[i - 1].at >= all.items[i].at, 'times do not ascend');
  }
  const idx = Object.fromEntries(Object.entries(find).map(([k, p]) => [k, all.items.findIndex(p)]));
  assert.ok(idx.disable < idx.grant && idx.grant < idx.userCreate && idx.userCreate < idx.unitCreate && idx.unitCreate < idx.login, JSON.stringify(idx));
});

test('filter by actor', async () => {
  const a = await listAll(srv, admin, '/api/v1/audit?actor=admin');
  assert.ok(a.total >= 5);
  assert.ok(a.items.every((e) => e.actor_username === 'admin'));
  // Another actor's entries are left out.
  const other = await srv.login('vanhoa');
  assert.ok(other);
  const v = await listAll(srv, admin, '/api/v1/audit?actor=vanhoa');
  assert.ok(v.total >= 1, 'vanhoa\'s log-in is recorded');
  assert.ok(v.items.every((e) => e.actor_username === 'vanhoa'));
  const nobody = await srv.getJSON(admin, '/api/v1/audit?actor=khongai');
  assert.equal(nobody.total, 0);
});

test('filter by action and entity', async () => {
  const sample = all.items.find(find.unitCreate);
  const a = await listAll(srv, admin, `/api/v1/audit?action=${encodeURIComponent(sample.action)}`);
  assert.ok(a.items.some((e) => e.id === sample.id));
  assert.ok(a.items.every((e) => e.action === sample.action));
  assert.ok(a.total < (await srv.getJSON(admin, '/api/v1/audit')).total);
  const en = await listAll(srv, admin, `/api/v1/audit?entity=${encodeURIComponent(sample.entity)}`);
  assert.ok(en.items.some((e) => e.id === sample.id));
  assert.ok(en.items.every((e) => e.entity === sample.entity));
  const none = await srv.getJSON(admin, '/api/v1/audit?action=khong.co.hanh.dong');
  assert.equal(none.total, 0);
});

test('filter by since and until', async () => {
  const dis = all.items.find(find.disable);
  const login = all.items.find(find.login);
  assert.ok(dis.at > login.at, 'the disable came more than a second after the log-in');
  const s = await listAll(srv, admin, `/api/v1/audit?since=${encodeURIComponent(dis.at)}`);
  assert.ok(s.items.some((e) => e.id === dis.id), 'since is inclusive');
  assert.ok(s.items.every((e) => e.at >= dis.at));
  assert.ok(!s.items.some((e) => e.id === login.id));
  // Whether `until` includes its own second the contract does not say: use the second after.
  const plus1 = (at) => new Date(Date.parse(at) + 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  assert.ok(Date.parse(dis.at) - Date.parse(login.at) >= 2000, `${login.at} .. ${dis.at}`);
  const u = await listAll(srv, admin, `/api/v1/audit?until=${encodeURIComponent(plus1(login.at))}`);
  assert.ok(u.items.some((e) => e.id === login.id), 'entries before until are in');
  assert.ok(u.items.every((e) => e.at <= plus1(login.at)));
  assert.ok(!u.items.some((e) => e.id === dis.id));
  const both = await listAll(srv, admin, `/api/v1/audit?since=${encodeURIComponent(login.at)}&until=${encodeURIComponent(plus1(dis.at))}`);
  for (const k of Object.keys(find)) assert.ok(both.items.some(find[k]), k);
  assert.equal((await srv.getJSON(admin, '/api/v1/audit?since=2999-01-01T00:00:00Z')).total, 0);
  assert.equal((await srv.getJSON(admin, '/api/v1/audit?until=2000-01-01T00:00:00Z')).total, 0);
  const early = await srv.getJSON(admin, '/api/v1/audit?since=2000-01-01T00:00:00Z');
  assert.ok(early.total >= all.total);
  // Plain dates are ISO dates too; a day covers the whole day.
  assert.equal((await srv.getJSON(admin, '/api/v1/audit?since=2999-01-01')).total, 0);
  assert.ok((await srv.getJSON(admin, '/api/v1/audit?since=2000-01-01')).total >= all.total);
  const day = login.at.slice(0, 10);
  const d1 = await listAll(srv, admin, `/api/v1/audit?since=${day}&until=${dis.at.slice(0, 10)}`);
  for (const k of Object.keys(find)) assert.ok(d1.items.some(find[k]), `${k} within since=${day}&until=${dis.at.slice(0, 10)}`);
  // A malformed date: invalid_value or wrong_type (the contract does not say which).
  for (const [q, field] of [['since=hom-qua', 'since'], ['since=2026-13-45T00:00:00Z', 'since'], ['since=12345', 'since'], ['until=nope', 'until'], ['until=2026-02-30', 'until']]) {
    const e = expectError(assert, await srv.request('GET', `/api/v1/audit?${q}`, { session: admin }), 400, undefined, field);
    assert.ok(['invalid_value', 'wrong_type'].includes(e.code), `${q}: ${e.code}`);
  }
});

test('keyset paging: older and newer cursors, no page numbers', async () => {
  const full = await srv.getJSON(admin, '/api/v1/audit?per_page=200');
  assert.ok(full.items.length >= 5);
  assert.equal(full.newer, null, 'the first page has nothing newer');
  const p1 = await srv.getJSON(admin, '/api/v1/audit?per_page=2');
  assert.equal(p1.per_page, 2);
  assert.equal(p1.items.length, 2);
  assert.equal(p1.total, full.total);
  assert.equal(p1.older, p1.items[1].id, 'the older cursor is the last id shown');
  const p2 = await srv.getJSON(admin, `/api/v1/audit?per_page=2&before=${p1.older}`);
  assert.equal(p2.items.length, 2);
  assert.equal(p2.newer, p2.items[0].id);
  // Reading the log is not itself written to the log, so the pages line up with the full list.
  assert.deepEqual([...p1.items, ...p2.items].map((e) => e.id), full.items.slice(0, 4).map((e) => e.id));
  // Back to the newer page.
  const back = await srv.getJSON(admin, `/api/v1/audit?per_page=2&after=${p2.newer}`);
  assert.deepEqual(back.items.map((e) => e.id), p1.items.map((e) => e.id), 'newest first again');
  assert.equal(back.newer, null);
  // The last page says there is nothing older.
  const last = await srv.getJSON(admin, `/api/v1/audit?per_page=200&before=${full.items[full.items.length - 2].id}`);
  assert.equal(last.items.length, 1);
  assert.equal(last.older, null);
  const f = await srv.getJSON(admin, `/api/v1/audit?actor=admin&per_page=1&before=${full.items[0].id}`);
  assert.equal(f.items.length, 1);
  assert.equal(f.items[0].actor_username, 'admin');
  // Offsets are gone; both cursors at once are refused.
  expectError(assert, await srv.request('GET', '/api/v1/audit?page=2', { session: admin }), 400, 'unknown_field', 'page');
  expectError(assert, await srv.request('GET', '/api/v1/audit?before=5&after=2', { session: admin }), 400, 'invalid_value', 'after');
  for (const qs of ['before=0', 'after=-1', 'before=abc']) {
    const r = await srv.request('GET', `/api/v1/audit?${qs}`, { session: admin });
    assert.equal(r.status, 400, `${qs}: ${r.text}`);
  }
});

test('non-admins get 403', async () => {
  for (const username of ['hocvien', 'tinhnguyen', 'giaovien', 'congan', 'tdp01', 'vanhoa']) {
    const s = await srv.login(username);
    const me = await srv.getJSON(s, '/api/v1/me');
    if (me.capabilities.includes('audit.read')) continue; // judged by the role model, asserted in session tests
    expectError(assert, await srv.request('GET', '/api/v1/audit', { session: s }), 403, 'forbidden');
  }
  const s = await srv.login('hocvien');
  expectError(assert, await srv.request('GET', '/api/v1/audit', { session: s }), 403, 'forbidden');
  expectError(assert, await srv.request('GET', '/api/v1/audit'), 401, 'unauthenticated');
});

test('audit.read granted on a unit covers its subtree only: a ward_admin of Tổ dân phố số 1 sees no entry of another unit', async () => {
  const tdpId = await srv.unitId(admin, 'Tổ dân phố số 1');
  const schoolId = await srv.unitId(admin, 'Trường THCS Trần Hưng Đạo');
  const sub = await userWithRole(srv, admin, { username: 'qt.kiem.toan', role: 'ward_admin', unitId: tdpId });
  // Something recorded on a unit inside and one outside that subtree.
  const gv = await srv.userId(admin, 'giaovien');
  const out = await srv.request('POST', `/api/v1/users/${gv}/roles`, { session: admin, body: { role: 'learner', unit_id: schoolId } });
  assert.equal(out.status, 201, out.text);
  const hv = await srv.userId(admin, 'hocvien');
  const inside = await srv.request('POST', `/api/v1/users/${hv}/roles`, { session: admin, body: { role: 'field_helper', unit_id: tdpId } });
  assert.equal(inside.status, 201, inside.text);
  const scope = await subtreeIds(srv, admin, tdpId);
  const seen = await listAll(srv, sub, '/api/v1/audit');
  assert.ok(seen.items.some((e) => e.unit_id === tdpId), 'the entries of its own unit are visible');
  const leaked = seen.items.filter((e) => e.unit_id !== null && !scope.has(e.unit_id));
  assert.deepEqual(leaked.map((e) => `${e.action} on unit ${e.unit_id} by ${e.actor_username}`), [], 'entries of units outside the scope');
});

test('the audit log cannot be changed or deleted over the API', async () => {
  const before = await listAll(srv, admin, '/api/v1/audit');
  const id = before.items[0].id;
  for (const [method, path] of [
    ['PUT', '/api/v1/audit'],
    ['DELETE', '/api/v1/audit'],
    ['POST', '/api/v1/audit'],
    ['PATCH', '/api/v1/audit'],
    ['PUT', `/api/v1/audit/${id}`],
    ['PATCH', `/api/v1/audit/${id}`],
    ['DELETE', `/api/v1/audit/${id}`],
  ]) {
    const r = await srv.request(method, path, { session: admin, body: method === 'DELETE' ? undefined : { action: 'x' } });
    assert.ok(r.status === 405 || r.status === 404, `${method} ${path}: ${r.status} ${r.text}`);
    expectError(assert, r, r.status, r.status === 405 ? 'method_not_allowed' : 'not_found');
  }
  const afterList = await listAll(srv, admin, '/api/v1/audit');
  const beforeIds = before.items.map((e) => JSON.stringify(e));
  const afterIds = afterList.items.map((e) => JSON.stringify(e));
  for (const e of beforeIds) assert.ok(afterIds.includes(e), `entry changed or gone: ${e}`);
});
