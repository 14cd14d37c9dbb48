// access.test.mjs: the access rules of issue 6 §1 that are not the take-over chain
// (takeover.test.mjs) nor the route matrix (matrix.test.mjs): no escalation through grants,
// one's own password only with the current one, lists that honour every grant, and the
// users list's keyset pagination with roles read once per page.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, expectError, finish, userWithRole, listAll, WARD_NAME, roleCaps } from './lib/server.mjs';

let srv, admin, wardId, tdpId, caps;

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  wardId = await srv.unitId(admin, WARD_NAME);
  tdpId = await srv.unitId(admin, 'Tổ dân phố số 1');
  caps = await roleCaps(srv, admin);
});
after(async () => {
  await finish(srv, assert);
});

async function rolesOf(id) {
  return (await srv.getJSON(admin, `/api/v1/users/${id}`)).roles.map((g) => `${g.role}@${g.unit_id}`).sort();
}

describe('no escalation through grants', () => {
  test('the ward admin cannot grant itself (or anyone) a role with a capability it lacks → 403 naming role', async () => {
    assert.ok(caps.police.has('identity.write') && !caps.ward_admin.has('identity.write'), 'the role table withholds identity.write');
    const before = await rolesOf(admin.user.id);
    for (const role of ['police', 'teacher']) {
      const r = await srv.request('POST', `/api/v1/users/${admin.user.id}/roles`, { session: admin, body: { role, unit_id: wardId } });
      expectError(assert, r, 403, 'forbidden', 'role');
      const hv = await srv.userId(admin, 'hocvien');
      expectError(assert, await srv.request('POST', `/api/v1/users/${hv}/roles`, { session: admin, body: { role, unit_id: tdpId } }), 403, 'forbidden', 'role');
    }
    assert.deepEqual(await rolesOf(admin.user.id), before);
    const me = await srv.getJSON(admin, '/api/v1/me');
    assert.ok(!me.capabilities.includes('identity.write'));
  });

  test('a role whose capabilities the caller holds there is granted (to itself too)', async () => {
    const r = await srv.request('POST', `/api/v1/users/${admin.user.id}/roles`, { session: admin, body: { role: 'field_helper', unit_id: tdpId } });
    assert.equal(r.status, 201, r.text);
    const d = await srv.request('DELETE', `/api/v1/users/${admin.user.id}/roles/${r.json.id}`, { session: admin });
    assert.equal(d.status, 204, d.text);
  });

  test('revoking follows the same rule: the ward admin cannot revoke the police grant', async () => {
    const ca = await srv.userId(admin, 'congan');
    const before = await srv.getJSON(admin, `/api/v1/users/${ca}`);
    const g = before.roles.find((x) => x.role === 'police');
    assert.ok(g, 'congan is police');
    expectError(assert, await srv.request('DELETE', `/api/v1/users/${ca}/roles/${g.id}`, { session: admin }), 403, 'forbidden', 'role');
    assert.deepEqual(await srv.getJSON(admin, `/api/v1/users/${ca}`), before);
  });

  test('an admin of a tổ can make an admin of its tổ, not of the ward; an officer can make no one anything', async () => {
    const qt = await userWithRole(srv, admin, { username: 'qt.leo.thang', role: 'ward_admin', unitId: tdpId });
    const hv = await srv.userId(admin, 'hocvien');
    const before = await rolesOf(hv);
    expectError(assert, await srv.request('POST', `/api/v1/users/${hv}/roles`, { session: qt, body: { role: 'ward_admin', unit_id: wardId } }), 403, 'forbidden', 'unit_id');
    const ok = await srv.request('POST', `/api/v1/users/${hv}/roles`, { session: qt, body: { role: 'ward_admin', unit_id: tdpId } });
    assert.equal(ok.status, 201, ok.text);
    assert.equal((await srv.request('DELETE', `/api/v1/users/${hv}/roles/${ok.json.id}`, { session: qt })).status, 204);
    const officer = await srv.login('tdp01');
    for (const role of ['ward_admin', 'learner']) {
      expectError(assert, await srv.request('POST', `/api/v1/users/${hv}/roles`, { session: officer, body: { role, unit_id: tdpId } }), 403, 'forbidden');
    }
    assert.deepEqual(await rolesOf(hv), before);
  });
});

describe("one's own password", () => {
  test('PUT /users/{own id}/password → 403 naming the way; the password is unchanged', async () => {
    const r = await srv.request('PUT', `/api/v1/users/${admin.user.id}/password`, { session: admin, body: { new_password: 'Mat-khau-tu-dat-1' } });
    const e = expectError(assert, r, 403, 'forbidden', 'id');
    assert.match(e.message, /\/api\/v1\/me\/password/);
    expectError(assert, await srv.request('POST', '/api/v1/session', { body: { username: 'admin', password: 'Mat-khau-tu-dat-1' } }), 401, 'invalid_credentials');
    await srv.login('admin');
    assert.equal((await srv.request('GET', '/api/v1/me', { session: admin })).status, 200, 'the session survives');
  });

  test('nor can one disable oneself', async () => {
    expectError(assert, await srv.request('PATCH', `/api/v1/users/${admin.user.id}`, { session: admin, body: { disabled: true } }), 400, 'invalid_value', 'disabled');
  });
});

