// field-gaps.test.mjs: the gaps of issue 9 that its users would hit, over real HTTP: a member leaves a
// community digital team (history kept, audited, scope-checked), the public help-request form's
// topic, the 4T helper picked from the registry, the cap on unlinked plan attachments and their
// reaper, an event's attendance not before its day, the ambassadors' summary within the reader's
// scope, and the same helper taking a help request twice at once.
// SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// Owns: its server and the synthetic households, people and objects it makes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, finish, uniq, expectError, userWithRole, hocvuso, storeArgs, run, ON_PG } from './lib/server.mjs';

let srv, admin, tdp01, helper;
let ward, tdp1, tdp2, team1, team2;
let hhA, hhB, pA, pA2, pB;
const tag = uniq('g').replace(/[^a-z0-9]/g, '').replace(/[0-9]/g, (d) => 'abcdefghij'[d]);

async function created(path, body, session = admin) {
  const r = await srv.request('POST', path, { session, body });
  assert.equal(r.status, 201, `${path}: ${r.text}`);
  return r.json;
}
async function sql(text) {
  const r = ON_PG ? await run('psql', ['-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', srv.dbUri, '-c', text])
    : await run('sqlite3', ['-cmd', '.timeout 10000', join(srv.dataDir, 'hocvuso.db'), text]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}
async function auditOf(action, entity, entityId) {
  return (await srv.getJSON(admin, `/api/v1/audit?action=${action}&entity=${entity}&entity_id=${entityId}&per_page=200`)).items;
}

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  tdp01 = await srv.login('tdp01');
  helper = await srv.login('tinhnguyen');
  ward = await srv.unitId(admin, 'Phường Hải Dương');
  tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1');
  tdp2 = await srv.unitId(admin, 'Tổ dân phố số 2');
  hhA = (await created('/api/v1/households', { unit_id: tdp1, address: `Số 6 ngõ Đền ${tag}` })).id;
  hhB = (await created('/api/v1/households', { unit_id: tdp2, address: `Số 2 ngõ Miếu ${tag}` })).id;
  const person = async (unit, hh, name) =>
    (await created('/api/v1/residents', { full_name: `${name} ${tag}`, unit_id: unit, household_id: hh, birth_date: '1966-03-02' })).id;
  pA = await person(tdp1, hhA, 'Vũ Văn Thành');
  pA2 = await person(tdp1, hhA, 'Vũ Thị Mai');
  pB = await person(tdp2, hhB, 'Đỗ Văn Long');
  const teams = await srv.getJSON(admin, `/api/v1/field/teams?unit_id=${ward}&per_page=200`);
  team1 = teams.items.find((t) => t.unit_id === tdp1).id;
  team2 = teams.items.find((t) => t.unit_id === tdp2).id;
});
after(async () => finish(srv, assert));

