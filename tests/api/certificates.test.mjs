// certificates.test.mjs: certificates (issue 8, docs/CERTIFICATES.md) over real HTTP: a programme's
// rule is data an admin edits (checked: modules that exist, groups that exist); the submission that
// completes the rule answers with the certificate, signed in its own transaction, once; anyone
// verifies it by ID or by the QR code's signed payload, and the signature checks with Node's own
// Ed25519 from the published key and the byte layout of docs/CERTIFICATES.md alone; an altered
// payload is forged; revocation by a ward admin with a reason shows publicly without the reason;
// key rotation keeps old certificates valid; in-person checks; scope of every read and write;
// `hocvuso verify` by ID and by file. SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// Owns: its server, a small curriculum of its own, its quizzes, programmes and accounts.
// Never: times anything.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, verify as edVerify } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, finish, expectError, userWithRole, uniq, hocvuso, storeArgs, tempDir, run } from './lib/server.mjs';

let srv, admin, vanhoa, congan, helper, tdp1, learner, args;
const COURSE = `CT${uniq('').replace(/[^0-9]/g, '').slice(-6)}`;
const quizzes = {}; // module code -> quiz id

// A course of three modules, each with two true/false questions whose answer is "true".
function curriculum() {
  const dir = tempDir('cert-curr');
  const modules = ['M1', 'M2', 'M3'].map((code) => {
    mkdirSync(join(dir, code));
    writeFileSync(join(dir, code, 'bai.md'), `# Bài ${code}\n\nNội dung bài học ${code}.\n`);
    writeFileSync(join(dir, code, 'cau-hoi.gift'),
      `$CATEGORY: ${COURSE}/${code}/1.1/1\n\n::${code}-a::Câu thứ nhất của ${code} là đúng?{T####Đúng vậy.}\n\n` +
      `::${code}-b::Câu thứ hai của ${code} là đúng?{T####Đúng vậy.}\n`);
    return { code, title: `Học phần ${code}`, summary: 'Tóm tắt', dir: code, level: 1, competencies: ['1.1'], groups: ['adults'],
      lessons: [{ file: 'bai.md', title: `Bài ${code}`, minutes: 5, competencies: ['1.1'] }], questions: 'cau-hoi.gift' };
  });
  writeFileSync(join(dir, 'curriculum.json'), JSON.stringify({ course: { code: COURSE, title: 'Khóa kiểm thử chứng nhận', description: 'Kiểm thử' }, modules }));
  return dir;
}

before(async () => {
  srv = await startServer();
  args = storeArgs(srv.dataDir, srv.dbUri);
  admin = await srv.login('admin');
  vanhoa = await srv.login('vanhoa');
  congan = await srv.login('congan');
  helper = await srv.login('tinhnguyen');
  tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1');
  const r = await hocvuso(['import', 'curriculum', ...args, curriculum()]);
  assert.equal(r.code, 0, r.stderr);
  for (const m of ['M1', 'M2', 'M3']) {
    const q = await srv.request('POST', '/api/v1/quizzes', { session: admin, body: { title: `Kiểm tra ${COURSE} ${m}`, category: `${COURSE}/${m}`, question_count: 2, pass_percent: 100 } });
    assert.equal(q.status, 201, q.text);
    quizzes[m] = q.json.id;
  }
  const username = uniq('cn').replace(/[^a-z0-9]/g, '');
  learner = { ...(await userWithRole(srv, admin, { username, role: 'learner', unitId: tdp1 })), username };
});
after(async () => finish(srv, assert));

async function take(session, module, right = true) {
  const s = await srv.request('POST', `/api/v1/quizzes/${quizzes[module]}/attempts`, { session });
  assert.ok(s.status === 201 || s.status === 200, s.text);
  const done = await srv.request('POST', `/api/v1/attempts/${s.json.id}/submit`, { session, body: { answers: s.json.questions.map(() => right) } });
  assert.equal(done.status, 200, done.text);
  assert.equal(done.json.passed, right);
  return done.json;
}
async function programme(body) {
  const r = await srv.request('POST', '/api/v1/programmes', { session: admin, body: { code: uniq('P').replace(/[^A-Za-z0-9]/g, ''), title: 'Đạt phổ cập kỹ năng số cơ bản', ...body } });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}
