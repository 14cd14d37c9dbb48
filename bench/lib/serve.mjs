// serve.mjs: what the wrk benchmarks share: a `hocvuso serve` of their own on a data directory,
// requests over node:http, log-ins from addresses of their own (the server trusts 127.0.0.1 as a
// proxy), /metrics, wrk itself, and the server's own CPU time from /proc. Loopback only.
import { join } from 'node:path';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import http from 'node:http';
import { freePort, childEnv, sessionOf } from '../../tests/api/lib/server.mjs';

export const sh = promisify(execFile);

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const hz = Number((await sh('getconf', ['CLK_TCK'])).stdout.trim());
/** The process's utime + stime, seconds (/proc/PID/stat fields 14 and 15). */
export function cpuOf(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / hz;
}

/** A request; `body` is sent as JSON, `raw` (a string) as it is with its `contentType`; `agent` an
 * http.Agent of the caller's (keep-alive loops). The answer carries its time, `ms`. */
export function request(port, method, path, { body, raw, contentType = 'text/plain', session, headers = {}, agent } = {}) {
  const payload = raw !== undefined ? Buffer.from(raw) : body ? Buffer.from(JSON.stringify(body)) : null;
  const h = { ...headers };
  if (payload) {
    h['content-type'] = raw !== undefined ? contentType : 'application/json';
    h['content-length'] = String(payload.length);
  }
  if (session) {
    h.cookie = session.cookie;
    if (session.csrf) h['x-csrf-token'] = session.csrf;
  }
  const t0 = process.hrtime.bigint();
  return new Promise((res, rej) => {
    const r = http.request({ host: '127.0.0.1', port, method, path, headers: h, ...(agent ? { agent } : {}) }, (resp) => {
      const chunks = [];
      resp.on('data', (c) => chunks.push(c));
      resp.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json = null;
        try {
          json = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        res({ status: resp.statusCode, headers: resp.headers, text, json, ms: Number(process.hrtime.bigint() - t0) / 1e6 });
      });
    });
    r.setTimeout(30000, () => r.destroy(new Error('timeout')));
    r.on('error', rej);
    r.end(payload);
  });
}

/** `bin serve` on `data` (a free port, 127.0.0.1 trusted as a proxy), once it answers /healthz. */
export async function serve(bin, data, extra = []) {
  const port = await freePort();
  const proc = spawn(bin, ['serve', '--listen', `127.0.0.1:${port}`, '--data', data, '--trusted-proxy', '127.0.0.1', ...extra], {
    cwd: tmpdir(), env: childEnv(), stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr = (stderr + d).slice(-20000)));
  const exited = new Promise((res) => proc.on('exit', res));
  for (let i = 0; i < 200; i++) {
    try {
      if ((await request(port, 'GET', '/healthz')).status === 200) {
        return { port, proc, exited, stderr: () => stderr, stop: async () => { proc.kill('SIGTERM'); await exited; } };
      }
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill('SIGKILL');
  throw new Error(`${bin} serve did not start: ${stderr}`);
}

/** A session of `username`, logged in from `ip` (X-Forwarded-For: the log-in throttle is per address). */
export async function login(port, username, password, ip) {
  const r = await request(port, 'POST', '/api/v1/session', { body: { username, password }, headers: { 'x-forwarded-for': ip } });
  if (r.status !== 200) throw new Error(`log-in of ${username}: ${r.status} ${r.text}`);
  return sessionOf(r);
}

/** The hocvuso_db_* counters of /metrics. */
export async function metrics(port) {
  const out = {};
  for (const line of (await request(port, 'GET', '/metrics')).text.split('\n')) {
    const m = /^(hocvuso_db_[a-z_]+) (\d+)$/.exec(line);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

const MS = { us: 1e-3, ms: 1, s: 1000 };
/** wrk -t2 -cCONNS -dDURATION --latency on `path` (a Lua script if given): rate, count, non-2xx, p50/p99 ms. */
export async function wrk(port, path, { conns = 64, duration = 8, lua = null } = {}) {
  const args = ['-t2', `-c${conns}`, `-d${duration}s`, '--latency'];
  if (lua) args.push('-s', lua);
  const { stdout: text } = await sh('wrk', [...args, `http://127.0.0.1:${port}${path}`], { maxBuffer: 1 << 24 });
  const bad = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  const pct = (p) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(text);
    return m ? Number(m[1]) * MS[m[2]] : NaN;
  };
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(text)[1]),
    n: Number(/(\d+) requests in/.exec(text)[1]),
    bad: bad ? Number(bad[1]) : 0,
    p50: pct(50),
    p99: pct(99),
    text,
  };
}

export const tmpLua = (dir, name) => join(dir, `${name}.lua`);
