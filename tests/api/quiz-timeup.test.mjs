// quiz-timeup.test.mjs: an attempt whose time runs out with its answers saved (PUT …/answers) and
// nobody submitting it is graded on its saved sheet as the submission would have been (quiz.h,
// "attempts whose time ran out"; docs/LEARNING.md): at the learner's next view of it, or by the
// server's maintenance turn with nobody looking (then in the quiz list); closed at its deadline; without
// saved answers: 0 %, failed; a late submission is still refused (409) and its answers are not the
// ones graded; graded once, whoever comes first.
// The deadline is moved into the past in the database (sqlite3 / psql) rather than waited for.
// SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// Owns: its server and what it makes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, finish, expectError, run, sleep, uniq, ON_PG } from './lib/server.mjs';
import { setup, answersFor, COMP_A, COMP_B } from './lib/competence-fixture.mjs';

let srv, admin, learner, quizId;

async function sql(q) {
  const r = ON_PG
    ? await run('psql', ['-X', '-A', '-t', '-F', '|', '-v', 'ON_ERROR_STOP=1', srv.dbUri, '-c', q])
    : await run('sqlite3', ['-cmd', '.timeout 10000', join(srv.dataDir, 'hocvuso.db'), q]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim().split('\n').filter((l) => l !== '').map((l) => l.split('|'));
}
// The attempt's time (1 minute) and its minute of grace ran out `ago` seconds ago.
const runOut = (id, ago = 5) => sql(`UPDATE quiz_attempts SET started_at = started_at - ${120 + ago}, deadline_at = deadline_at - ${120 + ago} WHERE id = ${id}`);

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  learner = await srv.login('hocvien');
  const { cat } = await setup(srv, admin, { maxAttempts: 0 });
  const q = await srv.request('POST', '/api/v1/quizzes', {
    session: admin,
    body: { title: `Có giờ ${uniq()}`, category: cat, question_count: 4, pass_percent: 50, max_attempts: 0, time_limit_min: 1 },
  });
  assert.equal(q.status, 201, q.text);
  quizId = q.json.id;
});
after(async () => finish(srv, assert));

async function start() {
  const s = await srv.request('POST', `/api/v1/quizzes/${quizId}/attempts`, { session: learner });
  assert.equal(s.status, 201, s.text);
  assert.ok(s.json.deadline_at, 'a timed attempt');
  return s.json;
}
const save = (id, answers) => srv.request('PUT', `/api/v1/attempts/${id}/answers`, { session: learner, body: { answers } });

test('time up with three of four answers right saved: the next view shows it graded on them (75 %, passed), closed at its deadline, once', async () => {
  const a = await start();
  const sheet = answersFor(a, { [COMP_A]: 9, [COMP_B]: 9 });
  sheet[0] = !sheet[0]; // 3 of 4 right
  assert.equal((await save(a.id, sheet)).status, 204);
  await runOut(a.id);
  const v = await srv.getJSON(learner, `/api/v1/attempts/${a.id}`);
  assert.equal(v.state, 'submitted', JSON.stringify(v));
  assert.equal(v.score_percent, 75);
  assert.equal(v.passed, true);
  assert.equal(v.submitted_at, v.deadline_at, 'closed at its deadline');
  assert.deepEqual(v.questions.map((q) => q.your_answer), sheet);
  assert.deepEqual(v.questions.map((q) => q.score).sort(), [0, 1, 1, 1]);
  // The scores per competence as a submission writes them.
  const [[n]] = await sql(`SELECT COUNT(*) FROM attempt_competence WHERE attempt_id = ${a.id}`);
  assert.equal(+n, 2);
  // A late submission is refused, and changes nothing.
  const late = await srv.request('POST', `/api/v1/attempts/${a.id}/submit`, { session: learner, body: { answers: answersFor(a, { [COMP_A]: 9, [COMP_B]: 9 }) } });
  expectError(assert, late, 409, 'conflict', 'id');
  const again = await srv.getJSON(learner, `/api/v1/attempts/${a.id}`);
  assert.equal(again.score_percent, 75);
  assert.equal(again.submitted_at, v.submitted_at);
});

test('time up with nothing saved: graded blank, 0 %, failed', async () => {
  const a = await start();
  await runOut(a.id);
  const v = await srv.getJSON(learner, `/api/v1/attempts/${a.id}`);
  assert.equal(v.state, 'submitted', JSON.stringify(v));
  assert.equal(v.score_percent, 0);
  assert.equal(v.passed, false);
  for (const q of v.questions) assert.equal(q.score, 0);
});

test('a late submission first: 409, says the saved answers are graded; the view then shows the saved sheet graded, not the late one', async () => {
  const a = await start();
  const saved = answersFor(a, {}); // all wrong
  assert.equal((await save(a.id, saved)).status, 204);
  await runOut(a.id);
  const late = await srv.request('POST', `/api/v1/attempts/${a.id}/submit`, { session: learner, body: { answers: answersFor(a, { [COMP_A]: 9, [COMP_B]: 9 }) } });
  expectError(assert, late, 409, 'conflict', 'id');
  assert.match(late.json.error.message, /đã lưu/);
  const v = await srv.getJSON(learner, `/api/v1/attempts/${a.id}`);
  assert.equal(v.state, 'submitted');
  assert.equal(v.score_percent, 0);
  assert.deepEqual(v.questions.map((q) => q.your_answer), saved);
});

test('nobody looking: the server\'s maintenance grades it within seconds; the quiz list shows its score', async () => {
  const a = await start();
  const sheet = answersFor(a, { [COMP_A]: 9, [COMP_B]: 9 });
  assert.equal((await save(a.id, sheet)).status, 204);
  await runOut(a.id);
  // At once, the list no longer offers it as open.
  const now = (await srv.getJSON(learner, '/api/v1/quizzes?per_page=100')).items.find((x) => x.id === quizId);
  assert.notEqual(now.mine.open_attempt, a.id);
  let row;
  for (let k = 0; k < 100; k++) {
    [row] = await sql(`SELECT submitted_at, score_tenths, passed, deadline_at FROM quiz_attempts WHERE id = ${a.id}`);
    if (row[0] !== '') break;
    await sleep(100);
  }
  assert.notEqual(row[0], '', 'not graded by the maintenance turn');
  assert.deepEqual(row.slice(0, 3).map(Number), [+row[3], 1000, 1]);
  assert.match(srv.stderr, /attempt\(s\) whose time ran out graded/);
  const list = await srv.getJSON(learner, '/api/v1/quizzes?per_page=100');
  const mine = list.items.find((x) => x.id === quizId);
  assert.ok(mine, JSON.stringify(list.items.map((x) => x.id)));
  assert.equal(mine.mine.best_percent, 100, JSON.stringify(mine));
});
