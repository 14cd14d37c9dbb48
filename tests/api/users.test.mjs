// Users: create, roles, disable/enable, password reset, and the scope of an officer.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, expectError, listAll, roleCaps, WARD_NAME, userWithRole, finish } from './lib/server.mjs';

let srv, admin, wardId, tdpId, schoolId, caps;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

function assertUserShape(u) {
  assert.equal(typeof u.id, 'number');
  assert.equal(typeof u.username, 'string');
  assert.equal(typeof u.display_name, 'string');
  assert.equal(typeof u.disabled, 'boolean');
  assert.match(u.created_at, ISO);
  assert.ok(Array.isArray(u.roles));
  assert.ok(!('password' in u) && !('password_hash' in u) && !('hash' in u), `no password material: ${JSON.stringify(u)}`);
}

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  caps = await roleCaps(srv, admin);
  wardId = await srv.unitId(admin, WARD_NAME);
  tdpId = await srv.unitId(admin, 'Tổ dân phố số 1');
  schoolId = await srv.unitId(admin, 'Trường THCS Trần Hưng Đạo');
});
after(async () => {
  await finish(srv, assert);
});

test('the admin lists the demo users with their roles', async () => {
  const { items, total } = await listAll(srv, admin, '/api/v1/users');
  assert.equal(items.length, total);
  for (const name of ['admin', 'vanhoa', 'tdp01', 'tinhnguyen', 'congan', 'giaovien', 'hocvien']) {
    const u = items.find((x) => x.username === name);
    assert.ok(u, `${name} listed`);
    assertUserShape(u);
    assert.equal(u.disabled, false);
    assert.equal(u.roles.length, 1);
  }
  assert.equal(items.find((x) => x.username === 'tdp01').roles[0].unit_id, tdpId);
  const q = await srv.getJSON(admin, '/api/v1/users?q=giaovien');
  assert.ok(q.items.some((u) => u.username === 'giaovien'));
  assert.ok(q.items.every((u) => u.username.includes('giaovien') || u.display_name.includes('giaovien')));
  const byUnit = await listAll(srv, admin, `/api/v1/users?unit_id=${schoolId}`);
  assert.ok(byUnit.items.some((u) => u.username === 'giaovien'));
  assert.ok(!byUnit.items.some((u) => u.username === 'hocvien' || u.username === 'admin'), byUnit.items.map((u) => u.username).join());
  const one = await srv.getJSON(admin, `/api/v1/users/${items.find((x) => x.username === 'giaovien').id}`);
  assertUserShape(one);
  assert.equal(one.username, 'giaovien');
});

