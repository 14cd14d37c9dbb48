// review-learning.test.mjs: what a hostile review of the learning side (issue 8) found, over real
// HTTP: a teacher's short answer with many '*' against a learner's long answer (once exponential
// work on the single writer), answers of a huge size kept and echoed (a number padded with spaces,
// a matching side of kilobytes), odd question files (answers past 64, duplicate right sides, bad
// UTF-8 in CDATA, deep nesting, entity tricks) answered 200 or 4xx with the error shape, never 5xx.
// SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR. Owns: its server, questions, quizzes. Never: times anything.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, finish, expectError, assertVietnamese, uniq, hocvuso, run, tempDir, freshDatabase, storeArgs, REPO_ROOT } from './lib/server.mjs';

let srv, admin, learner;
const CAT = `KNS-RVL/${uniq('q').replace(/[^a-z0-9]/g, '')}`;
const STARS = `${'*a'.repeat(25)}*b`;
const GIFT = `$CATEGORY: ${CAT}/4.2/1

::Sao::Gõ một từ có chữ b.{=${STARS}}

::Số::Mã PIN có mấy chữ số?{#6:0}

::Ghép::Ghép ứng dụng với việc.{=VNeID -> Định danh =Zalo -> Nhắn tin}
`;

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  learner = await srv.login('hocvien');
  const r = await srv.request('POST', '/api/v1/questions/import?name=rvl.gift', { session: admin, rawBody: Buffer.from(GIFT) });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.imported, 3, r.text);
});
after(async () => finish(srv, assert));

async function attempt() {
  const z = await srv.request('POST', '/api/v1/quizzes', { session: admin, body: { title: `Bài ${uniq()}`, category: CAT, question_count: 3, pass_percent: 50 } });
  assert.equal(z.status, 201, z.text);
  const a = await srv.request('POST', `/api/v1/quizzes/${z.json.id}/attempts`, { session: learner });
  assert.equal(a.status, 201, a.text);
  return a.json;
}
const submit = (id, answers, timeout = 30000) => srv.request('POST', `/api/v1/attempts/${id}/submit`, { session: learner, body: { answers }, timeout });
const blank = (a, type, v) => a.questions.map((q) => (q.type === type ? v(q) : null));

test('a short answer with many stars is graded at once, whatever the learner types', async () => {
  const a = await attempt();
  // Before the fix: a recursive match, exponential in the stars, on the single writer (hours).
  const r = await submit(a.id, blank(a, 'short', () => 'a'.repeat(1000)), 60000);
  assert.equal(r.status, 200, r.text);
  const q = r.json.questions.find((x) => x.type === 'short');
  assert.equal(q.score, 0);
  // The writer is free: another learner's write goes through.
  const b = await attempt();
  const ok = await submit(b.id, blank(b, 'short', () => `${'a'.repeat(25)}b`));
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.questions.find((x) => x.type === 'short').score, 1);
});

test('an answer of a huge size is refused with the question number, and the attempt stays open', async () => {
  const a = await attempt();
  const cases = [
    ['numerical', () => `6${' '.repeat(20000)}`, 'một số'],
    ['matching', (q) => q.items.map(() => 'x'.repeat(5000)), 'vế phải'],
    ['short', () => 'ả'.repeat(1001), '1000'],
  ];
  for (const [type, v, words] of cases) {
    const r = await submit(a.id, blank(a, type, v));
    expectError(assert, r, 400, 'invalid_value', 'answers');
    const n = a.questions.findIndex((q) => q.type === type) + 1;
    assert.ok(r.json.error.message.startsWith(`Câu ${n}:`) && r.json.error.message.includes(words), r.json.error.message);
    assertVietnamese(assert, r.json.error.message);
  }
  const g = await srv.request('GET', `/api/v1/attempts/${a.id}`, { session: learner });
  assert.equal(g.json.state, 'open', 'nothing was kept');
  // A number with spaces inside and a comma is still a number.
  const r = await submit(a.id, blank(a, 'numerical', () => ' 6,0 '));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.questions.find((x) => x.type === 'numerical').score, 1);
});