// 1. A member leaves a team: the row is kept (when, by whom), audited like an addition, refused out
// of scope; a second removal is a 409; added again, they are a current member again.
test('a team member leaves: kept as a former member, audited, scope-checked; added again later', async () => {
  const add = await srv.request('POST', `/api/v1/field/teams/${team1}/members`, { session: tdp01, body: { person_id: pA } });
  assert.equal(add.status, 201, add.text);
  const count = add.json.members_count;
  // Out of scope: a helper has no people.write; the officer of tổ 1 may not touch tổ 2's team.
  expectError(assert, await srv.request('DELETE', `/api/v1/field/teams/${team1}/members/${pA}`, { session: helper }), 403, 'forbidden');
  expectError(assert, await srv.request('DELETE', `/api/v1/field/teams/${team2}/members/${pA}`, { session: tdp01 }), 403, 'forbidden', 'id');
  expectError(assert, await srv.request('DELETE', `/api/v1/field/teams/2147480001/members/${pA}`, { session: tdp01 }), 404, 'not_found');
  assert.ok((await srv.getJSON(tdp01, `/api/v1/field/teams/${team1}`)).members.some((m) => m.person_id === pA), 'a refused removal changes nothing');

  const r = await srv.request('DELETE', `/api/v1/field/teams/${team1}/members/${pA}`, { session: tdp01 });
  assert.equal(r.status, 200, r.text);
  assert.ok(!r.json.members.some((m) => m.person_id === pA), 'no longer a current member');
  assert.equal(r.json.members_count, count - 1);
  const former = r.json.former_members.find((m) => m.person_id === pA);
  assert.ok(former, 'kept among the former members');
  assert.equal(former.ended_by, (await srv.getJSON(tdp01, '/api/v1/me')).display_name);
  assert.ok(Math.abs(Date.parse(former.ended_at) - Date.now()) < 120000, former.ended_at);
  const audit = await auditOf('field.member.remove', 'field_team', team1);
  assert.equal(audit.length, 1);
  assert.equal(audit[0].actor_username, 'tdp01');
  assert.equal(audit[0].detail.person_id, pA);
  // Twice: nothing to remove (409 naming person_id); a non-member likewise.
  expectError(assert, await srv.request('DELETE', `/api/v1/field/teams/${team1}/members/${pA}`, { session: tdp01 }), 409, 'conflict', 'person_id');
  expectError(assert, await srv.request('DELETE', `/api/v1/field/teams/${team1}/members/${pA2}`, { session: tdp01 }), 409, 'conflict', 'person_id');
  // Back again: a current member (201, an addition), no longer among the former.
  const back = await srv.request('POST', `/api/v1/field/teams/${team1}/members`, { session: tdp01, body: { person_id: pA, team_role: 'leader' } });
  assert.equal(back.status, 201, back.text);
  assert.equal(back.json.members.find((m) => m.person_id === pA).role, 'leader');
  assert.ok(!back.json.former_members.some((m) => m.person_id === pA));
  assert.equal((await auditOf('field.member.add', 'field_team', team1)).filter((e) => e.detail.person_id === pA).length, 2);
});

// 2. The public form's "what do you need help with": the visit topics, read without an account,
// stored on the request and shown to the team.
test('the public form reads the visit topics without an account; the chosen one is stored and shown to the team', async () => {
  const r = await srv.request('GET', '/api/v1/help-requests/topics');
  assert.equal(r.status, 200, r.text);
  const staff = (await srv.getJSON(admin, '/api/v1/field/topics')).items;
  assert.deepEqual(r.json.items.map((x) => x.code), staff.map((x) => x.code), 'the same list the teams guide from');
  const vneid = r.json.items.find((x) => x.code === 'vneid');
  assert.equal(vneid.label, 'Kích hoạt định danh điện tử VNeID');
  // A topic the admin adds is offered at once.
  const added = await created('/api/v1/field/topics', { label: `Dùng ví điện tử ${tag}` });
  assert.ok((await srv.request('GET', '/api/v1/help-requests/topics')).json.items.some((x) => x.code === added.code));

  const sent = await srv.request('POST', '/api/v1/help-requests/public', {
    body: { unit_id: tdp1, requester_name: `Người Gửi ${tag}`, phone: '0912000111', topic: vneid.code, description: 'Nhờ kích hoạt VNeID mức 2 cho mẹ tôi.' },
  });
  assert.equal(sent.status, 201, sent.text);
  const list = await srv.getJSON(helper, `/api/v1/help-requests?unit_id=${tdp1}&status=open&per_page=100`);
  const mine = list.items.find((x) => x.id === sent.json.id);
  assert.equal(mine.topic, 'vneid');
  assert.equal(mine.topic_label, vneid.label);
  // A code not in the list: 400 naming topic, nothing stored.
  const before = list.total;
  expectError(assert, await srv.request('POST', '/api/v1/help-requests/public', {
    body: { unit_id: tdp1, requester_name: `Người Gửi ${tag}`, phone: '0912000111', topic: 'khong_co', description: 'x' },
  }), 400, 'invalid_value', 'topic');
  assert.equal((await srv.getJSON(helper, `/api/v1/help-requests?unit_id=${tdp1}&status=open&per_page=1`)).total, before);
});

