// import.test.mjs: importing a resident list over real HTTP and through `hocvuso import residents`
// (issue 7, capability 2): upload → mapping → start → poll → done with counts; exactly the bad
// rows rejected with their file line and a Vietnamese reason; a re-import changes nothing; every
// bad input of the issue (encodings, columns, duplicate CCCD in the file and in the register, CCCD
// against the birth year, a future birth date, an unknown tổ, empty file, truncated XLSX, an upload
// over the limit); scope; a kill -9 in the middle resumes without duplicates; the CLI contract.
// SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// Owns: its server and the synthetic people it makes (never real ones).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, finish, expectError, hocvuso, storeArgs, tempDir, sleep, assertVietnamese } from './lib/server.mjs';

let srv, admin, tdp01;
const HEADER = 'STT,Họ và tên,Ngày sinh,Giới tính,Số CCCD,Số điện thoại,Tổ dân phố,Địa chỉ';
// Letters only in names (a name holds no digits): a number written with letters.
const word = (n) => String(n).replace(/[0-9]/g, (d) => 'abcdefghij'[d]);
let serial = 100000 + Math.floor(Math.random() * 800000);
// A synthetic CCCD consistent with a 1985 birth (century digit 0 male / 1 female).
const cccd = (sex = 'Nam', year = 1985) => `030${sex === 'Nam' ? (year >= 2000 ? 2 : 0) : year >= 2000 ? 3 : 1}${String(year % 100).padStart(2, '0')}${String(serial++).padStart(6, '0')}`;
const csv = (rows) => Buffer.from([HEADER, ...rows].join('\r\n') + '\r\n', 'utf8');

async function upload(session, body, name = 'ds.csv') {
  return srv.request('POST', `/api/v1/imports?name=${encodeURIComponent(name)}`, {
    session,
    rawBody: body,
    headers: { 'content-type': 'text/csv' },
  });
}
async function waitDone(session, id, ms = 120000) {
  const end = Date.now() + ms;
  for (;;) {
    const r = await srv.request('GET', `/api/v1/imports/${id}`, { session });
    assert.equal(r.status, 200, r.text);
    if (r.json.status === 'done' || r.json.status === 'failed') return r.json;
    if (Date.now() > end) throw new Error(`import ${id} still ${r.json.status}`);
    await sleep(100);
  }
}
async function importFile(session, body) {
  const u = await upload(session, body);
  assert.equal(u.status, 201, u.text);
  const s = await srv.request('POST', `/api/v1/imports/${u.json.id}/start`, { session });
  assert.equal(s.status, 200, s.text);
  return waitDone(session, u.json.id);
}

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  tdp01 = await srv.login('tdp01');
});
after(async () => finish(srv, assert));

