// ambassadors.test.mjs: Đại sứ số over real HTTP (issue 9, part 2): a field helper names a mentor of
// their tổ, assigns mentees (one mentor at a time: a second assignment is a 409 naming mentee_id and
// stores nothing), ends an assignment and assigns again (history kept), logs guidance sessions (a date
// in the future is a 400 naming held_on); the rule "each mentor guides at least 5 mentees" is shown per
// mentor with the shortfall; helpers at the public administration service centre, the flag when a
// centre has none, and the residents they helped; every object out of the caller's scope is a 403
// naming it. SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// Owns: its server and the people it makes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, finish, uniq, expectError } from './lib/server.mjs';

let srv, admin, helper, hocvien;
let tdp1, tdp2, centre;
const tag = uniq('d').replace(/[^a-z]/g, '');
let n = 0;

async function person(unit, name) {
  const r = await srv.request('POST', '/api/v1/residents', { session: admin, body: { full_name: `${name} ${tag}`, unit_id: unit } });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}
async function mentor(session, personId, unit) {
  const r = await srv.request('POST', '/api/v1/ambassadors', { session, body: { person_id: personId, unit_id: unit, kind: 'mentor' } });
  assert.equal(r.status, 201, r.text);
  return r.json;
}
function assign(session, menteeId, mentorId) {
  return srv.request('POST', '/api/v1/mentorships', { session, body: { mentee_id: menteeId, mentor_id: mentorId } });
}
function get(session, id) {
  return srv.getJSON(session, `/api/v1/ambassadors/${id}`);
}
function today(offsetDays = 0) {
  // The date in Vietnam (UTC+7), as the server reads "today".
  const d = new Date(Date.now() + 7 * 3600 * 1000 + offsetDays * 86400 * 1000);
  return d.toISOString().slice(0, 10);
}
const names = ['An', 'Bình', 'Cúc', 'Dũng', 'Giang', 'Hà', 'Khánh', 'Lan', 'Minh', 'Ngọc', 'Phúc', 'Quân'];
function nextName() {
  return `Người Học ${names[n++ % names.length]} ${'abcdefghij'[Math.floor(n / names.length) % 10]}`;
}

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  helper = await srv.login('tinhnguyen');
  hocvien = await srv.login('hocvien');
  tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1');
  tdp2 = await srv.unitId(admin, 'Tổ dân phố số 2');
  centre = await srv.unitId(admin, 'Trung tâm phục vụ hành chính công phường');
});
after(async () => finish(srv, assert));

test('a field helper names a mentor of their tổ; naming the same person again is a 409 naming person_id', async () => {
  const p = await person(tdp1, 'Đại Sứ Một');
  const m = await mentor(helper, p, tdp1);
  assert.equal(m.kind, 'mentor');
  assert.equal(m.person_id, p);
  assert.equal(m.active_mentees, 0);
  assert.equal(m.shortfall, 5);
  assert.equal(m.short, true);
  assert.equal(m.ended_at, null);
  const again = await srv.request('POST', '/api/v1/ambassadors', { session: helper, body: { person_id: p, unit_id: tdp1, kind: 'mentor' } });
  expectError(assert, again, 409, 'conflict', 'person_id');
  const bad = await srv.request('POST', '/api/v1/ambassadors', { session: helper, body: { person_id: p, unit_id: tdp1, kind: 'giao_vien' } });
  expectError(assert, bad, 400, 'invalid_value', 'kind');
});

