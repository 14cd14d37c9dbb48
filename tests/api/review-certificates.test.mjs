// review-certificates.test.mjs: a hostile review of certificates (docs/REVIEW-CERTIFICATES.md) over
// real HTTP: the public verification API fed what an attacker would send (bytes that are not UTF-8,
// odd base64, absurd IDs) answers 200 "forged" or a 4xx naming the field, never a 5xx, on both
// backends; and the group commit (SQLite) after a failed fdatasync of the WAL: 503, never an
// answer that says saved. SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// Owns: its servers, and a small fdatasync shim it compiles (LD_PRELOAD). Never: times anything.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, finish, expectError, run, tempDir, ON_PG, WARD_NAME, hocvuso, storeArgs, uniq, userWithRole } from './lib/server.mjs';

let srv, kid;
before(async () => {
  srv = await startServer();
  const keys = await srv.request('GET', '/.well-known/hocvuso/certificate-keys.json');
  assert.equal(keys.status, 200, keys.text);
  kid = keys.json.keys[0].id;
});
after(async () => finish(srv, assert));

const sig = Buffer.alloc(64, 7).toString('base64url');
const payload = (holder, key) => Buffer.concat([
  Buffer.from('hocvuso-certificate/1\nid: 1234-5678-9012-3456\nholder: '), holder,
  Buffer.from('\nprogramme: P\nissued_on: 2026-12-01\nissuer: UBND X\nkey: '), key,
]).toString('base64url');

test('a payload whose bytes are not UTF-8 (in the key line, or the holder) is 400 naming payload, not a 5xx', async () => {
  const bad = Buffer.from([0xc3, 0x28, 0xff, 0xfe]);
  for (const [holder, key] of [[Buffer.from('A'), bad], [bad, Buffer.from(kid)], [bad, bad]]) {
    const r = await srv.request('POST', '/api/v1/certificates/verify', { body: { payload: payload(holder, key), signature: sig } });
    // PostgreSQL refused the bytes as a key ID: 500 before the fix. The payload is UTF-8 text.
    expectError(assert, r, 400, 'invalid_value', 'payload');
  }
});

test('a well-formed payload naming a key nobody published, or signed by no one, is forged', async () => {
  for (const key of ['ed25519-AAAAAAAA', kid]) {
    const r = await srv.request('POST', '/api/v1/certificates/verify', { body: { payload: payload(Buffer.from('Nguyễn Văn Giả'), Buffer.from(key)), signature: sig } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { status: 'forged' }, 'nothing of the payload is echoed back as if it were ours');
  }
});

test('base64 that is not base64url without padding, and absurd IDs, are 4xx', async () => {
  const good = payload(Buffer.from('A'), Buffer.from(kid));
  for (const s of [`${sig}==`, sig.replace(/-/g, '+').replace(/_/g, '/') + (sig.includes('-') || sig.includes('_') ? '' : '+'), ` ${sig}`, sig.slice(0, 85)]) {
    const r = await srv.request('POST', '/api/v1/certificates/verify', { body: { payload: good, signature: s } });
    expectError(assert, r, 400, 'invalid_value', 'signature');
  }
  for (const p of [`${good}=`, `${good}\n`, good.slice(0, -1) + '*']) {
    const r = await srv.request('POST', '/api/v1/certificates/verify', { body: { payload: p, signature: sig } });
    expectError(assert, r, 400, 'invalid_value', 'payload');
  }
  for (const id of ['0', '-1', '99999999999999999999', 'abc', '1234-5678-9012-3456', '%00', '9223372036854775807']) {
    const r = await srv.request('GET', `/api/v1/certificates/${id}/verify`);
    assert.ok(r.status >= 400 && r.status < 500, `${id}: ${r.status} ${r.text}`);
  }
});

// An fdatasync that fails with EIO on a WAL file once the file `HV_FAIL_FILE` exists.
const SHIM = `#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int fdatasync(int fd) {
  int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
  char link[64], path[512];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof path - 1);
  const char *flag = getenv("HV_FAIL_FILE");
  if (n > 4 && memcmp(path + n - 4, "-wal", 4) == 0 && flag && access(flag, F_OK) == 0) {
    errno = EIO;
    return -1;
  }
  return real(fd);
}
`;

test('a failed fdatasync of the WAL: the write is answered 503, and every later one; plain reads go on', { skip: ON_PG && 'SQLite only: PostgreSQL syncs its own commits' }, async () => {
  const dir = tempDir('eio');
  writeFileSync(join(dir, 'shim.c'), SHIM);
  const cc = await run('cc', ['-shared', '-fPIC', '-o', join(dir, 'shim.so'), join(dir, 'shim.c'), '-ldl']);
  assert.equal(cc.code, 0, cc.stderr);
  const flag = join(dir, 'fail');
  const asan = [process.env.ASAN_OPTIONS, 'verify_asan_link_order=0'].filter(Boolean).join(':');
  const s2 = await startServer({ tag: 'eio', env: { LD_PRELOAD: join(dir, 'shim.so'), HV_FAIL_FILE: flag, ASAN_OPTIONS: asan } });
  try {
    const admin = await s2.login('admin');
    const ward = await s2.unitId(admin, WARD_NAME);
    const ok = await s2.request('POST', '/api/v1/residents', { session: admin, body: { full_name: 'Trước Lỗi Đĩa', unit_id: ward } });
    assert.equal(ok.status, 201, ok.text);
    // A learner's attempt started before the failure: its submission (graded, its review written
    // after the writer is given back) must not be answered as saved either.
    const course = `EIO${uniq('').replace(/[^0-9]/g, '').slice(-6)}`;
    const imp = await hocvuso(['import', 'curriculum', ...storeArgs(s2.dataDir, s2.dbUri), curriculum(course)]);
    assert.equal(imp.code, 0, imp.stderr);
    const quiz = await s2.request('POST', '/api/v1/quizzes', { session: admin, body: { title: `Kiểm tra ${course}`, category: `${course}/M1`, question_count: 2, pass_percent: 50 } });
    assert.equal(quiz.status, 201, quiz.text);
    const learner = await s2.login('hocvien');
    const started = await s2.request('POST', `/api/v1/quizzes/${quiz.json.id}/attempts`, { session: learner });
    assert.equal(started.status, 201, started.text);
    writeFileSync(flag, '');
    assert.ok(existsSync(flag));
    for (const name of ['Lúc Lỗi Đĩa', 'Sau Lỗi Đĩa']) {
      const r = await s2.request('POST', '/api/v1/residents', { session: admin, body: { full_name: name, unit_id: ward } });
      expectError(assert, r, 503, 'unavailable'); // 201 before the fix: "saved", with nothing known on disk
    }
    const submitted = await s2.request('POST', `/api/v1/attempts/${started.json.id}/submit`, {
      session: learner, body: { answers: started.json.questions.map(() => null) },
    });
    expectError(assert, submitted, 503, 'unavailable');
    assert.ok(!('questions' in (submitted.json || {})), 'no review in a 503');
    // A read that writes nothing goes on (a read of a person's record writes its audit line: 503 too).
    const read = await s2.request('GET', '/.well-known/hocvuso/certificate-keys.json');
    assert.equal(read.status, 200, read.text);
    assert.match(s2.stderr, /fdatasync .*-wal: Input\/output error/);
  } finally {
    const exit = await s2.stop();
    assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, s2.stderr.split('\n').slice(-5).join('\n'));
  }
});