const b64 = (s) => Buffer.from(s, 'base64url');
// The signed bytes, rebuilt from docs/CERTIFICATES.md and the public fields alone.
function expectedPayload(v) {
  const id = String(v.id).replace(/(\d{4})(?=\d)/g, '$1-');
  return `hocvuso-certificate/1\nid: ${id}\nholder: ${v.holder_name}\nprogramme: ${v.programme}\nissued_on: ${v.issued_on}\nissuer: ${v.issuer}\nkey: ${v.key_id}`;
}
async function publishedKey(kid) {
  const r = await srv.request('GET', '/.well-known/hocvuso/certificate-keys.json');
  assert.equal(r.status, 200, r.text);
  const k = r.json.keys.find((x) => x.id === kid);
  assert.ok(k, `key ${kid} is published`);
  assert.equal(k.alg, 'Ed25519');
  // An Ed25519 public key as SPKI DER: the fixed 12-byte prefix, then the 32 raw bytes.
  const raw = b64(k.public_key);
  assert.equal(raw.length, 32);
  return createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]), format: 'der', type: 'spki' });
}
async function signatureChecks(v) {
  return edVerify(null, b64(v.payload), await publishedKey(v.key_id), b64(v.signature));
}

test('a rule names modules that exist and groups that exist; only certificates.manage edits it', async () => {
  const bad = [
    [{ modules: [`${COURSE}/M9`] }, 'invalid_value'],
    [{ modules: [] }, 'invalid_value'],
    [{ modules: [`${COURSE}/M1`], groups: [{ group: 'martians', modules: [`${COURSE}/M1`] }] }, 'invalid_value'],
    [{ modules: [`${COURSE}/M1`], extra: 1 }, 'invalid_value'],
    [['M1'], 'wrong_type'],
  ];
  const before_ = (await srv.getJSON(admin, '/api/v1/programmes')).total;
  for (const [requirements, code] of bad)
    expectError(assert, await srv.request('POST', '/api/v1/programmes', { session: admin, body: { code: uniq('X').replace(/[^A-Za-z0-9]/g, ''), title: 'Sai', requirements } }), 400, code, 'requirements');
  expectError(assert, await srv.request('POST', '/api/v1/programmes', { session: vanhoa, body: { code: 'VH', title: 'Không được', requirements: { modules: [`${COURSE}/M1`] } } }), 403, 'forbidden');
  assert.equal((await srv.getJSON(admin, '/api/v1/programmes')).total, before_, 'nothing was written');
  const code = uniq('D').replace(/[^A-Za-z0-9]/g, '');
  await programme({ code, requirements: { modules: [`${COURSE}/M3`] }, active: false });
  expectError(assert, await srv.request('POST', '/api/v1/programmes', { session: admin, body: { code, title: 'Trùng mã', requirements: { modules: [`${COURSE}/M3`] } } }), 409, 'conflict', 'code');
});

let cert; // the learner's certificate, as the submission answered it
test('the submission that completes the rule answers with the certificate; it verifies publicly, with Node crypto', async () => {
  await programme({ requirements: { modules: [`${COURSE}/M1`, `${COURSE}/M2`], groups: [{ group: 'elderly', modules: [`${COURSE}/M1`] }] } });
  assert.deepEqual((await take(learner, 'M1')).certificates, [], 'one module of two: nothing yet');
  assert.deepEqual((await take(learner, 'M2', false)).certificates, [], 'a failed attempt completes nothing');
  const done = await take(learner, 'M2');
  assert.equal(done.certificates.length, 1, JSON.stringify(done.certificates));
  cert = done.certificates[0];
  assert.equal(cert.programme, 'Đạt phổ cập kỹ năng số cơ bản');
  assert.ok(cert.id >= 1e15 && cert.id < 9e15, 'a 16-digit random ID');
  // Public: no session.
  const v = await srv.request('GET', `/api/v1/certificates/${cert.id}/verify`);
  assert.equal(v.status, 200, v.text);
  assert.deepEqual(Object.keys(v.json).sort(), ['holder_name', 'id', 'id_text', 'issued_on', 'issuer', 'key_id', 'payload', 'programme', 'revoked_on', 'signature', 'status']);
  assert.equal(v.json.status, 'valid');
  assert.equal(v.json.holder_name, `Người dùng ${learner.username}`);
  assert.equal(v.json.issuer, 'UBND Phường Hải Dương');
  assert.match(v.json.issued_on, /^\d{4}-\d{2}-\d{2}$/);
  assert.equal(b64(v.json.payload).toString('utf8'), expectedPayload(v.json), 'the signed bytes are as the document says');
  assert.ok(await signatureChecks(v.json), 'Ed25519 signature verifies with the published key');
  // Passing again issues nothing more.
  assert.deepEqual((await take(learner, 'M1')).certificates, []);
  assert.equal((await srv.getJSON(learner, '/api/v1/certificates')).total, 1);
});

