// events.test.mjs: events such as Ngày hội toàn dân học tập số on 10/10 (issue 9 part 6) over real
// HTTP: a unit with people.write records the event (day, place), its activities, the registered
// residents who took part (once each) and a head count of those not registered; the total is the
// two together; bad input names its field and changes nothing; a tổ officer neither reads nor
// changes the ward's event, and records only people they may see; a learner gets 403.
// SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// Owns: its server and the synthetic people and events it makes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, finish, uniq, expectError } from './lib/server.mjs';

let srv, admin, tdp01, hocvien;
let ward, tdp1, tdp2;
let pa, pb, pc, gone, ev;
const tag = uniq('e').replace(/[^a-z0-9]/g, '').replace(/[0-9]/g, (d) => 'abcdefghij'[d]);

async function person(unit, name) {
  const r = await srv.request('POST', '/api/v1/residents', { session: admin, body: { full_name: name, unit_id: unit } });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}
const post = (session, path, body) => srv.request('POST', `/api/v1/events${path}`, { session, body });
const patch = (session, id, body) => srv.request('PATCH', `/api/v1/events/${id}`, { session, body });

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  tdp01 = await srv.login('tdp01');
  hocvien = await srv.login('hocvien');
  ward = await srv.unitId(admin, 'Phường Hải Dương');
  tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1');
  tdp2 = await srv.unitId(admin, 'Tổ dân phố số 2');
  pa = await person(tdp1, `Nguyễn Thị Hội ${tag}`);
  pb = await person(tdp1, `Trần Văn Vui ${tag}`);
  pc = await person(tdp2, `Lê Thị Số ${tag}`);
  gone = await person(tdp1, `Phạm Văn Xóa ${tag}`);
  const del = await srv.request('DELETE', `/api/v1/residents/${gone}`, { session: admin });
  assert.equal(del.status, 204, del.text);
});
after(async () => finish(srv, assert));

test('the ward records Ngày hội toàn dân học tập số: activities, registered participants and a head count', async () => {
  const r = await post(admin, '', { title: `Ngày hội toàn dân học tập số ${tag}`, held_on: '10/10/2025', place: 'Trung tâm Văn hóa phường', unit_id: ward, head_count: 200 });
  assert.equal(r.status, 201, r.text);
  ev = r.json;
  assert.equal(ev.held_on, '2025-10-10');
  assert.equal(ev.unit_name, 'Phường Hải Dương');
  assert.deepEqual([ev.head_count, ev.registered, ev.total], [200, 0, 200]);
  assert.equal(ev.created_by, 'Quản trị phường Hải Dương');
  for (const title of ['Hướng dẫn kích hoạt VNeID mức 2', 'Gian hàng thanh toán bằng mã QR']) {
    const a = await post(admin, `/${ev.id}/activities`, { title });
    assert.equal(a.status, 201, a.text);
  }
  for (const p of [pa, pb, pc]) assert.equal((await post(admin, `/${ev.id}/participants`, { participant_id: p })).status, 201);
  const again = await post(admin, `/${ev.id}/participants`, { participant_id: pa });
  assert.equal(again.status, 200, again.text, 'recorded once');
  assert.deepEqual(again.json.activities.map((a) => a.title), ['Hướng dẫn kích hoạt VNeID mức 2', 'Gian hàng thanh toán bằng mã QR']);
  assert.deepEqual(again.json.participants.map((p) => p.person_id), [pc, pa, pb], 'by name');
  assert.deepEqual([again.json.head_count, again.json.registered, again.json.total], [200, 3, 203]);
  const u = await patch(admin, ev.id, { head_count: 260 });
  assert.equal(u.status, 200, u.text);
  assert.deepEqual([u.json.head_count, u.json.total, u.json.title], [260, 263, `Ngày hội toàn dân học tập số ${tag}`]);
  const list = await srv.getJSON(admin, `/api/v1/events?unit_id=${ward}&per_page=50`);
  const row = list.items.find((x) => x.id === ev.id);
  assert.deepEqual([row.registered, row.head_count, row.total, row.activities], [3, 260, 263, 2]);
  const audit = await srv.request('GET', `/api/v1/audit?entity=event&entity_id=${ev.id}`, { session: admin });
  assert.deepEqual(audit.json.items.map((x) => x.action).sort(), ['event.activity', 'event.activity', 'event.create', 'event.update']);
  const pAudit = await srv.request('GET', `/api/v1/audit?entity=person&entity_id=${pa}&action=event.`, { session: admin });
  assert.deepEqual(pAudit.json.items.map((x) => x.action), ['event.participant']);
});

