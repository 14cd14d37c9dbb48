// quiz.test.mjs: quizzes drawn from the question bank, taken by learners and graded on the server
// alone (issue 8), over real HTTP: an open attempt shows no answer, no share and no feedback; the
// same attempt comes back when the page is reloaded; grading follows quiz.h's rules for each type
// (short answers without accents, numbers with a comma); the review shows the right answers and
// explanations; attempt limits, double submissions, malformed answers and someone else's attempt
// are refused with the reason, and change nothing. SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// Owns: its server, the questions, quizzes and accounts it makes. Never: times anything.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, finish, expectError, userWithRole, uniq, hocvuso, storeArgs, run, ON_PG, REPO_ROOT } from './lib/server.mjs';

let srv, admin, learner, other, congan, tdp1;
const CAT = `KNS-TEST/${uniq('q').replace(/[^a-z0-9]/g, '')}`;
// One question of each type; the test knows their answers.
const GIFT = `$CATEGORY: ${CAT}/4.2/1

::OTP::Ngân hàng có gọi điện hỏi mã OTP của bạn không?{F#Sai rồi: ngân hàng không bao giờ hỏi.#Đúng.####Không bao giờ đọc mã OTP cho ai.}

::Mật khẩu::Mật khẩu nào mạnh nhất?{=Ntong7ccbt!#Đúng ~123456#Quá dễ đoán ~matkhau ~Tên và năm sinh####Mật khẩu mạnh thì dài và khó đoán.}

::Lừa đảo::Dấu hiệu nào là lừa đảo?{~%50%Hối thúc chuyển tiền ~%50%Gửi đường dẫn lạ ~%-100%Ngân hàng gửi thông báo trong ứng dụng chính thức####Kẻ gian hối thúc và gửi đường dẫn lạ.}

::Ghép::Ghép ứng dụng với việc.{=VNeID -> Định danh điện tử =Zalo -> Nhắn tin =Ngân hàng số -> Chuyển tiền####Mỗi ứng dụng một việc.}

::Cổng::Tên cổng nộp hồ sơ trực tuyến là Cổng ... quốc gia.{=Dịch vụ công =%50%dvc####Cổng Dịch vụ công quốc gia.}

::PIN::Mã PIN của thẻ ATM thường có mấy chữ số?{#6:0####Thường là 6 chữ số.}
`;
const RIGHT = {
  'Ngân hàng có gọi điện hỏi mã OTP của bạn không?': () => false,
  'Mật khẩu nào mạnh nhất?': (q) => q.options.indexOf('Ntong7ccbt!'),
  'Dấu hiệu nào là lừa đảo?': (q) => [q.options.indexOf('Hối thúc chuyển tiền'), q.options.indexOf('Gửi đường dẫn lạ')],
  'Ghép ứng dụng với việc.': (q) => q.items.map((i) => ({ VNeID: 'Định danh điện tử', Zalo: 'Nhắn tin', 'Ngân hàng số': 'Chuyển tiền' })[i]),
  'Tên cổng nộp hồ sơ trực tuyến là Cổng ... quốc gia.': () => 'dich vu  cong', // no accents, a double space
  'Mã PIN của thẻ ATM thường có mấy chữ số?': () => '6,0',
};
const LEAKS = ['shares', 'right_answer', 'explanation', 'feedback', 'score', 'answers', 'your_answer'];

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  learner = await srv.login('hocvien');
  congan = await srv.login('congan');
  tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1');
  other = await userWithRole(srv, admin, { username: uniq('hv').replace(/[^a-z0-9]/g, ''), role: 'learner', unitId: tdp1 });
  const r = await srv.request('POST', '/api/v1/questions/import?name=kiem-tra.gift', { session: admin, rawBody: Buffer.from(GIFT) });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.imported, 6, r.text);
});
after(async () => finish(srv, assert));

async function quiz(body) {
  const r = await srv.request('POST', '/api/v1/quizzes', { session: admin, body: { title: `Bài ${uniq()}`, category: CAT, question_count: 6, pass_percent: 75, ...body } });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}
const start = (session, id) => srv.request('POST', `/api/v1/quizzes/${id}/attempts`, { session });
const submit = (session, id, answers) => srv.request('POST', `/api/v1/attempts/${id}/submit`, { session, body: { answers } });