test('an unknown ID is 404 "unknown"; an altered payload is forged; garbage is 400 naming the field', async () => {
  const u = await srv.request('GET', '/api/v1/certificates/1234567890123456/verify');
  assert.equal(u.status, 404);
  assert.equal(u.json.status, 'unknown');
  assert.equal(u.json.error.code, 'not_found');
  assert.equal(u.json.holder_name, undefined);
  const v = (await srv.request('GET', `/api/v1/certificates/${cert.id}/verify`)).json;
  const ok = await srv.request('POST', '/api/v1/certificates/verify', { body: { payload: v.payload, signature: v.signature } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.status, 'valid');
  const altered = Buffer.from(b64(v.payload).toString('utf8').replace(v.holder_name, 'Nguyễn Văn Giả')).toString('base64url');
  const forged = await srv.request('POST', '/api/v1/certificates/verify', { body: { payload: altered, signature: v.signature } });
  assert.equal(forged.status, 200, forged.text);
  assert.equal(forged.json.status, 'forged');
  assert.equal(await edVerify(null, b64(altered), await publishedKey(v.key_id), b64(v.signature)), false);
  expectError(assert, await srv.request('POST', '/api/v1/certificates/verify', { body: { payload: '***', signature: v.signature } }), 400, 'invalid_value', 'payload');
  expectError(assert, await srv.request('POST', '/api/v1/certificates/verify', { body: { payload: v.payload, signature: 'abc' } }), 400, 'invalid_value', 'signature');
  expectError(assert, await srv.request('POST', '/api/v1/certificates/verify', { body: { payload: Buffer.from('xin chào').toString('base64url'), signature: v.signature } }), 400, 'invalid_value', 'payload');
});

test('the holder and officers in scope read it (with its QR); others are refused', async () => {
  const mine = await srv.request('GET', `/api/v1/certificates/${cert.id}`, { session: learner });
  assert.equal(mine.status, 200, mine.text);
  const v = mine.json;
  assert.equal(v.qr_text, `${srv.base}/#/xac-minh?c=${v.payload}.${v.signature}`);
  const qr = await srv.request('GET', `/api/v1/certificates/${cert.id}/qr.svg`, { session: learner });
  assert.equal(qr.status, 200);
  assert.match(qr.headers['content-type'], /^image\/svg\+xml/);
  assert.match(qr.text, /^<svg [^>]*viewBox="0 0 \d+ \d+"/);
  // The ward admin holds people.read over the learner's tổ: sees it, and the read is logged.
  const a = await srv.request('GET', `/api/v1/certificates/${cert.id}`, { session: admin });
  assert.equal(a.status, 200, a.text);
  const audit = await srv.getJSON(admin, `/api/v1/audit?action=certificate.read&entity=certificate&entity_id=${cert.id}`);
  assert.ok(audit.total >= 1, 'an officer\'s read is audited');
  assert.ok((await srv.getJSON(admin, '/api/v1/certificates?per_page=200')).items.some((c) => c.id === cert.id));
  // Officers of other units, the police and other learners: not theirs.
  const other = await userWithRole(srv, admin, { username: uniq('cx').replace(/[^a-z0-9]/g, ''), role: 'learner', unitId: tdp1 });
  for (const s of [vanhoa, congan, other]) {
    expectError(assert, await srv.request('GET', `/api/v1/certificates/${cert.id}`, { session: s }), 403, 'forbidden', 'id');
    expectError(assert, await srv.request('GET', `/api/v1/certificates/${cert.id}/qr.svg`, { session: s }), 403, 'forbidden', 'id');
    expectError(assert, await srv.request('GET', `/api/v1/certificates/${cert.id}/pdf`, { session: s }), 403, 'forbidden', 'id');
    assert.ok(!(await srv.getJSON(s, '/api/v1/certificates?per_page=200')).items.some((c) => c.id === cert.id));
  }
  expectError(assert, await srv.request('GET', '/api/v1/certificates/1234567890123456', { session: admin }), 404, 'not_found', 'id');
  expectError(assert, await srv.request('GET', '/api/v1/certificates'), 401, 'unauthenticated');
});

test('the printable PDF: one A4 page with the holder, the programme, the ID, and a QR code that says the signed payload', async () => {
  const r = await srv.request('GET', `/api/v1/certificates/${cert.id}/pdf`, { session: learner });
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /^application\/pdf/);
  assert.match(r.headers['content-disposition'], /attachment; filename="chung-nhan-\d{4}-\d{4}-\d{4}-\d{4}\.pdf"/);
  assert.equal(r.body.subarray(0, 5).toString(), '%PDF-');
  const dir = tempDir('cert-pdf');
  const file = join(dir, 'cn.pdf');
  writeFileSync(file, r.body);
  const text = await run('pdftotext', [file, '-']);
  assert.equal(text.code, 0, text.stderr);
  const flat = text.stdout.normalize('NFC').replace(/\s+/g, ' ');
  const v = (await srv.request('GET', `/api/v1/certificates/${cert.id}`, { session: learner })).json;
  for (const want of [v.holder_name, v.programme, v.id_text, 'CHỨNG NHẬN', 'Quét mã để kiểm tra chứng nhận']) assert.ok(flat.includes(want), `${want} in the PDF: ${flat.slice(0, 400)}`);
  const info = await run('pdfinfo', [file]);
  assert.match(info.stdout, /Pages:\s+1\n/);
  // The QR code, read back from the rendered page: exactly the certificate's QR text (rendered at
  // 150 dpi, as a cheap printer would; at 300 when zbar misses it there: a reading, not the code's
  // fault — the text must then still be exactly right). Generous timeouts: a loaded CI machine.
  const png = join(dir, 'cn');
  let qr = null;
  for (const dpi of ['150', '300']) {
    const ppm = await run('pdftoppm', ['-r', dpi, '-png', '-singlefile', file, png], { timeout: 180_000 });
    assert.equal(ppm.code, 0, ppm.stderr);
    qr = await run('zbarimg', ['--raw', '-q', `${png}.png`], { timeout: 180_000 });
    if (qr.code === 0 && qr.stdout.trim()) break;
  }
  assert.equal(qr.stdout.trim(), v.qr_text, `zbarimg: exit ${qr.code}, ${qr.stderr}`);
  // An officer's copy is logged like a read of the person's record.
  assert.equal((await srv.request('GET', `/api/v1/certificates/${cert.id}/pdf`, { session: admin })).status, 200);
  const audit = await srv.getJSON(admin, `/api/v1/audit?action=certificate.read&entity=certificate&entity_id=${cert.id}`);
  assert.ok(audit.items.some((e) => e.detail && e.detail.as === 'pdf'), JSON.stringify(audit.items.map((e) => e.detail)));
});