// A course of two modules, each with two true/false questions whose answer is "true".
function curriculum(course) {
  const dir = tempDir('rv-curr');
  const modules = ['M1', 'M2'].map((code) => {
    mkdirSync(join(dir, code));
    writeFileSync(join(dir, code, 'bai.md'), `# Bài ${code}\n\nNội dung.\n`);
    writeFileSync(join(dir, code, 'q.gift'), `$CATEGORY: ${course}/${code}/1.1/1\n\n::a::Câu một của ${code} đúng?{T####Vì vậy.}\n\n::b::Câu hai của ${code} đúng?{T####Vì vậy.}\n`);
    return { code, title: `Học phần ${code}`, summary: 'Tóm tắt', dir: code, level: 1, competencies: ['1.1'], groups: ['adults'],
      lessons: [{ file: 'bai.md', title: 'Bài', minutes: 5, competencies: ['1.1'] }], questions: 'q.gift' };
  });
  writeFileSync(join(dir, 'curriculum.json'), JSON.stringify({ course: { code: course, title: 'Khóa thử', description: 'Thử' }, modules }));
  return dir;
}

test('two submissions completing the same rule at the same moment: exactly one certificate', async () => {
  const course = `RV${uniq('').replace(/[^0-9]/g, '').slice(-6)}`;
  const imp = await hocvuso(['import', 'curriculum', ...storeArgs(srv.dataDir, srv.dbUri), curriculum(course)]);
  assert.equal(imp.code, 0, imp.stderr);
  const admin = await srv.login('admin');
  const quiz = async (m, n) => {
    const q = await srv.request('POST', '/api/v1/quizzes', { session: admin, body: { title: `Kiểm tra ${course} ${m} ${n}`, category: `${course}/${m}`, question_count: 2, pass_percent: 100 } });
    assert.equal(q.status, 201, q.text);
    return q.json.id;
  };
  const prog = await srv.request('POST', '/api/v1/programmes', { session: admin, body: { code: uniq('RV').replace(/[^A-Za-z0-9]/g, ''), title: 'Chương trình đua', requirements: { modules: [`${course}/M1`, `${course}/M2`] } } });
  assert.equal(prog.status, 201, prog.text);
  const tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1');
  const quizzes = [await quiz('M1', 1), await quiz('M2', 1), await quiz('M2', 2)];
  for (let round = 0; round < 3; round++) {
    const l = await userWithRole(srv, admin, { username: uniq('rv').replace(/[^a-z0-9]/g, ''), role: 'learner', unitId: tdp1 });
    const start = async (id) => {
      const s = await srv.request('POST', `/api/v1/quizzes/${id}/attempts`, { session: l });
      assert.ok(s.status === 201 || s.status === 200, s.text);
      return s.json;
    };
    const submit = (a) => srv.request('POST', `/api/v1/attempts/${a.id}/submit`, { session: l, body: { answers: a.questions.map(() => true) } });
    const first = await submit(await start(quizzes[0]));
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(first.json.certificates, []);
    // Two attempts of two quizzes of the last module, submitted at once: each completes the rule.
    const [a, b] = [await start(quizzes[1]), await start(quizzes[2])];
    const both = await Promise.all([submit(a), submit(b)]);
    for (const r of both) assert.equal(r.status, 200, r.text);
    const issued = both.flatMap((r) => r.json.certificates);
    assert.equal(issued.length, 1, JSON.stringify(issued));
    const mine = await srv.getJSON(l, '/api/v1/certificates');
    assert.equal(mine.total, 1);
    assert.equal(mine.items[0].id, issued[0].id);
  }
});