test('odd question files are answered 200 with a report, or 4xx naming the file, never 5xx', async () => {
  const many = Array.from({ length: 70 }, (_, i) => `~Phương án ${i}`).join(' ');
  const deep = `${'<a>'.repeat(200)}${'</a>'.repeat(200)}`;
  const files = [
    [`$CATEGORY: ${CAT}/4.2/1\n\n::Nhiều::Chọn một.{=Đúng ${many}}\n`, 200],
    [`$CATEGORY: ${CAT}/4.2/1\n\n::Trùng::Ghép.{=A -> 1 =B -> 1 =C -> 1}\n`, 200],
    [Buffer.concat([Buffer.from(`<?xml version="1.0"?><quiz><question type="shortanswer"><name><text>x</text></name><questiontext><text><![CDATA[`), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(`]]></text></questiontext><answer fraction="100"><text>a</text></answer></question></quiz>`)]), 400],
    [`<?xml version="1.0"?><quiz>${deep}</quiz>`, 400],
    [`<?xml version="1.0"?><!DOCTYPE q [<!ENTITY x SYSTEM "file:///etc/passwd">]><quiz><question type="shortanswer"><name><text>&x;</text></name><questiontext><text>t</text></questiontext><answer fraction="100"><text>a</text></answer></question></quiz>`, null],
    [`::A::${'x'.repeat(70000)}{=a}\n`, null],
  ];
  for (const [body, want] of files) {
    const r = await srv.request('POST', '/api/v1/questions/import?name=la.txt&competency=4.2&level=1', { session: admin, rawBody: Buffer.from(body) });
    assert.ok(r.status < 500, `${r.status} ${r.text}`);
    if (want) assert.equal(r.status, want, r.text);
    if (r.status >= 400) {
      assert.equal(r.json.error.field, 'file', r.text);
      assertVietnamese(assert, r.json.error.message);
    } else {
      for (const p of r.json.rejected) assertVietnamese(assert, p.reason);
    }
    assert.ok(!r.text.includes('root:'), 'no external entity read');
  }
});

test('starts and submissions at once: one attempt, one submission counted, the limit held', async () => {
  const z = await srv.request('POST', '/api/v1/quizzes', { session: admin, body: { title: `Bài ${uniq()}`, category: CAT, question_count: 3, pass_percent: 50, max_attempts: 1 } });
  assert.equal(z.status, 201, z.text);
  const starts = await Promise.all(Array.from({ length: 8 }, () => srv.request('POST', `/api/v1/quizzes/${z.json.id}/attempts`, { session: learner })));
  assert.deepEqual(starts.map((s) => s.status).sort(), [200, 200, 200, 200, 200, 200, 200, 201]);
  assert.equal(new Set(starts.map((s) => s.json.id)).size, 1, 'one attempt');
  const id = starts[0].json.id;
  // The same submission eight times at once: one counted; the others answered with its stored result
  // (the same submission again) or, when they could not yet see it, 409.
  const subs = await Promise.all(Array.from({ length: 8 }, () => submit(id, [])));
  const ok = subs.filter((x) => x.status === 200);
  assert.ok(ok.length >= 1, subs.map((s) => s.status).join());
  for (const s of subs.filter((x) => x.status !== 200)) expectError(assert, s, 409, 'conflict', 'id');
  for (const s of ok) assert.deepEqual(s.json, ok[0].json);
  const again = await Promise.all(Array.from({ length: 4 }, () => srv.request('POST', `/api/v1/quizzes/${z.json.id}/attempts`, { session: learner })));
  for (const s of again) expectError(assert, s, 409, 'conflict', 'id');
  const list = await srv.request('GET', '/api/v1/quizzes?per_page=100', { session: learner });
  assert.equal(list.json.items.find((q) => q.id === z.json.id).mine.attempts, 1);
});

