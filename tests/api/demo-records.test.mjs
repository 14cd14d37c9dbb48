// demo-records.test.mjs: `hocvuso demo --records M` (synth_records.h) on a database that a running
// server holds, over real HTTP: a synthetic population (`demo --residents`), then the records added
// by a second command while the server runs; the confirmations and certificates the command says it
// wrote are exactly what the API lists more, each synthetic certificate verifies as valid, the
// ward's indicators count more; a second run is refused (exit 1, a clear message) and changes
// nothing; a bad count is refused before anything is opened. Both backends. Synthetic people only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Server, run, BIN, REPO_ROOT, storeArgs, freshDatabase, tempDir, finish, WARD_NAME, DEMO_PASSWORD } from './lib/server.mjs';

let srv, admin, ward;
// the starter curriculum (its placement check, quizzes and programmes: what the records need)
const CONTENT = ['--content', join(REPO_ROOT, 'content', 'curriculum')];
const counted = (out, table) => Number((out.match(new RegExp(`${table} (\\d+)`)) || [])[1]);

async function demo(args) {
  return run(BIN, ['demo', ...args, ...CONTENT, ...storeArgs(srv.dataDir, srv.dbUri)], {
    env: { HOCVUSO_ADMIN_PASSWORD: DEMO_PASSWORD },
    timeout: 300000,
  });
}

async function totals() {
  const c = await srv.request('GET', `/api/v1/confirmations?unit_id=${ward}&per_page=1`, { session: admin });
  assert.equal(c.status, 200, c.text);
  const k = await srv.request('GET', '/api/v1/certificates?per_page=1', { session: admin });
  assert.equal(k.status, 200, k.text);
  const i = await srv.request('GET', `/api/v1/indicators?unit=${ward}`, { session: admin });
  assert.equal(i.status, 200, i.text);
  return { confirmations: c.json.total, certificates: k.json.total, numerators: i.json.items.reduce((s, x) => s + x.numerator, 0) };
}

before(async () => {
  const dataDir = tempDir('records');
  const dbUri = await freshDatabase('records');
  const r = await run(BIN, ['demo', '--residents', '1200', '--seed', '3', ...CONTENT, ...storeArgs(dataDir, dbUri)], {
    env: { HOCVUSO_ADMIN_PASSWORD: DEMO_PASSWORD },
    timeout: 300000,
  });
  assert.equal(r.code, 0, r.stderr);
  srv = new Server({ dataDir, dbUri, password: DEMO_PASSWORD });
  await srv.spawn();
  admin = await srv.login('admin');
  ward = await srv.unitId(admin, WARD_NAME);
});

after(async () => finish(srv, assert));

// Issue 9: `demo --residents` shows the movement under way: a team in every tổ, door-to-door visits
// in the first five, help requests, Đại sứ số mentors with mentees and sessions, helpers at the service centre.
test('demo --residents: a team in every tổ, visits, help requests, mentors, the service centre\'s helpers', async () => {
  const cov = await srv.getJSON(admin, `/api/v1/field/coverage?unit_id=${ward}`);
  assert.ok(cov.items.length >= 10, JSON.stringify(cov).slice(0, 300));
  assert.ok(cov.items.every((t) => t.team_id !== null), 'a team in every tổ');
  assert.ok(cov.visited > 0 && cov.visited < cov.households, `visits under way: ${cov.visited} of ${cov.households}`);
  const lived = cov.items.filter((t) => t.households > 0).length; // 1,200 residents fill the first tổ only
  assert.ok(cov.items.filter((t) => t.visited > 0).length >= Math.min(5, lived), `visits in the first five tổ with households (demo_field.c), ${lived} have households`);
  const hr = await srv.getJSON(admin, `/api/v1/help-requests?unit_id=${ward}&per_page=1`);
  assert.ok(hr.total > 0, 'help requests');
  const amb = await srv.getJSON(admin, '/api/v1/ambassadors/summary');
  assert.ok(amb.mentors > 0 && amb.mentees >= amb.mentors && amb.sessions > 0, JSON.stringify(amb).slice(0, 300));
  assert.ok(amb.centres.length > 0 && amb.centres.every((c) => c.helpers > 0) && amb.centres.some((c) => c.helps > 0),
    JSON.stringify(amb.centres));
});

test('demo --records adds exactly what it says, while the server runs; the certificates verify', async () => {
  const was = await totals();
  const r = await demo(['--records', '5000', '--seed', '3']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Synthetic learning and field records: 5000 in /);
  const now = await totals();
  assert.equal(now.confirmations - was.confirmations, counted(r.stdout, 'external_confirmations'));
  const certs = counted(r.stdout, 'certificates');
  assert.ok(certs > 0, r.stdout);
  assert.equal(now.certificates - was.certificates, certs);
  assert.ok(now.numerators > was.numerators, `indicators: ${was.numerators} -> ${now.numerators}`);
  // the oldest certificates are the synthetic ones (issued on past days): each verifies
  const last = Math.ceil(now.certificates / 20);
  const page = await srv.request('GET', `/api/v1/certificates?per_page=20&page=${last}`, { session: admin });
  assert.equal(page.status, 200, page.text);
  assert.ok(page.json.items.length > 0);
  for (const c of page.json.items) {
    const v = await srv.request('GET', `/api/v1/certificates/${c.id}/verify`);
    assert.equal(v.status, 200, v.text);
    assert.equal(v.json.status, 'valid', JSON.stringify(v.json));
  }
});

test('a second run is refused with a clear message and changes nothing', async () => {
  const was = await totals();
  const r = await demo(['--records', '100', '--seed', '4']);
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stderr, /synthetic learning and field records already/);
  assert.deepEqual(await totals(), was);
});

test('a bad count is refused before anything is opened', async () => {
  for (const bad of ['0', '-3', 'nhiều', '1000000001']) {
    const r = await demo(['--records', bad]);
    assert.equal(r.code, 2, `${bad}: ${r.stdout}`);
    assert.match(r.stderr, /--records must be a whole number/);
  }
  const r = await demo(['--records', '10', '--residents', '10', '--units-only']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /not with --units-only/);
});