test('one mentor at a time: a mentee who already has one is a 409 naming mentee_id and nothing is stored; end, re-assign, history kept', async () => {
  const m1 = await mentor(helper, await person(tdp1, 'Đại Sứ Hai'), tdp1);
  const m2 = await mentor(helper, await person(tdp1, 'Đại Sứ Ba'), tdp1);
  const mentee = await person(tdp1, nextName());
  const a = await assign(helper, mentee, m1.id);
  assert.equal(a.status, 201, a.text);
  assert.equal(a.json.mentee_id, mentee);
  assert.equal(a.json.ambassador_id, m1.id);
  assert.equal(a.json.active, true);

  const dup = await assign(helper, mentee, m2.id);
  const e = expectError(assert, dup, 409, 'conflict', 'mentee_id');
  assert.match(e.message, /Đại Sứ Hai/, 'the message names the current mentor');
  const same = await assign(helper, mentee, m1.id);
  expectError(assert, same, 409, 'conflict', 'mentee_id');
  assert.equal((await get(helper, m2.id)).active_mentees, 0, 'nothing stored for the second mentor');
  assert.equal((await get(helper, m1.id)).mentees.length, 1);

  const end = await srv.request('POST', `/api/v1/mentorships/${a.json.id}/end`, { session: helper });
  assert.equal(end.status, 200, end.text);
  assert.equal(end.json.active, false);
  assert.ok(end.json.ended_at);
  expectError(assert, await srv.request('POST', `/api/v1/mentorships/${a.json.id}/end`, { session: helper }), 409, 'conflict', 'id');

  const re = await assign(helper, mentee, m2.id);
  assert.equal(re.status, 201, re.text);
  const g1 = await get(helper, m1.id);
  assert.equal(g1.active_mentees, 0);
  assert.equal(g1.mentees.length, 1, 'the ended assignment is kept as history');
  assert.equal(g1.mentees[0].active, false);
  assert.ok(g1.mentees[0].ended_at);
  const g2 = await get(helper, m2.id);
  assert.equal(g2.active_mentees, 1);
  assert.equal(g2.mentees[0].person_id, mentee);
});

test('two helpers assigning the same mentee at once: one assignment, the other a 409 naming mentee_id', async () => {
  const m1 = await mentor(helper, await person(tdp1, 'Đại Sứ Song Một'), tdp1);
  const m2 = await mentor(admin, await person(tdp1, 'Đại Sứ Song Hai'), tdp1);
  for (let round = 0; round < 3; round++) {
    const mentee = await person(tdp1, nextName());
    const [a, b] = await Promise.all([assign(helper, mentee, m1.id), assign(admin, mentee, m2.id)]);
    assert.deepEqual([a.status, b.status].sort(), [201, 409], `${a.text} ${b.text}`);
    expectError(assert, a.status === 409 ? a : b, 409, 'conflict', 'mentee_id');
  }
  const g1 = await get(admin, m1.id);
  const g2 = await get(admin, m2.id);
  assert.equal(g1.active_mentees + g2.active_mentees, 3, 'one assignment per mentee, nothing half-written');
});

test('a mentor cannot guide themself; an unknown mentor is a 404 naming mentor_id', async () => {
  const m = await mentor(helper, await person(tdp1, 'Đại Sứ Bốn'), tdp1);
  expectError(assert, await assign(helper, m.person_id, m.id), 400, 'invalid_value', 'mentee_id');
  expectError(assert, await assign(helper, await person(tdp1, nextName()), 987654321), 404, 'not_found', 'mentor_id');
  expectError(assert, await assign(helper, 987654321, m.id), 404, 'not_found', 'mentee_id');
});

test('guidance sessions: a date in the future is a 400 naming held_on and nothing is stored; one of today is logged with who logged it', async () => {
  const m = await mentor(helper, await person(tdp1, 'Đại Sứ Năm'), tdp1);
  const a = await assign(helper, await person(tdp1, nextName()), m.id);
  assert.equal(a.status, 201, a.text);
  const path = `/api/v1/mentorships/${a.json.id}/sessions`;
  const future = await srv.request('POST', path, { session: helper, body: { held_on: today(2), topic: 'Cài đặt VNeID' } });
  expectError(assert, future, 400, 'invalid_value', 'held_on');
  const blank = await srv.request('POST', path, { session: helper, body: { held_on: today(), topic: '   ' } });
  expectError(assert, blank, 400, undefined, 'topic');
  assert.equal((await get(helper, m.id)).sessions, 0, 'nothing stored');
  const ok = await srv.request('POST', path, { session: helper, body: { held_on: today(), topic: 'Cài đặt VNeID mức 2' } });
  assert.equal(ok.status, 201, ok.text);
  const g = await get(helper, m.id);
  assert.equal(g.sessions, 1);
  assert.equal(g.session_log[0].topic, 'Cài đặt VNeID mức 2');
  assert.equal(g.session_log[0].held_on, today());
  assert.equal(g.session_log[0].recorded_by, 'Lê Minh Châu');
  assert.ok(g.session_log[0].created_at);
  // dd/mm/yyyy is read too; a date before the assignment began is refused.
  const [y, mo, d] = today().split('-');
  const vn = await srv.request('POST', path, { session: helper, body: { held_on: `${d}/${mo}/${y}`, topic: 'Thanh toán không dùng tiền mặt' } });
  assert.equal(vn.status, 201, vn.text);
  const early = await srv.request('POST', path, { session: helper, body: { held_on: '2020-01-01', topic: 'Trước khi phân công' } });
  expectError(assert, early, 400, 'invalid_value', 'held_on');
  // An ended assignment takes no more sessions.
  await srv.request('POST', `/api/v1/mentorships/${a.json.id}/end`, { session: helper });
  expectError(assert, await srv.request('POST', path, { session: helper, body: { held_on: today(), topic: 'Sau khi kết thúc' } }), 409, 'conflict', 'id');
});

