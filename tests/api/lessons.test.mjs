// lessons.test.mjs: the starter curriculum loaded by `hocvuso import curriculum` (issue 8): one
// course, nine modules each with its lessons and (after the demo) its quiz; a lesson is HTML
// rendered from its Markdown, with its neighbours; a learner marks lessons done and sees it; the
// load is repeatable; those who do not learn read nothing. SQLite, or PostgreSQL with
// HOCVUSO_TEST_PG_DIR. Owns: its server. Never: times anything.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtempSync, cpSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startServer, finish, expectError, hocvuso, storeArgs, REPO_ROOT } from './lib/server.mjs';

const CONTENT = join(REPO_ROOT, 'content', 'curriculum');
let srv, learner, congan;

before(async () => {
  srv = await startServer();
  learner = await srv.login('hocvien');
  congan = await srv.login('congan');
});
after(async () => finish(srv, assert));

test('hocvuso import curriculum loads the course, its modules, lessons and questions; again: nothing added', async () => {
  const args = storeArgs(srv.dataDir, srv.dbUri);
  let r = await hocvuso(['import', 'curriculum', ...args, CONTENT]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { modules: 9, questions: 147, rejected: 0, lessons: 19 });
  const first = await srv.getJSON(learner, '/api/v1/courses');
  r = await hocvuso(['import', 'curriculum', ...args, CONTENT]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await srv.getJSON(learner, '/api/v1/courses'), first);
  assert.equal(first.total, 1);
  const course = first.items[0];
  assert.equal(course.code, 'KNS-CB');
  assert.equal(course.modules.length, 9);
  assert.deepEqual(course.modules.map((m) => m.code), ['M01', 'M02', 'M03', 'M04', 'M05', 'M06', 'M07', 'M08', 'M09']);
  assert.equal(course.modules.reduce((n, m) => n + m.lessons.length, 0), 19);
  assert.ok(course.modules.every((m) => m.lessons.every((l) => l.done === false && l.minutes > 0)));
  r = await hocvuso(['import', 'curriculum', ...args, join(CONTENT, 'khong-co')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /curriculum\.json/);
});

test('a lesson reads as HTML with its neighbours; marking it done shows in the course; twice changes nothing', async () => {
  const course = (await srv.getJSON(learner, '/api/v1/courses')).items[0];
  const [a, b] = course.modules[0].lessons;
  const lesson = await srv.getJSON(learner, `/api/v1/lessons/${a.id}`);
  assert.equal(lesson.title, a.title);
  assert.match(lesson.html, /^<h1>/);
  assert.ok(!/<script|javascript:/i.test(lesson.html));
  assert.equal(lesson.previous, null);
  assert.equal(lesson.next, b.id);
  assert.equal(lesson.module.code, 'M01');
  assert.ok(lesson.competencies.length > 0);
  const lastModule = course.modules[8];
  const last = lastModule.lessons[lastModule.lessons.length - 1];
  assert.equal((await srv.getJSON(learner, `/api/v1/lessons/${last.id}`)).next, null);
  // The second module's first lesson follows the first module's last.
  const m2first = course.modules[1].lessons[0];
  assert.equal((await srv.getJSON(learner, `/api/v1/lessons/${m2first.id}`)).previous, course.modules[0].lessons.at(-1).id);
  for (let i = 0; i < 2; i++) {
    const r = await srv.request('POST', `/api/v1/lessons/${a.id}/complete`, { session: learner });
    assert.equal(r.status, 204, r.text);
  }
  const after = (await srv.getJSON(learner, '/api/v1/courses')).items[0].modules[0].lessons;
  assert.deepEqual(after.map((l) => l.done), [true, false]);
  assert.equal((await srv.getJSON(learner, `/api/v1/lessons/${a.id}`)).done, true);
  // Another learner's progress is their own.
  const admin = await srv.login('admin');
  assert.equal((await srv.getJSON(admin, '/api/v1/courses')).items[0].modules[0].lessons[0].done, false);
  // The lesson view is kept in memory per course revision, with `done` read per learner.
  assert.equal((await srv.getJSON(admin, `/api/v1/lessons/${a.id}`)).done, false);
  assert.equal((await srv.getJSON(learner, `/api/v1/lessons/${a.id}`)).done, true);
});

test('a course loaded again with new text, titles and order is what the next read shows (no stale lesson)', async () => {
  const args = storeArgs(srv.dataDir, srv.dbUri);
  const course = (await srv.getJSON(learner, '/api/v1/courses')).items[0];
  const [a, b] = course.modules[0].lessons;
  const before = await srv.getJSON(learner, `/api/v1/lessons/${a.id}`);
  await srv.getJSON(learner, `/api/v1/lessons/${a.id}`); // read twice: the second from memory
  const dir = mkdtempSync(join(tmpdir(), 'hv-curr-'));
  try {
    cpSync(CONTENT, dir, { recursive: true });
    const index = JSON.parse(readFileSync(join(dir, 'curriculum.json'), 'utf8'));
    const m1 = index.modules[0];
    m1.lessons[0].title = 'Bài đã sửa: chiếc điện thoại';
    m1.lessons[0].minutes = 99;
    writeFileSync(join(dir, 'curriculum.json'), JSON.stringify(index));
    const md = join(dir, m1.dir, m1.lessons[0].file);
    writeFileSync(md, readFileSync(md, 'utf8') + '\n\nĐoạn mới thêm vào bài học.\n');
    let r = await hocvuso(['import', 'curriculum', ...args, dir]);
    assert.equal(r.code, 0, r.stderr);
    let now = await srv.getJSON(learner, `/api/v1/lessons/${a.id}`);
    assert.equal(now.title, 'Bài đã sửa: chiếc điện thoại');
    assert.equal(now.minutes, 99);
    assert.match(now.html, /Đoạn mới thêm vào bài học\./);
    assert.equal(now.done, before.done);
    assert.equal(now.next, b.id);
    // Loaded back as shipped: the shipped text again.
    r = await hocvuso(['import', 'curriculum', ...args, CONTENT]);
    assert.equal(r.code, 0, r.stderr);
    now = await srv.getJSON(learner, `/api/v1/lessons/${a.id}`);
    assert.deepEqual(now, before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('missing lessons are 404; those who do not learn are refused', async () => {
  let r = await srv.request('GET', '/api/v1/lessons/999999', { session: learner });
  expectError(assert, r, 404, 'not_found');
  r = await srv.request('POST', '/api/v1/lessons/999999/complete', { session: learner });
  expectError(assert, r, 404, 'not_found');
  r = await srv.request('GET', '/api/v1/courses', { session: congan });
  expectError(assert, r, 403, 'forbidden');
  r = await srv.request('GET', '/api/v1/courses');
  assert.equal(r.status, 401);
});