test('bad input is refused naming its field, and nothing changes', async () => {
  expectError(assert, await post(admin, '', { title: 'Ngày hội', held_on: '31/02/2025', place: 'Sân', unit_id: ward }), 400, 'invalid_value', 'held_on');
  expectError(assert, await post(admin, '', { title: 'Ngày hội', held_on: '10/10/2025', unit_id: ward }), 400, 'missing_field', 'place');
  expectError(assert, await post(admin, '', { title: 'Ngày hội', held_on: '10/10/2025', place: 'Sân', unit_id: ward, head_count: -5 }), 400, undefined, 'head_count');
  expectError(assert, await post(admin, '', { title: 'Ngày hội', held_on: '10/10/2025', place: 'Sân', unit_id: 2147480001 }), 404, 'not_found', 'unit_id');
  expectError(assert, await patch(admin, ev.id, { head_count: 2000000 }), 400, undefined, 'head_count');
  expectError(assert, await patch(admin, ev.id, { held_on: 'mười tháng mười' }), 400, 'invalid_value', 'held_on');
  expectError(assert, await post(admin, `/${ev.id}/activities`, { title: ' ' }), 400, undefined, 'title');
  expectError(assert, await post(admin, `/${ev.id}/participants`, { participant_id: 2147480001 }), 404, 'not_found', 'participant_id');
  expectError(assert, await post(admin, `/${ev.id}/participants`, { participant_id: gone }), 404, 'not_found', 'participant_id');
  expectError(assert, await post(admin, '/2147480001/participants', { participant_id: pa }), 404, 'not_found', 'id');
  const e = await srv.getJSON(admin, `/api/v1/events/${ev.id}`);
  assert.deepEqual([e.held_on, e.head_count, e.registered, e.activities.length], ['2025-10-10', 260, 3, 2]);
});

test('a deleted participant leaves the count', async () => {
  const p = await person(tdp1, `Đỗ Thị Rời ${tag}`);
  assert.equal((await post(admin, `/${ev.id}/participants`, { participant_id: p })).json.registered, 4);
  assert.equal((await srv.request('DELETE', `/api/v1/residents/${p}`, { session: admin })).status, 204);
  const e = await srv.getJSON(admin, `/api/v1/events/${ev.id}`);
  assert.equal(e.registered, 3);
  assert.ok(!e.participants.some((x) => x.person_id === p));
});

test('scope: a tổ officer runs the events of their tổ only, with people they may see; a learner gets 403', async () => {
  expectError(assert, await srv.request('GET', `/api/v1/events/${ev.id}`, { session: tdp01 }), 403, 'forbidden', 'id');
  expectError(assert, await patch(tdp01, ev.id, { head_count: 1 }), 403, 'forbidden', 'id');
  expectError(assert, await post(tdp01, `/${ev.id}/participants`, { participant_id: pa }), 403, 'forbidden', 'id');
  expectError(assert, await post(tdp01, '', { title: 'Ngày hội', held_on: '10/10/2025', place: 'Sân', unit_id: ward }), 403, 'forbidden', 'unit_id');
  const mine = await post(tdp01, '', { title: `Ngày hội tổ một ${tag}`, held_on: '2025-10-11', place: 'Nhà văn hóa tổ 1', unit_id: tdp1 });
  assert.equal(mine.status, 201, mine.text);
  assert.equal((await post(tdp01, `/${mine.json.id}/participants`, { participant_id: pa })).status, 201);
  expectError(assert, await post(tdp01, `/${mine.json.id}/participants`, { participant_id: pc }), 403, 'forbidden', 'participant_id');
  const list = await srv.getJSON(tdp01, '/api/v1/events');
  assert.deepEqual(list.items.map((x) => x.id), [mine.json.id]);
  expectError(assert, await srv.request('GET', '/api/v1/events', { session: hocvien }), 403, 'forbidden');
  expectError(assert, await post(hocvien, '', { title: 'Ngày hội', held_on: '10/10/2025', place: 'Sân', unit_id: tdp1 }), 403, 'forbidden');
});
