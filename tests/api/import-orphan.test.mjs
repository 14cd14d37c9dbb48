// import-orphan.test.mjs: a `hocvuso import residents` killed mid-file (kill -9) leaves a job whose
// owner process is gone (jobs.h, "Who runs it"): the next process that looks — the server's import
// worker, or another `hocvuso import` — takes it over, resumes it after its committed line and merges
// its staged name terms; the job ends done, no staged term is left, every committed person is found
// by name, and the same import run again imports nothing twice. While the import's process lives (even
// stopped with SIGSTOP), the server never takes its job. Ctrl-C stops an import after its chunk; a job
// whose file is gone when it is taken over ends failed with a reason, its staged terms merged.
// SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// Owns: its server, the synthetic lists it makes (hocvuso synth) and the CLI processes it starts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, copyFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, finish, hocvuso, run, storeArgs, tempDir, sleep, childEnv, BIN, ON_PG } from './lib/server.mjs';

let srv, admin;
const dir = tempDir('import-orphan');
const ROWS = 200000;

before(async () => {
  srv = await startServer({ tag: 'orphan' });
  admin = await srv.login('admin');
});
after(async () => finish(srv, assert));

/** One SQL query on the server's database (read-only); its rows as arrays of strings. */
async function sql(q) {
  const r = ON_PG
    ? await run('psql', ['-X', '-A', '-t', '-F', '|', '-v', 'ON_ERROR_STOP=1', srv.dbUri, '-c', q])
    : await run('sqlite3', ['-cmd', '.timeout 10000', join(srv.dataDir, 'hocvuso.db'), q]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim().split('\n').filter((l) => l !== '').map((l) => l.split('|'));
}
async function job(id) {
  const [row] = await sql(`SELECT status, rows_done, committed_line, imported, updated, unchanged, rejected, COALESCE(error, ''), owner_pid FROM import_jobs WHERE id = ${id}`);
  const [status, rowsDone, committed, imported, updated, unchanged, rejected, error, ownerPid] = row;
  return { status, rows_done: +rowsDone, committed_line: +committed, imported: +imported, updated: +updated, unchanged: +unchanged, rejected: +rejected, error, owner_pid: +ownerPid };
}
const staged = async (id) => +(await sql(`SELECT COUNT(*) FROM import_terms WHERE job_id = ${id}`))[0][0];
const people = async () => +(await sql('SELECT COUNT(*) FROM people'))[0][0];

// The data rows of a synthetic list (no cell of it spans lines).
const dataRows = (file) => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').length - 1;

/** The job ended done with every row of the file counted once, and the people it added there. */
async function assertWhole(j, file, peopleBefore) {
  assert.equal(j.status, 'done', JSON.stringify(j));
  assert.equal(j.rows_done, dataRows(file), JSON.stringify(j));
  assert.equal(j.imported + j.unchanged + j.rejected, j.rows_done, JSON.stringify(j));
  assert.equal(await people(), peopleBefore + j.imported - j.updated, 'people counted twice or lost');
}

/** The same import again: nothing new, every row unchanged or rejected as before. */
async function importAgain(file, j) {
  const before = await people();
  const again = await hocvuso(['import', 'residents', ...storeArgs(srv.dataDir, srv.dbUri), file], { timeout: 300000 });
  assert.equal(again.code, 0, again.stderr);
  const out = JSON.parse(again.stdout);
  assert.equal(out.imported, 0, 'imported twice');
  assert.equal(out.unchanged + out.rejected.length, j.rows_done);
  assert.equal(out.rejected.length, j.rejected);
  assert.equal(await people(), before);
  return out;
}

async function synth(seed) {
  const file = join(dir, `ds-${seed}.csv`);
  const r = await hocvuso(['synth', '--residents', String(ROWS), '--seed', String(seed), '--out', file]);
  assert.equal(r.code, 0, r.stderr);
  return file;
}

/** Starts `hocvuso import residents FILE`, waits until its job has committed a chunk (not the whole
 * file), and returns {proc, id, exited}. */
async function importUntilFirstChunk(file) {
  const [[maxBefore]] = await sql('SELECT COALESCE(MAX(id), 0) FROM import_jobs');
  const proc = spawn(BIN, ['import', 'residents', ...storeArgs(srv.dataDir, srv.dbUri), file], { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  proc.stdout.resume();
  const exited = new Promise((res) => proc.on('exit', (code, signal) => res({ code, signal, stderr })));
  for (let k = 0; k < 3000; k++) {
    const rows = await sql(`SELECT id, rows_done, status FROM import_jobs WHERE id > ${maxBefore} ORDER BY id LIMIT 1`);
    if (rows.length && (+rows[0][1] > 0 || rows[0][2] !== 'running')) {
      const j = await job(+rows[0][0]);
      assert.equal(j.status, 'running', `the import ended before the kill: ${JSON.stringify(j)}; ${stderr}`);
      assert.ok(j.rows_done < ROWS, JSON.stringify(j));
      assert.equal(j.owner_pid, proc.pid, 'the job names the import process as its owner');
      return { proc, id: +rows[0][0], exited };
    }
    await sleep(10);
  }
  proc.kill('SIGKILL');
  throw new Error(`no chunk committed: ${stderr}`);
}

async function waitEnded(id, ms = 300000) {
  const end = Date.now() + ms;
  for (;;) {
    const j = await job(id);
    if (j.status === 'done' || j.status === 'failed') return j;
    if (Date.now() > end)
      throw new Error(`job ${id} still ${j.status}; the server's log, its end:\n${(srv.stderr ?? '').split('\n').slice(-40).join('\n')}`);
    await sleep(100);
  }
}

/** Every committed (not rejected) line's person is found by name: a sample of them, across the
 * part committed before the kill and the part after. */
async function foundByName(file, rejectedLines, lines) {
  const text = readFileSync(file, 'utf8').split('\n');
  const rejected = new Set(rejectedLines);
  let checked = 0;
  for (const line of lines) {
    if (rejected.has(line)) continue;
    const name = text[line - 1].split(',')[1];
    const r = await srv.getJSON(admin, `/api/v1/residents?q=${encodeURIComponent(name)}&per_page=100`);
    assert.ok(r.items.some((p) => p.full_name === name), `line ${line}: ${name} not found by name`);
    checked++;
  }
  assert.ok(checked >= 5, `only ${checked} committed lines sampled`);
}
const sampleLines = (committed) => [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, Math.floor(committed / 2), committed - 1, committed,
  committed + 1, committed + 50, Math.floor(ROWS / 2), ROWS - 20, ROWS - 5, ROWS].filter((l) => l >= 2 && l <= ROWS + 1);

test('kill -9 of a CLI import while the server runs: the server leaves it alone while it lives, resumes it once dead; again: nothing twice', async () => {
  const file = await synth(11);
  const p0 = await people();
  const { proc, id, exited } = await importUntilFirstChunk(file);
  // Stopped, the import process still lives: the server's worker (a turn every 2 s) must not take it.
  proc.kill('SIGSTOP');
  await sleep(4500);
  const held = await job(id);
  assert.equal(held.status, 'running');
  assert.equal(held.owner_pid, proc.pid, 'the server took over the job of a live import');
  assert.doesNotMatch(srv.stderr, new RegExp(`import job ${id}: running`));
  proc.kill('SIGKILL');
  const gone = await exited;
  assert.equal(gone.signal, 'SIGKILL');
  const killedAt = await job(id);
  assert.ok(await staged(id) > 0 || killedAt.imported === 0, 'the killed import left staged name terms');
  // The server sees the owner gone and resumes the job.
  const j = await waitEnded(id, 300000);
  await assertWhole(j, file, p0);
  assert.match(srv.stderr, new RegExp(`import job ${id}: running`));
  assert.equal(await staged(id), 0, 'staged name terms left');
  const [[errs]] = await sql(`SELECT COUNT(*) FROM import_errors WHERE job_id = ${id}`);
  assert.equal(+errs, j.rejected);
  const rejectedLines = (await sql(`SELECT line FROM import_errors WHERE job_id = ${id} ORDER BY line`)).map((r) => +r[0]);
  await foundByName(file, rejectedLines, sampleLines(killedAt.committed_line));
  // Again: nothing imported twice.
  await importAgain(file, j);
});

test('kill -9 of a CLI import, then another CLI import: it resumes the dead one first (done, terms merged), then imports nothing twice', async () => {
  await srv.stop({ cleanup: false }); // no server: the next import is the next to look
  const file = await synth(12);
  const p0 = await people();
  const { proc, id, exited } = await importUntilFirstChunk(file);
  proc.kill('SIGKILL');
  await exited;
  const killedAt = await job(id);
  assert.equal(killedAt.status, 'running');
  assert.ok(await staged(id) > 0, 'the killed import left staged name terms');
  const r = await hocvuso(['import', 'residents', ...storeArgs(srv.dataDir, srv.dbUri), file], { timeout: 300000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`lượt nhập #${id} bị dừng giữa chừng trước đây đã được tiếp tục và hoàn tất`));
  const j = await job(id);
  await assertWhole(j, file, p0);
  assert.equal(await staged(id), 0, 'staged name terms left');
  // The second import ran its own job after the resumed one: nothing new.
  const out = JSON.parse(r.stdout);
  assert.equal(out.imported, 0, 'the second import imported again what the resumed one had');
  assert.equal(out.unchanged + out.rejected.length, j.rows_done);
  const [[left]] = await sql("SELECT COUNT(*) FROM import_jobs WHERE status = 'running'");
  assert.equal(+left, 0);
  await srv.spawn();
  admin = await srv.login('admin');
  await foundByName(file, out.rejected.map((e) => e.line), sampleLines(killedAt.committed_line));
  await importAgain(file, j);
});

test('Ctrl-C stops a CLI import after its chunk (exit 1, told why); its file then deleted, the server takes the job over: failed with a reason, staged terms merged, committed people found by name', async () => {
  await srv.stop({ cleanup: false });
  const src = await synth(13);
  const file = join(dir, 'ds-13-copy.csv');
  copyFileSync(src, file);
  const { proc, id, exited } = await importUntilFirstChunk(file);
  proc.kill('SIGINT');
  const end = await exited;
  assert.equal(end.code, 1, end.stderr);
  assert.match(end.stderr, new RegExp(`đã dừng theo yêu cầu; lượt nhập #${id} sẽ được tiếp tục`));
  const stopped = await job(id);
  assert.equal(stopped.status, 'running');
  unlinkSync(file);
  await srv.spawn();
  admin = await srv.login('admin');
  const j = await waitEnded(id, 300000);
  assert.equal(j.status, 'failed', JSON.stringify(j));
  assert.notEqual(j.error, '', 'failed without a reason');
  assert.equal(await staged(id), 0, 'staged name terms left');
  assert.equal(j.committed_line, stopped.committed_line);
  const rejectedLines = (await sql(`SELECT line FROM import_errors WHERE job_id = ${id} ORDER BY line`)).map((r) => +r[0]);
  await foundByName(src, rejectedLines, [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, Math.floor(j.committed_line / 2), j.committed_line - 1, j.committed_line]);
  // The rest imported by running it again (from the source): nothing twice.
  const peopleBefore = await people();
  const again = await hocvuso(['import', 'residents', ...storeArgs(srv.dataDir, srv.dbUri), src], { timeout: 300000 });
  assert.equal(again.code, 0, again.stderr);
  const out = JSON.parse(again.stdout);
  assert.equal(out.unchanged, j.imported, 'the rows committed before the stop are unchanged');
  assert.equal(await people(), peopleBefore + out.imported);
});
