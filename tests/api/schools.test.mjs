// schools.test.mjs: schools over real HTTP (issue 9, part 7). The demo teacher records that her school
// runs the digital-skills programme of Thông tư 02/2025, with a link and a file as evidence, its
// students covered by grade and its model designations (trường học chuyển đổi số điển hình, lớp học
// số sáng tạo, giáo viên số tiêu biểu); she edits her own school only; the ward admin reads every
// school and the share of general-education schools that run it, and writes none; bad grades,
// links, years and files are a clear 400/415 and change nothing. SQLite, or PostgreSQL with
// HOCVUSO_TEST_PG_DIR.
// Owns: its server and what it records.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, finish, expectError, hocvuso, storeArgs } from './lib/server.mjs';

let srv, admin, teacher, vanhoa, hocvien;
let thd, nc, thpt, mnhs, ward;

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n%%EOF\n');
function put(session, id, body) {
  return srv.request('PUT', `/api/v1/schools/${id}/programme`, { session, body });
}
function designate(session, id, body) {
  return srv.request('POST', `/api/v1/schools/${id}/designations`, { session, body });
}

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  teacher = await srv.login('giaovien');
  vanhoa = await srv.login('vanhoa');
  hocvien = await srv.login('hocvien');
  thd = await srv.unitId(admin, 'Trường THCS Trần Hưng Đạo');
  nc = await srv.unitId(admin, 'Trường THCS Ngọc Châu');
  thpt = await srv.unitId(admin, 'Trường THPT Hải Dương');
  mnhs = await srv.unitId(admin, 'Trường Mầm non Hoa Sen');
  ward = await srv.unitId(admin, 'Phường Hải Dương');
});
after(async () => finish(srv, assert));

test('the ward admin reads every school and the share of general-education schools that run the programme', async () => {
  const r = await srv.getJSON(admin, '/api/v1/schools');
  assert.equal(r.total, 8, 'the demo ward has 8 schools (2 kindergartens)');
  assert.equal(r.totals.general, 6);
  assert.equal(r.totals.general_running, 5, 'one primary school has not begun');
  const qt = r.items.find((s) => s.name === 'Trường Tiểu học Quang Trung');
  assert.equal(qt.runs_programme, false);
  const mn = r.items.find((s) => s.id === mnhs);
  assert.equal(mn.general, false);
  assert.equal(r.totals.students, r.items.reduce((n, s) => n + s.students, 0));
  // The teacher sees her school only.
  const t = await srv.getJSON(teacher, '/api/v1/schools');
  assert.deepEqual(t.items.map((s) => s.id), [thd]);
  // A unit officer of an office has no school.read; a learner neither.
  expectError(assert, await srv.request('GET', '/api/v1/schools', { session: vanhoa }), 403, 'forbidden');
  expectError(assert, await srv.request('GET', `/api/v1/schools/${thd}`, { session: hocvien }), 403, 'forbidden');
});

