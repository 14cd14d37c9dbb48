// access_users_list.mjs: the users list with many accounts (SQLite): a first page, a deep page by
// offset, and the same depth by keyset (`after`), each as a median latency and as a ratio to
// GET /api/v1/hello measured in the same run. Usage:
//   HOCVUSO_BIN=build/hocvuso node bench/access_users_list.mjs [accounts=10000] [rounds=25]
// Owns: its temporary server and data (tests/api/lib/server.mjs). Never: a pass/fail verdict; it
// prints numbers for BENCHMARKS.md.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer } from '../tests/api/lib/server.mjs';

const N = Number(process.argv[2] || 10000);
const ROUNDS = Number(process.argv[3] || 25);

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timeIt(srv, session, path) {
  const t = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = process.hrtime.bigint();
    const r = await srv.request('GET', path, { session });
    t.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.status === 400 && /after/.test(r.text)) return null; // a build without keyset pagination
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.text.slice(0, 200)}`);
  }
  return median(t);
}

const srv = await startServer({ tag: 'benchusers' });
try {
  const db = join(srv.dataDir, 'hocvuso.db');
  execFileSync('sqlite3', [db, `PRAGMA busy_timeout=10000;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${N})
INSERT INTO users (username, display_name, name_fold, password_hash, disabled, unit_id, created_at, updated_at)
SELECT printf('bench%06d', i), 'Người Thử ' || i, 'nguoi thu ' || i, (SELECT password_hash FROM users WHERE username = 'admin'),
       0, (SELECT id FROM units WHERE code = 'HD-TDP01'), 0, 0 FROM n;
INSERT INTO user_roles (user_id, role, unit_id, granted_by, granted_at)
SELECT id, 'learner', unit_id, NULL, 0 FROM users WHERE username LIKE 'bench%';`]);
  const admin = await srv.login('admin');
  const depth = Math.floor(N / 200) - 1; // the page number of a deep page
  const first = await srv.getJSON(admin, '/api/v1/users?per_page=200');
  // The cursor at the same depth: the last username of page depth-1.
  const prev = await srv.getJSON(admin, `/api/v1/users?per_page=200&page=${depth - 1}`);
  const cursor = prev.items[prev.items.length - 1].username; // (the `after` row is skipped by a build without it)
  const hello = await timeIt(srv, admin, '/api/v1/hello');
  const rows = [
    ['first page (counts)', '/api/v1/users?per_page=200'],
    [`page ${depth} by offset (counts)`, `/api/v1/users?per_page=200&page=${depth}`],
    [`page ${depth} by after (no count)`, `/api/v1/users?per_page=200&after=${encodeURIComponent(cursor)}`],
  ];
  console.log(`accounts: ${first.total}, ${ROUNDS} rounds, median ms; hello ${hello.toFixed(2)} ms`);
  for (const [label, path] of rows) {
    const ms = await timeIt(srv, admin, path);
    if (ms === null) {
      console.log(`${label.padEnd(32)} (not supported by this build)`);
      continue;
    }
    console.log(`${label.padEnd(32)} ${ms.toFixed(2).padStart(8)} ms  ${(ms / hello).toFixed(1).padStart(7)} × hello`);
  }
} finally {
  await srv.stop();
}