test('the rule: each mentor guides at least 5 mentees; the shortfall is shown per mentor and in the summary', async () => {
  const m = await mentor(helper, await person(tdp1, 'Đại Sứ Sáu'), tdp1);
  for (let i = 0; i < 2; i++) assert.equal((await assign(helper, await person(tdp1, nextName()), m.id)).status, 201);
  let g = await get(helper, m.id);
  assert.deepEqual([g.active_mentees, g.shortfall, g.short, g.min_mentees], [2, 3, true, 5]);
  const shortList = await srv.getJSON(helper, '/api/v1/ambassadors?kind=mentor&short_only=true&per_page=200');
  assert.ok(shortList.items.some((x) => x.id === m.id));
  for (let i = 0; i < 3; i++) assert.equal((await assign(helper, await person(tdp1, nextName()), m.id)).status, 201);
  g = await get(helper, m.id);
  assert.deepEqual([g.active_mentees, g.shortfall, g.short], [5, 0, false]);
  const after = await srv.getJSON(helper, '/api/v1/ambassadors?kind=mentor&short_only=true&per_page=200');
  assert.ok(!after.items.some((x) => x.id === m.id), 'a mentor with 5 mentees is not short');
  const all = await srv.getJSON(helper, '/api/v1/ambassadors?kind=mentor&per_page=200');
  assert.equal(all.total, all.items.length);
  const row = all.items.find((x) => x.id === m.id);
  assert.equal(row.shortfall, 0);
  for (const x of all.items) assert.equal(x.shortfall, Math.max(0, 5 - x.active_mentees), `shortfall of ${x.full_name}`);
  const s = await srv.getJSON(helper, '/api/v1/ambassadors/summary');
  assert.equal(s.min_mentees, 5);
  assert.equal(s.mentors, all.items.filter((x) => !x.ended_at).length);
  assert.equal(s.mentors_short, all.items.filter((x) => x.short).length);
  assert.equal(s.mentees, all.items.reduce((t, x) => t + x.active_mentees, 0));
});

test('ending a mentor ends their open assignments: the mentees may be assigned again', async () => {
  const m = await mentor(helper, await person(tdp1, 'Đại Sứ Bảy'), tdp1);
  const mentee = await person(tdp1, nextName());
  assert.equal((await assign(helper, mentee, m.id)).status, 201);
  const end = await srv.request('POST', `/api/v1/ambassadors/${m.id}/end`, { session: helper });
  assert.equal(end.status, 200, end.text);
  assert.ok(end.json.ended_at);
  assert.equal(end.json.active_mentees, 0);
  expectError(assert, await assign(helper, await person(tdp1, nextName()), m.id), 400, 'invalid_value', 'mentor_id');
  const other = await mentor(helper, await person(tdp1, 'Đại Sứ Tám'), tdp1);
  assert.equal((await assign(helper, mentee, other.id)).status, 201);
  const list = await srv.getJSON(helper, '/api/v1/ambassadors?kind=mentor&per_page=200');
  assert.ok(!list.items.some((x) => x.id === m.id), 'an ended mentor leaves the current list');
  const withEnded = await srv.getJSON(helper, '/api/v1/ambassadors?kind=mentor&include_ended=true&per_page=200');
  assert.ok(withEnded.items.some((x) => x.id === m.id));
});