test('the teacher records the programme, grades and a link for her school; who and when are kept', async () => {
  const r = await put(teacher, thd, {
    runs_programme: true, since_on: '2025-09-05', evidence_url: 'https://thcs.example.edu.vn/ke-hoach-2025',
    grades: [{ grade: 6, students: 240, covered: 240 }, { grade: 7, students: 232, covered: 230 }, { grade: 8, students: 228, covered: 228 }, { grade: 9, students: 212, covered: 200 }],
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.runs_programme, true);
  assert.equal(r.json.students, 912);
  assert.equal(r.json.covered, 898);
  assert.equal(r.json.grades.length, 4);
  assert.equal(r.json.updated_by_name, 'Đỗ Thu Giang');
  assert.ok(Math.abs(Date.parse(r.json.updated_at) - Date.now()) < 60000);
  // Grades left out: unchanged; the link cleared.
  const r2 = await put(teacher, thd, { runs_programme: true, evidence_url: '' });
  assert.equal(r2.status, 200, r2.text);
  assert.equal(r2.json.students, 912);
  assert.equal(r2.json.evidence_url, null);
  const audit = await srv.getJSON(admin, `/api/v1/audit?action=school.programme&entity=unit&entity_id=${thd}`);
  assert.ok(audit.items.length >= 2);
});

test('a teacher edits her own school only; the ward admin (school.read, no school.write) edits none', async () => {
  expectError(assert, await put(teacher, nc, { runs_programme: true }), 403, 'forbidden', 'id');
  expectError(assert, await designate(teacher, nc, { kind: 'creative_class', name: 'Lớp 7A', school_year: '2025-2026' }), 403, 'forbidden', 'id');
  expectError(assert, await put(admin, thd, { runs_programme: false }), 403, 'forbidden');
  const ev = await srv.request('POST', `/api/v1/schools/${nc}/evidence?name=x.pdf`, { session: teacher, rawBody: PDF, headers: { 'content-type': 'application/pdf' } });
  expectError(assert, ev, 403, 'forbidden', 'id');
  const after = await srv.getJSON(admin, `/api/v1/schools/${nc}`);
  assert.equal(after.designations.length, 0, 'nothing written on the other school');
});

test('bad grades, links, dates and designations: a clear 400 naming the field, nothing written', async () => {
  const before = await srv.getJSON(teacher, `/api/v1/schools/${thd}`);
  const cases = [
    [{ runs_programme: true, grades: [{ grade: 3, students: 10, covered: 5 }] }, 'grades'], // a primary grade at a lower secondary school
    [{ runs_programme: true, grades: [{ grade: 6, students: 10, covered: 11 }] }, 'grades'], // more covered than students
    [{ runs_programme: true, grades: [{ grade: 6, students: 10, covered: 5 }, { grade: 6, students: 9, covered: 1 }] }, 'grades'],
    [{ runs_programme: true, grades: [{ grade: 6, students: -1, covered: 0 }] }, 'grades'],
    [{ runs_programme: true, grades: [{ grade: 6, students: '10', covered: 0 }] }, 'grades'],
    [{ runs_programme: true, evidence_url: 'javascript:alert(1)' }, 'evidence_url'],
    [{ runs_programme: true, evidence_url: 'https://a b.vn' }, 'evidence_url'],
    [{ runs_programme: true, since_on: '2099-01-01' }, 'since_on'],
    [{ runs_programme: true, since_on: '05/09/2025' }, 'since_on'],
  ];
  for (const [body, field] of cases) expectError(assert, await put(teacher, thd, body), 400, 'invalid_value', field);
  expectError(assert, await put(teacher, thd, {}), 400, 'missing_field', 'runs_programme');
  const d = [
    [{ kind: 'best_school', school_year: '2025-2026' }, 'kind'],
    [{ kind: 'creative_class', school_year: '2025-2026' }, 'name', 'missing_field'],
    [{ kind: 'creative_class', name: 'Lớp 9A', school_year: '2025-2027' }, 'school_year'],
    [{ kind: 'model_teacher', name: 'Cô\u202eGiang', school_year: '2025-2026' }, 'name'],
  ];
  for (const [body, field, code = 'invalid_value'] of d) expectError(assert, await designate(teacher, thd, body), 400, code, field);
  // The ward is not a school (and the teacher may not touch it anyway).
  expectError(assert, await srv.request('GET', `/api/v1/schools/${ward}`, { session: admin }), 400, 'invalid_value', 'id');
  expectError(assert, await srv.request('GET', '/api/v1/schools/2147480001', { session: admin }), 404, 'not_found');
  // A kindergarten has no grades of general education: its teacher (made by the operator) records
  // the programme, not grades.
  const db = storeArgs(srv.dataDir, srv.dbUri);
  assert.equal((await hocvuso(['user', 'add', 'gv.mamnon', '--name', 'Cô Mầm Non', '--unit', 'HD-MN-HS', '--password-stdin', ...db], { input: 'Mat-khau-mam-non-1\n' })).code, 0);
  assert.equal((await hocvuso(['user', 'grant', 'gv.mamnon', 'teacher', 'HD-MN-HS', ...db])).code, 0);
  const mn = await srv.login('gv.mamnon', 'Mat-khau-mam-non-1');
  expectError(assert, await put(mn, mnhs, { runs_programme: true, grades: [{ grade: 1, students: 30, covered: 30 }] }), 400, 'invalid_value', 'grades');
  const ok = await put(mn, mnhs, { runs_programme: true });
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(ok.json.grades, []);
  const after = await srv.getJSON(teacher, `/api/v1/schools/${thd}`);
  assert.deepEqual(after.grades, before.grades);
  assert.equal(after.designations.length, before.designations.length);
});

test('model designations and evidence files: recorded, listed, downloaded by those who read the school', async () => {
  const r = await designate(teacher, thd, { kind: 'creative_class', name: 'Lớp 9A3', school_year: '2026-2027', decision: 'QĐ 12/QĐ-THCS' });
  assert.equal(r.status, 201, r.text);
  const d = r.json.designations.find((x) => x.name === 'Lớp 9A3');
  assert.equal(d.kind_label, 'Lớp học số sáng tạo');
  const s = await designate(teacher, thd, { kind: 'model_school', school_year: '2026-2027' });
  assert.equal(s.status, 201, s.text);
  assert.equal(s.json.designations.find((x) => x.kind === 'model_school' && x.school_year === '2026-2027').name, 'Trường THCS Trần Hưng Đạo');
  // Evidence: a PDF kept; a lie refused.
  const ok = await srv.request('POST', `/api/v1/schools/${thd}/evidence?name=${encodeURIComponent('Kế hoạch kỹ năng số.pdf')}`, { session: teacher, rawBody: PDF, headers: { 'content-type': 'application/pdf' } });
  assert.equal(ok.status, 201, ok.text);
  const lie = await srv.request('POST', `/api/v1/schools/${thd}/evidence?name=anh.jpg`, { session: teacher, rawBody: PDF, headers: { 'content-type': 'image/jpeg' } });
  expectError(assert, lie, 415, 'unsupported_media_type', 'file');
  const one = await srv.getJSON(admin, `/api/v1/schools/${thd}`);
  assert.equal(one.evidence.length, 1);
  assert.equal(one.evidence[0].filename, 'Kế hoạch kỹ năng số.pdf');
  // The admin reads the school (school.read): the file too; an officer of an office does not.
  const g = await srv.request('GET', one.evidence[0].url, { session: admin });
  assert.equal(g.status, 200);
  assert.deepEqual(g.body, PDF);
  assert.equal(g.headers['content-type'], 'application/pdf');
  assert.match(g.headers['content-disposition'], /^attachment; filename="[^"]*"; filename\*=UTF-8''K%E1%BA%BF/);
  expectError(assert, await srv.request('GET', one.evidence[0].url, { session: vanhoa }), 403, 'forbidden');
  // An upper secondary school's grades are 10 to 12.
  const t2 = await srv.request('GET', `/api/v1/schools/${thpt}`, { session: admin });
  assert.equal(t2.status, 200);
  assert.deepEqual(t2.json.grades.map((x) => x.grade), [10, 11, 12]);
});
