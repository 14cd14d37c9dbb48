// Bad input: every case answers the contract's 4xx error, changes nothing, and never crashes the server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, expectError, listAll, WARD_NAME, finish } from './lib/server.mjs';

let srv, admin, wardId, tdpId, kind;

// What must stay the same after a refused request: the ward's children, the subtree of
// Tổ dân phố số 1, and the users.
async function snapshot() {
  const a = await listAll(srv, admin, `/api/v1/units?parent_id=${wardId}`);
  const b = await listAll(srv, admin, `/api/v1/units?parent_id=${tdpId}`);
  const u = await listAll(srv, admin, '/api/v1/users');
  return JSON.stringify({ a, b, u });
}

// Sends a bad request, checks the error, and checks that nothing changed.
async function refused(send, status, code, field) {
  const beforeSnap = await snapshot();
  const r = await send();
  if (Array.isArray(status)) assert.ok(status.includes(r.status), `status ${r.status} not one of ${status}; ${r.text.slice(0, 200)}`);
  const e = expectError(assert, r, Array.isArray(status) ? r.status : status, undefined, field);
  if (Array.isArray(code)) assert.ok(code.includes(e.code), `error.code ${e.code} not one of ${code}; ${r.text.slice(0, 200)}`);
  else if (code !== undefined) assert.equal(e.code, code, `error.code; ${r.text.slice(0, 200)}`);
  assert.equal(await snapshot(), beforeSnap, 'a refused request changed data');
  return r;
}

const post = (raw, headers = {}) => () => srv.request('POST', '/api/v1/units', { session: admin, rawBody: raw, headers });
const postJSON = (body) => () => srv.request('POST', '/api/v1/units', { session: admin, body });
const valid = () => ({ parent_id: wardId, kind, name: 'Tổ dân phố thử nghiệm' });

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  wardId = await srv.unitId(admin, WARD_NAME);
  tdpId = await srv.unitId(admin, 'Tổ dân phố số 1');
  const tdp = await srv.getJSON(admin, `/api/v1/units/${tdpId}`);
  kind = tdp.kind;
});
after(async () => {
  await finish(srv, assert);
});

test('malformed JSON → 400 bad_json', async () => {
  await refused(post('{"parent_id": 1, "kind": '), 400, 'bad_json');
  await refused(post('{parent_id: 1}'), 400, 'bad_json');
  await refused(post(`{"parent_id": ${wardId}, "kind": "${kind}", "name": "a",}`), 400, 'bad_json');
  await refused(post(`${JSON.stringify(valid())} trailing`), 400, 'bad_json');
  await refused(post(''), 400, 'bad_json');
  await refused(post("{'name': 'x'}"), 400, 'bad_json');
});

test('wrong types → 400 wrong_type naming the field', async () => {
  await refused(postJSON({ ...valid(), name: 123 }), 400, 'wrong_type', 'name');
  await refused(postJSON({ ...valid(), name: ['a'] }), 400, 'wrong_type', 'name');
  await refused(postJSON({ ...valid(), parent_id: String(wardId) }), 400, 'wrong_type', 'parent_id');
  await refused(postJSON({ ...valid(), parent_id: wardId + 0.5 }), 400, 'wrong_type', 'parent_id');
  await refused(postJSON({ ...valid(), parent_id: true }), 400, 'wrong_type', 'parent_id');
  await refused(postJSON({ ...valid(), kind: { code: kind } }), 400, 'wrong_type', 'kind');
  await refused(postJSON({ ...valid(), name: null }), 400, 'wrong_type', 'name');
  const s = await srv.login('hocvien');
  await refused(() => srv.request('PUT', '/api/v1/me/password', { session: s, body: { current_password: srv.password, new_password: 12345678901 } }), 400, 'wrong_type', 'new_password');
});

test('missing required field → 400 missing_field naming it', async () => {
  const { name, ...noName } = valid();
  const { kind: _k, ...noKind } = valid();
  const { parent_id, ...noParent } = valid();
  await refused(postJSON(noName), 400, 'missing_field', 'name');
  await refused(postJSON(noKind), 400, 'missing_field', 'kind');
  await refused(postJSON(noParent), 400, 'missing_field', 'parent_id');
  await refused(postJSON({}), 400, 'missing_field');
  await refused(() => srv.request('POST', '/api/v1/users', { session: admin, body: { username: 'thieu.mat.khau', display_name: 'Thiếu mật khẩu' } }), 400, 'missing_field', 'password');
});

