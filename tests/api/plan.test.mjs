// plan.test.mjs: the plan's tasks over real HTTP (issue 9, part 8). GET /api/v1/plan/tasks answers
// one item per task of part IV of the plan, as the plan writes it (counted and compared against the
// seed file beside the repository); the units that answer for a task post progress updates (text,
// figures, attachments) and the status follows; someone of another unit, a unit the plan does not
// name, a learner or nobody cannot post; attachments are refused when too large or not the type
// they claim, are served with a safe type and Content-Disposition, are read only by those who may
// read the task, and are in the backup (a restore finds the file). SQLite, or PostgreSQL with
// HOCVUSO_TEST_PG_DIR.
// Owns: its server, its backup directory and the updates and files it posts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, cpSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startServer, finish, expectError, hocvuso, tempDir, userWithRole, REPO_ROOT, ON_PG } from './lib/server.mjs';

const SEED = resolve(REPO_ROOT, '../shared/seeds/ke-hoach-binh-dan-hoc-vu-so-phuong-hai-duong.txt');

let srv, admin, vanhoa, tdp01, hocvien, congan;
let vhxh, tdp1, ttvhtt, ward;
let tasks; // code -> list item

// A minimal PDF, PNG and JPEG: the bytes their types start with.
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32, 1)]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(32, 2)]);

// The plan's part IV as the seed file writes it: each task's code, lead unit and timeframe.
function seedTasks() {
  const text = readFileSync(SEED, 'utf8');
  const part = text.slice(text.indexOf('IV. CÁC NHIỆM VỤ'), text.indexOf('IV. KINH PHÍ'));
  const flat = part.replace(/\s+/g, ' ');
  const codes = [...part.matchAll(/^\s*(\d\.\d)\.?\s+\S/gm)].map((m) => m[1]);
  return { codes, flat };
}
function upload(session, task, unit, bytes, { name = 'bao-cao.pdf', type = 'application/pdf' } = {}) {
  const q = `?unit_id=${unit}&name=${encodeURIComponent(name)}`;
  return srv.request('POST', `/api/v1/plan/tasks/${task}/attachments${q}`, {
    session, rawBody: bytes, headers: { 'content-type': type },
  });
}
function post(session, task, body) {
  return srv.request('POST', `/api/v1/plan/tasks/${task}/updates`, { session, body });
}

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  vanhoa = await srv.login('vanhoa');
  tdp01 = await srv.login('tdp01');
  hocvien = await srv.login('hocvien');
  congan = await srv.login('congan');
  vhxh = await srv.unitId(admin, 'Phòng Văn hóa - Xã hội');
  tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1');
  ttvhtt = await srv.unitId(admin, 'Trung tâm Văn hóa, Thể thao và Truyền thông');
  ward = await srv.unitId(admin, 'Phường Hải Dương');
  const r = await srv.request('GET', '/api/v1/plan/tasks');
  assert.equal(r.status, 200, r.text);
  tasks = Object.fromEntries(r.json.items.map((t) => [t.code, t]));
});
after(async () => finish(srv, assert));

test('GET /api/v1/plan/tasks: one item per task of part IV, as the plan writes them (counted against the seed)', async () => {
  assert.ok(existsSync(SEED), `the plan's seed file is at ${SEED}`);
  const { codes, flat } = seedTasks();
  const r = await srv.request('GET', '/api/v1/plan/tasks');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((t) => t.code), codes, 'the codes, in the plan\'s order');
  assert.equal(codes.length, 14, 'part IV has 14 tasks (it skips 1.2)');
  for (const t of r.json.items) {
    assert.deepEqual(Object.keys(t).filter((k) => ['code', 'title', 'lead_unit', 'coordinating_units', 'timeframe', 'status'].includes(k)).sort(),
      ['code', 'coordinating_units', 'lead_unit', 'status', 'timeframe', 'title']);
    assert.ok(flat.includes(t.title), `${t.code}: the title is the plan's text`);
    assert.ok(flat.includes(`Đơn vị chủ trì: ${t.lead_unit}`), `${t.code}: lead unit "${t.lead_unit}"`);
    assert.ok(Array.isArray(t.coordinating_units) && t.coordinating_units.length > 0);
    const coord = flat.slice(flat.indexOf(`Đơn vị chủ trì: ${t.lead_unit}`));
    assert.ok(coord.includes(`Đơn vị phối hợp: ${t.coordinating_units.join('; ')}`), `${t.code}: coordinating units`);
    assert.match(coord, new RegExp(`Thời gian thực hiện: ${t.timeframe.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`), `${t.code}: timeframe`);
    assert.ok(['not_started', 'on_track', 'late', 'done'].includes(t.status), t.status);
  }
  assert.equal(tasks['1.1'].lead_unit, 'Trung tâm Văn hóa, Thể thao và Truyền thông');
  assert.deepEqual(tasks['3.1'].coordinating_units, ['Các phòng, ban, đơn vị có liên quan', 'Đoàn Thanh niên phường']);
  assert.equal(tasks['3.6'].timeframe, 'Năm 2025 - 2030');
  assert.equal(tasks['1.4'].timeframe, 'Tháng 10 hàng năm');
});

