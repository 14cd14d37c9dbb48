// competence.test.mjs: the change in digital competence (issue 8 part 6) over real HTTP: a
// placement quiz's draw spreads over its competences; each submission keeps its score per
// competence; a learner's profile shows before (first placement) and after (latest placement
// after it, else the latest quiz); the officers' report aggregates learners measured twice by
// competence, by child unit and by learner group, with exact numbers on a controlled scenario;
// scope and roles are checked (403). SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// Owns: its server and what it makes. Never: times anything.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, finish, expectError, userWithRole, uniq } from './lib/server.mjs';
import { setup, answersFor, drawn, COMP_A, COMP_B } from './lib/competence-fixture.mjs';

let srv, admin, helper, learner, officer2, tdp1, tdp2, ward, quizzes;
const people = {};

async function resident(unitId, name, birth) {
  const h = await srv.request('POST', '/api/v1/households', { session: admin, body: { unit_id: unitId, code: uniq('H') } });
  assert.equal(h.status, 201, h.text);
  const r = await srv.request('POST', '/api/v1/residents', {
    session: admin,
    body: { full_name: name, unit_id: unitId, household_id: h.json.id, birth_date: String(birth) },
  });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}

// One placement attempt run with the resident (by `session`, a field helper or the ward admin)
// with `right` questions right per competence.
async function measure(session, person, quiz, right) {
  const s = await srv.request('POST', `/api/v1/residents/${person}/attempts`, { session, body: { quiz_id: quiz } });
  assert.equal(s.status, 201, s.text);
  const d = await srv.request('POST', `/api/v1/attempts/${s.json.id}/submit`, { session, body: { answers: answersFor(s.json, right) } });
  assert.equal(d.status, 200, d.text);
  return d.json;
}

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  helper = await srv.login('tinhnguyen'); // field helper of Tổ dân phố số 1
  learner = await srv.login('hocvien');
  tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1');
  tdp2 = await srv.unitId(admin, 'Tổ dân phố số 2');
  ward = await srv.unitId(admin, 'Phường Hải Dương');
  officer2 = await userWithRole(srv, admin, { username: uniq('cb').replace(/[^a-z0-9]/g, ''), role: 'unit_officer', unitId: tdp2 });
  quizzes = await setup(srv, admin);
  // The controlled scenario: A (Tổ 1, born 1950: adults, elderly), B (Tổ 1, 1990), C (Tổ 2, 1985),
  // D (Tổ 2) measured once only.
  people.A = await resident(tdp1, 'Nguyễn Văn An', 1950);
  people.B = await resident(tdp1, 'Trần Thị Bích', 1990);
  people.C = await resident(tdp2, 'Lê Văn Cường', 1985);
  people.D = await resident(tdp2, 'Phạm Thị Dung', 1970);
  await measure(helper, people.A, quizzes.placement, { [COMP_A]: 1, [COMP_B]: 0 });
  await measure(helper, people.A, quizzes.placement, { [COMP_A]: 2, [COMP_B]: 1 });
  await measure(helper, people.B, quizzes.placement, { [COMP_A]: 0, [COMP_B]: 1 });
  await measure(helper, people.B, quizzes.placement, { [COMP_A]: 1, [COMP_B]: 2 });
  await measure(admin, people.C, quizzes.placement, { [COMP_A]: 2, [COMP_B]: 2 });
  await measure(admin, people.C, quizzes.placement, { [COMP_A]: 2, [COMP_B]: 1 });
  await measure(admin, people.D, quizzes.placement, { [COMP_A]: 0, [COMP_B]: 0 });
});
after(async () => finish(srv, assert));

const byCode = (list) => Object.fromEntries(list.map((c) => [c.code, c]));

test('a placement draw takes the competences in turn: two questions of each of the two', async () => {
  const other = await userWithRole(srv, admin, { username: uniq('hv').replace(/[^a-z0-9]/g, ''), role: 'learner', unitId: tdp1 });
  for (let i = 0; i < 2; i++) {
    const s = await srv.request('POST', `/api/v1/quizzes/${quizzes.placement}/attempts`, { session: other });
    assert.equal(s.status, 201, s.text);
    assert.equal(s.json.purpose, 'placement');
    assert.deepEqual(drawn(s.json), { [COMP_A]: 2, [COMP_B]: 2 });
    const d = await srv.request('POST', `/api/v1/attempts/${s.json.id}/submit`, { session: other, body: { answers: answersFor(s.json, {}) } });
    assert.equal(d.status, 200, d.text);
  }
  const l = await srv.getJSON(other, '/api/v1/quizzes?per_page=200');
  const q = l.items.find((x) => x.id === quizzes.placement);
  assert.equal(q.purpose, 'placement');
  assert.equal(q.mine.attempts, 2);
});

