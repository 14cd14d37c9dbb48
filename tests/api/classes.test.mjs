// classes.test.mjs: training classes (lớp bồi dưỡng, tập huấn; issue 9 part 5) over real HTTP: a unit
// with people.write opens a class (title, topic, competences of the framework), adds sessions (a day,
// possibly ahead, and a place), enrols people of the registry it may see (again: 200, nothing twice),
// takes attendance of a session held (the list replaces the last one), records each participant's
// outcome; bad input names its field and changes nothing; a tổ officer neither reads nor changes the
// ward's class; a learner gets 403. SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// Owns: its server and the synthetic people and classes it makes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, finish, uniq, expectError } from './lib/server.mjs';

let srv, admin, tdp01, hocvien;
let ward, tdp1, tdp2;
let pa, pb, pc, gone, klass, past, ahead, other, competence;
const tag = uniq('l').replace(/[^a-z0-9]/g, '').replace(/[0-9]/g, (d) => 'abcdefghij'[d]);

async function person(unit, name) {
  const r = await srv.request('POST', '/api/v1/residents', { session: admin, body: { full_name: name, unit_id: unit } });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}
const post = (session, path, body) => srv.request('POST', `/api/v1/classes${path}`, { session, body });
const put = (session, path, body) => srv.request('PUT', `/api/v1/classes${path}`, { session, body });
const participant = (k, id) => k.participants.find((p) => p.person_id === id);

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  tdp01 = await srv.login('tdp01');
  hocvien = await srv.login('hocvien');
  ward = await srv.unitId(admin, 'Phường Hải Dương');
  tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1');
  tdp2 = await srv.unitId(admin, 'Tổ dân phố số 2');
  pa = await person(tdp1, `Nguyễn Thị Học ${tag}`);
  pb = await person(tdp1, `Trần Văn Bồi ${tag}`);
  pc = await person(tdp2, `Lê Thị Dưỡng ${tag}`);
  gone = await person(tdp1, `Phạm Văn Vắng ${tag}`);
  const del = await srv.request('DELETE', `/api/v1/residents/${gone}`, { session: admin });
  assert.equal(del.status, 204, del.text);
  competence = (await srv.getJSON(admin, '/api/v1/competencies?per_page=1')).items[0];
});
after(async () => finish(srv, assert));

test('a ward admin opens a class with a topic and a competence, and adds sessions', async () => {
  const r = await post(admin, '', { title: `Bồi dưỡng kỹ năng số ${tag}`, unit_id: ward, topic: 'Dịch vụ công trực tuyến', competences: [competence.id] });
  assert.equal(r.status, 201, r.text);
  klass = r.json;
  assert.equal(klass.unit_id, ward);
  assert.equal(klass.unit_name, 'Phường Hải Dương');
  assert.equal(klass.topic, 'Dịch vụ công trực tuyến');
  assert.deepEqual(klass.competences.map((c) => c.id), [competence.id]);
  assert.equal(klass.created_by, 'Quản trị phường Hải Dương');
  assert.deepEqual(klass.sessions, []);
  const s1 = await post(admin, `/${klass.id}/sessions`, { held_on: '10/01/2026', place: 'Hội trường UBND phường' });
  assert.equal(s1.status, 201, s1.text);
  const s2 = await post(admin, `/${klass.id}/sessions`, { held_on: '2099-01-15', place: 'Phòng máy' });
  assert.equal(s2.status, 201, s2.text, 'a session may be planned ahead');
  assert.deepEqual(s2.json.sessions.map((s) => [s.held_on, s.place]), [['2026-01-10', 'Hội trường UBND phường'], ['2099-01-15', 'Phòng máy']]);
  [past, ahead] = s2.json.sessions;
  const o = await post(admin, '', { title: `Lớp khác ${tag}`, unit_id: ward });
  assert.equal(o.status, 201, o.text);
  other = (await post(admin, `/${o.json.id}/sessions`, { held_on: '05/01/2026', place: 'Nhà văn hóa' })).json.sessions[0];
  const audit = await srv.request('GET', `/api/v1/audit?entity=class&entity_id=${klass.id}`, { session: admin });
  assert.deepEqual(audit.json.items.map((x) => x.action).sort(), ['class.create', 'class.session', 'class.session']);
});