test('odd ids and odd quiz definitions: 4xx with the error shape, in Vietnamese', async () => {
  const cases = [
    ['POST', '/api/v1/lessons/999999999/complete', learner, undefined, 404],
    ['GET', '/api/v1/lessons/0', learner, undefined, 404],
    ['GET', '/api/v1/attempts/999999999', learner, undefined, 404],
    ['POST', '/api/v1/attempts/999999999/submit', learner, { answers: [] }, 404],
    ['POST', '/api/v1/quizzes/999999999/attempts', learner, undefined, 404],
    ['POST', '/api/v1/quizzes', learner, { title: 'x', question_count: 1, pass_percent: 1 }, 403],
    ['GET', '/api/v1/questions', learner, undefined, 403],
    ['POST', '/api/v1/quizzes', admin, { title: 'x', question_count: 1, pass_percent: 1, category: '%' }, 409],
    ['POST', '/api/v1/quizzes', admin, { title: 'x', question_count: 1, pass_percent: 1, category: `${CAT}_` }, 409],
    ['POST', '/api/v1/quizzes', admin, { title: 'x', question_count: 101, pass_percent: 1 }, 400],
    ['POST', '/api/v1/quizzes', admin, { title: 'x', question_count: 1, pass_percent: 1, competency: '9.9' }, 400],
    ['POST', '/api/v1/quizzes', admin, { title: 'x', question_count: 1e30, pass_percent: 1 }, 400],
  ];
  for (const [m, path, session, body, want] of cases) {
    const r = await srv.request(m, path, { session, body });
    assert.equal(r.status, want, `${m} ${path} ${JSON.stringify(body)}: ${r.text}`);
    assert.ok(r.json?.error?.code && 'field' in r.json.error, r.text);
    assertVietnamese(assert, r.json.error.message);
  }
});

test('hocvuso import curriculum that fails keeps nothing: no question of the modules before the fault', async () => {
  const dir = tempDir('rvl-cur');
  const store = storeArgs(join(dir, 'data'), await freshDatabase('rvl_cur'));
  assert.equal((await hocvuso(['migrate', ...store])).code, 0);
  const content = join(dir, 'curriculum');
  cpSync(join(REPO_ROOT, 'content', 'curriculum'), content, { recursive: true });
  const m01 = join(content, 'm01-dien-thoai-thong-minh', 'cau-hoi.gift');
  // A lesson of the last module is missing; then, a question file of a later module is not UTF-8.
  rmSync(join(content, 'm09-giao-tiep-gia-dinh-so', 'bai-2.md'));
  let r = await hocvuso(['import', 'curriculum', ...store, content]);
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stderr, /bai-2\.md/);
  cpSync(join(REPO_ROOT, 'content', 'curriculum', 'm09-giao-tiep-gia-dinh-so', 'bai-2.md'), join(content, 'm09-giao-tiep-gia-dinh-so', 'bai-2.md'));
  writeFileSync(join(content, 'm05-thanh-toan-khong-tien-mat', 'cau-hoi.gift'), Buffer.from([0x3a, 0x3a, 0xff, 0xfe, 0x7b, 0x7d]));
  r = await hocvuso(['import', 'curriculum', ...store, content]);
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stderr, /m05-thanh-toan-khong-tien-mat/);
  // Module 1's questions were not kept by either run: importing them now adds them all.
  r = await hocvuso(['import', 'questions', ...store, m01]);
  assert.equal(r.code, 0, r.stderr);
  const o = JSON.parse(r.stdout);
  assert.ok(o.imported > 0 && o.unchanged === 0, r.stdout);
});

// The clock moved for one attempt: its deadline set back in the database (the server reads it there).
async function moveDeadline(id, seconds) {
  const sql = `UPDATE quiz_attempts SET deadline_at = deadline_at - ${seconds} WHERE id = ${id}`;
  const r = srv.dbUri
    ? await run('psql', ['-X', '-q', srv.dbUri, '-c', sql])
    : await run('sqlite3', [join(srv.dataDir, 'hocvuso.db'), '.timeout 20000', sql]);
  assert.equal(r.code, 0, r.stderr);
}