test("a learner's own profile: before, after and change per competence, exact", async () => {
  const empty = await srv.request('GET', '/api/v1/me/competence', { session: learner });
  assert.equal(empty.status, 200, empty.text);
  const start = async (right) => {
    const s = await srv.request('POST', `/api/v1/quizzes/${quizzes.placement}/attempts`, { session: learner });
    assert.equal(s.status, 201, s.text);
    const d = await srv.request('POST', `/api/v1/attempts/${s.json.id}/submit`, { session: learner, body: { answers: answersFor(s.json, right) } });
    assert.equal(d.status, 200, d.text);
  };
  await start({ [COMP_A]: 0, [COMP_B]: 1 });
  let p = (await srv.request('GET', '/api/v1/me/competence', { session: learner })).json;
  let c = byCode(p.competencies);
  assert.equal(c[COMP_A].before, 0);
  assert.equal(c[COMP_A].after, null, 'measured once: no after yet');
  assert.equal(c[COMP_B].before, 50);
  assert.equal(p.measured_again, 0);
  // A practice quiz after the placement counts as "after" while no second placement exists.
  const s = await srv.request('POST', `/api/v1/quizzes/${quizzes.practice}/attempts`, { session: learner });
  assert.equal(s.status, 201, s.text);
  const right = {};
  const d = await srv.request('POST', `/api/v1/attempts/${s.json.id}/submit`, { session: learner, body: { answers: s.json.questions.map((q) => answersFor({ questions: [q] }, { [COMP_A]: 1, [COMP_B]: 1 })[0]) } });
  assert.equal(d.status, 200, d.text);
  p = (await srv.request('GET', '/api/v1/me/competence', { session: learner })).json;
  c = byCode(p.competencies);
  assert.equal(c[COMP_A].after, 100, JSON.stringify(p));
  assert.equal(c[COMP_B].after, 100);
  void right;
  // The second placement check wins over the practice quiz.
  await start({ [COMP_A]: 1, [COMP_B]: 2 });
  p = (await srv.request('GET', '/api/v1/me/competence', { session: learner })).json;
  c = byCode(p.competencies);
  assert.deepEqual([c[COMP_A].before, c[COMP_A].after, c[COMP_A].change], [0, 50, 50]);
  assert.deepEqual([c[COMP_B].before, c[COMP_B].after, c[COMP_B].change], [50, 100, 50]);
  assert.equal(c[COMP_A].name.length > 0 && c[COMP_A].domain_name.length > 0, true);
  assert.equal(p.measured_again, 2);
});

test("a resident's profile: staff in scope only, and the read is audited", async () => {
  const r = await srv.request('GET', `/api/v1/residents/${people.A}/competence`, { session: helper });
  assert.equal(r.status, 200, r.text);
  const c = byCode(r.json.competencies);
  assert.deepEqual([c[COMP_A].before, c[COMP_A].after, c[COMP_A].change], [50, 100, 50]);
  assert.deepEqual([c[COMP_B].before, c[COMP_B].after, c[COMP_B].change], [0, 50, 50]);
  const d = byCode((await srv.getJSON(admin, `/api/v1/residents/${people.D}/competence`)).competencies);
  assert.deepEqual([d[COMP_A].before, d[COMP_A].after], [0, null]);
  // Out of scope (Tổ 2 for a helper of Tổ 1), and a learner: 403.
  expectError(assert, await srv.request('GET', `/api/v1/residents/${people.C}/competence`, { session: helper }), 403, 'forbidden');
  expectError(assert, await srv.request('GET', `/api/v1/residents/${people.A}/competence`, { session: learner }), 403, 'forbidden');
  expectError(assert, await srv.request('GET', '/api/v1/residents/99999999/competence', { session: admin }), 404, 'not_found');
  const a = await srv.getJSON(admin, `/api/v1/audit?action=person.competence_read&entity=person&entity_id=${people.A}`);
  assert.ok(a.items.some((e) => e.actor_username === 'tinhnguyen'), JSON.stringify(a.items));
});

