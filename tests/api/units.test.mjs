// Units: scope roots, children, search, paging, create and edit, who may see and change what.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, expectError, listAll, roleCaps, WARD_NAME, CITY_NAME, uniq, userWithRole, groupKind, finish } from './lib/server.mjs';

let srv, admin, wardId, tdpId, kinds, caps, gk;
const fold = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase();

function assertUnitShape(u) {
  for (const k of ['id', 'depth', 'children_count']) assert.equal(typeof u[k], 'number', `${k} of ${JSON.stringify(u)}`);
  for (const k of ['kind', 'kind_label', 'name']) assert.equal(typeof u[k], 'string', `${k} of ${JSON.stringify(u)}`);
  assert.ok(u.parent_id === null || typeof u.parent_id === 'number');
  assert.ok(u.code === null || typeof u.code === 'string');
  assert.ok(kinds.some((k) => k.code === u.kind && k.label === u.kind_label), `kind ${u.kind}/${u.kind_label} is in /api/v1/meta`);
}

function assertPage(j, page, perPage) {
  assert.ok(Array.isArray(j.items));
  assert.equal(j.page, page);
  assert.equal(j.per_page, perPage);
  assert.equal(typeof j.total, 'number');
  assert.ok(j.items.length <= perPage);
}

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  const meta = await srv.getJSON(admin, '/api/v1/meta');
  kinds = meta.unit_kinds;
  assert.ok(kinds.length > 0);
  caps = await roleCaps(srv, admin);
  wardId = await srv.unitId(admin, WARD_NAME);
  tdpId = await srv.unitId(admin, 'Tổ dân phố số 1');
  gk = await groupKind(srv, admin);
});
after(async () => {
  await finish(srv, assert);
});

test('the admin\'s scope root is the ward, child of the city', async () => {
  const j = await srv.getJSON(admin, '/api/v1/units');
  assertPage(j, 1, 50);
  assert.equal(j.total, 1, JSON.stringify(j));
  const ward = j.items[0];
  assertUnitShape(ward);
  assert.equal(ward.name, WARD_NAME);
  assert.equal(ward.id, wardId);
  assert.equal(typeof ward.parent_id, 'number', 'the ward has a parent (the city)');
  assert.ok(ward.children_count > 0);
  const detail = await srv.getJSON(admin, `/api/v1/units/${wardId}`);
  assert.equal(detail.name, WARD_NAME);
  assert.equal(detail.id, wardId);
  assert.ok(Array.isArray(detail.ancestors));
  const city = detail.ancestors.find((a) => a.name === CITY_NAME);
  assert.ok(city, `ancestors of the ward include ${CITY_NAME}: ${JSON.stringify(detail.ancestors)}`);
  assert.equal(city.id, ward.parent_id);
  // The city is outside the admin's scope.
  expectError(assert, await srv.request('GET', `/api/v1/units/${city.id}`, { session: admin }), 403, 'forbidden');
  const kids = await srv.request('GET', `/api/v1/units?parent_id=${city.id}`, { session: admin });
  if (kids.status === 200) {
    assert.ok(kids.json.items.every((u) => u.id === wardId), `only the ward may be listed under the city: ${kids.text}`);
  } else {
    expectError(assert, kids, 403, 'forbidden');
  }
});

test('children of the ward: parent, depth and children_count agree', async () => {
  const ward = await srv.getJSON(admin, `/api/v1/units/${wardId}`);
  const { items, total } = await listAll(srv, admin, `/api/v1/units?parent_id=${wardId}`);
  assert.equal(items.length, total);
  assert.equal(total, ward.children_count, 'children_count equals the number of children');
  const names = items.map((u) => u.name);
  for (const n of ['Tổ dân phố số 1', 'Phòng Văn hóa - Xã hội', 'Công an phường Hải Dương']) {
    // These are in the ward's subtree; when not direct children, they are found by search below.
    if (names.includes(n)) continue;
    assert.ok(await srv.findUnit(admin, n), `${n} is in the admin's scope`);
  }
  for (const u of items) {
    assertUnitShape(u);
    assert.equal(u.parent_id, wardId);
    assert.equal(u.depth, ward.depth + 1);
  }
  assert.equal(new Set(items.map((u) => u.id)).size, items.length, 'no duplicates');
  // Ancestors of a grandchild run through the ward.
  const tdp = await srv.getJSON(admin, `/api/v1/units/${tdpId}`);
  assert.ok(tdp.ancestors.some((a) => a.id === wardId), JSON.stringify(tdp.ancestors));
  assert.ok(!tdp.ancestors.some((a) => a.id === tdpId), 'a unit is not its own ancestor');
});