test('the demo shows the plan under way: statuses follow the demo\'s updates', async () => {
  assert.equal(tasks['1.3'].status, 'done'); // reported done
  assert.equal(tasks['2.1'].status, 'late'); // "Năm 2025" ended without a done report
  assert.equal(tasks['3.6'].status, 'on_track'); // the police reported 15 days ago
  assert.equal(tasks['3.5'].updates_count, 0);
  const t = await srv.getJSON(admin, `/api/v1/plan/tasks/${tasks['3.6'].id}`);
  assert.equal(t.updates.length, 1);
  assert.equal(t.updates[0].created_by_name, 'Phạm Quốc Dũng');
  assert.ok(t.units.some((u) => u.role === 'lead' && u.name === 'Công an phường' && u.units.length === 1));
  // Task 3.4 has a report with a PDF attached, stored under the data directory.
  const t34 = await srv.getJSON(admin, `/api/v1/plan/tasks/${tasks['3.4'].id}`);
  const withFile = t34.updates.find((u) => u.attachments.length);
  assert.ok(withFile, 'a demo report with a file');
  const f = await srv.request('GET', withFile.attachments[0].url, { session: admin });
  assert.equal(f.status, 200);
  assert.equal(f.headers['content-type'], 'application/pdf');
  assert.equal(createHash('sha256').update(f.body).digest('hex'), withFile.attachments[0].sha256);
});

