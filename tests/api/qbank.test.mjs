// qbank.test.mjs: the question bank (issue 8) over real HTTP: importing Moodle's own GIFT and XML
// test files keeps every usable question and reports each other one with its line and a Vietnamese
// reason; importing again adds nothing; tags come from the file's categories or the importer's
// defaults, and an untagged question is not kept; a file that cannot be read changes nothing;
// only content editors import or read answers; the import is audited.
// SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// Owns: its server. Never: times anything.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, finish, expectError, REPO_ROOT, hocvuso, storeArgs, tempDir } from './lib/server.mjs';
import { writeFileSync } from 'node:fs';

const FIXTURES = join(REPO_ROOT, '..', 'shared', 'data', 'moodle-question-fixtures');
const fixture = (name) => readFileSync(join(FIXTURES, name));

let srv, admin, tdp01, hocvien;

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  tdp01 = await srv.login('tdp01');
  hocvien = await srv.login('hocvien');
});
after(async () => finish(srv, assert));

function upload(session, body, query = '') {
  return srv.request('POST', `/api/v1/questions/import?name=tep${query}`, { session, rawBody: body });
}
async function bankTotal() {
  return (await srv.getJSON(admin, '/api/v1/questions?per_page=1')).total;
}

test('Moodle\'s GIFT file: the usable questions kept, the essay reported at its line; again: nothing added', async () => {
  const before = await bankTotal();
  const r = await upload(admin, fixture('questions.gift.txt'), '&competency=1.1&level=1');
  assert.equal(r.status, 200, r.text);
  // Nine questions: the essay needs a human grader; the two "2-08 TSL" true/false are the same question.
  assert.equal(r.json.imported + r.json.unchanged, 8);
  assert.equal(r.json.rejected.length, 1);
  assert.deepEqual(r.json.rejected[0].line, 2);
  assert.equal(r.json.rejected[0].name, 'Q8');
  assert.match(r.json.rejected[0].reason, /tự luận/);
  assert.equal(await bankTotal(), before + r.json.imported);
  const again = await upload(admin, fixture('questions.gift.txt'), '&competency=1.1&level=1');
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.imported, 0);
  assert.equal(again.json.unchanged, 8);
  assert.equal(await bankTotal(), before + r.json.imported);
  // A question in full: its answers, for the content editor.
  const list = await srv.getJSON(admin, '/api/v1/questions?per_page=50&type=multi&competency=1.1');
  const colours = list.items.find((q) => q.name === 'colours');
  assert.ok(colours, 'the multiple-answer question is listed');
  const full = await srv.getJSON(admin, `/api/v1/questions/${colours.id}`);
  assert.deepEqual(full.answers.map((a) => a.fraction), [0.5, -1, 0.5, -1]);
  assert.equal(full.answers[0].feedback, 'right; good!');
  const tf = (await srv.getJSON(admin, '/api/v1/questions?per_page=50&type=truefalse&q=absolute')).items;
  assert.equal(tf.length, 1);
  const q1 = await srv.getJSON(admin, `/api/v1/questions/${tf[0].id}`);
  assert.equal(q1.answer, false);
  assert.equal(q1.explanation, 'This is, of course, a Hitchiker\'s Guide to the Galaxy reference.');
  assert.equal(q1.feedback_wrong, '42 is the Ultimate Answer.');
});

test('Moodle XML: an invalid grade is reported with its line and the question\'s name; the other files\' questions kept', async () => {
  const r = await upload(admin, fixture('error_invalid_grades.xml'), '&competency=4.2&level=2');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.imported, 0);
  assert.equal(r.json.rejected.length, 1);
  assert.equal(r.json.rejected[0].line, 4);
  assert.match(r.json.rejected[0].name, /invalid grades/);
  assert.match(r.json.rejected[0].reason, /33%/);
  const nested = await upload(admin, fixture('nested_categories_with_questions.xml'), '&competency=4.2&level=2');
  assert.equal(nested.status, 200, nested.text);
  assert.equal(nested.json.imported, 4);
  assert.deepEqual(nested.json.rejected.map((p) => p.line), [55]); // the essay
  const kappa = (await srv.getJSON(admin, '/api/v1/questions?per_page=50&q=kappa%20question')).items;
  assert.equal(kappa.length, 1);
  assert.equal(kappa[0].category, 'Iota/Kappa');
  assert.equal(kappa[0].competency, '4.2');
  assert.equal(kappa[0].level, 2);
});