test('unknown body field → 400 unknown_field naming it', async () => {
  await refused(postJSON({ ...valid(), colour: 'đỏ' }), 400, 'unknown_field', 'colour');
  await refused(postJSON({ ...valid(), id: 1 }), 400, 'unknown_field', 'id');
  await refused(() => srv.request('PATCH', `/api/v1/units/${tdpId}`, { session: admin, body: { name: 'Đổi tên', depth: 9 } }), 400, 'unknown_field', 'depth');
  await refused(() => srv.request('POST', '/api/v1/users', { session: admin, body: { username: 'co.vai.tro', display_name: 'X', password: 'mat-khau-dai-1', role: 'ward_admin' } }), 400, 'unknown_field', 'role');
});

test('unknown query parameter → 400 unknown_field naming it', async () => {
  await refused(() => srv.request('GET', '/api/v1/units?bogus=1', { session: admin }), 400, 'unknown_field', 'bogus');
  await refused(() => srv.request('GET', `/api/v1/units?parent_id=${wardId}&sort=name`, { session: admin }), 400, 'unknown_field', 'sort');
  await refused(() => srv.request('GET', '/api/v1/users?unit=1', { session: admin }), 400, 'unknown_field', 'unit');
  await refused(() => srv.request('GET', '/api/v1/audit?user=admin', { session: admin }), 400, 'unknown_field', 'user');
  await refused(() => srv.request('GET', '/api/v1/me?x=1', { session: admin }), 400, 'unknown_field', 'x');
  await refused(() => srv.request('POST', '/api/v1/units?dry_run=1', { session: admin, body: valid() }), 400, 'unknown_field', 'dry_run');
});

test('oversized body (2 MB) → 413 too_large, with Content-Length and chunked', async () => {
  const big = JSON.stringify({ ...valid(), name: 'a'.repeat(2 * 1024 * 1024) });
  await refused(post(big), 413, 'too_large');
  await refused(post(big, { 'transfer-encoding': 'chunked', 'content-length': null }), 413, 'too_large');
  assert.equal((await srv.request('GET', '/healthz')).status, 200);
});

test('invalid UTF-8 → 400 invalid_utf8', async () => {
  const head = Buffer.from(`{"parent_id": ${wardId}, "kind": "${kind}", "name": "T`);
  const tail = Buffer.from('"}');
  for (const bad of [[0xc3, 0x28], [0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80]]) {
    await refused(post(Buffer.concat([head, Buffer.from(bad), tail])), 400, 'invalid_utf8');
  }
  await refused(() => srv.request('GET', '/api/v1/units?q=%C3%28', { session: admin }), 400, 'invalid_utf8');
});