test('bad input of a class or a session is refused naming its field', async () => {
  expectError(assert, await post(admin, '', { title: '   ', unit_id: ward }), 400, undefined, 'title');
  expectError(assert, await post(admin, '', { title: 'Lớp', unit_id: ward, competences: [2147480001] }), 400, 'invalid_value', 'competences');
  expectError(assert, await post(admin, '', { title: 'Lớp', unit_id: ward, competences: ['1.1'] }), 400, 'invalid_value', 'competences');
  expectError(assert, await post(admin, '', { title: 'Lớp', unit_id: 2147480001 }), 404, 'not_found', 'unit_id');
  expectError(assert, await post(admin, `/${klass.id}/sessions`, { held_on: '31/02/2026', place: 'Hội trường' }), 400, 'invalid_value', 'held_on');
  expectError(assert, await post(admin, `/${klass.id}/sessions`, { held_on: '01/02/2026' }), 400, 'missing_field', 'place');
  expectError(assert, await post(admin, `/${klass.id}/sessions`, { held_on: '01/02/2026', place: 'a\u202eb' }), 400, 'invalid_value', 'place');
  expectError(assert, await post(admin, '/2147480001/sessions', { held_on: '01/02/2026', place: 'Hội trường' }), 404, 'not_found', 'id');
  const k = await srv.getJSON(admin, `/api/v1/classes/${klass.id}`);
  assert.equal(k.sessions.length, 2, 'nothing added');
});

test('enrolment: people the caller may see, once each; unknown and deleted people are refused', async () => {
  const a = await post(admin, `/${klass.id}/enrolments`, { participant_id: pa });
  assert.equal(a.status, 201, a.text);
  assert.deepEqual(participant(a.json, pa), { person_id: pa, full_name: `Nguyễn Thị Học ${tag}`, unit_name: 'Tổ dân phố số 1', outcome: null, outcome_on: null, attended: [] });
  const again = await post(admin, `/${klass.id}/enrolments`, { participant_id: pa });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.participants.length, 1);
  assert.equal((await post(admin, `/${klass.id}/enrolments`, { participant_id: pb })).status, 201);
  assert.equal((await post(admin, `/${klass.id}/enrolments`, { participant_id: pc })).status, 201);
  expectError(assert, await post(admin, `/${klass.id}/enrolments`, { participant_id: 2147480001 }), 404, 'not_found', 'participant_id');
  expectError(assert, await post(admin, `/${klass.id}/enrolments`, { participant_id: gone }), 404, 'not_found', 'participant_id');
  const audit = await srv.request('GET', `/api/v1/audit?entity=person&entity_id=${pa}&action=class.`, { session: admin });
  assert.deepEqual(audit.json.items.map((x) => x.action), ['class.enrol']);
});