test('time limits: in the minute of grace the attempt is still the open one; past it, refused and not resumed', async () => {
  const z = await srv.request('POST', '/api/v1/quizzes', { session: admin, body: { title: `Bài ${uniq()}`, category: CAT, question_count: 3, pass_percent: 50, time_limit_min: 1, max_attempts: 3 } });
  assert.equal(z.status, 201, z.text);
  const startQ = () => srv.request('POST', `/api/v1/quizzes/${z.json.id}/attempts`, { session: learner });
  const mine = async () => (await srv.request('GET', '/api/v1/quizzes?per_page=100', { session: learner })).json.items.find((q) => q.id === z.json.id).mine;
  const a = (await startQ()).json;
  await moveDeadline(a.id, 70); // 10 s past the deadline: within the grace a slow phone gets
  assert.equal((await srv.request('GET', `/api/v1/attempts/${a.id}`, { session: learner })).json.state, 'open');
  // Before the fix: the list said nothing was open, and "start" began a second attempt (one more used).
  assert.equal((await mine()).open_attempt, a.id);
  const again = await startQ();
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.id, a.id);
  const done = await submit(a.id, []);
  assert.equal(done.status, 200, done.text);
  assert.equal((await mine()).attempts, 1);
  // Past the grace: refused, not resumed, graded on its saved sheet (none: blank, 0 %) when next
  // read (quiz-timeup.test.mjs); a new attempt is a new one.
  const b = (await startQ()).json;
  await moveDeadline(b.id, 200);
  const late = await submit(b.id, []);
  expectError(assert, late, 409, 'conflict', 'id');
  assertVietnamese(assert, late.json.error.message);
  const shown = (await srv.request('GET', `/api/v1/attempts/${b.id}`, { session: learner })).json;
  assert.equal(shown.state, 'submitted');
  assert.equal(shown.score_percent, 0);
  assert.equal((await mine()).open_attempt, null);
  const c = await startQ();
  assert.equal(c.status, 201, c.text);
  assert.notEqual(c.json.id, b.id);
});

test('a file of too many questions is refused whole (the import is one short transaction on the writer)', async () => {
  const tag = uniq('n').replace(/[^a-z0-9]/g, '');
  const gift = (n) => `$CATEGORY: ${CAT}/4.2/1\n\n${Array.from({ length: n }, (_, i) => `::${tag}${i}::${tag} ${i}{T}\n\n`).join('')}`;
  // Before: 8 MiB of one-line questions (390,000) were kept in one transaction, holding every other
  // write for seconds (503 after the writer's 5 s wait).
  let r = await srv.request('POST', '/api/v1/questions/import?name=nhieu.gift', { session: admin, rawBody: Buffer.from(gift(5001)) });
  expectError(assert, r, 413, 'too_large', 'file');
  assert.match(r.json.error.message, /5000/);
  assertVietnamese(assert, r.json.error.message);
  const none = await srv.request('GET', `/api/v1/questions?q=${tag}`, { session: admin });
  assert.equal(none.json.total, 0, 'nothing kept');
  r = await srv.request('POST', '/api/v1/questions/import?name=du.gift', { session: admin, rawBody: Buffer.from(gift(5000)) });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.imported, 5000);
  // The command line says the same, naming the file.
  const dir = tempDir('rvl-many');
  const file = join(dir, 'nhieu.gift');
  writeFileSync(file, gift(5001).replaceAll(tag, `${tag}x`));
  const cli = await hocvuso(['import', 'questions', ...storeArgs(srv.dataDir, srv.dbUri), file]);
  assert.notEqual(cli.code, 0);
  assert.match(cli.stderr, /nhieu\.gift.*5000/);
});
