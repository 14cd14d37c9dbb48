// certificate.mjs: the time from a learner's last passing submission to a certificate anyone can
// verify (issue 8: p99 ≤ 100 ms; BENCHMARKS.md, "Certificates"). Loopback only, bounded in time.
// Starts its own server (tests/api/lib/server.mjs: the demo ward; PostgreSQL when
// HOCVUSO_TEST_PG_DIR names a tests/pg-server.sh cluster) with the starter curriculum, a
// one-question quiz of a part of module M07, and ACCOUNTS learner accounts. Each round makes a
// programme whose one module is M07 (the previous one switched off), then CONC clients at once
// take the learners through: start an attempt, submit the right answer — the submission that
// completes the programme, whose answer names the certificate — and at once GET the public
// /api/v1/certificates/{id}/verify until it says "valid". Measured per learner: submission sent →
// verification answered "valid". The reference, in the same rounds: the same submission by the same
// learners when it completes nothing (the programme off), and GET /api/v1/hello.
// Prints Markdown; raw numbers as JSON on stderr.
// Settings: HOCVUSO_BIN, HOCVUSO_TEST_PG_DIR, ACCOUNTS (96: the log-in throttle lets 120 in at once
// from one address), CONC (16), ROUNDS (5).
import { join } from 'node:path';
import http from 'node:http';
import { startServer, hocvuso, storeArgs, REPO_ROOT } from '../tests/api/lib/server.mjs';

const ACCOUNTS = Number(process.env.ACCOUNTS || 96);
const CONC = Number(process.env.CONC || 16);
const ROUNDS = Number(process.env.ROUNDS || 5);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
let port = 0;

