// indicators-live.test.mjs: today's figures are live (issue 10, part 2) over real HTTP: a resident
// added, a VNeID confirmation recorded, a resident deleted through the API change the tổ's and the
// ward's figures in the very next answer, counted from the live counts ("counted": "live"), not by
// a batch; `hocvuso indicators --verify` on the same database, while the server runs, recounts
// everything and agrees (exit 0); a count changed behind the server's back makes it exit 1 and name
// the unit. SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// Owns: its server, and the tổ dân phố, household and people it makes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, finish, uniq, groupKind, hocvuso, storeArgs, run, ON_PG } from './lib/server.mjs';

let srv, admin, ward, fresh;
const tag = uniq('l').replace(/[^a-z]/g, '');
const byCode = (o) => Object.fromEntries(o.items.map((x) => [x.code, x]));
const today = () => new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  ward = await srv.unitId(admin, 'Phường Hải Dương');
  const u = await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: ward, kind: await groupKind(srv, admin), name: `Tổ sống ${tag}`, code: `LV-${tag}`.slice(0, 30) } });
  assert.equal(u.status, 201, u.text);
  fresh = u.json.id;
});
after(async () => finish(srv, assert));

const figures = async (unit) => {
  const o = await srv.getJSON(admin, `/api/v1/indicators?unit=${unit}`);
  assert.equal(o.date, today());
  assert.equal(o.counted, 'live', `unit ${unit}: counted ${o.counted}`);
  return byCode(o);
};
const pair = (x) => [x.numerator, x.denominator];
// A number written in letters (names take no digits).
const letters = (n) => { let s = ''; do { s = String.fromCharCode(97 + (n % 26)) + s; n = Math.floor(n / 26); } while (n > 0); return s; };

test('a write changes today\'s figures in the next answer, read from the live counts', async () => {
  const w0 = await figures(ward);
  let t = await figures(fresh);
  assert.deepEqual(pair(t.T3), [0, 0]);
  const hh = await srv.request('POST', '/api/v1/households', { session: admin, body: { unit_id: fresh, address: `Số 2 ngõ ${tag}` } });
  assert.equal(hh.status, 201, hh.text);
  const ids = [];
  for (const [name, birth] of [['Một', '1971-03-03'], ['Hai', '1986-04-04']]) {
    const r = await srv.request('POST', '/api/v1/residents', { session: admin, body: { full_name: `Người Sống ${name} ${tag}`, unit_id: fresh, birth_date: birth, household_id: hh.json.id } });
    assert.equal(r.status, 201, r.text);
    ids.push(r.json.id);
  }
  t = await figures(fresh);
  assert.deepEqual(pair(t.T3), [0, 2]);
  assert.deepEqual(pair(t.M3), [0, 1]);
  const c = await srv.request('POST', `/api/v1/residents/${ids[0]}/confirmations`, { session: admin, body: { kind: 'vneid', confirmed_on: today() } });
  assert.equal(c.status, 201, c.text);
  t = await figures(fresh);
  assert.deepEqual(pair(t.T3), [1, 2]);
  assert.deepEqual(pair(t.T4), [1, 2]);
  assert.deepEqual(pair(t.M3), [1, 1]);
  let w = await figures(ward);
  assert.deepEqual(pair(w.T4), [w0.T4.numerator + 1, w0.T4.denominator + 2]);
  const d = await srv.request('DELETE', `/api/v1/residents/${ids[0]}`, { session: admin });
  assert.ok(d.status === 200 || d.status === 204, d.text);
  t = await figures(fresh);
  assert.deepEqual(pair(t.T3), [0, 1]);
  assert.deepEqual(pair(t.M3), [0, 1]);
  w = await figures(ward);
  assert.deepEqual(pair(w.T4), [w0.T4.numerator, w0.T4.denominator + 1]);
  // Another day is counted from the records, with the same rules.
  const past = await srv.getJSON(admin, `/api/v1/indicators?unit=${fresh}&date=2026-01-01`);
  assert.equal(past.counted, 'records');
});

test('hocvuso indicators --verify recounts everything and agrees with the live counts; a count changed by hand is found', async () => {
  const args = ['indicators', '--verify', ...storeArgs(srv.dataDir, srv.dbUri)];
  let r = await hocvuso(args, { timeout: 120000 });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^agree: \d+ unit\(s\), \d+ record\(s\) recounted/m);
  // The server's housekeeper drains the marks by itself within seconds.
  for (let i = 0; i < 40 && !/ 0 record\(s\) marked/.test(r.stdout); i++) {
    await new Promise((res) => setTimeout(res, 500));
    r = await hocvuso(args, { timeout: 120000 });
    assert.equal(r.code, 0, r.stdout + r.stderr);
  }
  assert.match(r.stdout, / 0 record\(s\) marked/, 'the housekeeper did not drain the marks');
  // Behind the server's back: one more person in the new tổ's counts.
  const sql = `UPDATE ind_live SET n = n + 1 WHERE base = 0 AND unit_id = ${fresh}`;
  const s = ON_PG ? await run('psql', ['-q', '-v', 'ON_ERROR_STOP=1', srv.dbUri, '-c', sql]) : await run('sqlite3', [`${srv.dataDir}/hocvuso.db`, sql]);
  assert.equal(s.code, 0, s.stderr);
  r = await hocvuso(args, { timeout: 120000 });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`unit ${fresh} \\(Tổ sống ${tag}\\), people`));
  assert.match(r.stdout, /^DIFFERENT: /m);
  const undo = sql.replace('n + 1', 'n - 1');
  const s2 = ON_PG ? await run('psql', ['-q', '-v', 'ON_ERROR_STOP=1', srv.dbUri, '-c', undo]) : await run('sqlite3', [`${srv.dataDir}/hocvuso.db`, undo]);
  assert.equal(s2.code, 0, s2.stderr);
  r = await hocvuso(args, { timeout: 120000 });
  assert.equal(r.code, 0, r.stdout + r.stderr);
});