test('hocvuso verify: by ID and by the QR text in a file; exit 0 only when valid', async () => {
  let r = await hocvuso(['verify', ...args, String(cert.id)]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).status, 'valid');
  r = await hocvuso(['verify', ...args, String(cert.id).replace(/(\d{4})(?=\d)/g, '$1-')]);
  assert.equal(r.code, 0, r.stderr);
  const v = (await srv.request('GET', `/api/v1/certificates/${cert.id}`, { session: learner })).json;
  const dir = tempDir('cert-file');
  writeFileSync(join(dir, 'qr.txt'), v.qr_text + '\n');
  r = await hocvuso(['verify', ...args, join(dir, 'qr.txt')]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).holder_name, v.holder_name);
  const altered = Buffer.from(b64(v.payload).toString('utf8').replace('issued_on: ', 'issued_on: 1')).toString('base64url');
  writeFileSync(join(dir, 'forged.json'), JSON.stringify({ payload: altered, signature: v.signature }));
  r = await hocvuso(['verify', ...args, join(dir, 'forged.json')]);
  assert.equal(r.code, 1);
  assert.equal(JSON.parse(r.stdout).status, 'forged');
  r = await hocvuso(['verify', ...args, '9999-9999-9999-999']);
  assert.equal(r.code, 2, 'neither an ID nor a file');
  r = await hocvuso(['verify', ...args, '1234567890123456']);
  assert.equal(r.code, 1);
  assert.equal(JSON.parse(r.stdout).status, 'unknown');
});

