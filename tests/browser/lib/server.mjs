// server.mjs: starts a real hocvuso server (demo ward loaded) for one browser test file.
//
//   const srv = await startServer();   // { url, password, dataDir, stop() }
//
// HOCVUSO_BIN: the binary (default build/hocvuso; relative paths are resolved from the repo root).
// HOCVUSO_TEST_PG_DIR: when set, runs against a fresh PostgreSQL database made by tests/pg-server.sh.
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';

export { run };
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export function binaryPath() {
  const bin = process.env.HOCVUSO_BIN || 'build/hocvuso';
  return path.isAbsolute(bin) ? bin : path.resolve(REPO_ROOT, bin);
}

function run(file, args, { env, timeout = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd: REPO_ROOT, env: { ...process.env, ...env }, timeout, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        if (error) {
          error.message = `${path.basename(file)} ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`;
          reject(error);
        } else {
          resolve({ stdout, stderr });
        }
      });
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitHealthy(url, child, logs, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let lastError = null;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`hocvuso serve exited early (code ${child.exitCode}, signal ${child.signalCode}):\n${logs.join('')}`);
    }
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
      lastError = new Error(`GET /healthz answered ${res.status}`);
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`hocvuso serve did not become healthy: ${lastError && lastError.message}\n${logs.join('')}`);
}

export async function startServer() {
  const bin = binaryPath();
  if (!existsSync(bin)) throw new Error(`hocvuso binary not found at ${bin} (build it with: ninja -C build, or set HOCVUSO_BIN)`);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'hocvuso-browser-'));
  const password = `Thu-${crypto.randomBytes(6).toString('hex')}`;
  const dbArgs = [];
  if (process.env.HOCVUSO_TEST_PG_DIR) {
    const name = `browser_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
    const { stdout } = await run('bash', [path.join(REPO_ROOT, 'tests', 'pg-server.sh'), 'createdb', process.env.HOCVUSO_TEST_PG_DIR, name]);
    const uri = stdout.trim().split('\n').pop().trim();
    if (!uri) throw new Error('tests/pg-server.sh createdb printed no URI');
    dbArgs.push('--database', uri);
  }
  await run(bin, ['demo', '--data', dataDir, ...dbArgs], { env: { HOCVUSO_ADMIN_PASSWORD: password } });

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logs = [];
  // HOCVUSO_WEB: serve this checkout's web/ (the files under test), whatever directory the binary
  // was built to use.
  const child = spawn(bin, ['serve', '--listen', `127.0.0.1:${port}`, '--data', dataDir, ...dbArgs], {
    cwd: REPO_ROOT, env: { HOCVUSO_WEB: path.join(REPO_ROOT, 'web'), ...process.env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk) => {
    logs.push(chunk.toString());
    if (logs.length > 400) logs.splice(0, logs.length - 400);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', resolve));

  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
  }

  try {
    await waitHealthy(url, child, logs);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, password, dataDir, dbArgs, stop, logs: () => logs.join('') };
}