test('an attempt shows the questions without answers, comes back on reload, and is graded on the server', async () => {
  const id = await quiz({ max_attempts: 2 });
  const s = await start(learner, id);
  assert.equal(s.status, 201, s.text);
  assert.equal(s.json.state, 'open');
  assert.equal(s.json.questions.length, 6);
  for (const q of s.json.questions) for (const k of LEAKS) assert.ok(!(k in q), `${k} shown before the submission: ${JSON.stringify(q)}`);
  assert.ok(!/Ntong7ccbt!#|Sai rồi|Không bao giờ đọc/.test(s.text), 'no feedback or explanation in the open attempt');
  // A reload: the same attempt, the same order.
  const again = await start(learner, id);
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.id, s.json.id);
  assert.deepEqual(again.json.questions, s.json.questions);
  // The new attempt's answer is built from its draw, after the commit: the same as read back.
  assert.deepEqual(again.json, s.json);
  assert.deepEqual((await srv.getJSON(learner, `/api/v1/attempts/${s.json.id}`)), s.json);
  const answers = s.json.questions.map((q) => RIGHT[q.text](q));
  const done = await submit(learner, s.json.id, answers);
  assert.equal(done.status, 200, done.text);
  assert.equal(done.json.state, 'submitted');
  assert.equal(done.json.score_percent, 100);
  assert.equal(done.json.passed, true);
  for (const q of done.json.questions) {
    assert.equal(q.score, 1, `${q.text}: ${JSON.stringify(q)}`);
    assert.equal(typeof q.explanation, 'string');
  }
  const tf = done.json.questions.find((q) => q.type === 'truefalse');
  assert.equal(tf.right_answer, false);
  assert.deepEqual(tf.feedback, ['Đúng.']);
  const short = done.json.questions.find((q) => q.type === 'short');
  assert.deepEqual(short.right_answer, ['Dịch vụ công']);
  // The review stays: read again, the same.
  const review = await srv.getJSON(learner, `/api/v1/attempts/${s.json.id}`);
  assert.deepEqual(review, done.json);
  // The list says so.
  const mine = (await srv.getJSON(learner, '/api/v1/quizzes?per_page=100')).items.find((z) => z.id === id).mine;
  assert.deepEqual(mine, { attempts: 1, best_percent: 100, passed: true, open_attempt: null });
});

test('partial answers: negative shares take off, half answers get half; the attempt limit holds', async () => {
  const id = await quiz({ max_attempts: 2 });
  const s = await start(learner, id);
  const answers = s.json.questions.map((q) => {
    if (q.type === 'multi') return [q.options.indexOf('Hối thúc chuyển tiền'), q.options.indexOf('Ngân hàng gửi thông báo trong ứng dụng chính thức')];
    if (q.type === 'short') return 'DVC'; // the half-mark answer
    if (q.type === 'truefalse') return true; // wrong
    if (q.type === 'matching') return RIGHT[q.text](q).map((v, i) => (i === 0 ? 'sai' : v));
    return null; // left blank
  });
  const r = await submit(learner, s.json.id, answers);
  assert.equal(r.status, 200, r.text);
  const score = (t) => r.json.questions.find((q) => q.type === t).score;
  assert.equal(score('multi'), 0);
  assert.equal(score('short'), 0.5);
  assert.equal(score('truefalse'), 0);
  assert.ok(Math.abs(score('matching') - 2 / 3) < 0.001);
  assert.equal(score('single'), 0);
  assert.equal(r.json.passed, false);
  assert.ok(Math.abs(r.json.score_percent - Math.round(((0.5 + 2 / 3) / 6) * 1000) / 10) < 0.05, String(r.json.score_percent));
  const tf = r.json.questions.find((q) => q.type === 'truefalse');
  assert.deepEqual(tf.feedback, ['Sai rồi: ngân hàng không bao giờ hỏi.']);
  // Submitted twice: refused, nothing changes.
  const twice = await submit(learner, s.json.id, s.json.questions.map((q) => RIGHT[q.text](q)));
  expectError(assert, twice, 409, 'conflict', 'id');
  assert.equal((await srv.getJSON(learner, `/api/v1/attempts/${s.json.id}`)).score_percent, r.json.score_percent);
  // Two attempts allowed: a second, then no third.
  const second = await start(learner, id);
  assert.equal(second.status, 201);
  assert.equal((await submit(learner, second.json.id, [])).status, 200);
  const third = await start(learner, id);
  expectError(assert, third, 409, 'conflict', 'id');
  assert.match(third.json.error.message, /2 lần/);
});

test('malformed answers are refused naming the question, and the attempt stays open', async () => {
  const id = await quiz({});
  const s = await start(learner, id);
  const single = s.json.questions.findIndex((q) => q.type === 'single');
  const bad = s.json.questions.map(() => null);
  bad[single] = 99;
  let r = await submit(learner, s.json.id, bad);
  expectError(assert, r, 400, 'invalid_value', 'answers');
  assert.match(r.json.error.message, new RegExp(`Câu ${single + 1}`));
  r = await srv.request('POST', `/api/v1/attempts/${s.json.id}/submit`, { session: learner, body: { answers: 'tất cả' } });
  expectError(assert, r, 400, undefined, 'answers');
  r = await submit(learner, s.json.id, new Array(7).fill(null));
  expectError(assert, r, 400, 'invalid_value', 'answers');
  assert.equal((await srv.getJSON(learner, `/api/v1/attempts/${s.json.id}`)).state, 'open');
  const ok = await submit(learner, s.json.id, s.json.questions.map((q) => RIGHT[q.text](q)));
  assert.equal(ok.status, 200, ok.text);
});