test('a coordinating unit\'s officer posts an update with figures; the status follows, the entry says who and when', async () => {
  const task = tasks['2.4'];
  assert.equal(task.status, 'late');
  const r = await post(vanhoa, task.id, {
    unit_id: vhxh, body: 'Phòng Văn hóa - Xã hội hướng dẫn các trường tổ chức học sinh tình nguyện.',
    figures: [{ label: 'Học sinh tình nguyện', value: 120, unit: 'em' }, { label: 'Hộ được hướng dẫn', value: 85.5 }],
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.status, 'on_track');
  assert.equal(r.json.updates_count, 1);
  const u = r.json.updates[0];
  assert.equal(u.id, r.json.update_id);
  assert.equal(u.unit_id, vhxh);
  assert.equal(u.created_by_name, 'Nguyễn Thị Hoa');
  assert.ok(Math.abs(Date.parse(u.created_at) - Date.now()) < 60000);
  assert.deepEqual(u.figures, [{ label: 'Học sinh tình nguyện', value: 120, unit: 'em' }, { label: 'Hộ được hướng dẫn', value: 85.5 }]);
  const list = await srv.getJSON(admin, '/api/v1/plan/tasks');
  assert.equal(list.items.find((t) => t.code === '2.4').status, 'on_track');
  const audit = await srv.getJSON(admin, `/api/v1/audit?action=plan.update&entity=plan_task&entity_id=${task.id}`);
  assert.ok(audit.items.some((a) => a.actor === 'vanhoa' || a.actor_username === 'vanhoa'), JSON.stringify(audit.items[0]));
  // Reported done: done.
  const d = await post(vanhoa, task.id, { unit_id: vhxh, body: 'Hoàn thành.', done: true });
  assert.equal(d.status, 201, d.text);
  assert.equal(d.json.status, 'done');
  assert.equal(d.json.status_label, 'Hoàn thành');
});

test('a tổ officer posts for a task that names "Các Tổ dân phố" (3.2), for their own tổ only', async () => {
  const task = tasks['3.2'];
  const ok = await post(tdp01, task.id, { unit_id: tdp1, body: 'Tổ dân phố số 1: 40 hộ có thành viên học kỹ năng số.' });
  assert.equal(ok.status, 201, ok.text);
  const tdp2 = await srv.unitId(admin, 'Tổ dân phố số 2');
  expectError(assert, await post(tdp01, task.id, { unit_id: tdp2, body: 'x' }), 403, 'forbidden', 'unit_id');
  // The same officer cannot speak for the Phòng Văn hóa - Xã hội, nor for a task that does not name tổ.
  expectError(assert, await post(tdp01, tasks['2.4'].id, { unit_id: vhxh, body: 'x' }), 403, 'forbidden', 'unit_id');
  expectError(assert, await post(tdp01, tasks['2.1'].id, { unit_id: tdp1, body: 'x' }), 400, 'invalid_value', 'unit_id');
});

test('nobody, a learner, a unit not named by the task, bad input: refused and nothing written', async () => {
  const task = tasks['1.1'];
  const before = (await srv.getJSON(admin, `/api/v1/plan/tasks/${task.id}`)).updates_count;
  const anon = await srv.request('POST', `/api/v1/plan/tasks/${task.id}/updates`, { body: { unit_id: ttvhtt, body: 'x' } });
  assert.equal(anon.status, 401, anon.text);
  expectError(assert, await post(hocvien, task.id, { unit_id: ttvhtt, body: 'x' }), 403, 'forbidden');
  // The police are named by 1.4, not by 1.1.
  const ca = await srv.unitId(admin, 'Công an phường Hải Dương');
  expectError(assert, await post(congan, task.id, { unit_id: ca, body: 'x' }), 400, 'invalid_value', 'unit_id');
  expectError(assert, await post(admin, task.id, { unit_id: ttvhtt, body: '   ' }), 400, 'missing_field', 'body');
  expectError(assert, await post(admin, task.id, { unit_id: ttvhtt, body: 'x', figures: [{ label: 'Tin', value: 'nhiều' }] }), 400, 'invalid_value', 'figures');
  expectError(assert, await post(admin, task.id, { unit_id: ttvhtt, body: 'x', figures: [{ value: 3 }] }), 400, 'invalid_value', 'figures');
  expectError(assert, await post(admin, task.id, { unit_id: ttvhtt, body: 'x', colour: 'đỏ' }), 400, 'unknown_field', 'colour');
  expectError(assert, await post(admin, 999999, { unit_id: ttvhtt, body: 'x' }), 404, 'not_found');
  expectError(assert, await post(admin, task.id, { body: 'x' }), 400, 'missing_field', 'unit_id');
  expectError(assert, await post(admin, task.id, { unit_id: ttvhtt, body: 'x', attachment_ids: [999999] }), 400, 'invalid_value', 'attachment_ids');
  const after = (await srv.getJSON(admin, `/api/v1/plan/tasks/${task.id}`)).updates_count;
  assert.equal(after, before, 'nothing written');
  // The ward admin may speak for the ward itself.
  const w = await post(admin, task.id, { unit_id: ward, body: 'UBND phường chỉ đạo tăng thời lượng phát thanh.' });
  assert.equal(w.status, 201, w.text);
});

test('attachments: stored by SHA-256, downloaded with a safe type, nosniff and Content-Disposition: attachment', async () => {
  const task = tasks['1.1'];
  const up = await upload(admin, task.id, ttvhtt, PDF, { name: 'Báo cáo "tháng 11"/../x.pdf' });
  assert.equal(up.status, 201, up.text);
  assert.equal(up.json.sha256, createHash('sha256').update(PDF).digest('hex'));
  assert.equal(up.json.content_type, 'application/pdf');
  assert.equal(up.json.size, PDF.length);
  const file = join(srv.dataDir, 'attachments', up.json.sha256.slice(0, 2), up.json.sha256);
  assert.ok(existsSync(file), 'stored outside the database, named by its hash');
  const r = await post(admin, task.id, { unit_id: ttvhtt, body: 'Kèm báo cáo tháng.', attachment_ids: [up.json.id] });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.updates[0].attachments[0].id, up.json.id);
  // Used once only.
  expectError(assert, await post(admin, task.id, { unit_id: ttvhtt, body: 'Lại.', attachment_ids: [up.json.id] }), 409, 'conflict', 'attachment_ids');
  const g = await srv.request('GET', up.json.url, { session: vanhoa });
  assert.equal(g.status, 200, g.text);
  assert.equal(g.headers['content-type'], 'application/pdf');
  assert.equal(g.headers['x-content-type-options'], 'nosniff');
  const cd = g.headers['content-disposition'];
  assert.match(cd, /^attachment; filename="[A-Za-z0-9._-]+"; filename\*=UTF-8''[A-Za-z0-9._%-]+$/, cd);
  // The name as uploaded lost its path; what is left is escaped (no quote, slash or non-ASCII raw).
  assert.equal(decodeURIComponent(cd.split("UTF-8''")[1]), 'x.pdf');
  const q = await upload(admin, task.id, ttvhtt, PDF, { name: 'Báo cáo "tháng 11";x=1.pdf' });
  assert.equal(q.status, 201, q.text);
  const cd2 = (await srv.request('GET', q.json.url, { session: admin })).headers['content-disposition'];
  assert.match(cd2, /^attachment; filename="[A-Za-z0-9._-]+"; filename\*=UTF-8''[A-Za-z0-9._%-]+$/, cd2);
  assert.equal(decodeURIComponent(cd2.split("UTF-8''")[1]), 'Báo cáo tháng 11;x=1.pdf');
  assert.deepEqual(g.body, PDF);
  // Another account's upload cannot be put in one's own update.
  const other = await upload(vanhoa, tasks['2.4'].id, vhxh, PNG, { name: 'anh.png', type: 'image/png' });
  assert.equal(other.status, 201, other.text);
  expectError(assert, await post(admin, tasks['2.4'].id, { unit_id: vhxh, body: 'x', attachment_ids: [other.json.id] }), 400, 'invalid_value', 'attachment_ids');
  // Readers: nobody logged out, a learner.
  assert.equal((await srv.request('GET', up.json.url)).status, 401);
  expectError(assert, await srv.request('GET', up.json.url, { session: hocvien }), 403, 'forbidden');
  expectError(assert, await srv.request('GET', '/api/v1/attachments/999999', { session: admin }), 404, 'not_found');
});