test('scope: a field helper of tổ 1 touches nobody of tổ 2 (mentee, mentor, unit, person), each refusal naming its field', async () => {
  const in1 = await person(tdp1, nextName());
  const in2 = await person(tdp2, 'Người Tổ Hai');
  const m1 = await mentor(helper, await person(tdp1, 'Đại Sứ Chín'), tdp1);
  const m2 = await mentor(admin, await person(tdp2, 'Đại Sứ Tổ Hai'), tdp2);
  // mentee out of scope
  expectError(assert, await assign(helper, in2, m1.id), 403, 'forbidden', 'mentee_id');
  // mentor out of scope (their person is in tổ 2)
  expectError(assert, await assign(helper, in1, m2.id), 403, 'forbidden', 'mentor_id');
  // a mentor named on tổ 2, or a person of tổ 2 named on tổ 1
  expectError(assert, await srv.request('POST', '/api/v1/ambassadors', { session: helper, body: { person_id: in1, unit_id: tdp2, kind: 'mentor' } }), 403, 'forbidden', 'unit_id');
  expectError(assert, await srv.request('POST', '/api/v1/ambassadors', { session: helper, body: { person_id: in2, unit_id: tdp1, kind: 'mentor' } }), 403, 'forbidden', 'person_id');
  // an assignment of tổ 2 (made by the ward admin): neither ended nor logged by the helper
  const a2 = await assign(admin, await person(tdp2, 'Người Học Tổ Hai'), m2.id);
  assert.equal(a2.status, 201, a2.text);
  expectError(assert, await srv.request('POST', `/api/v1/mentorships/${a2.json.id}/sessions`, { session: helper, body: { held_on: today(), topic: 'Ngoài phạm vi' } }), 403, 'forbidden', 'id');
  expectError(assert, await srv.request('POST', `/api/v1/mentorships/${a2.json.id}/end`, { session: helper }), 403, 'forbidden', 'id');
  expectError(assert, await srv.request('POST', `/api/v1/ambassadors/${m2.id}/end`, { session: helper }), 403, 'forbidden', 'id');
  expectError(assert, await srv.request('GET', `/api/v1/ambassadors/${m2.id}`, { session: helper }), 403, 'forbidden', 'id');
  assert.equal((await get(admin, m2.id)).active_mentees, 1, 'nothing changed');
  // the lists hold only the helper's scope
  const list = await srv.getJSON(helper, '/api/v1/ambassadors?per_page=200');
  assert.ok(list.items.every((x) => x.unit_id === tdp1), 'only tổ 1');
  const wide = await srv.getJSON(admin, '/api/v1/ambassadors?per_page=200');
  assert.ok(wide.items.some((x) => x.id === m2.id));
  // a mentor of tổ 1 guiding someone of tổ 2 (assigned by the ward admin): the helper of tổ 1 sees the
  // count, not the person
  const other = await person(tdp2, 'Người Học Ở Tổ Hai');
  assert.equal((await assign(admin, other, m1.id)).status, 201);
  const seenByHelper = await get(helper, m1.id);
  assert.equal(seenByHelper.active_mentees, 1);
  assert.ok(!seenByHelper.mentees.some((x) => x.person_id === other), 'a person out of scope named');
  assert.ok((await get(admin, m1.id)).mentees.some((x) => x.person_id === other));
  // a learner has no capability at all
  expectError(assert, await assign(hocvien, in1, m1.id), 403, 'forbidden');
  expectError(assert, await srv.request('GET', '/api/v1/ambassadors', { session: hocvien }), 403, 'forbidden');
});