describe('life of a user', () => {
  let user, grant, userSession;
  const username = 'nguyen.van.an';
  const password = 'Mat-khau-cua-an-1';

  test('admin creates a user → 201', async () => {
    const r = await srv.request('POST', '/api/v1/users', { session: admin, body: { username, display_name: 'Nguyễn Văn An', password } });
    assert.equal(r.status, 201, r.text);
    user = r.json;
    assertUserShape(user);
    assert.equal(user.username, username);
    assert.equal(user.display_name, 'Nguyễn Văn An');
    assert.equal(user.disabled, false);
    assert.deepEqual(user.roles, []);
    assert.ok(Math.abs(Date.parse(user.created_at) - Date.now()) < 5 * 60 * 1000, `created_at ${user.created_at} is now`);
    const got = await srv.getJSON(admin, `/api/v1/users/${user.id}`);
    assert.equal(got.username, username);
    const list = await srv.getJSON(admin, `/api/v1/users?q=${username}`);
    assert.ok(list.items.some((u) => u.id === user.id));
  });

  test('duplicate username → 409 conflict naming username', async () => {
    const before = await listAll(srv, admin, '/api/v1/users');
    expectError(assert, await srv.request('POST', '/api/v1/users', { session: admin, body: { username, display_name: 'Trùng', password: 'mat-khau-dai-1' } }), 409, 'conflict', 'username');
    expectError(assert, await srv.request('POST', '/api/v1/users', { session: admin, body: { username: 'admin', display_name: 'Trùng', password: 'mat-khau-dai-1' } }), 409, 'conflict', 'username');
    assert.deepEqual(await listAll(srv, admin, '/api/v1/users'), before);
  });

  test('invalid username, display name or password → 400 invalid_value naming the field', async () => {
    const before = await listAll(srv, admin, '/api/v1/users');
    for (const bad of ['ab', 'a'.repeat(33), 'Hoa.Chu', 'có dấu', 'with space', 'semi;colon', 'tab\tname']) {
      expectError(assert, await srv.request('POST', '/api/v1/users', { session: admin, body: { username: bad, display_name: 'X Y', password: 'mat-khau-dai-1' } }), 400, 'invalid_value', 'username');
    }
    // An empty value: invalid_value, or missing_field (the contract does not say which).
    const e = expectError(assert, await srv.request('POST', '/api/v1/users', { session: admin, body: { username: '', display_name: 'X Y', password: 'mat-khau-dai-1' } }), 400, undefined, 'username');
    assert.ok(['invalid_value', 'missing_field'].includes(e.code), e.code);
    expectError(assert, await srv.request('POST', '/api/v1/users', { session: admin, body: { username: 'ngan.qua', display_name: 'Mật Khẩu Ngắn', password: '1234567' } }), 400, 'invalid_value', 'password');
    const d = expectError(assert, await srv.request('POST', '/api/v1/users', { session: admin, body: { username: 'ten.rong', display_name: '', password: 'mat-khau-dai-1' } }), 400, undefined, 'display_name');
    assert.ok(['invalid_value', 'missing_field'].includes(d.code), d.code);
    assert.deepEqual(await listAll(srv, admin, '/api/v1/users'), before);
    // Boundaries that are allowed: 3 and 32 characters of a-z 0-9 . _ -, a strong password of exactly 8.
    for (const ok of ['a.b', 'a_b-c.9'.padEnd(32, 'x')]) {
      const r = await srv.request('POST', '/api/v1/users', { session: admin, body: { username: ok, display_name: 'Biên', password: 'gấu-bắc9' } });
      assert.equal(r.status, 201, `${ok}: ${r.text}`);
    }
  });

  test('grant a role on a unit → 201; the user logs in and /me shows it', async () => {
    // (field_helper: a ward admin cannot grant teacher, whose school.write it lacks; see access.test.mjs)
    const r = await srv.request('POST', `/api/v1/users/${user.id}/roles`, { session: admin, body: { role: 'field_helper', unit_id: schoolId } });
    assert.equal(r.status, 201, r.text);
    grant = r.json;
    assert.equal(typeof grant.id, 'number');
    assert.equal(grant.role, 'field_helper');
    assert.equal(grant.unit_id, schoolId);
    userSession = await srv.login(username, password);
    const me = await srv.getJSON(userSession, '/api/v1/me');
    assert.equal(me.id, user.id);
    assert.equal(me.roles.length, 1);
    assert.equal(me.roles[0].id, grant.id);
    assert.equal(me.roles[0].role, 'field_helper');
    assert.equal(me.roles[0].unit_id, schoolId);
    assert.equal(me.roles[0].unit_name, 'Trường THCS Trần Hưng Đạo');
    assert.deepEqual([...me.capabilities].sort(), [...caps.field_helper].sort());
    const listed = await srv.getJSON(admin, `/api/v1/users/${user.id}`);
    assert.ok(listed.roles.some((x) => x.id === grant.id && x.role === 'field_helper' && x.unit_id === schoolId));
    const byUnit = await listAll(srv, admin, `/api/v1/users?unit_id=${schoolId}`);
    assert.ok(byUnit.items.some((u) => u.id === user.id));
  });

  test('granting an unknown role → 400 invalid_value naming role', async () => {
    expectError(assert, await srv.request('POST', `/api/v1/users/${user.id}/roles`, { session: admin, body: { role: 'wizard', unit_id: schoolId } }), 400, 'invalid_value', 'role');
    expectError(assert, await srv.request('POST', `/api/v1/users/${user.id}/roles`, { session: admin, body: { role: 'field_helper' } }), 400, 'missing_field', 'unit_id');
    assert.equal((await srv.getJSON(admin, `/api/v1/users/${user.id}`)).roles.length, 1);
  });

  test('a second role adds its capabilities; revoking it → 204 and they are gone', async () => {
    const r = await srv.request('POST', `/api/v1/users/${user.id}/roles`, { session: admin, body: { role: 'unit_officer', unit_id: tdpId } });
    assert.equal(r.status, 201, r.text);
    const union = new Set([...caps.field_helper, ...caps.unit_officer]);
    let me = await srv.getJSON(userSession, '/api/v1/me');
    assert.equal(me.roles.length, 2);
    assert.deepEqual([...me.capabilities].sort(), [...union].sort());
    const d = await srv.request('DELETE', `/api/v1/users/${user.id}/roles/${r.json.id}`, { session: admin });
    assert.equal(d.status, 204, d.text);
    me = await srv.getJSON(userSession, '/api/v1/me');
    assert.deepEqual(me.roles.map((x) => x.id), [grant.id]);
    assert.deepEqual([...me.capabilities].sort(), [...caps.field_helper].sort());
    expectError(assert, await srv.request('DELETE', `/api/v1/users/${user.id}/roles/${r.json.id}`, { session: admin }), 404, 'not_found');
    // A grant id of another user does not work through this user.
    const other = (await srv.getJSON(admin, `/api/v1/users/${await srv.userId(admin, 'giaovien')}`)).roles[0];
    expectError(assert, await srv.request('DELETE', `/api/v1/users/${user.id}/roles/${other.id}`, { session: admin }), 404, 'not_found');
    const gv = await srv.login('giaovien');
    assert.equal((await srv.getJSON(gv, '/api/v1/me')).roles.length, 1);
  });

  test('PATCH display_name → 200', async () => {
    const r = await srv.request('PATCH', `/api/v1/users/${user.id}`, { session: admin, body: { display_name: 'Nguyễn Văn Ân' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.display_name, 'Nguyễn Văn Ân');
    assert.equal(r.json.disabled, false);
    assert.equal((await srv.getJSON(userSession, '/api/v1/me')).display_name, 'Nguyễn Văn Ân');
    expectError(assert, await srv.request('PATCH', `/api/v1/users/${user.id}`, { session: admin, body: { disabled: 'yes' } }), 400, 'wrong_type', 'disabled');
    expectError(assert, await srv.request('PATCH', `/api/v1/users/${user.id}`, { session: admin, body: { username: 'doi.ten' } }), 400, 'unknown_field', 'username');
  });

  test('disable → the existing session is refused at once (401) and log-in is refused', async () => {
    const second = await srv.login(username, password);
    const r = await srv.request('PATCH', `/api/v1/users/${user.id}`, { session: admin, body: { disabled: true } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.disabled, true);
    expectError(assert, await srv.request('GET', '/api/v1/me', { session: userSession }), 401, 'unauthenticated');
    expectError(assert, await srv.request('GET', '/api/v1/me', { session: second }), 401, 'unauthenticated');
    const login = await srv.request('POST', '/api/v1/session', { body: { username, password } });
    expectError(assert, login, 403, 'account_disabled');
    assert.ok(![].concat(login.headers['set-cookie'] || []).some((c) => /^hocvuso_session=[^;]+;/.test(c) && !/max-age=0/i.test(c)));
    assert.equal((await srv.getJSON(admin, `/api/v1/users/${user.id}`)).disabled, true);
    // A wrong password for a disabled account does not reveal that it is disabled.
    expectError(assert, await srv.request('POST', '/api/v1/session', { body: { username, password: 'sai-mat-khau-1' } }), 401, 'invalid_credentials');
  });

  test('enable again → log-in works, the old sessions stay dead', async () => {
    const r = await srv.request('PATCH', `/api/v1/users/${user.id}`, { session: admin, body: { disabled: false } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.disabled, false);
    expectError(assert, await srv.request('GET', '/api/v1/me', { session: userSession }), 401, 'unauthenticated');
    userSession = await srv.login(username, password);
    assert.equal((await srv.getJSON(userSession, '/api/v1/me')).id, user.id);
  });

  test('admin resets the password → 204; old sessions end, old password fails, new works', async () => {
    const bystander = await srv.login('vanhoa');
    const newPw = 'Mat-khau-dat-lai-2';
    expectError(assert, await srv.request('PUT', `/api/v1/users/${user.id}/password`, { session: admin, body: { new_password: 'short' } }), 400, 'invalid_value', 'new_password');
    assert.equal((await srv.request('GET', '/api/v1/me', { session: userSession })).status, 200, 'a refused reset changes nothing');
    const r = await srv.request('PUT', `/api/v1/users/${user.id}/password`, { session: admin, body: { new_password: newPw } });
    assert.equal(r.status, 204, r.text);
    expectError(assert, await srv.request('GET', '/api/v1/me', { session: userSession }), 401, 'unauthenticated');
    expectError(assert, await srv.request('POST', '/api/v1/session', { body: { username, password } }), 401, 'invalid_credentials');
    await srv.login(username, newPw);
    assert.equal((await srv.request('GET', '/api/v1/me', { session: bystander })).status, 200);
    assert.equal((await srv.request('GET', '/api/v1/me', { session: admin })).status, 200, 'the admin keeps its session');
  });

  test('users without users.write cannot create users or grant roles', async () => {
    const s = await srv.login('hocvien');
    expectError(assert, await srv.request('GET', '/api/v1/users', { session: s }), 403, 'forbidden');
    expectError(assert, await srv.request('POST', '/api/v1/users', { session: s, body: { username: 'hv.tao', display_name: 'X', password: 'mat-khau-dai-1' } }), 403, 'forbidden');
    expectError(assert, await srv.request('POST', `/api/v1/users/${s.user.id}/roles`, { session: s, body: { role: 'ward_admin', unit_id: wardId } }), 403, 'forbidden');
    expectError(assert, await srv.request('PATCH', `/api/v1/users/${user.id}`, { session: s, body: { disabled: true } }), 403, 'forbidden');
    expectError(assert, await srv.request('PUT', `/api/v1/users/${user.id}/password`, { session: s, body: { new_password: 'mat-khau-dai-1' } }), 403, 'forbidden');
    assert.equal((await srv.getJSON(admin, '/api/v1/me')).roles.length, 1);
    assert.equal((await srv.getJSON(s, '/api/v1/me')).roles.length, 1, 'the learner did not gain a role');
  });
});

describe('an officer and the scope of users', () => {
  let officer, officerCaps;
  before(async () => {
    officer = await srv.login('tdp01');
    officerCaps = new Set((await srv.getJSON(officer, '/api/v1/me')).capabilities);
  });

  test('the officer sees only users with a role in Tổ dân phố số 1\'s subtree', async () => {
    const r = await srv.request('GET', '/api/v1/users?per_page=200', { session: officer });
    if (!officerCaps.has('users.read')) return expectError(assert, r, 403, 'forbidden');
    assert.equal(r.status, 200, r.text);
    const names = r.json.items.map((u) => u.username);
    for (const n of ['tdp01', 'tinhnguyen', 'hocvien']) assert.ok(names.includes(n), `${n} in scope: ${names}`);
    for (const n of ['admin', 'vanhoa', 'congan', 'giaovien']) assert.ok(!names.includes(n), `${n} is outside the scope: ${names}`);
    assert.equal(r.json.total, r.json.items.length);
    const adminId = admin.user.id;
    const out = await srv.request('GET', `/api/v1/users/${adminId}`, { session: officer });
    assert.ok([403, 404].includes(out.status), `GET a user outside the scope: ${out.status} ${out.text}`);
    expectError(assert, out, out.status, out.status === 403 ? 'forbidden' : 'not_found');
    const q = await srv.getJSON(officer, '/api/v1/users?q=giaovien');
    assert.equal(q.total, 0);
    const hv = await srv.getJSON(officer, `/api/v1/users/${await srv.userId(admin, 'hocvien')}`);
    assert.equal(hv.username, 'hocvien');
  });

  test('the officer cannot change users outside the scope', async () => {
    const gvId = await srv.userId(admin, 'giaovien');
    const r1 = await srv.request('PATCH', `/api/v1/users/${gvId}`, { session: officer, body: { disabled: true } });
    assert.ok([403, 404].includes(r1.status), `${r1.status} ${r1.text}`);
    const r2 = await srv.request('PUT', `/api/v1/users/${gvId}/password`, { session: officer, body: { new_password: 'mat-khau-dai-1' } });
    assert.ok([403, 404].includes(r2.status), `${r2.status} ${r2.text}`);
    const gv = await srv.getJSON(admin, `/api/v1/users/${gvId}`);
    assert.equal(gv.disabled, false);
    await srv.login('giaovien');
  });

  test('the officer cannot grant a role on a unit outside the subtree → 403', async () => {
    const hvId = await srv.userId(admin, 'hocvien');
    const before = (await srv.getJSON(admin, `/api/v1/users/${hvId}`)).roles;
    expectError(assert, await srv.request('POST', `/api/v1/users/${hvId}/roles`, { session: officer, body: { role: 'ward_admin', unit_id: wardId } }), 403, 'forbidden');
    expectError(assert, await srv.request('POST', `/api/v1/users/${hvId}/roles`, { session: officer, body: { role: 'teacher', unit_id: schoolId } }), 403, 'forbidden');
    // Nor revoke a grant on a unit outside the subtree.
    const admGrant = (await srv.getJSON(admin, '/api/v1/me')).roles[0];
    const rv = await srv.request('DELETE', `/api/v1/users/${admin.user.id}/roles/${admGrant.id}`, { session: officer });
    assert.ok([403, 404].includes(rv.status), `${rv.status} ${rv.text}`);
    assert.equal((await srv.getJSON(admin, '/api/v1/me')).roles.length, 1);
    assert.deepEqual((await srv.getJSON(admin, `/api/v1/users/${hvId}`)).roles, before);
    // Inside the subtree, granting follows users.write.
    const ok = await srv.request('POST', `/api/v1/users/${hvId}/roles`, { session: officer, body: { role: 'field_helper', unit_id: tdpId } });
    if (officerCaps.has('users.write')) {
      assert.equal(ok.status, 201, ok.text);
      const d = await srv.request('DELETE', `/api/v1/users/${hvId}/roles/${ok.json.id}`, { session: officer });
      assert.equal(d.status, 204, d.text);
    } else {
      expectError(assert, ok, 403, 'forbidden');
    }
    assert.deepEqual((await srv.getJSON(admin, `/api/v1/users/${hvId}`)).roles, before);
  });
});

// The officer above lacks users.write, so a 403 there proves little about scope. A ward_admin
// granted on Tổ dân phố số 1 has users.write, but only on that subtree.
describe('a ward_admin of Tổ dân phố số 1 only (users.write on a subtree)', () => {
  let sub;
  before(async () => {
    sub = await userWithRole(srv, admin, { username: 'qt.to.mot', role: 'ward_admin', unitId: tdpId });
  });

  test('sees only the users of the subtree', async () => {
    const { items } = await listAll(srv, sub, '/api/v1/users');
    const names = items.map((u) => u.username);
    for (const n of ['tdp01', 'tinhnguyen', 'hocvien', 'qt.to.mot']) assert.ok(names.includes(n), `${n} in scope: ${names}`);
    for (const n of ['admin', 'vanhoa', 'congan', 'giaovien']) assert.ok(!names.includes(n), `${n} outside the scope: ${names}`);
  });

  test('grants and revokes inside the subtree; 403 on a unit outside it', async () => {
    const hvId = await srv.userId(admin, 'hocvien');
    const before = (await srv.getJSON(admin, `/api/v1/users/${hvId}`)).roles;
    const ok = await srv.request('POST', `/api/v1/users/${hvId}/roles`, { session: sub, body: { role: 'field_helper', unit_id: tdpId } });
    assert.equal(ok.status, 201, ok.text);
    const d = await srv.request('DELETE', `/api/v1/users/${hvId}/roles/${ok.json.id}`, { session: sub });
    assert.equal(d.status, 204, d.text);
    expectError(assert, await srv.request('POST', `/api/v1/users/${hvId}/roles`, { session: sub, body: { role: 'ward_admin', unit_id: wardId } }), 403, 'forbidden');
    expectError(assert, await srv.request('POST', `/api/v1/users/${hvId}/roles`, { session: sub, body: { role: 'teacher', unit_id: schoolId } }), 403, 'forbidden');
    assert.deepEqual((await srv.getJSON(admin, `/api/v1/users/${hvId}`)).roles, before);
    // It cannot lift itself out of its subtree either.
    expectError(assert, await srv.request('POST', `/api/v1/users/${sub.userId}/roles`, { session: sub, body: { role: 'ward_admin', unit_id: wardId } }), 403, 'forbidden');
    assert.equal((await srv.getJSON(sub, '/api/v1/me')).roles.length, 1);
  });

  test('cannot touch users or grants outside the subtree', async () => {
    const gvId = await srv.userId(admin, 'giaovien');
    const gvBefore = await srv.getJSON(admin, `/api/v1/users/${gvId}`);
    for (const [method, path, body] of [
      ['GET', `/api/v1/users/${gvId}`, undefined],
      ['PATCH', `/api/v1/users/${gvId}`, { disabled: true }],
      ['PATCH', `/api/v1/users/${gvId}`, { display_name: 'Bị đổi tên' }],
      ['PUT', `/api/v1/users/${gvId}/password`, { new_password: 'mat-khau-dai-1' }],
      ['DELETE', `/api/v1/users/${gvId}/roles/${gvBefore.roles[0].id}`, undefined],
      ['DELETE', `/api/v1/users/${admin.user.id}/roles/${admin.user.roles[0].id}`, undefined],
    ]) {
      const r = await srv.request(method, path, { session: sub, body });
      assert.ok([403, 404].includes(r.status), `${method} ${path}: ${r.status} ${r.text}`);
      expectError(assert, r, r.status, r.status === 403 ? 'forbidden' : 'not_found');
    }
    assert.deepEqual(await srv.getJSON(admin, `/api/v1/users/${gvId}`), gvBefore);
    assert.equal((await srv.getJSON(admin, '/api/v1/me')).roles.length, 1);
    await srv.login('giaovien');
  });

  test('can disable and re-enable a user inside the subtree', async () => {
    const hvId = await srv.userId(admin, 'hocvien');
    const hv = await srv.login('hocvien');
    const r = await srv.request('PATCH', `/api/v1/users/${hvId}`, { session: sub, body: { disabled: true } });
    assert.equal(r.status, 200, r.text);
    expectError(assert, await srv.request('GET', '/api/v1/me', { session: hv }), 401, 'unauthenticated');
    const r2 = await srv.request('PATCH', `/api/v1/users/${hvId}`, { session: sub, body: { disabled: false } });
    assert.equal(r2.status, 200, r2.text);
    await srv.login('hocvien');
  });
});