test('search by q finds units by exact substring, only in scope', async () => {
  const j = await srv.getJSON(admin, `/api/v1/units?q=${encodeURIComponent('Tổ dân phố số 1')}`);
  assert.ok(j.items.some((u) => u.id === tdpId));
  // Exact substrings must be found; folding case and accents is allowed, so compare folded.
  for (const u of j.items) assert.ok(fold(u.name).includes(fold('Tổ dân phố số 1')) || fold(u.code || '').includes(fold('Tổ dân phố số 1')), u.name);
  const part = await srv.getJSON(admin, `/api/v1/units?q=${encodeURIComponent('Văn hóa')}`);
  assert.ok(part.items.some((u) => u.name === 'Phòng Văn hóa - Xã hội'), part.items.map((u) => u.name).join(', '));
  const none = await srv.getJSON(admin, `/api/v1/units?q=${encodeURIComponent('zzzkhongcozzz')}`);
  assert.equal(none.total, 0);
  assert.deepEqual(none.items, []);
  // The city is out of scope, so a search does not find it.
  const city = await srv.getJSON(admin, `/api/v1/units?q=${encodeURIComponent(CITY_NAME)}`);
  assert.ok(!city.items.some((u) => u.name === CITY_NAME), 'search leaks a unit outside the scope');
});

