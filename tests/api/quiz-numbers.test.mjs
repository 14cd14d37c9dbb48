// quiz-numbers.test.mjs: numerical answers written the Vietnamese way (quiz.h, quiz_parse_number):
// "1.000.000" (dots grouping thousands) and "1,5" (the decimal comma) are numbers, "12.5" still is,
// "1.5.0" is not, and "1.000" (a thousand, or one?) is refused as ambiguous with how to write it;
// the save's check (PUT …/answers) and the submission agree on every one of them.
// SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// Owns: its server and the questions and quizzes it makes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, finish, expectError, uniq, assertVietnamese } from './lib/server.mjs';

let srv, admin, learner, quizId;
const MILLION = 'Một triệu đồng viết bằng số là bao nhiêu đồng?';
const HALF = 'Một ki-lô-gam rưỡi là bao nhiêu ki-lô-gam?';
const TWELVE = 'Mười hai phẩy năm viết bằng số là gì?';

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  learner = await srv.login('hocvien');
  const cat = `KNS-SO/${uniq('n').replace(/[^a-z0-9]/g, '')}`;
  const gift = `$CATEGORY: ${cat}/4.2/1\n\n::so-1::${MILLION}{#1000000}\n\n::so-2::${HALF}{#1.5}\n\n::so-3::${TWELVE}{#12.5}\n`;
  const r = await srv.request('POST', '/api/v1/questions/import?name=so.gift', { session: admin, rawBody: Buffer.from(gift) });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.imported, 3, r.text);
  const q = await srv.request('POST', '/api/v1/quizzes', {
    session: admin,
    body: { title: `Viết số ${uniq()}`, category: cat, question_count: 3, pass_percent: 50, max_attempts: 0 },
  });
  assert.equal(q.status, 201, q.text);
  quizId = q.json.id;
});
after(async () => finish(srv, assert));

async function attempt() {
  const s = await srv.request('POST', `/api/v1/quizzes/${quizId}/attempts`, { session: learner });
  assert.ok(s.status === 201 || s.status === 200, s.text);
  return s.json;
}
// The sheet with `byText[question text]` as each answer.
const sheet = (a, byText) => a.questions.map((q) => byText[q.text] ?? null);
const save = (id, answers) => srv.request('PUT', `/api/v1/attempts/${id}/answers`, { session: learner, body: { answers } });
const submit = (id, body) => srv.request('POST', `/api/v1/attempts/${id}/submit`, { session: learner, body });

test('"1.000.000", "1,5" and "12.5" are saved and graded right; "1.000.000" and "1,000,000" are the same number', async () => {
  for (const [million, half, twelve] of [['1.000.000', '1,5', '12.5'], ['1,000,000', '1.5', '12,5'], ['1 000 000', ' 1,50 ', '12,500']]) {
    const a = await attempt();
    const answers = sheet(a, { [MILLION]: million, [HALF]: half, [TWELVE]: twelve });
    if (twelve === '12,500') {
      // twelve thousand five hundred, or twelve and a half? refused on save and on submission alike
      const s = await save(a.id, answers);
      expectError(assert, s, 400, 'invalid_value', 'answers');
      assert.match(s.json.error.message, /1000/);
      assertVietnamese(assert, s.json.error.message);
      const d = await submit(a.id, { answers });
      expectError(assert, d, 400, 'invalid_value', 'answers');
      assert.equal(d.json.error.message, s.json.error.message);
      answers[a.questions.findIndex((q) => q.text === TWELVE)] = '12,5';
    }
    const s = await save(a.id, answers);
    assert.equal(s.status, 204, s.text);
    const d = await submit(a.id, {}); // the saved sheet
    assert.equal(d.status, 200, d.text);
    for (const q of d.json.questions) assert.equal(q.score, 1, `${q.text}: ${JSON.stringify(q.your_answer)}`);
    assert.equal(d.json.score_percent, 100);
  }
});

test('"1.5.0", "1.000" and "1e6" are refused with the question\'s number, on save and on submission alike; nothing is kept', async () => {
  const a = await attempt();
  const n = a.questions.findIndex((q) => q.text === MILLION) + 1;
  for (const bad of ['1.5.0', '1.000', '1e6', '1,2.3', '1.00.0']) {
    const answers = sheet(a, { [MILLION]: bad });
    const s = await save(a.id, answers);
    expectError(assert, s, 400, 'invalid_value', 'answers');
    assert.ok(s.json.error.message.startsWith(`Câu ${n}:`), s.json.error.message);
    const d = await submit(a.id, { answers });
    expectError(assert, d, 400, 'invalid_value', 'answers');
    assert.equal(d.json.error.message, s.json.error.message, bad);
  }
  const g = await srv.getJSON(learner, `/api/v1/attempts/${a.id}`);
  assert.equal(g.state, 'open');
  assert.equal(g.saved_answers, null);
  // A wrong number is a number: graded 0, not refused.
  const d = await submit(a.id, { answers: sheet(a, { [MILLION]: '1.000.001', [HALF]: '1,4', [TWELVE]: '12.5' }) });
  assert.equal(d.status, 200, d.text);
  const score = Object.fromEntries(d.json.questions.map((q) => [q.text, q.score]));
  assert.deepEqual(score, { [MILLION]: 0, [HALF]: 0, [TWELVE]: 1 });
});