const save = (session, id, answers) => srv.request('PUT', `/api/v1/attempts/${id}/answers`, { session, body: { answers } });

test('answers are saved as the learner goes: a reopened page has them, a submission without answers grades them', async () => {
  const id = await quiz({});
  const s = await start(learner, id);
  assert.equal(s.json.saved_answers, null);
  const right = s.json.questions.map((q) => RIGHT[q.text](q));
  // The first answer only, then the first three: each save replaces the one before; nothing is graded or told.
  let r = await save(learner, s.json.id, [right[0]]);
  assert.equal(r.status, 204, r.text);
  assert.equal(r.text, '');
  const partial = right.slice(0, 3).concat([null, null, null]);
  r = await save(learner, s.json.id, partial);
  assert.equal(r.status, 204, r.text);
  const again = await start(learner, id); // the page opened again from the list
  assert.equal(again.status, 200, again.text);
  assert.deepEqual(again.json.saved_answers, partial);
  const view = await srv.getJSON(learner, `/api/v1/attempts/${s.json.id}`);
  assert.deepEqual(view.saved_answers, partial);
  assert.equal(view.state, 'open');
  for (const q of view.questions) for (const k of LEAKS) assert.ok(!(k in q), `${k} shown while open: ${JSON.stringify(q)}`);
  assert.equal(view.score_percent, null);
  // A malformed answer is refused naming the question; the saved ones stay as they were.
  const single = s.json.questions.findIndex((q) => q.type === 'single');
  const bad = partial.slice();
  bad[single] = 99;
  r = await save(learner, s.json.id, bad);
  expectError(assert, r, 400, 'invalid_value', 'answers');
  assert.match(r.json.error.message, new RegExp(`Câu ${single + 1}`));
  r = await save(learner, s.json.id, new Array(7).fill(null));
  expectError(assert, r, 400, 'invalid_value', 'answers');
  r = await srv.request('PUT', `/api/v1/attempts/${s.json.id}/answers`, { session: learner, body: {} });
  expectError(assert, r, 400, undefined, 'answers');
  assert.deepEqual((await srv.getJSON(learner, `/api/v1/attempts/${s.json.id}`)).saved_answers, partial);
  // Someone else cannot save into it, nor read it.
  expectError(assert, await save(other, s.json.id, right), 403, 'forbidden', 'id');
  expectError(assert, await save(admin, s.json.id, right), 403, 'forbidden', 'id');
  assert.equal((await save(learner, 999999, right)).status, 404);
  // All six saved, then submitted without answers: graded on the saved ones.
  r = await save(learner, s.json.id, right);
  assert.equal(r.status, 204, r.text);
  const done = await srv.request('POST', `/api/v1/attempts/${s.json.id}/submit`, { session: learner, body: {} });
  assert.equal(done.status, 200, done.text);
  assert.equal(done.json.score_percent, 100);
  assert.equal(done.json.saved_answers, null);
  assert.deepEqual(done.json.questions.map((q) => q.your_answer), right);
  // Closed: no more saving, and the graded answers stay.
  expectError(assert, await save(learner, s.json.id, partial), 409, 'conflict', 'id');
  assert.equal((await srv.getJSON(learner, `/api/v1/attempts/${s.json.id}`)).score_percent, 100);
});

test('answers given with the submission win over the saved ones; none saved and none given is all blank', async () => {
  const id = await quiz({ max_attempts: 3 });
  const s = await start(learner, id);
  const right = s.json.questions.map((q) => RIGHT[q.text](q));
  assert.equal((await save(learner, s.json.id, right)).status, 204);
  const r = await submit(learner, s.json.id, s.json.questions.map(() => null));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.score_percent, 0);
  const s2 = await start(learner, id);
  assert.equal(s2.status, 201, s2.text);
  const blank = await srv.request('POST', `/api/v1/attempts/${s2.json.id}/submit`, { session: learner, body: {} });
  assert.equal(blank.status, 200, blank.text);
  assert.equal(blank.json.score_percent, 0);
  assert.ok(blank.json.questions.every((q) => q.your_answer === null || q.your_answer === undefined), blank.text);
});