test('attendance of a session held: the list replaces the last one; only enrolled people; not ahead of time', async () => {
  const r = await put(admin, `/${klass.id}/attendance`, { session_id: past.id, participant_ids: [pa, pb] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(participant(r.json, pa).attended, [past.id]);
  assert.equal(r.json.sessions.find((s) => s.id === past.id).attended, 2);
  const r2 = await put(admin, `/${klass.id}/attendance`, { session_id: past.id, participant_ids: [pa] });
  assert.equal(r2.status, 200, r2.text);
  assert.deepEqual(participant(r2.json, pb).attended, []);
  assert.equal(r2.json.sessions.find((s) => s.id === past.id).attended, 1);
  const outsider = await person(tdp1, `Vũ Thị Ngoài ${tag}`);
  expectError(assert, await put(admin, `/${klass.id}/attendance`, { session_id: past.id, participant_ids: [pa, outsider] }), 400, 'invalid_value', 'participant_ids');
  expectError(assert, await put(admin, `/${klass.id}/attendance`, { session_id: past.id, participant_ids: ['x'] }), 400, 'invalid_value', 'participant_ids');
  expectError(assert, await put(admin, `/${klass.id}/attendance`, { session_id: ahead.id, participant_ids: [pa] }), 400, 'invalid_value', 'session_id');
  expectError(assert, await put(admin, `/${klass.id}/attendance`, { session_id: other.id, participant_ids: [pa] }), 400, 'invalid_value', 'session_id');
  const k = await srv.getJSON(admin, `/api/v1/classes/${klass.id}`);
  assert.deepEqual(participant(k, pa).attended, [past.id], 'nothing changed by the refusals');
  assert.deepEqual(participant(k, pb).attended, []);
});

test('outcomes: completed or not, on a day not ahead; cleared with an empty outcome', async () => {
  const r = await post(admin, `/${klass.id}/outcomes`, { participant_id: pa, outcome: 'completed', outcome_on: '10/01/2026' });
  assert.equal(r.status, 200, r.text);
  assert.equal(participant(r.json, pa).outcome, 'completed');
  assert.equal(participant(r.json, pa).outcome_on, '2026-01-10');
  const n = await post(admin, `/${klass.id}/outcomes`, { participant_id: pb, outcome: 'not_completed' });
  assert.equal(n.status, 200, n.text);
  assert.match(participant(n.json, pb).outcome_on, /^\d{4}-\d{2}-\d{2}$/, 'today by default');
  expectError(assert, await post(admin, `/${klass.id}/outcomes`, { participant_id: pc, outcome: 'passed' }), 400, 'invalid_value', 'outcome');
  expectError(assert, await post(admin, `/${klass.id}/outcomes`, { participant_id: pc, outcome: 'completed', outcome_on: '01/01/2099' }), 400, 'invalid_value', 'outcome_on');
  const outsider = await person(tdp1, `Đỗ Văn Chưa ${tag}`);
  expectError(assert, await post(admin, `/${klass.id}/outcomes`, { participant_id: outsider, outcome: 'completed' }), 400, 'invalid_value', 'participant_id');
  const c = await post(admin, `/${klass.id}/outcomes`, { participant_id: pb, outcome: '' });
  assert.equal(c.status, 200, c.text);
  assert.equal(participant(c.json, pb).outcome, null);
  assert.equal(participant(c.json, pb).outcome_on, null);
  const list = await srv.getJSON(admin, `/api/v1/classes?unit_id=${ward}&per_page=50`);
  const row = list.items.find((x) => x.id === klass.id);
  assert.deepEqual([row.sessions, row.enrolled, row.completed, row.first_on, row.last_on], [2, 3, 1, '2026-01-10', '2099-01-15']);
});

test('scope: a tổ officer runs the classes of their tổ only, enrols only people they may see; a learner gets 403', async () => {
  expectError(assert, await srv.request('GET', `/api/v1/classes/${klass.id}`, { session: tdp01 }), 403, 'forbidden', 'id');
  expectError(assert, await post(tdp01, `/${klass.id}/enrolments`, { participant_id: pa }), 403, 'forbidden', 'id');
  expectError(assert, await post(tdp01, '', { title: 'Lớp của phường', unit_id: ward }), 403, 'forbidden', 'unit_id');
  const mine = await post(tdp01, '', { title: `Lớp tổ một ${tag}`, unit_id: tdp1 });
  assert.equal(mine.status, 201, mine.text);
  assert.equal((await post(tdp01, `/${mine.json.id}/enrolments`, { participant_id: pa })).status, 201);
  expectError(assert, await post(tdp01, `/${mine.json.id}/enrolments`, { participant_id: pc }), 403, 'forbidden', 'participant_id');
  const list = await srv.getJSON(tdp01, '/api/v1/classes');
  assert.deepEqual(list.items.map((x) => x.id), [mine.json.id]);
  expectError(assert, await srv.request('GET', '/api/v1/classes', { session: hocvien }), 403, 'forbidden');
  expectError(assert, await post(hocvien, '', { title: 'Lớp', unit_id: tdp1 }), 403, 'forbidden');
});

// Issue 9 part 5: classes count toward target 1. A public-sector staff member (a membership in an
// office) who completes a class counts in T1's numerator of the office and of the ward, in the next
// answer of the live indicators; one who did not complete it does not.
test('a staff member who completes a class counts toward target 1 (T1), of the office and of the ward', async () => {
  const office = await srv.unitId(admin, 'Phòng Văn hóa - Xã hội');
  const t1 = async (unit) => {
    const o = await srv.getJSON(admin, `/api/v1/indicators?unit=${unit}`);
    const x = o.items.find((i) => i.code === 'T1');
    return [x.numerator, x.denominator];
  };
  const staff = async (name) => {
    const id = await person(tdp1, `${name} ${tag}`);
    const m = await srv.request('POST', `/api/v1/residents/${id}/memberships`, { session: admin, body: { unit_id: office, kind: 'staff' } });
    assert.equal(m.status, 201, m.text);
    assert.ok(m.json.groups.includes('public_staff'));
    return id;
  };
  const [o0, w0] = [await t1(office), await t1(ward)];
  const done = await staff('Vũ Thị Hoàn Thành'), notYet = await staff('Đỗ Văn Chưa Xong');
  assert.deepEqual(await t1(office), [o0[0], o0[1] + 2], 'two more staff in the denominator');
  const k = await post(admin, '', { title: `Tập huấn cán bộ ${tag}`, unit_id: ward });
  assert.equal(k.status, 201, k.text);
  for (const p of [done, notYet]) assert.equal((await post(admin, `/${k.json.id}/enrolments`, { participant_id: p })).status, 201);
  assert.deepEqual(await t1(office), [o0[0], o0[1] + 2], 'enrolled is not learned');
  assert.equal((await post(admin, `/${k.json.id}/outcomes`, { participant_id: notYet, outcome: 'not_completed' })).status, 200);
  assert.deepEqual(await t1(office), [o0[0], o0[1] + 2], 'not completed does not count');
  const c = await post(admin, `/${k.json.id}/outcomes`, { participant_id: done, outcome: 'completed' });
  assert.equal(c.status, 200, c.text);
  assert.deepEqual(await t1(office), [o0[0] + 1, o0[1] + 2], 'completed counts in the office');
  const w1 = await t1(ward);
  assert.deepEqual(w1, [w0[0] + 1, w0[1] + 2], 'and in the ward');
});
