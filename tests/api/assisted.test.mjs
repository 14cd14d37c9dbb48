// assisted.test.mjs: assisted learning (issue 8 part 7) over real HTTP: a field helper runs a quiz
// with a resident who has no phone; the attempt is the resident's (person), recorded as assisted
// with the helper's name, counted toward the RESIDENT's attempt limits and results (also when the
// resident has an account of their own), audited at its start and its submission; a helper cannot
// run one for someone outside their unit, a learner cannot use the route, and nobody else can see or
// submit the attempt. SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// Owns: its server and what it makes. Never: times anything.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, finish, expectError, userWithRole, uniq, hocvuso, storeArgs, tempDir } from './lib/server.mjs';
import { setup, answersFor, COMP_A, COMP_B } from './lib/competence-fixture.mjs';

let srv, admin, helper, learner, tdp1, tdp2, quizzes, helper2;

async function resident(unitId, name) {
  const r = await srv.request('POST', '/api/v1/residents', { session: admin, body: { full_name: name, unit_id: unitId, birth_date: '1948' } });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}
const startFor = (session, person, quiz) => srv.request('POST', `/api/v1/residents/${person}/attempts`, { session, body: { quiz_id: quiz } });
const submit = (session, id, answers) => srv.request('POST', `/api/v1/attempts/${id}/submit`, { session, body: { answers } });

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  helper = await srv.login('tinhnguyen'); // Lê Minh Châu, field helper of Tổ dân phố số 1
  learner = await srv.login('hocvien');
  tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1');
  tdp2 = await srv.unitId(admin, 'Tổ dân phố số 2');
  helper2 = await userWithRole(srv, admin, { username: uniq('tn').replace(/[^a-z0-9]/g, ''), role: 'field_helper', unitId: tdp1 });
  quizzes = await setup(srv, admin, { maxAttempts: 2 });
});
after(async () => finish(srv, assert));

test('a helper runs a quiz with a resident: the attempt is assisted, names the helper, and is audited', async () => {
  const person = await resident(tdp1, 'Bùi Thị Mơ');
  const s = await startFor(helper, person, quizzes.placement);
  assert.equal(s.status, 201, s.text);
  assert.equal(s.json.state, 'open');
  assert.deepEqual(s.json.assisted, { by_user_id: s.json.assisted.by_user_id, by_name: 'Lê Minh Châu', person_id: person });
  for (const q of s.json.questions) assert.ok(!('right_answer' in q) && !('explanation' in q), 'no answer before the submission');
  // A reload on the helper's phone: the same attempt.
  const again = await startFor(helper, person, quizzes.placement);
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.id, s.json.id);
  // The helper sees it and submits it.
  assert.equal((await srv.request('GET', `/api/v1/attempts/${s.json.id}`, { session: helper })).status, 200);
  const d = await submit(helper, s.json.id, answersFor(s.json, { [COMP_A]: 2, [COMP_B]: 1 }));
  assert.equal(d.status, 200, d.text);
  assert.equal(d.json.score_percent, 75);
  assert.equal(d.json.passed, true);
  assert.equal(d.json.assisted.by_name, 'Lê Minh Châu');
  assert.ok(d.json.questions.every((q) => 'right_answer' in q && 'explanation' in q), 'the review');
  // It counts for the resident: their profile has the scores.
  const p = await srv.getJSON(admin, `/api/v1/residents/${person}/competence`);
  assert.deepEqual(p.competencies.map((c) => [c.code, c.before]).sort(), [[COMP_A, 100], [COMP_B, 50]].sort());
  // Audited: the start and the submission, on the resident's record.
  const a = await srv.getJSON(admin, `/api/v1/audit?action=attempt.&entity=person&entity_id=${person}`);
  const actions = a.items.map((e) => `${e.action}:${e.actor_username}`);
  assert.ok(actions.includes('attempt.start_assisted:tinhnguyen'), actions.join());
  assert.ok(actions.includes('attempt.submit_assisted:tinhnguyen'), actions.join());
});