test('an attempt past its time takes no more saves', async () => {
  const id = await quiz({ time_limit_min: 5 });
  const s = await start(learner, id);
  assert.equal((await save(learner, s.json.id, [null])).status, 204);
  // Its deadline moved back by hand, as if the learner had let it run out (and the minute of grace).
  const sql = `UPDATE quiz_attempts SET deadline_at = deadline_at - 400 WHERE id = ${Number(s.json.id)}`;
  const r = ON_PG ? await run('psql', ['-X', '-q', srv.dbUri, '-c', sql]) : await run('sqlite3', [join(srv.dataDir, 'hocvuso.db'), '.timeout 20000', sql]);
  assert.equal(r.code, 0, r.stderr);
  const late = await save(learner, s.json.id, [null]);
  expectError(assert, late, 409, 'conflict', 'id');
  assert.match(late.json.error.message, /hết thời gian/);
});

test('an attempt is its learner\'s alone; those who do not learn cannot start one', async () => {
  const id = await quiz({});
  const s = await start(learner, id);
  let r = await srv.request('GET', `/api/v1/attempts/${s.json.id}`, { session: other });
  expectError(assert, r, 403, 'forbidden', 'id');
  r = await submit(other, s.json.id, []);
  expectError(assert, r, 403, 'forbidden', 'id');
  r = await srv.request('GET', `/api/v1/attempts/${s.json.id}`, { session: admin });
  expectError(assert, r, 403, 'forbidden', 'id');
  r = await srv.request('GET', '/api/v1/attempts/999999', { session: learner });
  assert.equal(r.status, 404);
  r = await start(learner, 999999);
  assert.equal(r.status, 404);
  r = await start(congan, id);
  expectError(assert, r, 403, 'forbidden');
  r = await srv.request('GET', '/api/v1/quizzes', { session: congan });
  expectError(assert, r, 403, 'forbidden');
  // The other learner's own attempt draws its own questions; the first one's is untouched.
  const mine = await start(other, id);
  assert.equal(mine.status, 201);
  assert.notEqual(mine.json.id, s.json.id);
});

test('a quiz must be able to draw: unknown competence, empty draw, bad fields are refused', async () => {
  let r = await srv.request('POST', '/api/v1/quizzes', { session: admin, body: { title: 'X', competency: '9.9', question_count: 5, pass_percent: 70 } });
  expectError(assert, r, 400, 'invalid_value', 'competency');
  r = await srv.request('POST', '/api/v1/quizzes', { session: admin, body: { title: 'X', category: 'KHONG/CO', question_count: 5, pass_percent: 70 } });
  expectError(assert, r, 409, 'conflict');
  r = await srv.request('POST', '/api/v1/quizzes', { session: admin, body: { title: 'X', question_count: 500, pass_percent: 70 } });
  expectError(assert, r, 400, undefined, 'question_count');
  r = await srv.request('POST', '/api/v1/quizzes', { session: learner, body: { title: 'X', question_count: 5, pass_percent: 70 } });
  expectError(assert, r, 403, 'forbidden');
  // By competence and level: the six questions are 4.2, level 1.
  const id = await quiz({ category: undefined, competency: '4.2', level: 1, question_count: 3 });
  const s = await start(learner, id);
  assert.equal(s.json.questions.length, 3);
});

test('the demo loads the starter curriculum: a quiz per module, the demo learner at every stage', async () => {
  const content = join(REPO_ROOT, 'content', 'curriculum');
  const r = await hocvuso(['demo', ...storeArgs(srv.dataDir, srv.dbUri), '--content', content],
    { env: { HOCVUSO_ADMIN_PASSWORD: srv.password }, timeout: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Question bank: 147 questions of the starter curriculum \(9 modules\)/);
  assert.match(r.stdout, /Quizzes: 9 new/);
  const list = (await srv.getJSON(learner, '/api/v1/quizzes?per_page=100')).items.filter((z) => /^Kiểm tra M0\d/.test(z.title));
  assert.equal(list.length, 9);
  const byCode = Object.fromEntries(list.map((z) => [z.title.slice(9, 12), z.mine]));
  assert.equal(byCode.M01.passed, true);
  assert.equal(byCode.M02.attempts, 1);
  assert.equal(byCode.M02.passed, false);
  assert.ok(byCode.M03.open_attempt > 0);
  assert.equal(byCode.M04.attempts, 0);
  // The open attempt is the learner's to finish: ten questions of module 3, the first four answered (saved).
  const open = await srv.getJSON(learner, `/api/v1/attempts/${byCode.M03.open_attempt}`);
  assert.equal(open.state, 'open');
  assert.equal(open.questions.length, 10);
  assert.equal(open.saved_answers.length, 4, JSON.stringify(open.saved_answers));
  // Again: nothing added.
  const again = await hocvuso(['demo', ...storeArgs(srv.dataDir, srv.dbUri), '--content', content],
    { env: { HOCVUSO_ADMIN_PASSWORD: srv.password }, timeout: 120_000 });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Quizzes: 0 new/);
  assert.equal((await srv.getJSON(learner, '/api/v1/quizzes?per_page=100')).total, (await srv.getJSON(learner, '/api/v1/quizzes?per_page=1')).total);
});
