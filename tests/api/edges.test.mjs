// edges.test.mjs: the HTTP edges over raw sockets: one address cannot take every connection, a
// trickled header is cut off, and malformed or oversized requests get a JSON answer (413, 431,
// 501, 400 and close) instead of silence; HEAD on every GET route; the upload sink.
// Never: relies on timing for performance; the only clocks are generous deadlines.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { startServer, finish, expectError, sleep, filesIn, CONTRACT_CODES } from './lib/server.mjs';

/**
 * Opens a socket (optionally from `localAddress`), writes `data` (string or Buffer, or an array of
 * [delayMs, chunk] steps), and collects what comes back until the server closes or `wait` ms pass.
 * Answers {closed, ms, raw, status, headers, body, json}.
 */
function exchange(port, data, { localAddress, wait = 5000 } = {}) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const s = net.connect({ port, host: '127.0.0.1', localAddress });
    let raw = Buffer.alloc(0);
    let done = false;
    let timer;
    const finishUp = (closed) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ closed, ms: Date.now() - t0, raw, ...parse(raw) });
    };
    s.on('data', (d) => (raw = Buffer.concat([raw, d])));
    s.on('error', () => finishUp(true));
    s.on('close', () => finishUp(true));
    timer = setTimeout(() => finishUp(false), wait);
    s.on('connect', async () => {
      const steps = Array.isArray(data) ? data : [[0, data]];
      for (const [delay, chunk] of steps) {
        if (delay) await sleep(delay);
        if (done || s.destroyed) return;
        s.write(chunk);
      }
    });
  });
}

function parse(raw) {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return { status: undefined, headers: {}, body: '' };
  const lines = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(lines[0].split(' ')[1]);
  const headers = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
  }
  const body = raw.subarray(end + 4).toString('utf8');
  let json;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status, headers, body, json };
}

/** Asserts a JSON error answer with the security headers, as errors.test.mjs expects of every error. */
function expectRawError(r, status, code) {
  const what = `answer ${JSON.stringify(r.raw.toString('latin1').slice(0, 300))}`;
  assert.equal(r.status, status, what);
  assert.match(r.headers['content-type'] || '', /^application\/json/, what);
  assert.ok(r.json && r.json.error, what);
  assert.equal(r.json.error.code, code, what);
  assert.ok(CONTRACT_CODES.has(code), `${code} is in docs/API.md`);
  assert.match(r.headers['content-security-policy'] || '', /default-src 'self'/, what);
  assert.equal(r.headers['x-content-type-options'], 'nosniff', what);
}

const GET = (path, extra = '') => `GET ${path} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`;

/** Stops a server whose only 5xx answers are the 501s this file asked for. */
async function finishAllowing501(srv) {
  const other = srv.accessLog().filter((l) => l.status >= 500 && l.status !== 501);
  assert.deepEqual(other, [], 'no 5xx other than the expected 501');
  const exit = await srv.stop();
  assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null });
}