test('wrong or missing Content-Type → 415 unsupported_media_type', async () => {
  const body = JSON.stringify(valid());
  await refused(post(body, { 'content-type': 'text/plain' }), 415, 'unsupported_media_type');
  await refused(post(body, { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type');
  await refused(post(body, { 'content-type': 'multipart/form-data; boundary=x' }), 415, 'unsupported_media_type');
  await refused(post(body, { 'content-type': null }), 415, 'unsupported_media_type');
  await refused(post(body, { 'content-type': 'application/jsonp' }), 415, 'unsupported_media_type');
});

test('unknown route → 404 not_found as JSON', async () => {
  for (const path of ['/api/v1/nope', '/api/v2/units', '/api/v1/units/1/children/2', '/api/v1/', '/api/v1/users/1/roles/1/extra']) {
    const r = await srv.request('GET', path, { session: admin });
    expectError(assert, r, 404, 'not_found');
  }
  await refused(() => srv.request('POST', '/api/v1/nope', { session: admin, body: valid() }), 404, 'not_found');
});

test('wrong method on a known path → 405 method_not_allowed as JSON with an Allow header', async () => {
  const cases = [
    ['PUT', '/api/v1/hello', ['GET'], {}],
    ['POST', '/healthz', ['GET'], {}],
    ['DELETE', '/api/v1/units', ['GET', 'POST'], { session: admin }],
    ['PUT', '/api/v1/units', ['GET', 'POST'], { session: admin, body: valid() }],
    ['POST', `/api/v1/units/${tdpId}`, ['GET', 'PATCH'], { session: admin, body: valid() }],
    ['PUT', `/api/v1/units/${tdpId}`, ['GET', 'PATCH', 'DELETE'], { session: admin, body: valid() }],
    ['PATCH', '/api/v1/me', ['GET'], { session: admin, body: {} }],
    ['GET', '/api/v1/me/password', ['PUT'], { session: admin }],
    ['GET', '/api/v1/session', ['POST', 'DELETE'], { session: admin }],
  ];
  for (const [method, path, allow, opts] of cases) {
    const r = await refused(() => srv.request(method, path, opts), 405, 'method_not_allowed');
    const header = r.headers.allow;
    assert.ok(header, `${method} ${path}: Allow header missing`);
    const methods = header.split(',').map((m) => m.trim().toUpperCase());
    for (const m of allow) assert.ok(methods.includes(m), `${method} ${path}: Allow "${header}" lacks ${m}`);
    assert.ok(!methods.includes(method), `${method} ${path}: Allow "${header}" lists the refused method`);
  }
});

test('state-changing request without X-CSRF-Token → 403 csrf_failed', async () => {
  await refused(() => srv.request('POST', '/api/v1/units', { cookie: admin.cookie, body: valid() }), 403, 'csrf_failed');
  await refused(() => srv.request('PATCH', `/api/v1/units/${tdpId}`, { cookie: admin.cookie, body: { name: 'Bị đổi' } }), 403, 'csrf_failed');
  await refused(() => srv.request('POST', '/api/v1/users', { cookie: admin.cookie, body: { username: 'khong.csrf', display_name: 'X', password: 'mat-khau-dai-1' } }), 403, 'csrf_failed');
  await refused(() => srv.request('POST', '/api/v1/units', { cookie: admin.cookie, csrf: '', body: valid() }), 403, 'csrf_failed');
});

test('wrong CSRF token (garbage, altered, or another session\'s) → 403 csrf_failed', async () => {
  const other = await srv.login('admin');
  const altered = admin.csrf.slice(0, -1) + (admin.csrf.endsWith('A') ? 'B' : 'A');
  for (const token of ['sai', altered, other.csrf, admin.cookie.split('=')[1]]) {
    await refused(() => srv.request('POST', '/api/v1/units', { cookie: admin.cookie, csrf: token, body: valid() }), 403, 'csrf_failed');
  }
  // The token travels in the header, not in the body or the query.
  await refused(() => srv.request('POST', '/api/v1/units', { cookie: admin.cookie, rawBody: JSON.stringify({ ...valid(), csrf_token: admin.csrf }) }), 403, 'csrf_failed');
});

test('bad paging parameters → 400 naming the parameter', async () => {
  const cases = [
    ['page=0', 'page'],
    ['page=-1', 'page'],
    ['page=abc', 'page'],
    ['page=1.5', 'page'],
    ['page=', 'page'],
    ['per_page=0', 'per_page'],
    ['per_page=201', 'per_page'],
    ['per_page=100000', 'per_page'],
    ['per_page=abc', 'per_page'],
    ['page=99999999999999999999999', 'page'],
  ];
  for (const [qs, field] of cases) {
    for (const path of ['/api/v1/units', '/api/v1/users', '/api/v1/audit']) {
      if (path === '/api/v1/audit' && field === 'page') continue; // keyset pages: `page` is not a parameter there
      await refused(() => srv.request('GET', `${path}?${qs}`, { session: admin }), 400, ['invalid_value', 'wrong_type'], field);
    }
  }
  // The limits themselves are accepted.
  const r = await srv.request('GET', '/api/v1/users?page=1&per_page=200', { session: admin });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.per_page, 200);
  const one = await srv.request('GET', '/api/v1/users?per_page=1', { session: admin });
  assert.equal(one.status, 200);
  assert.equal(one.json.items.length, 1);
});

test('path id that is not a number or does not exist → 404 not_found', async () => {
  const wrong = [];
  for (const id of ['abc', '99999999', '0', '-1', '1e3', '0x10', '99999999999999999999999', '1%00', '1%001', '%20', '1%20']) {
    for (const path of [`/api/v1/units/${id}`, `/api/v1/users/${id}`]) {
      const r = await srv.request('GET', path, { session: admin });
      if (r.status !== 404 || r.json?.error?.code !== 'not_found') wrong.push(`GET ${path} → ${r.status} ${r.text.slice(0, 80)}`);
    }
  }
  assert.deepEqual(wrong, [], 'every one of these must be 404 not_found');
  await refused(() => srv.request('PATCH', '/api/v1/units/99999999', { session: admin, body: { name: 'Không có' } }), 404, 'not_found');
  await refused(() => srv.request('PATCH', '/api/v1/users/99999999', { session: admin, body: { disabled: true } }), 404, 'not_found');
  await refused(() => srv.request('PUT', '/api/v1/users/99999999/password', { session: admin, body: { new_password: 'mat-khau-dai-1' } }), 404, 'not_found');
  const adminId = admin.user.id;
  await refused(() => srv.request('DELETE', `/api/v1/users/${adminId}/roles/99999999`, { session: admin }), 404, 'not_found');
  await refused(() => srv.request('POST', '/api/v1/users/99999999/roles', { session: admin, body: { role: 'learner', unit_id: tdpId } }), 404, 'not_found');
});

test('a referenced id that does not exist in the body → 400 invalid_value or 404 not_found, naming it', async () => {
  const r = await refused(postJSON({ ...valid(), parent_id: 99999999 }), [400, 404], ['invalid_value', 'not_found'], 'parent_id');
  assert.equal(r.json.error.code, r.status === 400 ? 'invalid_value' : 'not_found');
  const g = await refused(() => srv.request('POST', `/api/v1/users/${admin.user.id}/roles`, { session: admin, body: { role: 'learner', unit_id: 99999999 } }), [400, 404], ['invalid_value', 'not_found'], 'unit_id');
  assert.equal(g.json.error.code, g.status === 400 ? 'invalid_value' : 'not_found');
});

test('deeply nested JSON → 400, no crash', async () => {
  const depth = 30000; // 60 KB: far past the parser's depth limit, within the 64 KiB body limit
  const arr = `{"parent_id": ${wardId}, "kind": "${kind}", "name": ${'['.repeat(depth)}${']'.repeat(depth)}}`;
  await refused(post(arr), 400, ['bad_json', 'wrong_type']);
  const obj = `${'{"a":'.repeat(depth / 3)}1${'}'.repeat(depth / 3)}`; // 60 KB too
  await refused(post(obj), 400, ['bad_json', 'unknown_field']);
  assert.equal((await srv.request('GET', '/healthz')).status, 200);
});

// The contract does not say which code; both readings (not the JSON expected / the wrong type) are fair.
test('a JSON body that is not an object → 400 (bad_json or wrong_type)', async () => {
  for (const raw of [JSON.stringify([valid()]), '[]', 'null', '42', '"chuỗi"', 'true']) {
    await refused(post(raw), 400, ['bad_json', 'wrong_type'], null);
  }
});

test('a body where none is expected → 400 with a contract code (undeclared input does not exist)', async () => {
  const s = await srv.login('hocvien');
  await refused(() => srv.request('DELETE', '/api/v1/session', { session: s, body: { all: true } }), 400, undefined);
  assert.equal((await srv.request('GET', '/api/v1/me', { session: s })).status, 200, 'the refused log-out left the session');
});

test('NUL bytes → 400', async () => {
  const head = `{"parent_id": ${wardId}, "kind": "${kind}", "name": "T`;
  // A raw NUL inside a JSON string is not JSON.
  await refused(post(Buffer.concat([Buffer.from(head), Buffer.from([0]), Buffer.from('"}')])), 400, 'bad_json');
  // A raw NUL after the object is trailing garbage.
  await refused(post(Buffer.concat([Buffer.from(JSON.stringify(valid())), Buffer.from([0])])), 400, 'bad_json');
  // An escaped NUL is JSON, but no name may hold it.
  await refused(post(`${head}\\u0000x"}`), 400, ['invalid_value', 'bad_json'], undefined);
  // In the query.
  const q = await srv.request('GET', '/api/v1/units?q=a%00b', { session: admin });
  assert.ok(q.status === 400 || q.status === 200, `q with NUL: ${q.status} ${q.text}`);
  if (q.status === 400) expectError(assert, q, 400);
});

test('the same request with valid input succeeds (the refusals above were about the input)', async () => {
  const beforeSnap = await snapshot();
  const r = await srv.request('POST', '/api/v1/units', { session: admin, body: valid() });
  assert.equal(r.status, 201, r.text);
  assert.notEqual(await snapshot(), beforeSnap);
  // A charset parameter is still application/json.
  const c = await srv.request('POST', '/api/v1/units', { session: admin, rawBody: JSON.stringify({ ...valid(), name: 'Tổ có charset' }), headers: { 'content-type': 'application/json; charset=utf-8' } });
  assert.equal(c.status, 201, c.text);
  assert.equal(c.json.name, 'Tổ có charset');
});

test('after the barrage the server still answers, and the access log shows no 5xx', async () => {
  const h = await srv.request('GET', '/healthz');
  assert.equal(h.status, 200);
  assert.equal(h.json.status, 'ok');
  assert.equal(h.json.database, 'ok');
  const log = srv.accessLog();
  assert.ok(log.length > 100, `the access log has ${log.length} JSON lines with a status`);
  const bad = log.filter((l) => (l.status ?? l.status_code ?? l.code) >= 500);
  assert.deepEqual(bad, [], 'a 5xx appears in the access log');
  assert.equal(srv.exit, null, 'the server is still running');
});