describe('lists honour every grant (six tổ dân phố)', () => {
  let six, groups, made;
  before(async () => {
    groups = [];
    for (let n = 1; n <= 6; n++) groups.push(await srv.unitId(admin, `Tổ dân phố số ${n}`));
    // One account per tổ (home unit there): each creation is audited on its unit.
    made = [];
    for (let n = 1; n <= 6; n++) {
      const r = await srv.request('POST', '/api/v1/users', { session: admin, body: { username: `sau.to.${n}`, display_name: `Người ở tổ ${n}`, password: 'Mat-khau-sau-to-1', unit_id: groups[n - 1] } });
      assert.equal(r.status, 201, r.text);
      made.push(r.json.id);
    }
    six = await userWithRole(srv, admin, { username: 'sau.quyen', role: 'ward_admin', unitId: groups[0] });
    for (const g of groups.slice(1)) {
      const r = await srv.request('POST', `/api/v1/users/${six.userId}/roles`, { session: admin, body: { role: 'ward_admin', unit_id: g } });
      assert.equal(r.status, 201, r.text);
    }
    six = await srv.login('sau.quyen', 'Mat-khau-phu-1');
    assert.equal(six.user.roles.length, 6);
  });

  test('the units list: six roots, and each subtree searchable', async () => {
    const roots = await listAll(srv, six, '/api/v1/units');
    assert.deepEqual(roots.items.map((u) => u.id).sort((a, b) => a - b), [...groups].sort((a, b) => a - b));
    for (let n = 1; n <= 6; n++) {
      const j = await srv.getJSON(six, `/api/v1/units?q=${encodeURIComponent(`tổ dân phố số ${n}`)}&per_page=200`);
      assert.ok(j.items.some((u) => u.id === groups[n - 1]), `tổ ${n} found by search`);
      assert.ok(j.items.some((u) => u.parent_id === groups[n - 1]), `the team under tổ ${n} found by search`);
    }
    expectError(assert, await srv.request('GET', `/api/v1/units?q=${encodeURIComponent('tổ dân phố số 7')}&parent_id=${wardId}`, { session: six }), 403, 'forbidden');
  });

  test('the users list: the accounts of all six', async () => {
    const { items } = await listAll(srv, six, '/api/v1/users');
    for (const id of made) assert.ok(items.some((u) => u.id === id), `account ${id} listed: ${items.map((u) => u.username)}`);
    assert.ok(!items.some((u) => u.username === 'admin' || u.username === 'giaovien'));
  });

  test('the audit list: entries on all six', async () => {
    const { items } = await listAll(srv, six, '/api/v1/audit?action=user.create');
    for (const id of made) assert.ok(items.some((a) => a.entity_id === id), `creation of ${id} in the audit list`);
  });
});

describe('users list: keyset pagination, roles of a page read together', () => {
  test('walking with `after` gives the same accounts as page numbers, without counting', async () => {
    const all = await listAll(srv, admin, '/api/v1/users');
    assert.ok(all.items.length > 5);
    const first = await srv.getJSON(admin, '/api/v1/users?per_page=2');
    assert.equal(first.total, all.total, 'the first page counts');
    assert.equal(first.next, first.items[1].username);
    const walked = [...first.items];
    let next = first.next;
    for (let i = 0; next && i < 1000; i++) {
      const j = await srv.getJSON(admin, `/api/v1/users?per_page=2&after=${encodeURIComponent(next)}`);
      assert.equal(j.total, null, 'a later page does not count');
      walked.push(...j.items);
      next = j.next;
    }
    assert.deepEqual(walked.map((u) => u.username), all.items.map((u) => u.username));
    assert.deepEqual(walked, all.items, 'the same accounts with the same roles');
  });

  test('roles shown in a list are those inside the reader\'s scope', async () => {
    const qt = await userWithRole(srv, admin, { username: 'qt.nhin.thay', role: 'ward_admin', unitId: tdpId });
    // An account with a grant in the tổ and one outside it.
    const u = await userWithRole(srv, admin, { username: 'hai.noi', role: 'learner', unitId: tdpId });
    const school = await srv.unitId(admin, 'Trường THCS Trần Hưng Đạo');
    assert.equal((await srv.request('POST', `/api/v1/users/${u.userId}/roles`, { session: admin, body: { role: 'learner', unit_id: school } })).status, 201);
    const fromTdp = (await srv.getJSON(qt, '/api/v1/users?q=hai.noi')).items[0];
    assert.deepEqual(fromTdp.roles.map((g) => g.unit_id), [tdpId]);
    const fromWard = (await srv.getJSON(admin, '/api/v1/users?q=hai.noi')).items[0];
    assert.deepEqual(fromWard.roles.map((g) => g.unit_id).sort(), [tdpId, school].sort());
  });
});