test("attempt limits count the resident's attempts, whoever ran them", async () => {
  const person = await resident(tdp1, 'Đinh Văn Tám');
  for (const h of [helper, helper2]) {
    const s = await startFor(h, person, quizzes.placement);
    assert.equal(s.status, 201, s.text);
    assert.equal((await submit(h, s.json.id, answersFor(s.json, {}))).status, 200);
  }
  // Two attempts used (one by each helper): a third is refused, for either helper.
  const third = await startFor(helper, person, quizzes.placement);
  const e = expectError(assert, third, 409, 'conflict');
  assert.match(e.message, /Người này đã làm đủ 2 lần/);
  expectError(assert, await startFor(helper2, person, quizzes.placement), 409, 'conflict');
  // Another resident still has theirs, and the helper's own attempts are theirs alone.
  const other = await resident(tdp1, 'Hà Thị Chín');
  assert.equal((await startFor(helper, other, quizzes.placement)).status, 201);
  const own = await srv.request('POST', `/api/v1/quizzes/${quizzes.placement}/attempts`, { session: helper });
  assert.equal(own.status, 201, own.text);
  assert.equal(own.json.assisted, null);
  const l = await srv.getJSON(helper, '/api/v1/quizzes?per_page=200');
  assert.equal(l.items.find((q) => q.id === quizzes.placement).mine.attempts, 1, "the helper's list counts their own attempt only");
});

test('a resident with an account of their own: the assisted attempts count in their list and limits', async () => {
  const person = await resident(tdp1, 'Vương Thị Mười');
  const acct = await userWithRole(srv, admin, { username: uniq('nd').replace(/[^a-z0-9]/g, ''), role: 'learner', unitId: tdp1 });
  const link = await srv.request('PUT', `/api/v1/users/${acct.userId}/person`, { session: admin, body: { person_id: person } });
  assert.equal(link.status, 200, link.text);
  const s = await startFor(helper, person, quizzes.placement);
  assert.equal((await submit(helper, s.json.id, answersFor(s.json, { [COMP_A]: 2, [COMP_B]: 2 }))).status, 200);
  const mine = (await srv.getJSON(acct, '/api/v1/quizzes?per_page=200')).items.find((q) => q.id === quizzes.placement).mine;
  assert.equal(mine.attempts, 1);
  assert.equal(mine.best_percent, 100);
  assert.equal(mine.passed, true);
  const me = await srv.getJSON(acct, '/api/v1/me/competence');
  assert.equal(me.competencies.length, 2);
  // Their own second attempt is allowed, a third is not (the assisted one counted).
  const own = await srv.request('POST', `/api/v1/quizzes/${quizzes.placement}/attempts`, { session: acct });
  assert.equal(own.status, 201, own.text);
  assert.equal((await submit(acct, own.json.id, answersFor(own.json, {}))).status, 200);
  expectError(assert, await srv.request('POST', `/api/v1/quizzes/${quizzes.placement}/attempts`, { session: acct }), 409, 'conflict');
  // But they cannot open the helper's attempt (it is the helper's to run).
  expectError(assert, await srv.request('GET', `/api/v1/attempts/${s.json.id}`, { session: acct }), 403, 'forbidden');
});