describe('create and edit', () => {
  let created;
  test('admin creates a child unit → 201 with every field', async () => {
    const code = uniq('TDP-');
    const name = `Tổ dân phố ${code}`;
    const r = await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: wardId, kind: kinds[kinds.length - 1].code, name, code } });
    assert.equal(r.status, 201, r.text);
    created = r.json;
    assertUnitShape(created);
    assert.equal(created.name, name);
    assert.equal(created.code, code);
    assert.equal(created.parent_id, wardId);
    assert.equal(created.kind, kinds[kinds.length - 1].code);
    assert.equal(created.children_count, 0);
    const ward = await srv.getJSON(admin, `/api/v1/units/${wardId}`);
    assert.equal(created.depth, ward.depth + 1);
    const got = await srv.getJSON(admin, `/api/v1/units/${created.id}`);
    assert.equal(got.name, name);
    assert.ok(got.ancestors.some((a) => a.id === wardId && a.name === WARD_NAME));
    const kids = await listAll(srv, admin, `/api/v1/units?parent_id=${wardId}`);
    assert.ok(kids.items.some((u) => u.id === created.id));
    assert.equal(kids.total, ward.children_count);
    // code is optional
    const r2 = await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: created.id, kind: 'team', name: 'Nhóm không mã' } });
    assert.equal(r2.status, 201, r2.text);
    assert.equal(r2.json.code, null);
    assert.equal(r2.json.depth, created.depth + 1);
    assert.equal((await srv.getJSON(admin, `/api/v1/units/${created.id}`)).children_count, 1);
  });

  test('admin edits it → 200, and the change is stored', async () => {
    const r = await srv.request('PATCH', `/api/v1/units/${created.id}`, { session: admin, body: { name: 'Tổ dân phố đã đổi tên' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.name, 'Tổ dân phố đã đổi tên');
    assert.equal(r.json.code, created.code, 'fields not sent are kept');
    assert.equal(r.json.kind, created.kind);
    const got = await srv.getJSON(admin, `/api/v1/units/${created.id}`);
    assert.equal(got.name, 'Tổ dân phố đã đổi tên');
    const r2 = await srv.request('PATCH', `/api/v1/units/${created.id}`, { session: admin, body: { kind: 'office', code: 'MOI-01' } });
    assert.equal(r2.status, 200, r2.text);
    assert.equal(r2.json.kind, 'office');
    assert.equal(r2.json.code, 'MOI-01');
    assert.equal(r2.json.name, 'Tổ dân phố đã đổi tên');
    const found = await srv.getJSON(admin, `/api/v1/units?q=${encodeURIComponent('đã đổi tên')}`);
    assert.ok(found.items.some((u) => u.id === created.id));
  });

  test('validation: empty name, unknown kind → 400 invalid_value naming the field', async () => {
    const before = JSON.stringify(await listAll(srv, admin, `/api/v1/units?parent_id=${wardId}`));
    // An empty value: invalid_value, or missing_field (the contract does not say which).
    const empty = (r, field) => assert.ok(['invalid_value', 'missing_field'].includes(expectError(assert, r, 400, undefined, field).code), r.text);
    empty(await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: wardId, kind: gk, name: '' } }), 'name');
    expectError(assert, await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: wardId, kind: 'lau_dai', name: 'Lâu đài' } }), 400, 'invalid_value', 'kind');
    empty(await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: wardId, kind: '', name: 'Rỗng' } }), 'kind');
    empty(await srv.request('PATCH', `/api/v1/units/${created.id}`, { session: admin, body: { name: '' } }), 'name');
    expectError(assert, await srv.request('PATCH', `/api/v1/units/${created.id}`, { session: admin, body: { kind: 'lau_dai' } }), 400, 'invalid_value', 'kind');
    assert.equal(JSON.stringify(await listAll(srv, admin, `/api/v1/units?parent_id=${wardId}`)), before);
    assert.equal((await srv.getJSON(admin, `/api/v1/units/${created.id}`)).name, 'Tổ dân phố đã đổi tên');
  });

  test('a name of blanks only is an empty name → 400 naming name', async () => {
    const before = JSON.stringify(await listAll(srv, admin, `/api/v1/units?parent_id=${wardId}`));
    for (const name of ['   ', '\t', ' \n ']) {
      const r = await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: wardId, kind: gk, name } });
      const e = expectError(assert, r, 400, undefined, 'name');
      assert.ok(['invalid_value', 'missing_field'].includes(e.code), e.code);
    }
    expectError(assert, await srv.request('PATCH', `/api/v1/units/${created.id}`, { session: admin, body: { name: '  ' } }), 400, undefined, 'name');
    assert.equal(JSON.stringify(await listAll(srv, admin, `/api/v1/units?parent_id=${wardId}`)), before);
  });
});

test('pagination: total, page and per_page are honoured and pages do not overlap', async () => {
  // Make sure the ward has at least 5 children.
  for (let i = 0; i < 5; i++) {
    const r = await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: wardId, kind: gk, name: `Tổ phân trang ${i}` } });
    assert.equal(r.status, 201, r.text);
  }
  const all = await srv.getJSON(admin, `/api/v1/units?parent_id=${wardId}&per_page=200`);
  assertPage(all, 1, 200);
  assert.equal(all.items.length, all.total);
  assert.ok(all.total >= 5);
  const def = await srv.getJSON(admin, `/api/v1/units?parent_id=${wardId}`);
  assertPage(def, 1, 50);
  const seen = [];
  const pages = Math.ceil(all.total / 2);
  for (let p = 1; p <= pages; p++) {
    const j = await srv.getJSON(admin, `/api/v1/units?parent_id=${wardId}&page=${p}&per_page=2`);
    assertPage(j, p, 2);
    assert.equal(j.total, all.total);
    assert.equal(j.items.length, p < pages ? 2 : all.total - 2 * (pages - 1));
    seen.push(...j.items.map((u) => u.id));
  }
  assert.deepEqual(seen, all.items.map((u) => u.id), 'pages concatenate to the full list, in the same order');
  const beyond = await srv.getJSON(admin, `/api/v1/units?parent_id=${wardId}&page=${pages + 1}&per_page=2`);
  assertPage(beyond, pages + 1, 2);
  assert.deepEqual(beyond.items, []);
  assert.equal(beyond.total, all.total);
  // Paging applies to search too.
  const q = await srv.getJSON(admin, `/api/v1/units?q=${encodeURIComponent('Tổ phân trang')}&per_page=3`);
  assert.equal(q.total, 5);
  assert.equal(q.items.length, 3);
  const q2 = await srv.getJSON(admin, `/api/v1/units?q=${encodeURIComponent('Tổ phân trang')}&per_page=3&page=2`);
  assert.equal(q2.items.length, 2);
  assert.equal(new Set([...q.items, ...q2.items].map((u) => u.id)).size, 5);
});