test('attachments: a file whose bytes are not the type its name or Content-Type claims, or too large, is a clear 4xx', async () => {
  const task = tasks['1.1'];
  const cases = [
    [PNG, { name: 'bao-cao.pdf', type: 'application/pdf' }], // PNG bytes named .pdf
    [PDF, { name: 'anh.png', type: 'image/png' }], // PDF bytes named .png
    [JPEG, { name: 'anh.jpg', type: 'image/png' }], // JPEG bytes claiming PNG
    [Buffer.from('<html><script>alert(1)</script></html>'), { name: 'trang.pdf', type: 'application/pdf' }],
    [Buffer.from('MZ\x90\x00 not a document'), { name: 'chuong-trinh.exe', type: 'application/octet-stream' }],
    [PDF, { name: 'bao-cao.html', type: 'application/pdf' }], // a name of a type we do not take
  ];
  for (const [bytes, o] of cases) {
    const r = await upload(admin, task.id, ttvhtt, bytes, o);
    const e = expectError(assert, r, 415, 'unsupported_media_type', 'file');
    assert.ok(e.message.length > 10);
  }
  // The bytes decide when nothing is claimed: a JPEG with no extension and a generic type is kept as JPEG.
  const ok = await upload(admin, task.id, ttvhtt, JPEG, { name: 'anh', type: 'application/octet-stream' });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.json.content_type, 'image/jpeg');
  const big = Buffer.alloc(10 * 1024 * 1024 + 1, 0x20);
  PDF.copy(big);
  const r = await upload(admin, task.id, ttvhtt, big);
  expectError(assert, r, 413, 'too_large');
  expectError(assert, await upload(admin, task.id, ttvhtt, Buffer.alloc(0)), 400, 'invalid_value', 'file');
  expectError(assert, await upload(hocvien, task.id, ttvhtt, PDF), 403, 'forbidden');
  expectError(assert, await upload(tdp01, task.id, tdp1, PDF), 400, 'invalid_value', 'unit_id');
});