test('out of scope, a learner, another learner, an unknown quiz: refused, nothing recorded', async () => {
  const far = await resident(tdp2, 'Tống Văn Xa');
  expectError(assert, await startFor(helper, far, quizzes.placement), 403, 'forbidden', 'id');
  expectError(assert, await startFor(learner, far, quizzes.placement), 403, 'forbidden');
  const near = await resident(tdp1, 'Kiều Thị Gần');
  expectError(assert, await startFor(learner, near, quizzes.placement), 403, 'forbidden');
  expectError(assert, await startFor(helper, near, 99999999), 404, 'not_found', 'quiz_id');
  expectError(assert, await srv.request('POST', `/api/v1/residents/${near}/attempts`, { session: helper, body: {} }), 400, 'missing_field', 'quiz_id');
  expectError(assert, await startFor(helper, 99999999, quizzes.placement), 404, 'not_found');
  // Another learner's attempt ID: neither seen nor submitted.
  const s = await startFor(helper, near, quizzes.placement);
  assert.equal(s.status, 201, s.text);
  expectError(assert, await srv.request('GET', `/api/v1/attempts/${s.json.id}`, { session: learner }), 403, 'forbidden');
  expectError(assert, await submit(learner, s.json.id, answersFor(s.json, {})), 403, 'forbidden');
  expectError(assert, await submit(helper2, s.json.id, answersFor(s.json, {})), 403, 'forbidden');
  const still = await srv.getJSON(helper, `/api/v1/attempts/${s.json.id}`);
  assert.equal(still.state, 'open', 'refused submissions changed nothing');
  const p = await srv.getJSON(admin, `/api/v1/residents/${far}/competence`);
  assert.equal(p.measured, 0);
});

test("an assisted pass counts toward the resident's certificate, issued to the resident", async () => {
  // A course of one module (two true/false questions, both true) and a programme that needs it.
  const course = `KNS-HT${uniq('').replace(/[^A-Za-z0-9]/g, '')}`;
  const dir = tempDir('assisted-curr');
  mkdirSync(join(dir, 'M1'));
  writeFileSync(join(dir, 'M1', 'bai.md'), '# Bài một\n\nNội dung.\n');
  writeFileSync(join(dir, 'M1', 'cau-hoi.gift'), `$CATEGORY: ${course}/M1/1.1/1\n\n::a::Câu một là đúng?{T####Đúng.}\n\n::b::Câu hai là đúng?{T####Đúng.}\n`);
  writeFileSync(join(dir, 'curriculum.json'), JSON.stringify({
    course: { code: course, title: 'Khóa học cùng người dân', description: 'Kiểm thử' },
    modules: [{ code: 'M1', title: 'Học phần một', summary: 'Tóm tắt', dir: 'M1', level: 1, competencies: ['1.1'], groups: ['adults'],
      lessons: [{ file: 'bai.md', title: 'Bài một', minutes: 5, competencies: ['1.1'] }], questions: 'cau-hoi.gift' }],
  }));
  const imp = await hocvuso(['import', 'curriculum', ...storeArgs(srv.dataDir, srv.dbUri), dir]);
  assert.equal(imp.code, 0, imp.stderr);
  const q = await srv.request('POST', '/api/v1/quizzes', { session: admin, body: { title: `Kiểm tra ${course}`, category: `${course}/M1`, question_count: 2, pass_percent: 100 } });
  assert.equal(q.status, 201, q.text);
  const pr = await srv.request('POST', '/api/v1/programmes', { session: admin, body: { code: uniq('P').replace(/[^A-Za-z0-9]/g, ''), title: 'Đạt học phần cùng người dân', requirements: { modules: [`${course}/M1`] } } });
  assert.equal(pr.status, 201, pr.text);
  const person = await resident(tdp1, 'Lò Thị Hoa');
  const s = await startFor(helper, person, q.json.id);
  assert.equal(s.status, 201, s.text);
  const d = await submit(helper, s.json.id, s.json.questions.map(() => true));
  assert.equal(d.status, 200, d.text);
  assert.equal(d.json.passed, true);
  assert.equal(d.json.certificates.length, 1, JSON.stringify(d.json.certificates));
  const v = await srv.request('GET', `/api/v1/certificates/${d.json.certificates[0].id}/verify`);
  assert.equal(v.status, 200, v.text);
  assert.equal(v.json.holder_name, 'Lò Thị Hoa', 'the resident holds it, not the helper');
});
