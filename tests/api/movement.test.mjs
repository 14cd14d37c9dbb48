// movement.test.mjs: one resident's part in the movement (issue 9), GET /api/v1/residents/{id}/movement:
// the visits they were present at with the topics and their own outcomes, who guides them, the
// ambassador roles they hold, the classes and events; scoped like the person; audited as a read of
// their record. SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR. Owns: its server. Never: times anything.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, finish, expectError, uniq } from './lib/server.mjs';

let srv, admin, helper, tdp1, tdp2;
const tag = uniq('m').replace(/[^a-z]/g, '');

async function created(path, body, session = admin) {
  const r = await srv.request('POST', path, { session, body });
  assert.equal(r.status, 201, `${path}: ${r.text}`);
  return r.json;
}

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  helper = await srv.login('tinhnguyen');
  tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1');
  tdp2 = await srv.unitId(admin, 'Tổ dân phố số 2');
});
after(async () => finish(srv, assert));

test('a resident\'s page shows their visits, mentor, classes and events; nothing for a newcomer', async () => {
  const hh = (await created('/api/v1/households', { unit_id: tdp1, address: `Số 12 ngõ Chùa ${tag}` })).id;
  const person = (await created('/api/v1/residents', { full_name: `Phạm Thị Hồng ${tag}`, unit_id: tdp1, household_id: hh, birth_date: '1958-03-02' })).id;
  const other = (await created('/api/v1/residents', { full_name: `Phạm Văn Tú ${tag}`, unit_id: tdp1, household_id: hh, birth_date: '1960-07-09' })).id;
  let m = await srv.getJSON(admin, `/api/v1/residents/${person}/movement`);
  assert.deepEqual(m, { visits: [], mentor: null, ambassador: [], trade_steps: [], classes: [], events: [] });

  // A visit by the tổ's field helper: both present, an outcome for each.
  await created(`/api/v1/households/${hh}/visits`, {
    topics: ['vneid', 'scam_awareness'],
    present: [{ person_id: person, outcomes: ['vneid_level2'] }, { person_id: other, outcomes: ['cashless_setup'] }],
  }, helper);
  // A mentor, a class completed, an event.
  const mentorPerson = (await created('/api/v1/residents', { full_name: `Lê Văn Đạt ${tag}`, unit_id: tdp1 })).id;
  const amb = await created('/api/v1/ambassadors', { person_id: mentorPerson, unit_id: tdp1, kind: 'mentor' });
  await created('/api/v1/mentorships', { mentee_id: person, mentor_id: amb.id });
  const klass = await created('/api/v1/classes', { title: `Lớp điện thoại thông minh ${tag}`, unit_id: tdp1 });
  assert.equal((await srv.request('POST', `/api/v1/classes/${klass.id}/enrolments`, { session: admin, body: { participant_id: person } })).status, 201);
  const out = await srv.request('POST', `/api/v1/classes/${klass.id}/outcomes`, { session: admin, body: { participant_id: person, outcome: 'completed' } });
  assert.ok(out.status === 200 || out.status === 201, out.text);
  const ev = await created('/api/v1/events', { title: `Ngày hội học tập số ${tag}`, held_on: '10/10/2025', place: 'Nhà văn hóa tổ 1', unit_id: tdp1 });
  assert.equal((await srv.request('POST', `/api/v1/events/${ev.id}/participants`, { session: admin, body: { participant_id: person } })).status, 201);

  m = await srv.getJSON(admin, `/api/v1/residents/${person}/movement`);
  assert.equal(m.visits.length, 1);
  assert.equal(m.visits[0].household_id, hh);
  assert.deepEqual([...m.visits[0].topics].sort(), ['Kích hoạt định danh điện tử VNeID', 'Phòng chống lừa đảo trên mạng'].sort());
  assert.equal(m.visits[0].outcomes.length, 1, 'only this person\'s outcome, not the other resident\'s');
  assert.match(m.visits[0].outcomes[0], /VNeID|mức 2/);
  assert.equal(m.visits[0].by, 'Lê Minh Châu');
  assert.equal(m.mentor.name, `Lê Văn Đạt ${tag}`);
  assert.deepEqual(m.classes.map((c) => [c.title, c.outcome]), [[`Lớp điện thoại thông minh ${tag}`, 'completed']]);
  assert.deepEqual(m.events.map((e) => [e.title, e.held_on]), [[`Ngày hội học tập số ${tag}`, '2025-10-10']]);
  // The mentor's own page: the role they hold.
  const mm = await srv.getJSON(admin, `/api/v1/residents/${mentorPerson}/movement`);
  assert.deepEqual(mm.ambassador.map((a) => a.kind), ['mentor']);
  assert.equal(mm.mentor, null);

  // The field helper of tổ 1 reads it; the read is audited as a read of the person's record.
  const byHelper = await srv.request('GET', `/api/v1/residents/${person}/movement`, { session: helper });
  assert.equal(byHelper.status, 200, byHelper.text);
  const audit = await srv.getJSON(admin, `/api/v1/audit?action=person.read&entity=person&entity_id=${person}&per_page=50`);
  assert.ok(audit.items.some((a) => a.detail && a.detail.what === 'movement'), JSON.stringify(audit.items.slice(0, 3)));
});

test('a resident of another tổ: the field helper is refused; a missing one is 404', async () => {
  const outsider = (await created('/api/v1/residents', { full_name: `Đỗ Văn Lâm ${tag}`, unit_id: tdp2 })).id;
  expectError(assert, await srv.request('GET', `/api/v1/residents/${outsider}/movement`, { session: helper }), 403, 'forbidden');
  expectError(assert, await srv.request('GET', '/api/v1/residents/987654321/movement', { session: admin }), 404, 'not_found');
});
