// quiz-retry.test.mjs: a submission sent again (its answer lost: the review is written after the
// commit, so a failure there answered 500/503 although the attempt was submitted) is answered with the
// stored result — the same review, 200 — and nothing is written again: not another attempt counted,
// not another audit entry for an assisted one. Other answers for a submitted attempt: 409 as before.
// SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// Owns: its server and what it makes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, finish, expectError } from './lib/server.mjs';
import { setup, answersFor, COMP_A, COMP_B } from './lib/competence-fixture.mjs';

let srv, admin, helper, learner, tdp1, quizzes;
const submit = (session, id, body) => srv.request('POST', `/api/v1/attempts/${id}/submit`, { session, body });

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  helper = await srv.login('tinhnguyen');
  learner = await srv.login('hocvien');
  tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1');
  quizzes = await setup(srv, admin, { maxAttempts: 0 });
});
after(async () => finish(srv, assert));

test('the same submission again: 200 with the stored review; other answers: 409; nothing counted twice', async () => {
  const s = await srv.request('POST', `/api/v1/quizzes/${quizzes.practice}/attempts`, { session: learner });
  assert.equal(s.status, 201, s.text);
  const sheet = answersFor(s.json, { [COMP_A]: 1, [COMP_B]: 9 });
  const first = await submit(learner, s.json.id, { answers: sheet });
  assert.equal(first.status, 200, first.text);
  const before = (await srv.getJSON(learner, '/api/v1/quizzes?per_page=100')).items.find((q) => q.id === quizzes.practice).mine;
  const again = await submit(learner, s.json.id, { answers: sheet });
  assert.equal(again.status, 200, again.text);
  assert.deepEqual(again.json, first.json);
  // No answers: the sheet as saved, which is the one graded.
  const bare = await submit(learner, s.json.id, {});
  assert.equal(bare.status, 200, bare.text);
  assert.deepEqual(bare.json, first.json);
  // every answer the other way (a pool that drew one question of a competence made {1, 9} and {9, 9} the same sheet)
  const other = await submit(learner, s.json.id, { answers: sheet.map((a) => !a) });
  expectError(assert, other, 409, 'conflict', 'id');
  const after = (await srv.getJSON(learner, '/api/v1/quizzes?per_page=100')).items.find((q) => q.id === quizzes.practice).mine;
  assert.deepEqual(after, before);
  const view = await srv.getJSON(learner, `/api/v1/attempts/${s.json.id}`);
  assert.equal(view.score_percent, first.json.score_percent);
});

test('an assisted submission sent again is audited once', async () => {
  const r = await srv.request('POST', '/api/v1/residents', { session: admin, body: { full_name: 'Hà Văn Lặp', unit_id: tdp1, birth_date: '1952' } });
  assert.equal(r.status, 201, r.text);
  const person = r.json.id;
  const s = await srv.request('POST', `/api/v1/residents/${person}/attempts`, { session: helper, body: { quiz_id: quizzes.placement } });
  assert.equal(s.status, 201, s.text);
  const sheet = answersFor(s.json, { [COMP_A]: 9, [COMP_B]: 9 });
  const first = await submit(helper, s.json.id, { answers: sheet });
  assert.equal(first.status, 200, first.text);
  const again = await submit(helper, s.json.id, { answers: sheet });
  assert.equal(again.status, 200, again.text);
  assert.deepEqual(again.json, first.json);
  const a = await srv.getJSON(admin, `/api/v1/audit?action=attempt.&entity=person&entity_id=${person}`);
  assert.equal(a.items.filter((e) => e.action === 'attempt.submit_assisted').length, 1, JSON.stringify(a.items));
});