// 4. Unlinked plan attachments: at most 20 files or 50 MiB per account; a refusal stores nothing; a
// link frees a place; uploads at once are counted one after the other; a day later the unlinked
// ones and their files are removed by the purge, the linked ones stay.
const pdf = (n, size = 0) => {
  const head = Buffer.from(`%PDF-1.4\n% ${tag} ${n}\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n`);
  return Buffer.concat([head, Buffer.alloc(Math.max(0, size - head.length - 6), 0x20), Buffer.from('%%EOF\n')]);
};
const fileOf = (bytes) => {
  const sha = createHash('sha256').update(bytes).digest('hex');
  return join(srv.dataDir, 'attachments', sha.slice(0, 2), sha);
};
function upload(session, task, bytes) {
  return srv.request('POST', `/api/v1/plan/tasks/${task}/attachments?unit_id=${tdp1}&name=bao-cao.pdf`, {
    session, rawBody: bytes, headers: { 'content-type': 'application/pdf' },
  });
}
async function unlinkedRows(userId) {
  return Number(await sql(`SELECT COUNT(*) FROM attachments a WHERE a.created_by = ${userId} AND NOT EXISTS (SELECT 1 FROM plan_update_attachments p WHERE p.attachment_id = a.id)`));
}

test('unlinked plan attachments: at most 20 files per account, a link frees a place, uploads at once counted in turn, reaped after a day', async () => {
  const task = (await srv.getJSON(admin, '/api/v1/plan/tasks')).items.find((x) => x.code === '3.2').id;
  const officer = await userWithRole(srv, admin, { username: uniq('qt'), role: 'unit_officer', unitId: tdp1 });
  const ids = [];
  for (let i = 0; i < 20; i++) {
    const r = await upload(officer, task, pdf(i));
    assert.equal(r.status, 201, r.text);
    ids.push(r.json.id);
  }
  const over = pdf(20);
  const e = expectError(assert, await upload(officer, task, over), 409, 'conflict', 'file');
  assert.match(e.message, /20 tệp/);
  assert.ok(!existsSync(fileOf(over)), 'a refusal stores no bytes');
  assert.equal(await unlinkedRows(officer.userId), 20);
  // Another account is not held by this one's files.
  assert.equal((await upload(admin, task, pdf(`admin-${tag}`))).status, 201);
  // Linking three in a progress update frees three places.
  const up = await srv.request('POST', `/api/v1/plan/tasks/${task}/updates`, { session: officer, body: { unit_id: tdp1, body: 'Đã tổ chức 3 buổi hướng dẫn.', attachment_ids: ids.slice(0, 3) } });
  assert.equal(up.status, 201, up.text);
  assert.equal((await upload(officer, task, over)).status, 201);
  // Eight at once with two places left: two kept, six refused (PostgreSQL writes at once: locked).
  const many = await Promise.all(Array.from({ length: 8 }, (_, i) => upload(officer, task, pdf(`at-once-${i}`))));
  assert.deepEqual(many.map((r) => r.status).sort(), [201, 201, 409, 409, 409, 409, 409, 409], many.map((r) => r.text).join('\n'));
  assert.equal(await unlinkedRows(officer.userId), 20);

  // A day later: the purge removes the unlinked rows and every file no row names; the linked stay.
  const linkedBytes = pdf(0);
  await sql(`UPDATE attachments SET created_at = created_at - 2 * 86400 WHERE created_by = ${officer.userId}`);
  const old = new Date(Date.now() - 2 * 86400e3);
  for (const i of [...Array(20).keys()]) if (existsSync(fileOf(pdf(i)))) utimesSync(fileOf(pdf(i)), old, old);
  for (let i = 0; i < 8; i++) if (existsSync(fileOf(pdf(`at-once-${i}`)))) utimesSync(fileOf(pdf(`at-once-${i}`)), old, old);
  const out = await hocvuso(['purge', ...storeArgs(srv.dataDir, srv.dbUri)]);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(JSON.parse(out.stdout).attachments_removed, 20);
  assert.equal(await unlinkedRows(officer.userId), 0);
  for (let i = 3; i < 20; i++) assert.ok(!existsSync(fileOf(pdf(i))), `unlinked file ${i} removed`);
  for (let i = 0; i < 8; i++) assert.ok(!existsSync(fileOf(pdf(`at-once-${i}`))), `file ${i} of the uploads at once removed`);
  assert.ok(existsSync(fileOf(linkedBytes)), 'a linked file stays');
  const dl = await srv.request('GET', `/api/v1/attachments/${ids[0]}`, { session: officer });
  assert.equal(dl.status, 200);
  assert.equal((await srv.request('GET', `/api/v1/attachments/${ids[5]}`, { session: officer })).status, 404);
  const expired = (await srv.getJSON(admin, `/api/v1/audit?action=attachment.expire&per_page=200`)).items;
  assert.ok(expired.some((x) => x.detail.attachment_id === ids[5]), 'each removal audited');
  // The admin's fresh upload is not a day old: kept.
  assert.ok(existsSync(fileOf(pdf(`admin-${tag}`))));
  // Now free again.
  assert.equal((await upload(officer, task, pdf('after'))).status, 201);
  // The bytes count too: 50 MiB of unlinked files, then not one byte more (refused before storing).
  const big = await userWithRole(srv, admin, { username: uniq('qb'), role: 'unit_officer', unitId: tdp1 });
  for (let i = 0; i < 5; i++) assert.equal((await upload(big, task, pdf(`big-${i}`, 10 * 1024 * 1024))).status, 201);
  const small = pdf('small');
  const eb = expectError(assert, await upload(big, task, small), 409, 'conflict', 'file');
  assert.match(eb.message, /50 MiB/);
  assert.ok(!existsSync(fileOf(small)));
});