test('revocation: a ward admin, with a reason; public status revoked without the reason; once', async () => {
  expectError(assert, await srv.request('POST', `/api/v1/certificates/${cert.id}/revoke`, { session: learner, body: { reason: 'Tự thu hồi' } }), 403, 'forbidden');
  expectError(assert, await srv.request('POST', `/api/v1/certificates/${cert.id}/revoke`, { session: admin, body: {} }), 400, 'missing_field', 'reason');
  assert.equal((await srv.request('GET', `/api/v1/certificates/${cert.id}/verify`)).json.status, 'valid', 'nothing changed');
  const r = await srv.request('POST', `/api/v1/certificates/${cert.id}/revoke`, { session: admin, body: { reason: 'Cấp nhầm người' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'revoked');
  assert.equal(r.json.revoke_reason, 'Cấp nhầm người');
  expectError(assert, await srv.request('POST', `/api/v1/certificates/${cert.id}/revoke`, { session: admin, body: { reason: 'Lần nữa' } }), 409, 'conflict', 'id');
  const pub = await srv.request('GET', `/api/v1/certificates/${cert.id}/verify`);
  assert.equal(pub.json.status, 'revoked');
  assert.match(pub.json.revoked_on, /^\d{4}-\d{2}-\d{2}$/);
  assert.ok(!pub.text.includes('Cấp nhầm'), 'the reason is not public');
  const cli = await hocvuso(['verify', ...args, String(cert.id)]);
  assert.equal(cli.code, 1);
  assert.equal(JSON.parse(cli.stdout).status, 'revoked');
  const audit = await srv.getJSON(admin, `/api/v1/audit?action=certificate.revoke&entity=certificate&entity_id=${cert.id}`);
  assert.equal(audit.total, 1);
});

test('key rotation: new certificates are signed with the new key; old ones still verify', async () => {
  const before_ = (await srv.request('GET', '/.well-known/hocvuso/certificate-keys.json')).json.keys;
  const r = await hocvuso(['keys', 'rotate', ...args]);
  assert.equal(r.code, 0, r.stderr);
  const rotated = JSON.parse(r.stdout).rotated;
  const keys = (await srv.request('GET', '/.well-known/hocvuso/certificate-keys.json')).json.keys;
  assert.equal(keys.length, before_.length + 1);
  assert.equal(keys.filter((k) => k.valid_until === null).length, 1);
  assert.equal(keys.find((k) => k.valid_until === null).id, rotated);
  for (const k of before_) assert.ok(keys.find((x) => x.id === k.id).valid_until, 'the old key is still published, closed');
  // The old (revoked) certificate's signature still checks with its own key.
  const old = (await srv.request('GET', `/api/v1/certificates/${cert.id}/verify`)).json;
  assert.notEqual(old.key_id, rotated);
  assert.ok(await signatureChecks(old));
  // A new learner's certificate: the new key.
  const l2 = await userWithRole(srv, admin, { username: uniq('cr').replace(/[^a-z0-9]/g, ''), role: 'learner', unitId: tdp1 });
  await take(l2, 'M1');
  const fresh = (await take(l2, 'M2')).certificates;
  assert.equal(fresh.length, 1);
  const v = (await srv.request('GET', `/api/v1/certificates/${fresh[0].id}/verify`)).json;
  assert.equal(v.key_id, rotated);
  assert.equal(v.status, 'valid');
  assert.ok(await signatureChecks(v));
});

test('an in-person check: recorded by a field helper in scope; the certificate follows when the rule is complete', async () => {
  const pid = await programme({ title: 'Đại sứ số cộng đồng', requirements: { modules: [`${COURSE}/M3`] }, in_person_check: true });
  // A resident of tổ 1 with an account of their own.
  const person = await srv.request('POST', '/api/v1/residents', { session: admin, body: { full_name: 'Trịnh Thị Kiểm', unit_id: tdp1 } });
  assert.equal(person.status, 201, person.text);
  const l3 = await userWithRole(srv, admin, { username: uniq('ck').replace(/[^a-z0-9]/g, ''), role: 'learner', unitId: tdp1 });
  const link = await srv.request('PUT', `/api/v1/users/${l3.userId}/person`, { session: admin, body: { person_id: person.json.id } });
  assert.equal(link.status, 200, link.text);
  assert.deepEqual((await take(l3, 'M3')).certificates, [], 'passed, but not yet checked in person');
  expectError(assert, await srv.request('POST', `/api/v1/residents/${person.json.id}/programme-checks`, { session: vanhoa, body: { programme_id: pid } }), 403, 'forbidden');
  expectError(assert, await srv.request('POST', `/api/v1/residents/${person.json.id}/programme-checks`, { session: l3, body: { programme_id: pid } }), 403, 'forbidden');
  const c = await srv.request('POST', `/api/v1/residents/${person.json.id}/programme-checks`, { session: helper, body: { programme_id: pid } });
  assert.equal(c.status, 201, c.text);
  assert.equal(c.json.certificates.length, 1);
  assert.equal(c.json.certificates[0].programme, 'Đại sứ số cộng đồng');
  const again = await srv.request('POST', `/api/v1/residents/${person.json.id}/programme-checks`, { session: helper, body: { programme_id: pid } });
  assert.equal(again.status, 200, again.text);
  assert.deepEqual(again.json.certificates, []);
  const v = (await srv.request('GET', `/api/v1/certificates/${c.json.certificates[0].id}/verify`)).json;
  assert.equal(v.holder_name, 'Trịnh Thị Kiểm', 'the person\'s name, not the account\'s');
  // The resident's own certificate list, through their account.
  assert.ok((await srv.getJSON(l3, '/api/v1/certificates')).items.some((x) => x.id === c.json.certificates[0].id));
  // A programme without the check refuses one.
  const plain = await programme({ requirements: { modules: [`${COURSE}/M3`] } });
  expectError(assert, await srv.request('POST', `/api/v1/residents/${person.json.id}/programme-checks`, { session: helper, body: { programme_id: plain } }), 409, 'conflict', 'programme_id');
});

test('names and titles at their longest: the certificate, its QR code and its PDF still come (the QR then carries the ID)', async () => {
  const title = 'ệ'.repeat(200); // 200 letters of three bytes each: the longest title
  await programme({ title, requirements: { modules: [`${COURSE}/M3`] } });
  const person = await srv.request('POST', '/api/v1/residents', { session: admin, body: { full_name: 'Ữ'.repeat(100), unit_id: tdp1 } });
  assert.equal(person.status, 201, person.text);
  const l = await userWithRole(srv, admin, { username: uniq('cl').replace(/[^a-z0-9]/g, ''), role: 'learner', unitId: tdp1 });
  assert.equal((await srv.request('PUT', `/api/v1/users/${l.userId}/person`, { session: admin, body: { person_id: person.json.id } })).status, 200);
  const got = (await take(l, 'M3')).certificates.find((c) => c.programme === title);
  assert.ok(got, 'issued');
  const v = await srv.request('GET', `/api/v1/certificates/${got.id}`, { session: l });
  assert.equal(v.status, 200, v.text);
  assert.equal(v.json.status, 'valid');
  assert.ok(v.json.qr_text.length <= 1500, `QR text of ${v.json.qr_text.length}`);
  assert.equal(v.json.qr_text, `${srv.base}/#/xac-minh/${v.json.id_text}`, 'too long for a printed QR: the ID alone');
  const qr = await srv.request('GET', `/api/v1/certificates/${got.id}/qr.svg`, { session: l });
  assert.equal(qr.status, 200, qr.text.slice(0, 200));
  const pdf = await srv.request('GET', `/api/v1/certificates/${got.id}/pdf`, { session: l });
  assert.equal(pdf.status, 200, pdf.text.slice(0, 200));
  assert.equal(pdf.body.subarray(0, 5).toString(), '%PDF-');
});
