// export_memory.mjs: GET /api/v1/residents/export of N people (default 1,000,000) as CSV and as
// XLSX: the time, the body's size and the server's peak resident memory (VmHWM) before and after,
// which must not follow N. The body is counted as it arrives, never kept. Usage:
//   HOCVUSO_BIN=build/hocvuso node bench/export_memory.mjs [people=1000000] [csv|xlsx|both]
//   (HOCVUSO_TEST_PG_DIR=… for PostgreSQL, as in the API tests)
// Owns: its temporary server and data (tests/api/lib/server.mjs). Never: a pass/fail verdict; it
// prints numbers for BENCHMARKS.md.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, run, ON_PG } from '../tests/api/lib/server.mjs';

const N = Number(process.argv[2] || 1000000);
const WHICH = process.argv[3] || 'both';

const srv = await startServer({ tag: 'bench_export' });
try {
  const admin = await srv.login('admin');
  const tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1');
  const ward = (await srv.getJSON(admin, `/api/v1/units/${tdp1}`)).parent_id;
  const u = await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: ward, kind: 'residential_group', name: 'Tổ đo xuất' } });
  if (u.status !== 201) throw new Error(u.text);
  const unit = u.json.id;
  const sql = ON_PG
    ? `INSERT INTO people (full_name, name_key, birth_year, sex, phone, vneid_level, unit_id, created_at, updated_at)
       SELECT 'Người Thử Tải ' || i, 'nguoi thu tai ' || i, 1950 + i % 60, CASE WHEN i % 2 = 0 THEN 'M' ELSE 'F' END,
       '09' || lpad(i::text, 8, '0'), i % 3, ${unit}, 0, 0 FROM generate_series(1, ${N}) i`
    : `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${N})
       INSERT INTO people (full_name, name_key, birth_year, sex, phone, vneid_level, unit_id, created_at, updated_at)
       SELECT 'Người Thử Tải ' || i, 'nguoi thu tai ' || i, 1950 + i % 60, CASE WHEN i % 2 = 0 THEN 'M' ELSE 'F' END,
       '09' || printf('%08d', i), i % 3, ${unit}, 0, 0 FROM n`;
  const t0 = Date.now();
  const ins = ON_PG ? await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', srv.dbUri, '-c', sql], { timeout: 1800000 })
    : await run('sqlite3', ['-cmd', '.timeout 10000', join(srv.dataDir, 'hocvuso.db'), sql], { timeout: 1800000 });
  if (ins.code !== 0) throw new Error(ins.stderr);
  console.log(`${ON_PG ? 'postgresql' : 'sqlite'}: ${N} people inserted in ${Date.now() - t0} ms`);
  const hwm = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${srv.proc.pid}/status`, 'utf8'))[1]) / 1024;
  const fetchCount = (format) =>
    new Promise((res, rej) => {
      const t = Date.now();
      let bytes = 0;
      http.get({ host: '127.0.0.1', port: srv.port, path: `/api/v1/residents/export?format=${format}&unit_id=${unit}`, headers: { cookie: admin.cookie } }, (r) => {
        if (r.statusCode !== 200) rej(new Error(`status ${r.statusCode}`));
        r.on('data', (c) => (bytes += c.length));
        r.on('end', () => res({ bytes, ms: Date.now() - t }));
        r.on('error', rej);
      }).on('error', rej);
    });
  const before = hwm();
  for (const format of WHICH === 'both' ? ['csv', 'xlsx'] : [WHICH]) {
    const r = await fetchCount(format);
    console.log(`${format}: ${(r.bytes / 1048576).toFixed(1)} MB in ${r.ms} ms (${Math.round(N / (r.ms / 1000))} rows/s); VmHWM ${before.toFixed(1)} MB before, ${hwm().toFixed(1)} MB after`);
  }
} finally {
  await srv.stop();
}