// 5. An event's participants: signed up ahead, attended only from the event's day.
test('event participants: "attended" before the event day is refused (400 status); signing up ahead is kept apart; attended from the day on', async () => {
  const ahead = new Date(Date.now() + 7 * 3600e3 + 30 * 86400e3).toISOString().slice(0, 10);
  const ev = await created('/api/v1/events', { title: `Ngày hội học tập số ${tag}`, held_on: ahead, place: 'Nhà văn hóa tổ 1', unit_id: tdp1 }, tdp01);
  const path = `/api/v1/events/${ev.id}/participants`;
  const e = expectError(assert, await srv.request('POST', path, { session: tdp01, body: { participant_id: pA, status: 'attended' } }), 400, 'invalid_value', 'status');
  assert.match(e.message, /chỉ ghi danh/);
  expectError(assert, await srv.request('POST', path, { session: tdp01, body: { participant_id: pA, status: 'maybe' } }), 400, 'invalid_value', 'status');
  let got = await srv.getJSON(tdp01, `/api/v1/events/${ev.id}`);
  assert.deepEqual([got.registered, got.signed_up, got.participants.length], [0, 0, 0], 'nothing stored by a refusal');
  // Ahead: signed up, by default or said so.
  const r1 = await srv.request('POST', path, { session: tdp01, body: { participant_id: pA } });
  assert.equal(r1.status, 201, r1.text);
  const r2 = await srv.request('POST', path, { session: tdp01, body: { participant_id: pA2, status: 'registered' } });
  assert.equal(r2.status, 201, r2.text);
  got = r2.json;
  assert.deepEqual([got.registered, got.signed_up, got.total], [0, 2, 0], 'signed up ahead: not counted as taking part');
  assert.deepEqual(got.participants.map((p) => p.status), ['registered', 'registered']);
  // The day comes (the event moved to today): attendance is recorded, once.
  const today = new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10);
  assert.equal((await srv.request('PATCH', `/api/v1/events/${ev.id}`, { session: tdp01, body: { held_on: today } })).status, 200);
  const r3 = await srv.request('POST', path, { session: tdp01, body: { participant_id: pA, status: 'attended' } });
  assert.equal(r3.status, 200, r3.text);
  assert.deepEqual([r3.json.registered, r3.json.signed_up, r3.json.total], [1, 1, 1]);
  assert.equal(r3.json.participants.find((p) => p.person_id === pA).status, 'attended');
  const audit = await auditOf('event.attended', 'person', pA);
  assert.equal(audit.length, 1);
  // From the day on, a new participant is attended by default.
  const pC = (await created('/api/v1/residents', { full_name: `Đinh Văn Tới ${tag}`, unit_id: tdp1, household_id: hhA, birth_date: '1970-01-01' })).id;
  const r4 = await srv.request('POST', path, { session: tdp01, body: { participant_id: pC } });
  assert.equal(r4.status, 201, r4.text);
  assert.equal(r4.json.participants.find((p) => p.person_id === pC).status, 'attended');
});

