// review-certificates.test.mjs: a hostile review of certificates (docs/REVIEW-CERTIFICATES.md) over
// real HTTP: the public verification API fed what an attacker would send (bytes that are not UTF-8,
// odd base64, absurd IDs) answers 200 "forged" or a 4xx naming the field, never a 5xx, on both
// backends. SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// Owns: its server. Never: times anything.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, finish, expectError } from './lib/server.mjs';

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