test('the plan\'s unit names map to the ward\'s units; an admin edits the map, and the new unit may post', async () => {
  const names = await srv.getJSON(admin, '/api/v1/plan/units');
  const hpn = names.items.find((n) => n.name === 'Hội Phụ nữ phường');
  assert.ok(hpn, 'the plan names Hội Phụ nữ phường');
  assert.deepEqual(hpn.units, [], 'the demo ward has no such unit');
  assert.deepEqual(hpn.tasks, ['3.2']);
  const vh = names.items.find((n) => n.name === 'Phòng Văn hóa - Xã hội');
  assert.deepEqual(vh.units.map((u) => u.id), [vhxh]);
  // A unit officer cannot edit the map; a unit outside the ward is refused.
  expectError(assert, await srv.request('PUT', `/api/v1/plan/units/${hpn.id}`, { session: vanhoa, body: { unit_ids: [vhxh] } }), 403, 'forbidden');
  const w = await srv.getJSON(admin, `/api/v1/units/${ward}`);
  const city = w.ancestors.find((a) => a.name === 'Thành phố Hải Phòng').id;
  expectError(assert, await srv.request('PUT', `/api/v1/plan/units/${hpn.id}`, { session: admin, body: { unit_ids: [city] } }), 400, 'invalid_value', 'unit_ids');
  expectError(assert, await srv.request('PUT', '/api/v1/plan/units/999999', { session: admin, body: { unit_ids: [] } }), 404, 'not_found');
  // The ward gets its Hội Liên hiệp Phụ nữ, with an officer; before the map names it, she cannot post.
  const u = await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: ward, kind: 'mass_organisation', name: 'Hội Liên hiệp Phụ nữ phường' } });
  assert.equal(u.status, 201, u.text);
  const hoi = u.json.id;
  const officer = await userWithRole(srv, admin, { username: 'hoiphunu', role: 'unit_officer', unitId: hoi });
  expectError(assert, await post(officer, tasks['3.2'].id, { unit_id: hoi, body: 'x' }), 400, 'invalid_value', 'unit_id');
  const set = await srv.request('PUT', `/api/v1/plan/units/${hpn.id}`, { session: admin, body: { unit_ids: [hoi] } });
  assert.equal(set.status, 200, set.text);
  assert.deepEqual(set.json.units.map((x) => x.id), [hoi]);
  const p = await post(officer, tasks['3.2'].id, { unit_id: hoi, body: 'Hội Phụ nữ phát động phong trào Gia đình số ở 68 tổ dân phố.' });
  assert.equal(p.status, 201, p.text);
  assert.equal(p.json.units.find((x) => x.name === 'Hội Phụ nữ phường').units[0].id, hoi);
  const back = await srv.request('PUT', `/api/v1/plan/units/${hpn.id}`, { session: admin, body: { unit_ids: [] } });
  assert.equal(back.status, 200, back.text);
});

test('`hocvuso import plan` loads the plan the binary carries again: nothing doubled, updates and the map kept', async () => {
  const db = ['--data', srv.dataDir, ...(ON_PG ? ['--database', srv.dbUri] : [])];
  const before = (await srv.getJSON(admin, '/api/v1/plan/tasks')).items;
  const r = await hocvuso(['import', 'plan', ...db, '--unit', 'HP-HD']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { tasks: 14, new: 0, names_new: 0, units_mapped: 0 });
  const after = (await srv.getJSON(admin, '/api/v1/plan/tasks')).items;
  assert.deepEqual(after.map((t) => [t.id, t.code, t.updates_count]), before.map((t) => [t.id, t.code, t.updates_count]));
  assert.equal((await hocvuso(['import', 'plan', ...db])).code, 2, 'the ward is required');
  const bad = await hocvuso(['import', 'plan', ...db, '--unit', 'KHONG-CO']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /KHONG-CO/);
});

test('the backup holds the attachments: a restore finds the file', { timeout: 120000 }, async () => {
  const task = tasks['3.4'];
  const bytes = Buffer.concat([PDF, Buffer.from(`% ${Date.now()} sao lưu\n`)]);
  const up = await upload(admin, task.id, vhxh, bytes, { name: 'Danh sách tổ.pdf' });
  assert.equal(up.status, 201, up.text);
  const out = tempDir('plan-backup');
  const copy = join(out, 'copy.db');
  try {
    const b = await hocvuso(['backup', '--data', srv.dataDir, ...(ON_PG ? ['--database', srv.dbUri] : []), '--out', copy], { timeout: 60000 });
    assert.equal(b.code, 0, b.stderr);
    const kept = join(`${copy}.attachments`, up.json.sha256.slice(0, 2), up.json.sha256);
    assert.deepEqual(readFileSync(kept), bytes, 'the file is in the backup');
    // Restore: the server stopped, its attachments lost, the backup put back, the server started.
    await srv.stop({ cleanup: false });
    rmSync(join(srv.dataDir, 'attachments'), { recursive: true, force: true });
    if (!ON_PG) {
      for (const s of ['', '-wal', '-shm']) rmSync(join(srv.dataDir, 'hocvuso.db') + s, { force: true });
      cpSync(copy, join(srv.dataDir, 'hocvuso.db'));
    }
    cpSync(`${copy}.attachments`, join(srv.dataDir, 'attachments'), { recursive: true });
    await srv.spawn();
    admin = await srv.login('admin');
    const g = await srv.request('GET', up.json.url, { session: admin });
    assert.equal(g.status, 200, g.text);
    assert.deepEqual(g.body, bytes);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
