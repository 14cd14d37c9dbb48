// trail.test.mjs: a resident's audit trail (GET /api/v1/audit?entity=person&entity_id=N): the
// entries about that record and no other (not those of a namesake), newest first, within the
// caller's scope. SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// Owns: its server and the synthetic people it makes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, finish, uniq, expectError } from './lib/server.mjs';

let srv, admin, tdp01;
let tdp1;
const tag = uniq('t').replace(/[^a-z]/g, '');

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  tdp01 = await srv.login('tdp01');
  tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1');
});
after(async () => finish(srv, assert));

async function person(name) {
  const r = await srv.request('POST', '/api/v1/residents', { session: admin, body: { full_name: name, unit_id: tdp1, sex: 'F', birth_date: '1980' } });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}

test('a record\'s trail holds its own entries only, newest first', async () => {
  const name = `Nguyễn Thị Vết ${tag}`;
  const a = await person(name);
  const b = await person(name); // a namesake: same name, another record
  for (const id of [a, b]) assert.equal((await srv.request('GET', `/api/v1/residents/${id}`, { session: admin })).status, 200);
  const upd = await srv.request('PATCH', `/api/v1/residents/${a}`, { session: admin, body: { birth_date: '1981' } });
  assert.equal(upd.status, 200, upd.text);
  const trail = await srv.getJSON(admin, `/api/v1/audit?entity=person&entity_id=${a}&per_page=200`);
  assert.ok(trail.items.length >= 3, `create, read, update: ${JSON.stringify(trail.items.map((e) => e.action))}`);
  for (const e of trail.items) {
    assert.equal(e.entity, 'person');
    assert.equal(e.entity_id, a);
  }
  const ids = trail.items.map((e) => e.id);
  assert.deepEqual(ids, [...ids].sort((x, y) => y - x), 'newest first');
  assert.equal(trail.total, trail.items.length);
  assert.ok(trail.items.some((e) => e.action === 'person.update'));
  const other = await srv.getJSON(admin, `/api/v1/audit?entity=person&entity_id=${b}&per_page=200`);
  assert.ok(other.items.length >= 2);
  assert.ok(other.items.every((e) => e.entity_id === b));
  assert.ok(!other.items.some((e) => e.action === 'person.update'));
  // Keyset pages of one entry each walk the same trail.
  const first = await srv.getJSON(admin, `/api/v1/audit?entity=person&entity_id=${a}&per_page=1`);
  assert.equal(first.items[0].id, ids[0]);
  const second = await srv.getJSON(admin, `/api/v1/audit?entity=person&entity_id=${a}&per_page=1&before=${first.older}`);
  assert.equal(second.items[0].id, ids[1]);
});

test('entity_id is validated', async () => {
  const r = await srv.request('GET', '/api/v1/audit?entity_id=abc', { session: admin });
  expectError(assert, r, 400, undefined, 'entity_id');
  const z = await srv.request('GET', '/api/v1/audit?entity_id=0', { session: admin });
  expectError(assert, z, 400, undefined, 'entity_id');
});