test('the learner gets 403 forbidden on the units endpoints', async () => {
  const s = await srv.login('hocvien');
  expectError(assert, await srv.request('GET', '/api/v1/units', { session: s }), 403, 'forbidden');
  expectError(assert, await srv.request('GET', `/api/v1/units/${tdpId}`, { session: s }), 403, 'forbidden');
  expectError(assert, await srv.request('GET', `/api/v1/units?parent_id=${tdpId}`, { session: s }), 403, 'forbidden');
  expectError(assert, await srv.request('POST', '/api/v1/units', { session: s, body: { parent_id: tdpId, kind: gk, name: 'Học viên tạo' } }), 403, 'forbidden');
  expectError(assert, await srv.request('PATCH', `/api/v1/units/${tdpId}`, { session: s, body: { name: 'Học viên sửa' } }), 403, 'forbidden');
  assert.equal((await srv.getJSON(admin, `/api/v1/units/${tdpId}`)).name, 'Tổ dân phố số 1');
});

describe('the officer of Tổ dân phố số 1 sees only that subtree', () => {
  let officer;
  before(async () => {
    officer = await srv.login('tdp01');
  });

  test('scope root is Tổ dân phố số 1', async () => {
    const j = await srv.getJSON(officer, '/api/v1/units');
    assert.equal(j.total, 1, JSON.stringify(j));
    assert.equal(j.items[0].id, tdpId);
    assert.equal(j.items[0].name, 'Tổ dân phố số 1');
    const d = await srv.getJSON(officer, `/api/v1/units/${tdpId}`);
    assert.equal(d.id, tdpId);
  });

  test('403 on the ward and on units outside the subtree', async () => {
    expectError(assert, await srv.request('GET', `/api/v1/units/${wardId}`, { session: officer }), 403, 'forbidden');
    const vh = await srv.unitId(admin, 'Phòng Văn hóa - Xã hội');
    expectError(assert, await srv.request('GET', `/api/v1/units/${vh}`, { session: officer }), 403, 'forbidden');
    expectError(assert, await srv.request('PATCH', `/api/v1/units/${vh}`, { session: officer, body: { name: 'Bị sửa' } }), 403, 'forbidden');
    expectError(assert, await srv.request('PATCH', `/api/v1/units/${wardId}`, { session: officer, body: { name: 'Bị sửa' } }), 403, 'forbidden');
    assert.equal((await srv.getJSON(admin, `/api/v1/units/${vh}`)).name, 'Phòng Văn hóa - Xã hội');
    assert.equal((await srv.getJSON(admin, `/api/v1/units/${wardId}`)).name, WARD_NAME);
    // Listing the ward's children shows nothing outside the subtree (or is refused).
    const kids = await srv.request('GET', `/api/v1/units?parent_id=${wardId}`, { session: officer });
    if (kids.status === 200) assert.ok(kids.json.items.every((u) => u.id === tdpId), kids.text);
    else expectError(assert, kids, 403, 'forbidden');
    // Search does not leak.
    const q = await srv.getJSON(officer, `/api/v1/units?q=${encodeURIComponent('Văn hóa')}`);
    assert.equal(q.total, 0, q.items.map((u) => u.name).join(', '));
    const q2 = await srv.getJSON(officer, `/api/v1/units?q=${encodeURIComponent('Phường')}`);
    assert.ok(q2.items.every((u) => u.id !== wardId));
  });

  test('cannot create a unit under the ward → 403', async () => {
    const before = await srv.getJSON(admin, `/api/v1/units?parent_id=${wardId}&per_page=200`);
    expectError(assert, await srv.request('POST', '/api/v1/units', { session: officer, body: { parent_id: wardId, kind: gk, name: 'Tổ lạ' } }), 403, 'forbidden');
    const after_ = await srv.getJSON(admin, `/api/v1/units?parent_id=${wardId}&per_page=200`);
    assert.deepEqual(after_, before);
  });

  test('inside the subtree, writing follows the unit_officer capabilities', async () => {
    const r = await srv.request('POST', '/api/v1/units', { session: officer, body: { parent_id: tdpId, kind: gk, name: 'Nhóm của tổ 1' } });
    if (caps.unit_officer.has('units.write')) {
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.parent_id, tdpId);
      const child = await srv.getJSON(officer, `/api/v1/units/${r.json.id}`);
      assert.equal(child.name, 'Nhóm của tổ 1');
      const kids = await srv.getJSON(officer, `/api/v1/units?parent_id=${tdpId}`);
      assert.ok(kids.items.some((u) => u.id === r.json.id));
    } else {
      expectError(assert, r, 403, 'forbidden');
    }
  });
});

