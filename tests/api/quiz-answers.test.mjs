// quiz-answers.test.mjs: the answers saved while an attempt is open (PUT /api/v1/attempts/{id}/answers),
// tried as someone who should not succeed: an assisted attempt (a field helper with a resident) is the
// helper's to save and its submission of the saved sheet is audited on the resident; nobody else can
// save into it; saves and a submission sent together never change the graded answers afterwards (the
// answers kept are the ones graded, and every save that came later is refused); a save without the
// CSRF token, with fields the route does not declare, or with more than the route takes is refused;
// a save its check refuses is answered without waiting for the writer (SQLite: a write lock held by
// another process does not delay it).
// SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// Owns: its server and what it makes. Never: times anything.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startServer, finish, expectError, ON_PG, sleep } from './lib/server.mjs';
import { setup, answersFor, COMP_A, COMP_B } from './lib/competence-fixture.mjs';

let srv, admin, helper, learner, tdp1, quizzes;

const save = (session, id, answers) => srv.request('PUT', `/api/v1/attempts/${id}/answers`, { session, body: { answers } });
const submit = (session, id, body) => srv.request('POST', `/api/v1/attempts/${id}/submit`, { session, body });

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  helper = await srv.login('tinhnguyen'); // field helper of Tổ dân phố số 1
  learner = await srv.login('hocvien');
  tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1');
  quizzes = await setup(srv, admin, { maxAttempts: 0 });
});
after(async () => finish(srv, assert));

test('an assisted attempt: the helper saves, nobody else can, and the saved sheet submitted is audited on the resident', async () => {
  const r = await srv.request('POST', '/api/v1/residents', { session: admin, body: { full_name: 'Lò Văn Lưu', unit_id: tdp1, birth_date: '1950' } });
  assert.equal(r.status, 201, r.text);
  const person = r.json.id;
  const s = await srv.request('POST', `/api/v1/residents/${person}/attempts`, { session: helper, body: { quiz_id: quizzes.placement } });
  assert.equal(s.status, 201, s.text);
  const sheet = answersFor(s.json, { [COMP_A]: 2, [COMP_B]: 2 });
  assert.equal((await save(helper, s.json.id, sheet)).status, 204);
  expectError(assert, await save(learner, s.json.id, sheet.map(() => null)), 403, 'forbidden', 'id');
  expectError(assert, await save(admin, s.json.id, sheet.map(() => null)), 403, 'forbidden', 'id');
  // The helper's phone reloaded: the same attempt, with the sheet.
  const again = await srv.request('POST', `/api/v1/residents/${person}/attempts`, { session: helper, body: { quiz_id: quizzes.placement } });
  assert.equal(again.status, 200, again.text);
  assert.deepEqual(again.json.saved_answers, sheet);
  const d = await submit(helper, s.json.id, {});
  assert.equal(d.status, 200, d.text);
  assert.equal(d.json.score_percent, 100);
  const a = await srv.getJSON(admin, `/api/v1/audit?action=attempt.&entity=person&entity_id=${person}`);
  assert.ok(a.items.some((e) => e.action === 'attempt.submit_assisted'), JSON.stringify(a.items));
  expectError(assert, await save(helper, s.json.id, sheet), 409, 'conflict', 'id');
});