function req(method, path, { body, cookie, csrf } = {}) {
  const payload = body ? Buffer.from(JSON.stringify(body)) : null;
  const headers = {};
  if (payload) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(payload.length);
  }
  if (cookie) headers.cookie = cookie;
  if (csrf) headers['x-csrf-token'] = csrf;
  return new Promise((res, rej) => {
    const r = http.request({ host: '127.0.0.1', port, method, path, headers, agent }, (resp) => {
      const chunks = [];
      resp.on('data', (c) => chunks.push(c));
      resp.on('end', () => res({ status: resp.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
    });
    r.setTimeout(30000, () => r.destroy(new Error('timeout')));
    r.on('error', rej);
    r.end(payload);
  });
}
const now = () => Number(process.hrtime.bigint()) / 1e6;
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};

/** Runs fn over items, CONC at a time. */
async function pool(items, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: CONC }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

const srv = await startServer();
port = srv.port;
try {
  const args = storeArgs(srv.dataDir, srv.dbUri);
  const cur = await hocvuso(['import', 'curriculum', ...args, join(REPO_ROOT, 'content', 'curriculum')]);
  if (cur.code !== 0) throw new Error(cur.stderr);
  const admin = await srv.login('admin');
  const gift = '$CATEGORY: KNS-CB/M07/do-tai/1.1/1\n\n::Đo::Câu hỏi đo tải: đúng?{T####Đúng.}\n';
  const qi = await srv.request('POST', '/api/v1/questions/import?name=do.gift', { session: admin, rawBody: Buffer.from(gift) });
  if (qi.status !== 200) throw new Error(qi.text);
  const quiz = await req('POST', '/api/v1/quizzes', { ...admin, body: { title: 'Đo chứng nhận', category: 'KNS-CB/M07/do-tai', question_count: 1, pass_percent: 100 } });
  if (quiz.status !== 201) throw new Error(quiz.text);
  const quizId = JSON.parse(quiz.text).id;
  const pw = 'Mat-khau-do-tai-2026';
  const learners = [];
  for (let i = 0; i < ACCOUNTS; i += 8) {
    const batch = [];
    for (let k = i; k < Math.min(ACCOUNTS, i + 8); k++) {
      batch.push((async () => {
        const username = `hv.cn.${k}`;
        const a = await hocvuso(['user', 'add', username, '--name', `Học Viên Đo ${k}`, '--unit', 'HD-TDP01', '--password-stdin', ...args], { input: `${pw}\n` });
        if (a.code !== 0) throw new Error(a.stderr);
        const g = await hocvuso(['user', 'grant', username, 'learner', 'HD-TDP01', ...args]);
        if (g.code !== 0) throw new Error(g.stderr);
        return srv.login(username, pw);
      })());
    }
    learners.push(...(await Promise.all(batch)));
  }
  // One learner's pass: the submission, then the public verification until "valid".
  const errors = {};
  const fail = (what) => { errors[what] = (errors[what] || 0) + 1; };
  const pass = async (s, expectCert) => {
    const a = await req('POST', `/api/v1/quizzes/${quizId}/attempts`, s);
    if (a.status !== 201 && a.status !== 200) return fail(`start ${a.status}`);
    const attempt = JSON.parse(a.text);
    const t0 = now();
    const r = await req('POST', `/api/v1/attempts/${attempt.id}/submit`, { ...s, body: { answers: [true] } });
    if (r.status !== 200) return fail(`submit ${r.status}`);
    const certs = JSON.parse(r.text).certificates;
    if (!expectCert) return now() - t0;
    if (certs.length !== 1) return fail('no certificate');
    for (;;) {
      const v = await req('GET', `/api/v1/certificates/${certs[0].id}/verify`);
      if (v.status === 200 && JSON.parse(v.text).status === 'valid') return now() - t0;
      if (now() - t0 > 10000) return fail(`verify ${v.status}`);
    }
  };
  const cert = [];
  const plain = [];
  const hello = [];
  let prev = null;
  for (let round = 0; round < ROUNDS; round++) {
    if (prev) await req('PATCH', `/api/v1/programmes/${prev}`, { ...admin, body: { active: false } });
    // the reference first: the same submissions completing nothing (no programme on)
    await pool(learners, async (s) => { const ms = await pass(s, false); if (ms) plain.push(ms); });
    const p = await req('POST', '/api/v1/programmes', { ...admin, body: { code: `DO-${round}`, title: `Chứng nhận đo tải ${round + 1}`, requirements: { modules: ['KNS-CB/M07'] } } });
    if (p.status !== 201) throw new Error(p.text);
    prev = JSON.parse(p.text).id;
    await pool(learners, async (s) => { const ms = await pass(s, true); if (ms) cert.push(ms); });
    await pool(Array.from({ length: ACCOUNTS }), async () => { const t0 = now(); await req('GET', '/api/v1/hello'); hello.push(now() - t0); });
  }
  const out = {
    backend: process.env.HOCVUSO_TEST_PG_DIR ? 'postgresql' : 'sqlite', learners: ACCOUNTS, conc: CONC, rounds: ROUNDS,
    certificates: cert.length, cert_p50_ms: pct(cert, 50), cert_p99_ms: pct(cert, 99), cert_max_ms: Math.max(...cert),
    plain_p50_ms: pct(plain, 50), plain_p99_ms: pct(plain, 99), hello_p50_ms: pct(hello, 50), hello_p99_ms: pct(hello, 99), errors,
  };
  console.error(JSON.stringify(out));
  console.log('| backend | certificates | submission → verified "valid", p50 | p99 | max | same submission, no certificate: p50 | p99 | p99 ratio | hello p99 |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  console.log(`| ${out.backend} | ${out.certificates} | ${out.cert_p50_ms.toFixed(1)} ms | **${out.cert_p99_ms.toFixed(1)} ms** | ${out.cert_max_ms.toFixed(1)} ms | ${out.plain_p50_ms.toFixed(1)} ms | ${out.plain_p99_ms.toFixed(1)} ms | ${(out.cert_p99_ms / out.plain_p99_ms).toFixed(2)} | ${out.hello_p99_ms.toFixed(1)} ms |`);
} finally {
  await srv.stop();
}