// The unit officer has no units.write at all, so its 403s say nothing about scope: a ward_admin
// granted on Tổ dân phố số 1 has units.write, but only on that subtree.
describe('a ward_admin of Tổ dân phố số 1 only (units.write on a subtree)', () => {
  let sub;
  before(async () => {
    sub = await userWithRole(srv, admin, { username: 'qt.don.vi', role: 'ward_admin', unitId: tdpId });
  });

  test('creates and edits inside the subtree', async () => {
    const r = await srv.request('POST', '/api/v1/units', { session: sub, body: { parent_id: tdpId, kind: 'team', name: 'Nhóm do tổ tạo' } });
    assert.equal(r.status, 201, r.text);
    const p = await srv.request('PATCH', `/api/v1/units/${r.json.id}`, { session: sub, body: { name: 'Nhóm do tổ sửa' } });
    assert.equal(p.status, 200, p.text);
    assert.equal((await srv.getJSON(admin, `/api/v1/units/${r.json.id}`)).name, 'Nhóm do tổ sửa');
  });

  test('403 on creating under, or editing, anything outside the subtree', async () => {
    const vh = await srv.unitId(admin, 'Phòng Văn hóa - Xã hội');
    const before = JSON.stringify(await listAll(srv, admin, `/api/v1/units?parent_id=${wardId}`));
    expectError(assert, await srv.request('POST', '/api/v1/units', { session: sub, body: { parent_id: wardId, kind: gk, name: 'Tổ vượt quyền' } }), 403, 'forbidden');
    expectError(assert, await srv.request('POST', '/api/v1/units', { session: sub, body: { parent_id: vh, kind: gk, name: 'Nhóm vượt quyền' } }), 403, 'forbidden');
    expectError(assert, await srv.request('PATCH', `/api/v1/units/${wardId}`, { session: sub, body: { name: 'Phường bị sửa' } }), 403, 'forbidden');
    expectError(assert, await srv.request('PATCH', `/api/v1/units/${vh}`, { session: sub, body: { name: 'Phòng bị sửa' } }), 403, 'forbidden');
    expectError(assert, await srv.request('GET', `/api/v1/units/${wardId}`, { session: sub }), 403, 'forbidden');
    assert.equal(JSON.stringify(await listAll(srv, admin, `/api/v1/units?parent_id=${wardId}`)), before);
    assert.equal((await srv.getJSON(admin, `/api/v1/units/${vh}`)).name, 'Phòng Văn hóa - Xã hội');
  });
});

test('roles without units.read get 403 on units', async () => {
  for (const username of ['congan', 'giaovien', 'tinhnguyen', 'vanhoa']) {
    const s = await srv.login(username);
    const me = await srv.getJSON(s, '/api/v1/me');
    const r = await srv.request('GET', '/api/v1/units', { session: s });
    if (me.capabilities.includes('units.read')) {
      assert.equal(r.status, 200, r.text);
      assert.ok(r.json.items.every((u) => u.id !== wardId || me.roles.some((x) => x.unit_id === wardId)));
    } else {
      expectError(assert, r, 403, 'forbidden');
    }
  }
});