test('tags written in the file win over the defaults; a question with neither is reported, not kept', async () => {
  const gift = [
    '$CATEGORY: KNS-CB/M06/4.2/2', '',
    '::M06-T1::Ngân hàng có bao giờ gọi điện hỏi mã OTP của bạn không?{F####Ngân hàng không bao giờ hỏi mã OTP.}', '',
    '$CATEGORY: Chưa phân loại', '',
    '::Không nhãn::Mã QR có thể dẫn tới trang giả mạo không?{T}', '',
  ].join('\n');
  const bare = await upload(admin, Buffer.from(gift));
  assert.equal(bare.status, 200, bare.text);
  assert.equal(bare.json.imported, 1);
  assert.equal(bare.json.rejected.length, 1);
  assert.equal(bare.json.rejected[0].line, 7);
  assert.match(bare.json.rejected[0].reason, /chưa gắn năng lực/i);
  const tagged = (await srv.getJSON(admin, '/api/v1/questions?per_page=5&q=OTP')).items[0];
  assert.equal(tagged.competency, '4.2');
  assert.equal(tagged.level, 2);
  assert.equal(tagged.has_explanation, true);
  // With defaults, the untagged one is kept under them; the tagged one stays as it was.
  const withDefaults = await upload(admin, Buffer.from(gift), '&competency=2.6&level=1');
  assert.equal(withDefaults.json.imported, 1);
  assert.equal(withDefaults.json.unchanged, 1);
  const qr = (await srv.getJSON(admin, `/api/v1/questions?per_page=5&q=${encodeURIComponent('Mã QR')}`)).items[0];
  assert.equal(qr.competency, '2.6');
  assert.equal(qr.level, 1);
  const byComp = await srv.getJSON(admin, '/api/v1/questions?per_page=50&competency=4.2&level=2&type=truefalse');
  assert.ok(byComp.items.some((q) => q.id === tagged.id));
  assert.ok(byComp.items.every((q) => q.competency === '4.2' && q.level === 2 && q.type === 'truefalse'));
  // The competences list counts them.
  const comps = await srv.getJSON(admin, '/api/v1/competencies?per_page=100');
  assert.equal(comps.total, 26);
  assert.ok(comps.items.find((c) => c.code === '4.2').questions >= 1);
  assert.ok(comps.items.some((c) => c.framework === 'QD757-2025' && c.code === '0.1'));
});

test('a file that cannot be read, or bad defaults: a clear 400 naming the field, and nothing stored', async () => {
  const before = await bankTotal();
  let r = await upload(admin, Buffer.from('::A::Ch\xe0o b\xe1c {T}\n', 'latin1'), '&competency=1.1&level=1');
  expectError(assert, r, 400, 'invalid_value', 'file');
  assert.match(r.json.error.message, /UTF-8/);
  r = await upload(admin, Buffer.from('<quiz><question type="truefalse"'), '&competency=1.1&level=1');
  expectError(assert, r, 400, 'invalid_value', 'file');
  r = await upload(admin, Buffer.from(''), '');
  expectError(assert, r, 400, 'invalid_value', 'file');
  r = await upload(admin, fixture('questions.gift.txt'), '&competency=9.9&level=1');
  expectError(assert, r, 400, 'invalid_value', 'competency');
  r = await upload(admin, fixture('questions.gift.txt'), '&competency=1.1&level=9');
  expectError(assert, r, 400, undefined, 'level');
  r = await srv.request('GET', '/api/v1/questions?type=essay', { session: admin });
  expectError(assert, r, 400, 'invalid_value', 'type');
  r = await srv.request('GET', '/api/v1/questions/999999', { session: admin });
  assert.equal(r.status, 404);
  assert.equal(await bankTotal(), before);
});

test('only content editors import and read the bank; everyone logged in sees the competences; the import is audited', async () => {
  for (const session of [tdp01, hocvien]) {
    const r = await upload(session, fixture('questions.gift.txt'), '&competency=1.1&level=1');
    expectError(assert, r, 403, 'forbidden');
    const l = await srv.request('GET', '/api/v1/questions', { session });
    expectError(assert, l, 403, 'forbidden');
    const c = await srv.request('GET', '/api/v1/competencies', { session });
    assert.equal(c.status, 200, c.text);
  }
  const anon = await srv.request('GET', '/api/v1/questions');
  assert.equal(anon.status, 401);
  const log = await srv.getJSON(admin, '/api/v1/audit?action=questions.import&per_page=50');
  assert.ok(log.items.length >= 3, JSON.stringify(log.items.length));
  assert.ok(log.items.every((e) => e.action === 'questions.import'));
});