test('the report: per competence, by child unit and by group, exact means over learners measured twice', async () => {
  const r = await srv.request('GET', `/api/v1/reports/competence-change?unit=${ward}`, { session: admin });
  assert.equal(r.status, 200, r.text);
  const o = r.json;
  assert.deepEqual([o.total.learners, o.total.measures, o.total.before, o.total.after, o.total.change], [3, 6, 50, 75, 25]);
  const c = byCode(o.competencies);
  assert.deepEqual(Object.keys(c).sort(), [COMP_A, COMP_B].sort());
  assert.deepEqual([c[COMP_A].learners, c[COMP_A].before, c[COMP_A].after, c[COMP_A].change], [3, 50, 83.3, 33.3]);
  assert.deepEqual([c[COMP_B].learners, c[COMP_B].before, c[COMP_B].after, c[COMP_B].change], [3, 50, 66.7, 16.7]);
  const u = Object.fromEntries(o.by_unit.map((x) => [x.unit_id, x]));
  assert.deepEqual(Object.keys(u).map(Number).sort(), [tdp1, tdp2].sort());
  assert.deepEqual([u[tdp1].learners, u[tdp1].measures, u[tdp1].before, u[tdp1].after, u[tdp1].change], [2, 4, 25, 75, 50]);
  assert.equal(u[tdp1].name, 'Tổ dân phố số 1');
  assert.deepEqual([u[tdp2].learners, u[tdp2].measures, u[tdp2].before, u[tdp2].after, u[tdp2].change], [1, 2, 100, 75, -25]);
  const g = Object.fromEntries(o.by_group.map((x) => [x.group, x]));
  assert.deepEqual([g.adults.learners, g.adults.before, g.adults.after, g.adults.change], [3, 50, 75, 25]);
  assert.deepEqual([g.elderly.learners, g.elderly.before, g.elderly.after, g.elderly.change], [1, 25, 75, 50]);
  assert.ok(g.elderly.label.includes('cao tuổi'));
  // One group: the elderly alone.
  const e = (await srv.getJSON(admin, `/api/v1/reports/competence-change?unit=${ward}&group=elderly`));
  assert.equal(e.group, 'elderly');
  const ec = byCode(e.competencies);
  assert.deepEqual([ec[COMP_A].learners, ec[COMP_A].before, ec[COMP_A].after], [1, 50, 100]);
  assert.deepEqual([ec[COMP_B].before, ec[COMP_B].after], [0, 50]);
  // A unit: Tổ 2 alone (its officer, who may read reports there).
  const t2 = await srv.request('GET', `/api/v1/reports/competence-change?unit=${tdp2}`, { session: officer2 });
  assert.equal(t2.status, 200, t2.text);
  assert.deepEqual([t2.json.total.learners, t2.json.total.before, t2.json.total.after], [1, 100, 75]);
  // Left out, the unit is the caller's own: Tổ 2 again.
  const own = await srv.getJSON(officer2, '/api/v1/reports/competence-change');
  assert.equal(own.unit_id, tdp2);
  assert.deepEqual(own.total, t2.json.total);
});

test('the report refuses what is out of scope or malformed', async () => {
  expectError(assert, await srv.request('GET', `/api/v1/reports/competence-change?unit=${tdp1}`, { session: officer2 }), 403, 'forbidden', 'unit');
  expectError(assert, await srv.request('GET', `/api/v1/reports/competence-change?unit=${ward}`, { session: helper }), 403, 'forbidden');
  expectError(assert, await srv.request('GET', '/api/v1/reports/competence-change', { session: learner }), 403, 'forbidden');
  expectError(assert, await srv.request('GET', `/api/v1/reports/competence-change?unit=${ward}&group=nobody`, { session: admin }), 400, 'invalid_value', 'group');
  expectError(assert, await srv.request('GET', '/api/v1/reports/competence-change?unit=abc', { session: admin }), 400, undefined, 'unit');
  expectError(assert, await srv.request('GET', '/api/v1/me/competence', {}), 401);
});

test('a quiz purpose other than practice or placement is refused, naming the field', async () => {
  const r = await srv.request('POST', '/api/v1/quizzes', {
    session: admin,
    body: { title: `X ${uniq()}`, category: quizzes.cat, question_count: 2, pass_percent: 50, purpose: 'exam' },
  });
  expectError(assert, r, 400, 'invalid_value', 'purpose');
});