test('commendation by people: the Đại sứ số whose mentees learned most (mentors_top), ties included', async () => {
  const person = async (name) => {
    const r = await srv.request('POST', '/api/v1/residents', { session: admin, body: { full_name: `${name} ${tag}`, unit_id: fresh, birth_date: '1980-02-02' } });
    assert.equal(r.status, 201, r.text);
    return r.json.id;
  };
  const mentor = async (pid) => {
    const r = await srv.request('POST', '/api/v1/ambassadors', { session: admin, body: { person_id: pid, unit_id: fresh, kind: 'mentor' } });
    assert.equal(r.status, 201, r.text);
    return r.json.id;
  };
  const [m1, m2, m3] = [await person('Đại Sứ Giỏi'), await person('Đại Sứ Khá'), await person('Đại Sứ Mới')];
  const [a1, a2, a3] = [await mentor(m1), await mentor(m2), await mentor(m3)];
  const learned = async (ambassador, n, learnedCount) => {
    for (let i = 0; i < n; i++) {
      const pid = await person(`Người Được Kèm ${letters(ambassador)} ${letters(i)}`);
      const r = await srv.request('POST', '/api/v1/mentorships', { session: admin, body: { mentee_id: pid, mentor_id: ambassador } });
      assert.equal(r.status, 201, r.text);
      if (i < learnedCount) {
        const c = await srv.request('POST', `/api/v1/residents/${pid}/confirmations`, { session: admin, body: { kind: 'national_platform', confirmed_on: today() } });
        assert.equal(c.status, 201, c.text);
      }
    }
  };
  await learned(a1, 4, 3);
  await learned(a2, 3, 1);
  await learned(a3, 2, 0);
  const add = async (count) => {
    const r = await srv.request('POST', '/api/v1/commendations/rules', { session: admin, body: { name: `Đại sứ số tiêu biểu ${count} ${tag}`, rule: { kind: 'mentors_top', count } } });
    assert.equal(r.status, 201, r.text);
    return r.json.id;
  };
  const one = await add(1), two = await add(2);
  const cm = await srv.getJSON(admin, `/api/v1/commendations?unit=${fresh}`);
  const of = (id) => cm.rules.find((x) => x.id === id).candidates;
  assert.deepEqual(of(one).map((c) => [c.person_id, c.why]), [[m1, '3 người được hướng dẫn đã học']]);
  assert.deepEqual(of(two).map((c) => c.person_id), [m1, m2]);
  assert.ok(of(two).every((c) => c.unit_id === fresh && c.name.startsWith('Đại Sứ')));
  // The mentor with nobody who learned is never a candidate; a count out of range is refused.
  const bad = await srv.request('POST', '/api/v1/commendations/rules', { session: admin, body: { name: 'Thử', rule: { kind: 'mentors_top', count: 0 } } });
  assert.equal(bad.status, 400, bad.text);
  assert.equal(bad.json.error.field, 'rule.count');
});

test('kill -9 while residents and confirmations are written: after the restart the recount agrees with the live counts', { timeout: 240000 }, async () => {
  const hh = await srv.request('POST', '/api/v1/households', { session: admin, body: { unit_id: fresh, address: `Số 9 ngõ ${tag}` } });
  assert.equal(hh.status, 201, hh.text);
  let stop = false, written = 0;
  const writer = async (k) => {
    for (let i = 0; !stop; i++) {
      try {
        const r = await srv.request('POST', '/api/v1/residents', { session: admin, body: { full_name: `Người Ghi ${letters(k)} ${letters(i)} ${tag}`, unit_id: fresh, birth_date: '1990-01-01', household_id: hh.json.id } });
        assert.equal(r.status, 201, r.text);
        written++;
        if (i % 2 === 0) await srv.request('POST', `/api/v1/residents/${r.json.id}/confirmations`, { session: admin, body: { kind: 'vneid', confirmed_on: today() } });
      } catch (e) {
        if (e.code === 'ERR_ASSERTION') throw e;
        return; // the server died under it
      }
    }
  };
  const writers = [0, 1, 2].map(writer);
  const until = Date.now() + 15000;
  while (written < 30 && Date.now() < until) await new Promise((res) => setTimeout(res, 20));
  srv.proc.kill('SIGKILL');
  await srv.exited;
  stop = true;
  await Promise.all(writers);
  assert.ok(written >= 10, `only ${written} residents written before the kill`);
  // Checked before the server is back (what is marked is counted by the recount's reader too) …
  const args = ['indicators', '--verify', ...storeArgs(srv.dataDir, srv.dbUri)];
  let r = await hocvuso(args, { timeout: 120000 });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  // … and after it has drained what the writes marked.
  await srv.spawn();
  admin = await srv.login('admin');
  const o = await figures(fresh);
  assert.ok(o.T3.denominator >= written, JSON.stringify(o.T3));
  for (let i = 0; i < 40; i++) {
    r = await hocvuso(args, { timeout: 120000 });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    if (/ 0 record\(s\) marked/.test(r.stdout)) break;
    await new Promise((res) => setTimeout(res, 500));
  }
  assert.match(r.stdout, / 0 record\(s\) marked/);
});
