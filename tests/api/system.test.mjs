// System: health, headers, static files, compression, metrics, OpenAPI, shutdown, backup, keep-alive, proxies.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  startServer, run, hocvuso, tempDir, listAll, sleep, statusOf,
  REPO_ROOT, ON_PG, WARD_NAME, groupKind, finish,
} from './lib/server.mjs';

let srv, admin;
before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
});
after(async () => {
  await finish(srv, assert);
});

// The routes table of docs/API.md: [{method, path}].
function contractRoutes() {
  const md = readFileSync(join(REPO_ROOT, 'docs', 'API.md'), 'utf8');
  const out = [];
  for (const line of md.split('\n')) {
    const m = /^\|\s*(GET|POST|PUT|PATCH|DELETE)\s*\|\s*(\/\S*)\s*\|/.exec(line);
    if (m) out.push({ method: m[1], path: m[2] });
  }
  return out;
}
const normPath = (p) => p.replace(/\{[^}]+\}/g, '{}');

function parseMetrics(text) {
  const series = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/.exec(line);
    if (!m) continue;
    const labels = {};
    const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
    let l;
    while ((l = re.exec(m[2] || ''))) labels[l[1]] = l[2];
    series.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return series;
}

async function metrics() {
  const r = await srv.request('GET', '/metrics');
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers['content-type'] || '', /^text\/plain/);
  return r.text;
}

// Sum of the request counters whose labels name this route and status.
function requestCount(text, routeRe, status) {
  let sum = 0;
  let found = false;
  for (const s of parseMetrics(text)) {
    if (!s.name.endsWith('_total')) continue;
    const vals = Object.values(s.labels);
    const st = s.labels.status ?? s.labels.code ?? s.labels.status_code;
    if (vals.some((v) => routeRe.test(v)) && st === String(status)) {
      sum += s.value;
      found = true;
    }
  }
  return found ? sum : 0;
}

test('GET /healthz → {"status":"ok","database":"ok"}', async () => {
  const r = await srv.request('GET', '/healthz');
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /^application\/json/);
  // The contract's fields; more (e.g. the backend) may follow.
  assert.equal(r.json.status, 'ok');
  assert.equal(r.json.database, 'ok');
});

test('GET /api/v1/hello → {"hello":"world"}', async () => {
  const r = await srv.request('GET', '/api/v1/hello');
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /^application\/json/);
  assert.deepEqual(r.json, { hello: 'world' });
});

test('every response carries a strict Content-Security-Policy and X-Content-Type-Options: nosniff', async () => {
  const plain = await srv.request('GET', '/');
  const answers = {
    healthz: await srv.request('GET', '/healthz'),
    hello: await srv.request('GET', '/api/v1/hello'),
    root: plain,
    notModified: await srv.request('GET', '/', { headers: { 'if-none-match': plain.headers.etag || '"x"' } }),
    notFound: await srv.request('GET', '/api/v1/nope'),
    staticNotFound: await srv.request('GET', '/khong-co-tep-nay.js'),
    unauthenticated: await srv.request('GET', '/api/v1/me'),
    methodNotAllowed: await srv.request('DELETE', '/api/v1/hello'),
    badJson: await srv.request('POST', '/api/v1/session', { rawBody: '{' }),
    unsupported: await srv.request('POST', '/api/v1/session', { rawBody: 'x', headers: { 'content-type': 'text/plain' } }),
    metrics: await srv.request('GET', '/metrics'),
    openapi: await srv.request('GET', '/api/v1/openapi.json'),
    me: await srv.request('GET', '/api/v1/me', { session: admin }),
    loginOk: await srv.request('POST', '/api/v1/session', { body: { username: 'vanhoa', password: srv.password } }),
    created: await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: await srv.unitId(admin, WARD_NAME), kind: await groupKind(srv, admin), name: 'Tổ có CSP' } }),
  };
  for (const [what, r] of Object.entries(answers)) {
    const csp = r.headers['content-security-policy'];
    assert.ok(csp, `${what} (${r.status}): no Content-Security-Policy`);
    assert.match(csp, /(^|;)\s*default-src 'self'(\s*;|\s*$)/, `${what}: ${csp}`);
    const script = /(?:^|;)\s*script-src ([^;]*)/.exec(csp)?.[1] ?? "'self'";
    assert.ok(!/unsafe-inline|unsafe-eval|\*/.test(script), `${what}: scripts are not strict: ${csp}`);
    assert.equal(r.headers['x-content-type-options'], 'nosniff', `${what} (${r.status})`);
  }
  assert.equal(answers.created.status, 201, answers.created.text);
});