// 6. The ambassadors' summary counts only the mentees (and their sessions) the reader may see.
test('the ambassadors\' summary counts the mentees and sessions the reader may see; the rule stays the mentor\'s whole count', async () => {
  const base1 = await srv.getJSON(tdp01, '/api/v1/ambassadors/summary');
  const baseW = await srv.getJSON(admin, '/api/v1/ambassadors/summary');
  const amb = await created('/api/v1/ambassadors', { person_id: pA, unit_id: tdp1, kind: 'mentor' });
  await created('/api/v1/mentorships', { mentee_id: pA2, mentor_id: amb.id });
  const out = await created('/api/v1/mentorships', { mentee_id: pB, mentor_id: amb.id }); // registered in tổ 2
  const day = new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10);
  await created(`/api/v1/mentorships/${out.id}/sessions`, { held_on: day, topic: 'Cài VNeID mức 2' });
  const s1 = await srv.getJSON(tdp01, '/api/v1/ambassadors/summary');
  const sW = await srv.getJSON(admin, '/api/v1/ambassadors/summary');
  assert.equal(s1.mentors - base1.mentors, 1);
  assert.equal(s1.mentees - base1.mentees, 1, 'the officer of tổ 1 counts only the mentee of tổ 1');
  assert.equal(s1.sessions - base1.sessions, 0, 'nor the sessions with a mentee of tổ 2');
  assert.equal(sW.mentees - baseW.mentees, 2, 'the ward admin sees both');
  assert.equal(sW.sessions - baseW.sessions, 1);
  // The rule is the mentor's: two mentees of five, short in both views.
  assert.equal(s1.mentors_short - base1.mentors_short, 1);
  assert.equal(sW.mentors_short - baseW.mentors_short, 1);
});

// 7. The same helper taking a request twice at once (a double tap, two phones): both 200, theirs;
// another helper at once: one taker, the other told it is taken.
test('a help request taken twice at once by the same helper: every answer 200; with another helper at once, one taker', async () => {
  const helper2 = await userWithRole(srv, admin, { username: uniq('tn'), role: 'field_helper', unitId: tdp1 });
  const newRequest = async () => (await created('/api/v1/help-requests', { unit_id: tdp1, channel: 'phone', requester_name: `Người Gọi ${tag}`, description: 'Nhờ cài VNeID.' }, helper)).id;
  const take = (session, id) => srv.request('POST', `/api/v1/help-requests/${id}/take`, { session });
  for (let round = 0; round < 6; round++) {
    const id = await newRequest();
    const answers = await Promise.all(Array.from({ length: 8 }, () => take(helper, id)));
    assert.deepEqual(answers.map((r) => r.status), Array(8).fill(200), answers.map((r) => r.text).join('\n'));
    for (const r of answers) assert.equal(r.json.taken_by, 'Lê Minh Châu');
  }
  for (let round = 0; round < 4; round++) {
    const id = await newRequest();
    const sessions = Array.from({ length: 8 }, (_, i) => (i % 2 ? helper2 : helper));
    const answers = await Promise.all(sessions.map((s) => take(s, id)));
    const got = (await srv.getJSON(admin, `/api/v1/help-requests/${id}`)).taken_by;
    const winner = got === 'Lê Minh Châu' ? helper : helper2;
    answers.forEach((r, i) => {
      if (sessions[i] === winner) assert.equal(r.status, 200, r.text);
      else {
        const e = expectError(assert, r, 409, 'conflict', 'id');
        assert.match(e.message, /đã có người khác nhận/);
      }
    });
  }
});