test('the service centre: flagged while it has no helper; a helper is named on the centre only, and logs the residents helped', async () => {
  let s = await srv.getJSON(admin, '/api/v1/ambassadors/summary');
  const c0 = s.centres.find((c) => c.unit_id === centre);
  assert.ok(c0, 'the ward\'s service centre is listed');
  assert.equal(c0.helpers, 0);
  assert.equal(s.centre_without_helper, true);
  assert.equal(s.no_centre, false);
  const p = await person(tdp1, 'Người Hỗ Trợ Trung Tâm');
  const wrong = await srv.request('POST', '/api/v1/ambassadors', { session: admin, body: { person_id: p, unit_id: tdp1, kind: 'service_helper' } });
  expectError(assert, wrong, 400, 'invalid_value', 'unit_id');
  // the field helper holds no field.write on the centre
  expectError(assert, await srv.request('POST', '/api/v1/ambassadors', { session: helper, body: { person_id: p, unit_id: centre, kind: 'service_helper' } }), 403, 'forbidden', 'unit_id');
  const h = await srv.request('POST', '/api/v1/ambassadors', { session: admin, body: { person_id: p, unit_id: centre, kind: 'service_helper' } });
  assert.equal(h.status, 201, h.text);
  assert.equal(h.json.kind, 'service_helper');
  assert.equal(h.json.shortfall, 0, 'the mentees rule is a mentor\'s');
  s = await srv.getJSON(admin, '/api/v1/ambassadors/summary');
  assert.equal(s.centres.find((c) => c.unit_id === centre).helpers, 1);
  assert.equal(s.centre_without_helper, s.centres.some((c) => c.helpers === 0));

  const resident = await person(tdp2, 'Người Được Hỗ Trợ');
  const path = `/api/v1/ambassadors/${h.json.id}/helps`;
  expectError(assert, await srv.request('POST', path, { session: admin, body: { person_id: resident, helped_on: today(1), what: 'Nộp hồ sơ trực tuyến' } }), 400, 'invalid_value', 'helped_on');
  const ok = await srv.request('POST', path, { session: admin, body: { person_id: resident, helped_on: today(), what: 'Nộp hồ sơ trực tuyến trên Cổng dịch vụ công' } });
  assert.equal(ok.status, 201, ok.text);
  const g = await get(admin, h.json.id);
  assert.equal(g.helps, 1);
  assert.equal(g.help_log[0].person_id, resident);
  assert.equal(g.help_log[0].what, 'Nộp hồ sơ trực tuyến trên Cổng dịch vụ công');
  assert.equal(g.help_log[0].recorded_by, 'Quản trị phường Hải Dương');
  // a mentor takes no helps; the field helper logs none at the centre
  const m = await mentor(helper, await person(tdp1, 'Đại Sứ Mười'), tdp1);
  expectError(assert, await srv.request('POST', `/api/v1/ambassadors/${m.id}/helps`, { session: helper, body: { person_id: await person(tdp1, nextName()), helped_on: today(), what: 'Thử' } }), 409, 'conflict', 'id');
  expectError(assert, await srv.request('POST', path, { session: helper, body: { person_id: await person(tdp1, nextName()), helped_on: today(), what: 'Thử' } }), 403, 'forbidden', 'id');
  // a mentor is not a service helper: a mentee cannot be given to one
  expectError(assert, await assign(admin, await person(tdp1, nextName()), h.json.id), 400, 'invalid_value', 'mentor_id');
});

test('every change is in the audit log with who made it', async () => {
  const m = await mentor(helper, await person(tdp1, 'Đại Sứ Mười Một'), tdp1);
  const mentee = await person(tdp1, nextName());
  const a = await assign(helper, mentee, m.id);
  assert.equal(a.status, 201);
  const log = await srv.getJSON(admin, `/api/v1/audit?entity=person&entity_id=${mentee}&per_page=50`);
  const e = log.items.find((x) => x.action === 'mentorship.create');
  assert.ok(e, JSON.stringify(log.items.map((x) => x.action)));
  assert.equal(e.actor_username, 'tinhnguyen');
  assert.equal(e.unit_id, tdp1);
  // A session is filed under the mentee's tổ too (an entry without a unit is seen by the ward's admins only).
  const ss = await srv.request('POST', `/api/v1/mentorships/${a.json.id}/sessions`, { session: helper, body: { held_on: today(), topic: 'Gọi video qua Zalo' } });
  assert.equal(ss.status, 201, ss.text);
  const seen = await srv.getJSON(admin, `/api/v1/audit?entity=person&entity_id=${mentee}&action=mentorship.session&per_page=10`);
  assert.equal(seen.items.length, 1, JSON.stringify(seen));
  assert.equal(seen.items[0].unit_id, tdp1);
});
