// competence.mjs: the report on the change in competence (issue 8 part 6; BENCHMARKS.md,
// "Competence change"). Loopback, sequential requests (one at a time: a latency, not a throughput),
// medians; as a ratio to the hello-world route timed the same way in the same run. Two stores:
//   (d) the demo at the ward's scale: `hocvuso demo --residents 51522` with the starter curriculum
//       (its placement check taken twice by up to 400 residents with a helper, and the demo learner);
//   (x) the same, plus 100,000 synthetic placement attempts written straight to the store (SQL:
//       50,000 residents measured twice, 20 competences each: 2,000,000 rows of attempt_competence).
// The report is GET /api/v1/reports/competence-change for the ward (every resident) as the ward admin.
// SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR (a tests/pg-server.sh cluster). Settings: N_HELLO
// (300), N_REPORT (15), RESIDENTS (51522), LEARNERS (50000). Builds nothing: build/hocvuso or HOCVUSO_BIN.
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { Server, BIN, DEMO_PASSWORD, ON_PG, freshDatabase, tempDir, storeArgs, run, REPO_ROOT } from '../tests/api/lib/server.mjs';

const N_HELLO = Number(process.env.N_HELLO || 300);
const N_REPORT = Number(process.env.N_REPORT || 15);
const RESIDENTS = Number(process.env.RESIDENTS || 51522);
const LEARNERS = Number(process.env.LEARNERS || 50000);

const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const p90 = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor(s.length * 0.9))]; };

async function time(srv, session, path, n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = await srv.request('GET', path, { session, timeout: 300000 });
    out.push(performance.now() - t);
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.text.slice(0, 200)}`);
  }
  return out;
}

async function measure(srv, label) {
  const admin = await srv.login('admin');
  const ward = await srv.unitId(admin, 'Phường Hải Dương');
  const path = `/api/v1/reports/competence-change?unit=${ward}`;
  const first = (await srv.request('GET', path, { session: admin, timeout: 300000 })).json;
  await time(srv, admin, '/api/v1/hello', 50); // warm
  const hello = await time(srv, admin, '/api/v1/hello', N_HELLO);
  const report = await time(srv, admin, path, N_REPORT);
  const elderly = await time(srv, admin, `${path}&group=elderly`, Math.max(5, Math.floor(N_REPORT / 3)));
  const out = {
    label, learners: first.total.learners, measures: first.total.measures,
    hello_ms: median(hello), report_ms: median(report), report_p90_ms: p90(report), elderly_ms: median(elderly),
    ratio: median(report) / median(hello),
  };
  console.error(JSON.stringify(out));
  return out;
}

// 100,000 attempts straight into the store: LEARNERS residents (with a household) measured twice by
// the demo's placement quiz, 20 competences each, a first and a better second score.
function inject(dataDir, dbUri) {
  const sql = `
INSERT INTO quiz_attempts (quiz_id, user_id, person_id, started_at, submitted_at, score_tenths, passed, items, answers, results, assisted_by)
SELECT z.id, h.id, p.id, 1767225600 + r.k * 2592000, 1767225600 + r.k * 2592000 + 600, 500, 1, '[]', '[]', '[]', h.id
FROM (SELECT id FROM people WHERE household_id IS NOT NULL AND deleted_at IS NULL ORDER BY id LIMIT ${LEARNERS}) p
CROSS JOIN (SELECT 0 AS k UNION ALL SELECT 1) r
CROSS JOIN (SELECT id FROM quizzes WHERE purpose = 'placement' ORDER BY id LIMIT 1) z
CROSS JOIN (SELECT id FROM users WHERE username = 'tinhnguyen') h;
INSERT INTO attempt_competence (attempt_id, competency_id, learner_person, learner_user, placement, submitted_at, score_tenths, questions)
SELECT a.id, c.id, a.person_id, NULL, 1, a.submitted_at,
  CASE WHEN a.submitted_at > 1768000000 THEN MIN_(1000, ((a.person_id * 7919 + c.id * 104729) % 8) * 100 + 300)
       ELSE ((a.person_id * 7919 + c.id * 104729) % 8) * 100 END, 1
FROM quiz_attempts a
CROSS JOIN (SELECT id FROM competencies WHERE id IN (SELECT DISTINCT competency_id FROM questions) ORDER BY id LIMIT 20) c
WHERE a.started_at IN (1767225600, 1769817600);`;
  if (dbUri) {
    execFileSync('psql', [dbUri, '-v', 'ON_ERROR_STOP=1', '-q', '-c', sql.replace(/MIN_/g, 'LEAST'), '-c', 'ANALYZE']);
  } else {
    execFileSync('sqlite3', [join(dataDir, 'hocvuso.db')], { input: `${sql.replace(/MIN_/g, 'MIN')}\nANALYZE;\n` });
  }
}

const dataDir = tempDir('bench-competence');
const dbUri = await freshDatabase('bench_competence');
const demo = await run(BIN, ['demo', '--residents', String(RESIDENTS), '--content', join(REPO_ROOT, 'content', 'curriculum'), ...storeArgs(dataDir, dbUri)],
  { env: { HOCVUSO_ADMIN_PASSWORD: DEMO_PASSWORD }, timeout: 900000 });
if (demo.code !== 0) throw new Error(`demo: ${demo.stderr}`);
const results = [];
let srv = new Server({ dataDir, dbUri, password: DEMO_PASSWORD });
await srv.spawn();
results.push(await measure(srv, `demo (${RESIDENTS} residents)`));
await srv.stop({ cleanup: false });
inject(dataDir, dbUri);
srv = new Server({ dataDir, dbUri, password: DEMO_PASSWORD });
await srv.spawn();
results.push(await measure(srv, `+ 100,000 attempts (${LEARNERS} residents × 2)`));
await srv.stop();
console.error(JSON.stringify(results));
console.log(`| store (${ON_PG ? 'PostgreSQL' : 'SQLite'}) | learners measured twice | pairs | hello (median) | report (median) | report p90 | report / hello | one group (median) |`);
console.log('|---|---|---|---|---|---|---|---|');
for (const r of results) {
  console.log(`| ${r.label} | ${r.learners} | ${r.measures} | ${r.hello_ms.toFixed(2)} ms | ${r.report_ms.toFixed(1)} ms | ${r.report_p90_ms.toFixed(1)} ms | **${Math.round(r.ratio)}×** | ${r.elderly_ms.toFixed(1)} ms |`);
}