describe('answers instead of silence', () => {
  let srv;
  before(async () => {
    srv = await startServer({ demo: false });
  });
  after(async () => finishAllowing501(srv));

  test('a declared Content-Length over the route limit → 413 at once, before any body', async () => {
    const r = await exchange(srv.port,
      'POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50000000\r\n\r\n{', { wait: 10000 });
    expectRawError(r, 413, 'too_large');
    assert.ok(r.ms < 5000, `answered after ${r.ms} ms: it waited for the body`);
    assert.ok(r.closed, 'the connection closes (the body is not read)');
  });

  test('a client that sends its whole oversized body at once still reads the 413 (lingering close)', async () => {
    const big = Buffer.alloc(2 * 1024 * 1024, 'a');
    for (let i = 0; i < 10; i++) {
      const r = await srv.request('POST', '/api/v1/session', { rawBody: big });
      expectError(assert, r, 413, 'too_large');
    }
  });

  test('a body just under the JSON limit is read and answered by the route', async () => {
    const body = JSON.stringify({ username: 'x', password: 'y'.repeat(100) });
    const r = await exchange(srv.port,
      `POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    assert.equal(r.status, 401, r.raw.toString());
  });

  test('too many query parameters → 431 in JSON (libmicrohttpd alone closes without an answer)', async () => {
    const q = Array.from({ length: 3000 }, () => 'a=').join('&');
    const r = await exchange(srv.port, GET(`/api/v1/hello?${q}`));
    expectRawError(r, 431, 'headers_too_large');
  });

  test('a query string of many bytes → 431', async () => {
    const r = await exchange(srv.port, GET(`/api/v1/units?q=${'a'.repeat(9000)}`));
    expectRawError(r, 431, 'headers_too_large');
  });

  test('too many header fields, or too many header bytes → 431 in JSON', async () => {
    const many = Array.from({ length: 150 }, (_, i) => `X-H${i}: v\r\n`).join('');
    expectRawError(await exchange(srv.port, GET('/api/v1/hello', many)), 431, 'headers_too_large');
    const big = `Cookie: a=${'b'.repeat(10000)}\r\n`;
    expectRawError(await exchange(srv.port, GET('/api/v1/hello', big)), 431, 'headers_too_large');
  });

  test('an ordinary header of a few KB still passes', async () => {
    const r = await exchange(srv.port, GET('/api/v1/hello', `Cookie: a=${'b'.repeat(4000)}\r\nConnection: close\r\n`));
    assert.equal(r.status, 200, r.raw.toString());
  });

  test('Transfer-Encoding other than chunked → 501', async () => {
    for (const te of ['gzip', 'chunked, gzip', 'identity']) {
      const r = await exchange(srv.port,
        `POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: ${te}\r\n\r\n{}`);
      expectRawError(r, 501, 'not_implemented');
      assert.ok(r.closed, te);
    }
  });

  test('chunked still works', async () => {
    const body = JSON.stringify({ username: 'x', password: 'y' });
    const r = await exchange(srv.port,
      `POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`);
    assert.equal(r.status, 401, r.raw.toString());
  });

  test('conflicting Content-Length headers → 400 and close; so does Content-Length with Transfer-Encoding', async () => {
    let r = await exchange(srv.port,
      'POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\n{}abc');
    expectRawError(r, 400, 'bad_request');
    assert.equal(r.headers.connection, 'close');
    assert.ok(r.closed);
    r = await exchange(srv.port,
      'POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
    expectRawError(r, 400, 'bad_request');
    assert.ok(r.closed);
  });

  test('a raw NUL in the request line → 400 and close (libmicrohttpd would serve /healthz)', async () => {
    for (const line of ['GET /healthz\0junk HTTP/1.1', 'GET /healthz\0 HTTP/1.1', 'GE\0T /healthz HTTP/1.1']) {
      const r = await exchange(srv.port, `${line}\r\nHost: x\r\n\r\n`);
      expectRawError(r, 400, 'bad_request');
      assert.ok(r.closed, JSON.stringify(line));
    }
    const ok = await exchange(srv.port, GET('/healthz', 'Connection: close\r\n'));
    assert.equal(ok.status, 200);
  });

  test('HEAD works on every GET route: same status and headers, no body; Allow lists HEAD', async () => {
    const get = await exchange(srv.port, GET('/healthz', 'Connection: close\r\n'));
    const head = await exchange(srv.port, 'HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.equal(head.status, 200);
    assert.equal(head.body, '', 'no body after HEAD');
    assert.equal(head.headers['content-length'], get.headers['content-length']);
    assert.equal(head.headers['content-type'], get.headers['content-type']);
    const doc = await srv.request('GET', '/api/v1/openapi.json');
    for (const [path, item] of Object.entries(doc.json.paths)) {
      if (!item.get) continue;
      const concrete = path.replace(/\{[^}]+\}/g, '1');
      const g = await srv.request('GET', concrete);
      const h = await srv.request('HEAD', concrete);
      assert.equal(h.status, g.status, `HEAD ${concrete}`);
      assert.equal(h.body.length, 0, `HEAD ${concrete} sends no body`);
    }
    const r = await srv.request('DELETE', '/healthz');
    assert.equal(r.status, 405);
    assert.equal(r.headers.allow, 'GET, HEAD');
  });
});

describe('connections', () => {
  test('one address cannot take every connection; /healthz still answers others', async () => {
    // Tests can only connect from loopback, which is exempt by default: --conn-exempt none.
    // 127.0.0.2 plays the greedy client, 127.0.0.1 everyone else.
    const srv = await startServer({ demo: false, args: ['--max-conns-per-ip', '8', '--conn-exempt', 'none'] });
    const held = [];
    try {
      for (let i = 0; i < 8; i++) {
        const s = net.connect({ port: srv.port, host: '127.0.0.1', localAddress: '127.0.0.2' });
        await new Promise((res, rej) => {
          s.once('data', res);
          s.once('error', rej);
          s.write(GET('/healthz'));
        });
        held.push(s);
      }
      const refused = await exchange(srv.port, GET('/healthz'), { localAddress: '127.0.0.2', wait: 3000 });
      assert.ok(refused.closed, 'the ninth connection of one address is closed');
      assert.equal(refused.raw.length, 0, 'and gets nothing');
      const other = await exchange(srv.port, GET('/healthz', 'Connection: close\r\n'), { localAddress: '127.0.0.1' });
      assert.equal(other.status, 200, '/healthz answers another address');
      held.pop().destroy();
      await sleep(1000); // MHD notices the close on its next loop
      const again = await exchange(srv.port, GET('/healthz', 'Connection: close\r\n'), { localAddress: '127.0.0.2' });
      assert.equal(again.status, 200, 'a slot freed is a slot usable again');
    } finally {
      for (const s of held) s.destroy();
      await finish(srv, assert);
    }
  });

  test('loopback is exempt by default (nginx and the benchmarks connect from there)', async () => {
    const srv = await startServer({ demo: false, args: ['--max-conns-per-ip', '4'] });
    const held = [];
    try {
      for (let i = 0; i < 10; i++) {
        const s = net.connect({ port: srv.port, host: '127.0.0.1', localAddress: '127.0.0.2' });
        await new Promise((res, rej) => {
          s.once('data', res);
          s.once('error', rej);
          s.write(GET('/healthz'));
        });
        held.push(s);
      }
      assert.equal(held.length, 10);
    } finally {
      for (const s of held) s.destroy();
      await finish(srv, assert);
    }
  });

  test('a header trickled a line at a time is cut off at the header deadline, though never idle', async () => {
    const srv = await startServer({ demo: false, args: ['--header-timeout', '2', '--timeout', '30'] });
    try {
      const steps = [[0, 'GET /healthz HTTP/1.1\r\nHost: x\r\n']];
      for (let i = 0; i < 30; i++) steps.push([400, `X-Slow-${i}: a\r\n`]);
      const r = await exchange(srv.port, steps, { wait: 12000 });
      assert.ok(r.closed, 'the server closed the connection');
      assert.equal(r.status, undefined, 'without answering the unfinished request');
      assert.ok(r.ms >= 1500 && r.ms < 8000, `closed after ${r.ms} ms (deadline 2 s, idle timeout 30 s)`);
      // A client that sends its header at once is not affected, even on a kept-alive connection
      // used again after more than the header deadline.
      const s = net.connect({ port: srv.port, host: '127.0.0.1' });
      const answers = [];
      s.on('data', (d) => answers.push(d.toString()));
      await new Promise((res) => s.once('connect', res));
      s.write(GET('/healthz'));
      await sleep(2600);
      s.write(GET('/healthz'));
      await sleep(500);
      s.destroy();
      assert.equal((answers.join('').match(/HTTP\/1\.1 200/g) || []).length, 2, answers.join(''));
    } finally {
      await finish(srv, assert);
    }
  });
});

describe('uploads stream to a temporary file (test route)', () => {
  let srv;
  before(async () => {
    srv = await startServer({ demo: false, env: { HOCVUSO_TEST_ROUTES: '1' } });
  });
  after(async () => finish(srv, assert));

  test('3 MB (far over the JSON limit) arrive whole, with the right hash; no file is left behind', async () => {
    const data = randomBytes(3 * 1024 * 1024);
    const r = await srv.request('POST', '/api/v1/test/upload', { rawBody: data, headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.bytes, data.length);
    assert.equal(r.json.sha256, createHash('sha256').update(data).digest('hex'));
    assert.deepEqual(filesIn(srv.dataDir).filter((f) => f.name.startsWith('.upload')), []);
  });

  test('an error whose message is not UTF-8 is still the contract\'s JSON error with its status, never an empty body', async () => {
    const r = await srv.request('GET', '/api/v1/test/broken-error');
    expectError(assert, r, 400, 'invalid_value', 'x');
    assert.equal(r.json.error.message, 'Dữ liệu gửi lên không hợp lệ.');
  });

  test('chunked uploads too', async () => {
    const data = randomBytes(1024 * 1024 + 7);
    const r = await srv.request('POST', '/api/v1/test/upload', {
      rawBody: data,
      headers: { 'content-type': 'application/octet-stream', 'content-length': null, 'transfer-encoding': 'chunked' },
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.bytes, data.length);
    assert.equal(r.json.sha256, createHash('sha256').update(data).digest('hex'));
  });

  test('over the route limit: 413 at once when declared, 413 at the end when chunked', async () => {
    const r = await exchange(srv.port,
      'POST /api/v1/test/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\nabc', { wait: 10000 });
    expectRawError(r, 413, 'too_large');
    assert.ok(r.ms < 5000);
    const big = randomBytes(5 * 1024 * 1024);
    const c = await srv.request('POST', '/api/v1/test/upload', {
      rawBody: big,
      headers: { 'content-type': 'application/octet-stream', 'content-length': null, 'transfer-encoding': 'chunked' },
    });
    expectError(assert, c, 413, 'too_large');
  });
});

test('without HOCVUSO_TEST_ROUTES the test route does not exist', async () => {
  const srv = await startServer({ demo: false });
  try {
    const r = await srv.request('POST', '/api/v1/test/upload', { rawBody: 'abc' });
    expectError(assert, r, 404, 'not_found');
    const doc = await srv.request('GET', '/api/v1/openapi.json');
    assert.equal(doc.json.paths['/api/v1/test/upload'], undefined);
  } finally {
    await finish(srv, assert);
  }
});

describe('names refuse hidden characters and need a visible one', () => {
  let srv;
  let admin;
  let wardId;
  let kind;
  before(async () => {
    srv = await startServer({});
    admin = await srv.login('admin');
    wardId = await srv.unitId(admin, 'Phường Hải Dương');
    kind = (await srv.getJSON(admin, `/api/v1/units/${await srv.unitId(admin, 'Tổ dân phố số 1')}`)).kind;
  });
  after(async () => finish(srv, assert));

  const HIDDEN = {
    'right-to-left override U+202E': 'Tổ\u202Eexe.txt',
    'left-to-right embedding U+202A': 'Tổ \u202Amột',
    'first strong isolate U+2068': 'Tổ \u2068một\u2069',
    'zero width space U+200B': 'Tổ\u200B dân phố',
    'zero width joiner U+200D': 'Tổ\u200Ddân',
    'right-to-left mark U+200F': 'Tổ dân\u200F',
    'word joiner U+2060': 'Tổ\u2060dân',
    'byte order mark U+FEFF': '\uFEFFTổ dân phố',
    'soft hyphen U+00AD (Cf)': 'Tổ dân\u00ADphố',
  };
  const BLANK = {
    'spaces': '     ',
    'no-break and ideographic spaces': '\u00A0\u00A0\u3000',
    'zero width spaces': '\u200B\u200B\u200B',
    'Hangul fillers': '\u3164\u3164',
  };

  test('unit names: 400 invalid_value naming `name`, nothing created', async () => {
    const before = (await srv.getJSON(admin, `/api/v1/units?parent_id=${wardId}&per_page=1`)).total;
    for (const [label, name] of Object.entries({ ...HIDDEN, ...BLANK })) {
      const r = await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: wardId, kind, name } });
      expectError(assert, r, 400, undefined, 'name');
      assert.ok(['invalid_value', 'missing_field'].includes(r.json.error.code), label);
    }
    assert.equal((await srv.getJSON(admin, `/api/v1/units?parent_id=${wardId}&per_page=1`)).total, before);
    const ok = await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: wardId, kind, name: 'Tổ dân phố số 99 (mới)' } });
    assert.equal(ok.status, 201, ok.text);
    for (const name of [HIDDEN['right-to-left override U+202E'], BLANK['zero width spaces']]) {
      const r = await srv.request('PATCH', `/api/v1/units/${ok.json.id}`, { session: admin, body: { name } });
      expectError(assert, r, 400, 'invalid_value', 'name');
    }
    assert.equal((await srv.getJSON(admin, `/api/v1/units/${ok.json.id}`)).name, 'Tổ dân phố số 99 (mới)');
  });

  test('display names: 400 invalid_value naming `display_name`', async () => {
    for (const [label, display_name] of Object.entries({ ...HIDDEN, ...BLANK })) {
      const r = await srv.request('POST', '/api/v1/users', {
        session: admin,
        body: { username: `an${Math.floor(Math.random() * 1e6)}`, display_name, password: 'Mat-khau-dai-du-1' },
      });
      expectError(assert, r, 400, undefined, 'display_name');
      assert.ok(['invalid_value', 'missing_field'].includes(r.json.error.code), label);
    }
    const u = await srv.request('POST', '/api/v1/users', {
      session: admin,
      body: { username: `an${Math.floor(Math.random() * 1e6)}`, display_name: 'Nguyễn Thị Ánh', password: 'Mat-khau-dai-du-1' },
    });
    assert.equal(u.status, 201, u.text);
    const r = await srv.request('PATCH', `/api/v1/users/${u.json.id}`, { session: admin, body: { display_name: 'Ánh\u202E' } });
    expectError(assert, r, 400, 'invalid_value', 'display_name');
  });
});