test('saves sent together with the submission: the answers kept are the ones graded, and no later save is taken', async () => {
  for (let round = 0; round < 3; round++) {
    const s = await srv.request('POST', `/api/v1/quizzes/${quizzes.practice}/attempts`, { session: learner });
    assert.equal(s.status, 201, s.text);
    const right = answersFor(s.json, { [COMP_A]: 9, [COMP_B]: 9 });
    const wrong = answersFor(s.json, {});
    assert.equal((await save(learner, s.json.id, wrong)).status, 204);
    const saves = [];
    for (let i = 0; i < 12; i++) saves.push(save(learner, s.json.id, i % 2 ? right : wrong));
    const sub = submit(learner, s.json.id, {});
    for (let i = 0; i < 12; i++) saves.push(save(learner, s.json.id, i % 2 ? wrong : right));
    const done = await sub;
    const after = await Promise.all(saves);
    assert.equal(done.status, 200, done.text);
    for (const x of after) assert.ok(x.status === 204 || x.status === 409, `${x.status} ${x.text}`);
    // The review shows the sheet graded; it is one of the two, scored as such, and it stays.
    const graded = done.json.questions.map((q) => q.your_answer);
    const which = JSON.stringify(graded) === JSON.stringify(right) ? 100 : JSON.stringify(graded) === JSON.stringify(wrong) ? 0 : -1;
    assert.notEqual(which, -1, JSON.stringify(graded));
    assert.equal(done.json.score_percent, which);
    const view = await srv.getJSON(learner, `/api/v1/attempts/${s.json.id}`);
    assert.deepEqual(view.questions.map((q) => q.your_answer), graded);
    assert.equal(view.score_percent, which);
    assert.equal(view.saved_answers, null);
    expectError(assert, await save(learner, s.json.id, right), 409, 'conflict', 'id');
  }
});

test('a save without the CSRF token, with an undeclared field, or too large is refused and changes nothing', async () => {
  const s = await srv.request('POST', `/api/v1/quizzes/${quizzes.practice}/attempts`, { session: learner });
  assert.ok(s.status === 201 || s.status === 200, s.text);
  const sheet = s.json.questions.map(() => null);
  sheet[0] = true;
  assert.equal((await save(learner, s.json.id, sheet)).status, 204);
  const noCsrf = await srv.request('PUT', `/api/v1/attempts/${s.json.id}/answers`, { cookie: learner.cookie, body: { answers: [false] } });
  assert.equal(noCsrf.status, 403, noCsrf.text);
  expectError(assert, await srv.request('PUT', `/api/v1/attempts/${s.json.id}/answers`, { session: learner, body: { answers: [false], score: 100 } }), 400, undefined, 'score');
  expectError(assert, await srv.request('PUT', `/api/v1/attempts/${s.json.id}/answers`, { session: learner, body: { answers: 'false' } }), 400, undefined, 'answers');
  expectError(assert, await save(learner, s.json.id, new Array(101).fill(null)), 400, undefined, 'answers');
  const huge = await save(learner, s.json.id, [true, 'x'.repeat(70 * 1024)]);
  assert.equal(huge.status, 413, huge.text);
  assert.deepEqual((await srv.getJSON(learner, `/api/v1/attempts/${s.json.id}`)).saved_answers, sheet);
});

test('a save its check refuses does not wait for the writer (SQLite: another process holding the write lock)', { skip: ON_PG && 'PostgreSQL has no database-wide write lock to hold from outside' }, async () => {
  const s = await srv.request('POST', `/api/v1/quizzes/${quizzes.practice}/attempts`, { session: learner });
  assert.ok(s.status === 201 || s.status === 200, s.text);
  const sheet = answersFor(s.json, {});
  assert.equal((await save(learner, s.json.id, sheet)).status, 204);
  // Another process takes the database's write lock for 6 s (a backup, a CLI import's chunk).
  const holder = spawn('sqlite3', [join(srv.dataDir, 'hocvuso.db')], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  holder.stderr.on('data', (d) => { stderr += d; });
  const gone = new Promise((res) => holder.on('exit', res));
  holder.stdin.write('.timeout 20000\nBEGIN IMMEDIATE;\nINSERT INTO ind_dirty (person_id) SELECT -1 WHERE 0;\n');
  await sleep(800);
  try {
    const bad = sheet.slice();
    bad[0] = 'không phải true/false';
    const t0 = Date.now();
    const r = await save(learner, s.json.id, bad);
    const ms = Date.now() - t0;
    expectError(assert, r, 400, 'invalid_value', 'answers');
    assert.ok(ms < 3000, `a refused save waited ${ms} ms for the writer`);
  } finally {
    await sleep(Math.max(0, 6000 - 800));
    holder.stdin.end('COMMIT;\n');
    await gone;
  }
  assert.equal(stderr, '');
  assert.equal((await save(learner, s.json.id, sheet)).status, 204);
  assert.deepEqual((await srv.getJSON(learner, `/api/v1/attempts/${s.json.id}`)).saved_answers, sheet);
});