test('upload → mapping step → start → done: two bad rows reported by line, the rest imported; again: unchanged', async () => {
  const t = word(Date.now() % 100000);
  const rows = [
    `1,Nguyễn Văn An ${t},15/03/1985,Nam,${cccd('Nam')},0912345678,Tổ dân phố số 1,"Số 1, ngõ 2 ${t}"`,
    `2,Trần Thị Bình ${t},1985,Nữ,${cccd('Nữ')},,TDP 1,"Số 1, ngõ 2 ${t}"`,
    `3,Lê Văn Cường ${t},01/01/2099,Nam,,,Tổ 2,Số 5 ${t}`, // future birth date
    `4,Phạm Thị Dung ${t},1985-07-01,Nữ,,,Tổ dân phố 02,Số 7 ${t}`,
    `5,Hoàng Văn Em ${t},1970,Nam,,,Tổ dân phố số 999,Số 9 ${t}`, // no such tổ
    `6,Vũ Thị Gấm ${t},12/12/1985,Nữ,${cccd('Nữ')},0987654321,tổ dân phố số 3,Số 11 ${t}`,
  ];
  const u = await upload(admin, csv(rows));
  assert.equal(u.status, 201, u.text);
  assert.equal(u.json.status, 'uploaded');
  assert.equal(u.json.format, 'CSV');
  assert.deepEqual(u.json.missing, []);
  assert.equal(u.json.preview.length, 5);
  assert.equal(u.json.columns.find((c) => c.header === 'Tổ dân phố').field, 'unit');
  // The mapping step: the browser may correct it (here: the same columns, said explicitly).
  const m = await srv.request('PUT', `/api/v1/imports/${u.json.id}/mapping`, { session: admin, body: { full_name: 1, unit: 6 } });
  assert.equal(m.status, 200, m.text);
  const s = await srv.request('POST', `/api/v1/imports/${u.json.id}/start`, { session: admin });
  assert.equal(s.status, 200, s.text);
  const j = await waitDone(admin, u.json.id);
  assert.equal(j.status, 'done', JSON.stringify(j));
  assert.equal(j.imported, 4);
  assert.equal(j.rejected, 2);
  assert.deepEqual(j.errors.map((e) => e.line), [4, 6]);
  assert.match(j.errors[0].reason, /tương lai/);
  assert.match(j.errors[1].reason, /Không tìm thấy tổ dân phố/);
  for (const e of j.errors) assertVietnamese(assert, e.reason);
  // Audited: upload, start and finish with the counts, never a row's data.
  const audit = await srv.getJSON(admin, '/api/v1/audit?action=import.&per_page=100');
  const mine = audit.items.filter((e) => e.entity_id === u.json.id);
  assert.deepEqual(mine.map((e) => e.action).sort(), ['import.finish', 'import.start', 'import.upload']);
  const fin = mine.find((e) => e.action === 'import.finish');
  const d = typeof fin.detail === 'string' ? JSON.parse(fin.detail) : fin.detail;
  assert.equal(d.imported, 4);
  assert.equal(d.rejected, 2);
  assert.ok(!JSON.stringify(mine).includes(t), 'the audit log holds a row\'s data');
  // Households: rows 2 and 3 (same folded address, same tổ, no code) share one.
  const found = await srv.getJSON(admin, `/api/v1/residents?q=${encodeURIComponent(t)}&per_page=50`);
  assert.equal(found.total, 4);
  const an = found.items.find((p) => p.full_name.startsWith('Nguyễn Văn An'));
  const binh = found.items.find((p) => p.full_name.startsWith('Trần Thị Bình'));
  assert.ok(an.household_id && an.household_id === binh.household_id, JSON.stringify(found.items));
  // The error report: the original columns plus Dòng and Lý do, UTF-8 with a BOM.
  const rep = await srv.request('GET', `/api/v1/imports/${u.json.id}/errors.csv`, { session: admin });
  assert.equal(rep.status, 200);
  assert.match(rep.headers['content-type'], /text\/csv/);
  assert.deepEqual([...rep.body.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const lines = rep.text.slice(1).trim().split('\r\n');
  assert.equal(lines.length, 3);
  assert.equal(lines[0], `${HEADER},Dòng,Lý do`);
  assert.match(lines[1], /^3,Lê Văn Cường .*,4,/);
  // Again: nothing changes.
  const again = await importFile(admin, csv(rows));
  assert.equal(again.imported, 0);
  assert.equal(again.unchanged, 4);
  assert.equal(again.rejected, 2);
  assert.equal((await srv.getJSON(admin, `/api/v1/residents?q=${encodeURIComponent(t)}&per_page=1`)).total, 4);
  // The caller's jobs, newest first.
  const list = await srv.getJSON(admin, '/api/v1/imports?per_page=2');
  assert.ok(list.total >= 2);
  assert.equal(list.items[0].id > list.items[1].id, true);
});

test('duplicate CCCD in the file (second line names the first) and against another person in the register', async () => {
  const t = word(Date.now() % 100000 + 7);
  const dup = cccd('Nam');
  const taken = cccd('Nữ');
  const other = await srv.request('POST', '/api/v1/residents', {
    session: admin,
    body: { full_name: `Người Khác ${t}`, unit_id: await srv.unitId(admin, 'Tổ dân phố số 1'), birth_date: '1985', sex: 'F', cccd: taken },
  });
  assert.equal(other.status, 201, other.text);
  const j = await importFile(admin, csv([
    `1,Đỗ Văn Một ${t},1985,Nam,${dup},,Tổ dân phố số 1,`,
    `2,Đỗ Văn Hai ${t},1985,Nam,${dup},,Tổ dân phố số 1,`,
    `3,Đỗ Thị Ba ${t},1985,Nữ,${taken},,Tổ dân phố số 1,`,
    `4,Đỗ Văn Bốn ${t},1999,Nam,${cccd('Nam', 1985)},,Tổ dân phố số 1,`, // year digits say 85
    `5,Đỗ Văn Năm ${t},2001,Nam,0300${'01'}${String(serial++).padStart(6, '0')},,Tổ dân phố số 1,`, // century digit 0 for a 2001 birth
  ]));
  assert.equal(j.imported, 1, JSON.stringify(j));
  assert.deepEqual(j.errors.map((e) => e.line), [3, 4, 5, 6]);
  assert.match(j.errors[0].reason, /trùng với dòng 2/);
  assert.match(j.errors[1].reason, /người khác/);
  assert.match(j.errors[2].reason, /năm sinh/);
  assert.match(j.errors[3].reason, /thế kỷ/);
  for (const e of j.errors) assert.ok(!e.reason.includes(dup) && !e.reason.includes(taken), 'a reason repeats a CCCD');
});

test('a file that cannot be read is refused at upload with a Vietnamese reason: UTF-16, Windows-1258, empty, truncated XLSX', async () => {
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${HEADER}\r\n1,Nguyễn Văn A,1985,Nam,,,Tổ dân phố số 1,\r\n`, 'utf16le')]);
  let r = await upload(admin, utf16);
  expectError(assert, r, 400, 'invalid_value');
  assert.match(r.json.error.message, /UTF-16/);
  // Windows-1258: "Nguy" + ễ as 0xEA 0xDE (ê + combining tilde), bytes that are not UTF-8.
  const cp1258 = Buffer.concat([Buffer.from('STT,H'), Buffer.from([0xd4]), Buffer.from(' v'), Buffer.from([0xe0]), Buffer.from(' t'), Buffer.from([0xea, 0xde]), Buffer.from('n,T'), Buffer.from([0xd4]), Buffer.from(' d'), Buffer.from([0xe2]), Buffer.from('n ph'), Buffer.from([0xd4]), Buffer.from('\r\n1,Nguy'), Buffer.from([0xea, 0xde]), Buffer.from('n V'), Buffer.from([0xe3]), Buffer.from('n A,T\r\n')]);
  r = await upload(admin, cp1258);
  expectError(assert, r, 400, 'invalid_value');
  assert.match(r.json.error.message, /1258|UTF-8/);
  r = await upload(admin, Buffer.alloc(0));
  expectError(assert, r, 400, 'invalid_value');
  r = await upload(admin, Buffer.from('\r\n\r\n'));
  expectError(assert, r, 400, 'invalid_value');
  // A workbook cut short: a ZIP's magic and a few bytes of a local header.
  const truncated = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(40, 1)]);
  r = await upload(admin, truncated, 'ds.xlsx');
  expectError(assert, r, 400, 'invalid_value');
  assertVietnamese(assert, r.json.error.message);
});

test('columns: a missing required column is named and start refuses; a repeated one is a warning', async () => {
  let r = await upload(admin, Buffer.from('STT,Họ và tên,Ngày sinh\r\n1,Nguyễn Văn A,1985\r\n'));
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.missing, ['unit']);
  const s = await srv.request('POST', `/api/v1/imports/${r.json.id}/start`, { session: admin });
  expectError(assert, s, 400, 'invalid_value');
  assert.match(s.json.error.message, /Tổ dân phố/);
  r = await upload(admin, Buffer.from('Họ và tên,Tổ dân phố,Họ tên\r\nNguyễn Văn A,Tổ dân phố số 1,X\r\n'));
  assert.equal(r.status, 201, r.text);
  assert.ok(r.json.warnings.some((w) => /Họ và tên/.test(w)), JSON.stringify(r.json.warnings));
  const bad = await srv.request('PUT', `/api/v1/imports/${r.json.id}/mapping`, { session: admin, body: { unit: 40 } });
  expectError(assert, bad, 400, 'invalid_value');
});

test('an upload over the limit is 413 with a Vietnamese message, and nothing is written', async () => {
  const before = (await srv.getJSON(admin, '/api/v1/imports?per_page=1')).total;
  const answer = await new Promise((res, rej) => {
    const sock = net.connect(srv.port, '127.0.0.1', () => {
      sock.write(`POST /api/v1/imports HTTP/1.1\r\nHost: x\r\nCookie: ${admin.cookie}\r\nX-CSRF-Token: ${admin.csrf}\r\nContent-Type: text/csv\r\nContent-Length: ${256 * 1024 * 1024 + 1}\r\n\r\n`);
      sock.write(Buffer.alloc(4096, 0x41));
    });
    let data = '';
    sock.on('data', (d) => (data += d));
    sock.on('end', () => res(data));
    sock.on('close', () => res(data));
    sock.on('error', (e) => (data ? res(data) : rej(e)));
    setTimeout(() => sock.destroy(), 5000).unref(); // the open socket keeps the process alive, not the timer
  });
  assert.match(answer, /^HTTP\/1\.1 413/);
  assert.match(answer, /quá lớn/);
  assert.equal((await srv.getJSON(admin, '/api/v1/imports?per_page=1')).total, before);
  assert.deepEqual(readdirSync(join(srv.dataDir, 'imports')).filter((f) => f.startsWith('upload-')), []);
});

test('scope: a tổ outside the importer\'s people.write is rejected by row; another officer cannot see the job', async () => {
  const t = word(Date.now() % 100000 + 13);
  const j = await importFile(tdp01, csv([
    `1,Mai Văn Một ${t},1985,Nam,,,Tổ dân phố số 1,`,
    `2,Mai Văn Hai ${t},1985,Nam,,,Tổ dân phố số 2,`,
  ]));
  assert.equal(j.imported, 1);
  assert.deepEqual(j.errors.map((e) => e.line), [3]);
  assert.match(j.errors[0].reason, /ngoài phạm vi/);
  const other = await srv.login('vanhoa');
  const r = await srv.request('GET', `/api/v1/imports/${j.id}`, { session: other });
  expectError(assert, r, 403, 'forbidden');
  // The ward admin holds people.write over the job's unit: it sees it.
  assert.equal((await srv.request('GET', `/api/v1/imports/${j.id}`, { session: admin })).status, 200);
  const learner = await srv.login('hocvien');
  expectError(assert, await upload(learner, csv([])), 403, 'forbidden');
});

test('kill -9 in the middle of a 50,000-row import: the restarted server resumes; counts add up, nothing twice', async () => {
  const t = word(Date.now() % 100000 + 29);
  const N = 50000;
  const rows = [];
  // Each name ends in "X" + the row number in letters: a word no prefix of the others (t included) starts.
  for (let i = 1; i <= N; i++) rows.push(`${i},Lý Văn ${t} X${word(i)},1985,Nam,${cccd('Nam')},,Tổ dân phố số ${1 + (i % 60)},`);
  const u = await upload(admin, csv(rows));
  assert.equal(u.status, 201, u.text);
  const s = await srv.request('POST', `/api/v1/imports/${u.json.id}/start`, { session: admin });
  assert.equal(s.status, 200);
  let seen;
  for (let k = 0; k < 600; k++) {
    seen = (await srv.request('GET', `/api/v1/imports/${u.json.id}`, { session: admin })).json;
    if (seen.rows_done > 0 || seen.status === 'done') break;
    await sleep(20);
  }
  assert.equal(seen.status, 'running', `the job ended before the kill: ${JSON.stringify(seen)}`);
  srv.proc.kill('SIGKILL');
  await srv.exited;
  await srv.spawn();
  admin = await srv.login('admin');
  tdp01 = await srv.login('tdp01');
  const j = await waitDone(admin, u.json.id, 300000);
  assert.equal(j.status, 'done', JSON.stringify(j));
  assert.equal(j.rejected, 0);
  assert.equal(j.rows_done, N);
  assert.equal(j.imported + j.unchanged, N);
  // Nothing twice: tổ 1 holds the rows i ≡ 0 (mod 60), counted exactly (a list counts up to
  // 1,000); the whole ward's list is more than that (total null) but every sampled row is there once.
  const inTdp1 = (await srv.getJSON(tdp01, `/api/v1/residents?q=${encodeURIComponent('ly van ' + t)}&per_page=1`)).total;
  assert.equal(inTdp1, Math.floor(N / 60));
  for (const i of [1, 2, 59, 60, 4999, 5000, 5001, 25000, N]) {
    const one = await srv.getJSON(admin, `/api/v1/residents?q=${encodeURIComponent(`ly van ${t} x${word(i)}`)}&per_page=5`);
    assert.equal(one.items.filter((p) => p.full_name === `Lý Văn ${t} X${word(i)}`).length, 1, `row ${i}`);
  }
});

test('kill -9 after the last chunk, while the name terms are merged: the restarted server finishes the job; every person found by name exactly once', async () => {
  const t = word(Date.now() % 100000 + 37);
  const N = 40000;
  const rows = [];
  for (let i = 1; i <= N; i++) rows.push(`${i},Tạ Văn ${t} Y${word(i)},1985,Nam,${cccd('Nam')},,Tổ dân phố số ${1 + (i % 60)},`);
  const u = await upload(admin, csv(rows));
  assert.equal(u.status, 201, u.text);
  const s = await srv.request('POST', `/api/v1/imports/${u.json.id}/start`, { session: admin });
  assert.equal(s.status, 200);
  // Every row is committed (rows_done = N) but the job is not done: its terms are being merged.
  let seen;
  for (let k = 0; k < 6000; k++) {
    seen = (await srv.request('GET', `/api/v1/imports/${u.json.id}`, { session: admin })).json;
    if (seen.rows_done === N || seen.status === 'done') break;
    await sleep(20);
  }
  assert.equal(seen.status, 'running', `the merge ended before the kill: ${JSON.stringify(seen)}`);
  assert.equal(seen.rows_done, N);
  srv.proc.kill('SIGKILL');
  await srv.exited;
  await srv.spawn();
  admin = await srv.login('admin');
  tdp01 = await srv.login('tdp01');
  const j = await waitDone(admin, u.json.id, 300000);
  assert.equal(j.status, 'done', JSON.stringify(j));
  assert.equal(j.rejected, 0);
  assert.equal(j.imported, N);
  // Found by name exactly once: tổ 1's people all (a list counts up to 1,000), and sampled rows
  // of every part of the file by their full name.
  const inTdp1 = (await srv.getJSON(tdp01, `/api/v1/residents?q=${encodeURIComponent('ta van ' + t)}&per_page=1`)).total;
  assert.equal(inTdp1, Math.floor(N / 60));
  for (const i of [1, 2, 60, 5000, 5001, 20000, 39999, N]) {
    const one = await srv.getJSON(admin, `/api/v1/residents?q=${encodeURIComponent(`ta van ${t} y${word(i)}`)}&per_page=5`);
    assert.equal(one.total, 1, `row ${i}: ${JSON.stringify(one.items.map((p) => p.full_name))}`);
    assert.equal(one.items[0].full_name, `Tạ Văn ${t} Y${word(i)}`);
  }
});

test('CLI: one JSON object, file lines (a quoted multi-line cell), exit codes; a second run imports nothing', async () => {
  const dir = tempDir('import-cli');
  const t = word(Date.now() % 100000 + 31);
  const file = join(dir, 'ds.csv');
  writeFileSync(file, csv([
    `1,"Cao Văn
Một ${t}",1985,Nam,,,Tổ dân phố số 4,"Số 3
ngõ 4"`,
    `2,Cao Văn Hai ${t},31/02/1985,Nam,,,Tổ dân phố số 4,`,
    `3,Cao Thị Ba ${t},1986,Nữ,,0911222333,TDP 4,`,
  ]));
  const args = ['import', 'residents', ...storeArgs(srv.dataDir, srv.dbUri), file];
  let r = await hocvuso(args);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(out), ['imported', 'unchanged', 'rejected']);
  assert.equal(out.imported, 2);
  assert.equal(out.unchanged, 0);
  assert.deepEqual(out.rejected.map((e) => e.line), [5]);
  assert.match(out.rejected[0].reason, /Ngày sinh/);
  r = await hocvuso(args);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { imported: 0, unchanged: 2, rejected: out.rejected });
  // Files that cannot be read: non-zero, a message on stderr, nothing on stdout.
  const cases = {
    'utf16.csv': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${HEADER}\r\n`, 'utf16le')]),
    'empty.csv': Buffer.alloc(0),
    'missing.csv': Buffer.from('Họ và tên,Ngày sinh\r\nCao Văn A,1985\r\n'),
    'repeated.csv': Buffer.from('Họ và tên,Tổ dân phố,Họ tên\r\nCao Văn A,Tổ dân phố số 1,B\r\n'),
    'cut.xlsx': Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(40, 1)]),
  };
  for (const [name, bytes] of Object.entries(cases)) {
    writeFileSync(join(dir, name), bytes);
    r = await hocvuso(['import', 'residents', ...storeArgs(srv.dataDir, srv.dbUri), join(dir, name)]);
    assert.notEqual(r.code, 0, `${name}: exit 0`);
    assert.equal(r.stdout, '', name);
    assert.ok(r.stderr.trim().length > 0, name);
    if (name === 'utf16.csv') assert.match(r.stderr, /UTF-16/);
  }
});