test('hocvuso import questions: one JSON object {imported, unchanged, rejected}; exit 0 read, 1 unreadable, 2 usage', async () => {
  const args = storeArgs(srv.dataDir, srv.dbUri);
  const file = join(FIXTURES, 'nested_categories_with_questions.xml');
  let r = await hocvuso(['import', 'questions', ...args, '--competency', '6.2', '--level', '3', file]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(out), ['imported', 'unchanged', 'rejected']);
  assert.equal(out.imported + out.unchanged, 4);
  assert.deepEqual(out.rejected.map((x) => x.line), [55]);
  assert.match(out.rejected[0].reason, /tự luận/);
  r = await hocvuso(['import', 'questions', ...args, '--competency', '6.2', '--level', '3', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { imported: 0, unchanged: 4, rejected: out.rejected });
  const dir = tempDir('qb');
  const bad = join(dir, 'bad.gift');
  writeFileSync(bad, Buffer.from('::A::Ch\xe0o {T}\n', 'latin1'));
  r = await hocvuso(['import', 'questions', ...args, bad]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /UTF-8/);
  assert.equal(r.stdout, '');
  r = await hocvuso(['import', 'questions', ...args, '--level', '9', file]);
  assert.equal(r.code, 2);
  r = await hocvuso(['import', 'questions', ...args, '--competency', '9.9', file]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /9\.9/);
});

test('the framework is data: a competence added over the API or from a table, then used to tag questions', async () => {
  let r = await srv.request('POST', '/api/v1/competencies', { session: admin, body: { framework: 'QD757-2025', code: '7.1', domain_code: '7', domain_name: 'Kỹ năng số cho tiểu thương', name: 'Bán hàng trên sàn thương mại điện tử' } });
  assert.equal(r.status, 201, r.text);
  r = await srv.request('POST', '/api/v1/competencies', { session: admin, body: { framework: 'QD757-2025', code: '7.1', domain_code: '7', domain_name: 'X', name: 'Y' } });
  expectError(assert, r, 409, 'conflict', 'code');
  r = await srv.request('POST', '/api/v1/competencies', { session: admin, body: { framework: 'QD757-2025', code: '7.a', domain_code: '7', domain_name: 'X', name: 'Y' } });
  expectError(assert, r, 400, 'invalid_value', 'code');
  r = await srv.request('POST', '/api/v1/competencies', { session: tdp01, body: { framework: 'QD757-2025', code: '7.2', domain_code: '7', domain_name: 'X', name: 'Y' } });
  expectError(assert, r, 403, 'forbidden');
  const comps = await srv.getJSON(hocvien, '/api/v1/competencies?per_page=100');
  assert.ok(comps.items.some((c) => c.code === '7.1' && c.framework === 'QD757-2025'));
  const imp = await upload(admin, Buffer.from('$CATEGORY: TT/M/7.1/2\n\n::Sàn::Bán hàng trên sàn cần tài khoản người bán?{T}\n'));
  assert.equal(imp.json.imported, 1, imp.text);
  const q = (await srv.getJSON(admin, '/api/v1/questions?competency=7.1')).items;
  assert.equal(q.length, 1);
  assert.equal(q[0].level, 2);
  // From a table, as the shared framework file is written: what is there stays, the rest is added.
  const args = storeArgs(srv.dataDir, srv.dbUri);
  let c = await hocvuso(['import', 'competencies', ...args, join(REPO_ROOT, '..', 'shared', 'data', 'khung-nang-luc-so.csv')]);
  assert.equal(c.code, 0, c.stderr);
  assert.deepEqual(JSON.parse(c.stdout), { added: 0, unchanged: 26 });
  const file = join(tempDir('khung'), 'khung.csv');
  writeFileSync(file, 'framework,domain_code,domain_name,competency_code,competency_name\r\nQD757-2025,7,Kỹ năng số cho tiểu thương,7.1,Bán hàng\r\nQD757-2025,7,Kỹ năng số cho tiểu thương,7.2,Giữ chữ tín khi bán hàng trực tuyến\r\n');
  c = await hocvuso(['import', 'competencies', ...args, file]);
  assert.equal(c.code, 0, c.stderr);
  assert.deepEqual(JSON.parse(c.stdout), { added: 1, unchanged: 1 });
  writeFileSync(file, 'khung,ma\r\nA,B\r\n');
  c = await hocvuso(['import', 'competencies', ...args, file]);
  assert.equal(c.code, 1);
  assert.match(c.stderr, /Thiếu cột/);
});