describe('static front end', () => {
  test('GET / returns HTML with an ETag; If-None-Match → 304 with no body', async () => {
    const r = await srv.request('GET', '/');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'] || '', /^text\/html/);
    assert.match(r.text, /<html|<!doctype html/i);
    const etag = r.headers.etag;
    assert.ok(etag, 'ETag missing');
    assert.match(etag, /^(W\/)?"[^"]+"$/, `ETag is a quoted string: ${etag}`);
    const again = await srv.request('GET', '/');
    assert.equal(again.headers.etag, etag, 'ETag is stable');
    const c = await srv.request('GET', '/', { headers: { 'if-none-match': etag } });
    assert.equal(c.status, 304);
    assert.equal(c.body.length, 0);
    assert.equal(c.headers.etag, etag);
    const list = await srv.request('GET', '/', { headers: { 'if-none-match': `"other", ${etag}` } });
    assert.equal(list.status, 304, 'a list of ETags that contains it');
    const other = await srv.request('GET', '/', { headers: { 'if-none-match': '"khac"' } });
    assert.equal(other.status, 200);
    assert.equal(other.text, r.text);
    // RFC 9110 13.1.2: "*" matches any current representation.
    const star = await srv.request('GET', '/', { headers: { 'if-none-match': '*' } });
    assert.equal(star.status, 304, 'If-None-Match: * → 304');
  });

  test('gzip for static files when asked, and only then', async () => {
    const plain = await srv.request('GET', '/');
    assert.equal(plain.headers['content-encoding'], undefined);
    const gz = await srv.request('GET', '/', { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    assert.equal(gz.status, 200);
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gz.body).toString('utf8'), plain.text);
    const no = await srv.request('GET', '/', { headers: { 'accept-encoding': 'identity' } });
    assert.equal(no.headers['content-encoding'], undefined);
    assert.equal(no.text, plain.text);
  });

  test('gzip for large JSON', async () => {
    const plain = await srv.request('GET', '/api/v1/openapi.json');
    assert.ok(plain.body.length > 4096, `openapi.json is large (${plain.body.length} bytes)`);
    const gz = await srv.request('GET', '/api/v1/openapi.json', { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.match(gz.headers['content-type'], /^application\/json/);
    const body = gunzipSync(gz.body);
    assert.ok(gz.body.length < body.length, 'compressed is smaller');
    assert.deepEqual(JSON.parse(body.toString('utf8')), plain.json);
    if (gz.headers['content-length'] !== undefined) assert.equal(Number(gz.headers['content-length']), gz.body.length);
    // A large API list too.
    const wardId = await srv.unitId(admin, WARD_NAME);
    const kind = await groupKind(srv, admin);
    for (let i = 0; i < 40; i++) {
      const r = await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: wardId, kind, name: `Tổ dân phố nén dữ liệu số ${i}` } });
      assert.equal(r.status, 201, r.text);
    }
    const listPlain = await srv.request('GET', `/api/v1/units?parent_id=${wardId}&per_page=200`, { session: admin });
    assert.ok(listPlain.body.length > 4096);
    const listGz = await srv.request('GET', `/api/v1/units?parent_id=${wardId}&per_page=200`, { session: admin, headers: { 'accept-encoding': 'gzip' } });
    assert.equal(listGz.headers['content-encoding'], 'gzip');
    assert.deepEqual(JSON.parse(gunzipSync(listGz.body).toString('utf8')), listPlain.json);
  });

  test('compressed answers say Vary: Accept-Encoding', async () => {
    for (const path of ['/', '/api/v1/openapi.json']) {
      const gz = await srv.request('GET', path, { headers: { 'accept-encoding': 'gzip' } });
      assert.match(gz.headers.vary || '', /accept-encoding/i, `${path}: Vary`);
    }
  });

  test('path traversal does not escape the web directory', async () => {
    for (const p of ['/../meson.build', '/%2e%2e/meson.build', '/..%2fmeson.build', '/%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/../../../../etc/passwd', '/./../docs/API.md', '//etc/passwd']) {
      const r = await srv.request('GET', p);
      assert.ok(r.status >= 400 && r.status < 500, `${p}: ${r.status}`);
      assert.ok(!/project\('hocvuso'|root:x:0:0|# hocvuso HTTP API/.test(r.text), `${p} leaked a file`);
    }
  });
});

describe('metrics', () => {
  test('request counters by route and status count exactly', async () => {
    const before = await metrics();
    const hello0 = requestCount(before, /\/api\/v1\/hello/, 200);
    const nf0 = requestCount(before, /\/api\/v1\/units\/\{|\/api\/v1\/units\/:|units_id|\/api\/v1\/units\/\*/, 404);
    const N = 7;
    for (let i = 0; i < N; i++) assert.equal((await srv.request('GET', '/api/v1/hello')).status, 200);
    for (let i = 0; i < 3; i++) assert.equal((await srv.request('GET', `/api/v1/units/${900000 + i}`, { session: admin })).status, 404);
    const afterText = await metrics();
    assert.equal(requestCount(afterText, /\/api\/v1\/hello/, 200) - hello0, N, 'hello counter grew by exactly N');
    // Routes are labelled by their pattern, not by the raw path (the label set stays bounded).
    assert.ok(!/900001/.test(afterText), 'a raw id leaked into a metric label');
    assert.equal(requestCount(afterText, /\/api\/v1\/units\/\{|\/api\/v1\/units\/:|units_id|\/api\/v1\/units\/\*/, 404) - nf0, 3, 'the unit-by-id route counted the three 404s');
  });

  test('a latency histogram', async () => {
    const text = await metrics();
    const types = [...text.matchAll(/^# TYPE (\S+) histogram$/gm)].map((m) => m[1]);
    assert.ok(types.length > 0, 'no histogram');
    const s = parseMetrics(text);
    const name = types.find((t) => /latency|duration|seconds/i.test(t)) || types[0];
    const buckets = s.filter((x) => x.name === `${name}_bucket`);
    assert.ok(buckets.length > 1, `${name} has buckets`);
    assert.ok(buckets.some((b) => b.labels.le === '+Inf'));
    const count = s.filter((x) => x.name === `${name}_count`);
    const sum = s.filter((x) => x.name === `${name}_sum`);
    assert.ok(count.length > 0 && sum.length > 0);
    const total0 = count.reduce((a, b) => a + b.value, 0);
    for (let i = 0; i < 5; i++) await srv.request('GET', '/api/v1/hello');
    const s2 = parseMetrics(await metrics());
    const total1 = s2.filter((x) => x.name === `${name}_count`).reduce((a, b) => a + b.value, 0);
    assert.ok(total1 - total0 >= 5, `${name}_count grew by ${total1 - total0}`);
    // Buckets are cumulative and +Inf equals the count, per label set.
    const groups = new Map();
    for (const b of s2.filter((x) => x.name === `${name}_bucket`)) {
      const { le, ...rest } = b.labels;
      const key = JSON.stringify(rest);
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push({ le: le === '+Inf' ? Infinity : Number(le), v: b.value });
    }
    for (const [key, bs] of groups) {
      bs.sort((a, b) => a.le - b.le);
      for (let i = 1; i < bs.length; i++) assert.ok(bs[i].v >= bs[i - 1].v, `buckets cumulative for ${key}`);
      const c = s2.find((x) => x.name === `${name}_count` && JSON.stringify(x.labels) === key);
      if (c) assert.equal(bs[bs.length - 1].v, c.value, `+Inf = count for ${key}`);
    }
  });

  test('promtool check metrics: exit 0 and no output', async () => {
    const text = await metrics();
    const r = await run('promtool', ['check', 'metrics'], { input: text });
    assert.equal(r.code, 0, `promtool: ${r.stdout}${r.stderr}`);
    assert.equal((r.stdout + r.stderr).trim(), '', `promtool warnings:\n${r.stdout}${r.stderr}`);
  });
});

describe('OpenAPI', () => {
  let doc;
  before(async () => {
    const r = await srv.request('GET', '/api/v1/openapi.json');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'], /^application\/json/);
    doc = JSON.parse(r.text);
  });

  test('is OpenAPI 3.1 and contains every route of the contract', () => {
    assert.match(doc.openapi, /^3\.1\.\d+$/);
    assert.equal(typeof doc.info?.title, 'string');
    const routes = contractRoutes();
    assert.ok(routes.length >= 20, `parsed ${routes.length} routes from docs/API.md`);
    const paths = new Map(Object.entries(doc.paths || {}).map(([p, v]) => [normPath(p), v]));
    for (const { method, path } of routes) {
      const item = paths.get(normPath(path));
      assert.ok(item, `${path} missing from openapi.json`);
      assert.ok(item[method.toLowerCase()], `${method} ${path} missing from openapi.json`);
    }
  });

  test('every operation it lists is served (no 404 for the route, no 405)', async () => {
    for (const [p, item] of Object.entries(doc.paths)) {
      for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
        if (!item[method]) continue;
        const path = p.replace(/\{[^}]+\}/g, '1');
        const r = await srv.request(method.toUpperCase(), path, { body: method === 'get' || method === 'delete' ? undefined : {} });
        assert.notEqual(r.status, 405, `${method} ${p}: ${r.text}`);
        if (!p.includes('{')) assert.notEqual(r.status, 404, `${method} ${p}: ${r.text}`);
        assert.ok(r.status < 500, `${method} ${p}: ${r.status}`);
      }
    }
  });

  test('passes redocly lint (recommended rules) with no warnings', async () => {
    const dir = tempDir('openapi');
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(doc, null, 2));
    try {
      const r = await run(join(REPO_ROOT, 'node_modules', '.bin', 'redocly'), ['lint', '--config', join(REPO_ROOT, 'tests', 'api', 'redocly.yaml'), file], {
        env: { REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1', FORCE_COLOR: '0' },
        cwd: dir,
        timeout: 120000,
      });
      const out = r.stdout + r.stderr;
      assert.equal(r.code, 0, out);
      assert.ok(!/(Warning|Error) was generated/.test(out), out);
      assert.ok(!/\d+ warnings?\b|\d+ errors?\b/i.test(out.replace(/Deprecation warning[^\n]*/g, '')), out);
      assert.match(out, /Your API description is valid/, out);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('the access log writes one JSON line per request, with its status', async () => {
  const path = '/api/v1/units/987654';
  const n0 = srv.accessLog().filter((l) => Object.values(l).some((v) => typeof v === 'string' && v.includes(path))).length;
  for (let i = 0; i < 4; i++) await srv.request('GET', path, { session: admin });
  await sleep(200);
  const lines = srv.accessLog().filter((l) => Object.values(l).some((v) => typeof v === 'string' && v.includes(path)));
  assert.equal(lines.length - n0, 4, JSON.stringify(lines));
  for (const l of lines) assert.equal(statusOf(l), 404);
  assert.ok(!srv.stderr.includes(admin.cookie.split('=')[1]), 'the session id appears in the log');
  assert.ok(!srv.stderr.includes(admin.csrf), 'the csrf token appears in the log');
});

test('keep-alive: many requests over one connection', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const sockets = new Set();
    for (let i = 0; i < 50; i++) {
      const r = await srv.request('GET', i % 2 ? '/api/v1/hello' : '/api/v1/me', { agent, session: admin });
      assert.equal(r.status, 200);
      sockets.add(r.socket);
      if (i > 0) assert.equal(r.reusedSocket, true, `request ${i} reused the connection`);
    }
    assert.equal(sockets.size, 1);
    // Queued behind each other on the one connection, including an error answer and a POST.
    const rs = await Promise.all([
      ...Array.from({ length: 20 }, () => srv.request('GET', '/api/v1/hello', { agent })),
      srv.request('GET', '/api/v1/nope', { agent }),
      srv.request('POST', '/api/v1/session', { agent, body: { username: 'hocvien', password: srv.password } }),
      srv.request('GET', '/healthz', { agent }),
    ]);
    assert.deepEqual(rs.map((r) => r.status), [...Array(20).fill(200), 404, 200, 200]);
    assert.ok(rs.every((r) => r.socket === [...sockets][0]), 'the same connection');
  } finally {
    agent.destroy();
  }
});

test('X-Forwarded-For from an untrusted peer is ignored (the audit ip stays 127.0.0.1)', async () => {
  const r = await srv.request('POST', '/api/v1/session', {
    body: { username: 'admin', password: srv.password },
    headers: { 'x-forwarded-for': '203.0.113.9', 'x-real-ip': '203.0.113.10', forwarded: 'for=203.0.113.11' },
  });
  assert.equal(r.status, 200, r.text);
  const j = await srv.getJSON(admin, '/api/v1/audit?actor=admin&per_page=200');
  const login = j.items.find((e) => /log.?in|session/i.test(e.action) && !/fail|out/i.test(e.action));
  assert.ok(login, 'a log-in entry');
  assert.equal(login.ip, '127.0.0.1');
  assert.ok(!j.items.some((e) => /203\.0\.113/.test(e.ip || '')));
});

test('from the trusted proxy (docs/OPERATIONS.md: --trusted-proxy), X-Forwarded-For is believed and X-Forwarded-Proto https makes the cookie Secure', async () => {
  const t = await startServer({ tag: 'system-proxy', args: ['--trusted-proxy', '127.0.0.1'] });
  try {
    const r = await t.request('POST', '/api/v1/session', {
      body: { username: 'admin', password: t.password },
      headers: { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' },
    });
    assert.equal(r.status, 200, r.text);
    const sc = [].concat(r.headers['set-cookie'] || []).find((c) => c.startsWith('hocvuso_session='));
    assert.ok(sc.split(';').map((a) => a.trim().toLowerCase()).includes('secure'), `Secure behind TLS: ${sc}`);
    const s = await t.login('admin');
    const j = await t.getJSON(s, '/api/v1/audit?actor=admin&per_page=200');
    assert.ok(j.items.some((e) => e.ip === '203.0.113.9'), JSON.stringify(j.items.map((e) => [e.action, e.ip])));
    const plain = await t.request('POST', '/api/v1/session', { body: { username: 'admin', password: t.password } });
    const pc = [].concat(plain.headers['set-cookie'] || []).find((c) => c.startsWith('hocvuso_session='));
    assert.ok(!pc.split(';').map((a) => a.trim().toLowerCase()).includes('secure'), `no Secure without X-Forwarded-Proto: ${pc}`);
  } finally {
    await finish(t, assert);
  }
});

test('backup while serving and writing produces a valid SQLite file', { skip: ON_PG && 'PostgreSQL: backups are pg_dump\'s job' }, async () => {
  const dir = tempDir('backup');
  const out = join(dir, 'sao-luu.db');
  const wardId = await srv.unitId(admin, WARD_NAME);
  const kind = await groupKind(srv, admin);
  let stop = false;
  let writes = 0;
  const writer = (async () => {
    while (!stop) {
      const r = await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: wardId, kind, name: `Tổ sao lưu ${writes}` } });
      assert.equal(r.status, 201, r.text);
      writes++;
      await sleep(50); // a steady trickle of writes, well under any flood limit
    }
  })();
  try {
    await sleep(100);
    const b = await hocvuso(['backup', '--data', srv.dataDir, '--out', out], { timeout: 120000 });
    stop = true;
    await writer;
    assert.equal(b.code, 0, `backup failed: ${b.stderr}`);
    assert.ok(writes > 0, 'writes happened during the backup');
    assert.ok(existsSync(out));
    assert.equal(readFileSync(out).subarray(0, 16).toString('latin1'), 'SQLite format 3\0');
    const ic = await run('sqlite3', [out, 'PRAGMA integrity_check;']);
    assert.equal(ic.code, 0, ic.stderr);
    assert.equal(ic.stdout.trim(), 'ok');
    const n = await run('sqlite3', [out, 'SELECT count(*) FROM users;']);
    assert.equal(n.code, 0, n.stderr);
    const users = await listAll(srv, admin, '/api/v1/users');
    assert.equal(Number(n.stdout.trim()), users.total);
    assert.equal((await srv.request('GET', '/healthz')).status, 200);
  } finally {
    stop = true;
    await writer.catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
});

// A request whose body arrives in two parts: the second only when `finish()` is called.
function slowPost(port, path, session, body) {
  const buf = Buffer.from(JSON.stringify(body));
  const half = Math.floor(buf.length / 2);
  let req;
  const answer = new Promise((res, rej) => {
    req = http.request({
      host: '127.0.0.1', port, method: 'POST', path, agent: false,
      headers: { 'content-type': 'application/json', 'content-length': String(buf.length), cookie: session.cookie, 'x-csrf-token': session.csrf },
    }, (resp) => {
      const chunks = [];
      resp.on('data', (c) => chunks.push(c));
      resp.on('end', () => res({ status: resp.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', rej);
  });
  const started = new Promise((r) => req.write(buf.subarray(0, half), r));
  return { answer, started, finish: () => req.end(buf.subarray(half)) };
}

test('graceful shutdown: in-flight requests complete with 2xx and the process exits 0', async () => {
  const g = await startServer({ tag: 'system-shutdown' });
  try {
    const s = await g.login('admin');
    const wardId = await g.unitId(s, WARD_NAME);
    const kind = await groupKind(g, s);
    // Slow uploads: certainly in flight when the signal comes (the server is still reading them).
    const slow = Array.from({ length: 4 }, (_, i) => slowPost(g.port, '/api/v1/units', s, { parent_id: wardId, kind, name: `Tổ đang gửi dở ${i}` }));
    await Promise.all(slow.map((x) => x.started));
    // And a burst of ordinary requests.
    const sent = [];
    const pending = [];
    const track = (req) => sent.push(new Promise((r) => req.on('finish', r)));
    for (let i = 0; i < 6; i++) {
      pending.push(g.request('POST', '/api/v1/session', { body: { username: 'admin', password: g.password }, onRequest: track }));
    }
    for (let i = 0; i < 30; i++) {
      const path = [`/api/v1/units?parent_id=${wardId}&per_page=200`, '/api/v1/users?per_page=200', '/api/v1/audit?per_page=200', '/api/v1/hello', '/api/v1/openapi.json'][i % 5];
      pending.push(g.request('GET', path, { session: s, onRequest: track }));
    }
    await Promise.all(sent);
    await sleep(50);
    g.proc.kill('SIGTERM');
    await sleep(300);
    assert.equal(g.exit, null, 'the server waits for the requests in flight');
    for (const x of slow) x.finish();
    const results = await Promise.allSettled([...slow.map((x) => x.answer), ...pending]);
    const bad = results.map((r, i) => (r.status === 'fulfilled' ? (r.value.status >= 200 && r.value.status < 300 ? null : `#${i}: ${r.value.status} ${r.value.text.slice(0, 100)}`) : `#${i}: ${r.reason.message}`)).filter(Boolean);
    assert.deepEqual(bad, [], 'every in-flight request completes with 2xx');
    for (const r of results.slice(0, slow.length)) assert.equal(r.value.status, 201, r.value.text);
    let timer; // cleared at once: a pending timer would keep this file's process alive
    const exit = await Promise.race([g.exited, new Promise((res) => (timer = setTimeout(() => res(null), 15000)))]);
    clearTimeout(timer);
    assert.ok(exit, 'the server exits within 15 s of SIGTERM');
    assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null });
    await assert.rejects(g.request('GET', '/healthz', { timeout: 2000 }), 'no longer listening');
    // What the slow requests wrote was committed: a new server on the same data sees it.
    await g.spawn();
    const s2 = await g.login('admin');
    const found = await g.getJSON(s2, `/api/v1/units?q=${encodeURIComponent('Tổ đang gửi dở')}`);
    assert.equal(found.total, slow.length);
  } finally {
    await g.stop();
  }
});
