// CLI: help, version, migrate, user management, bad input, serve failures, demo secrets.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, rmSync, statSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import {
  startServer, hocvuso, run, tempDir, freshDatabase, storeArgs, freePort, filesIn, uniq, groupKind,
  REPO_ROOT, WARD_NAME, finish, dropDatabase,
} from './lib/server.mjs';

let srv, admin;
before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
});
after(async () => {
  await finish(srv, assert);
});

const store = () => storeArgs(srv.dataDir, srv.dbUri);
const user = (args, opts) => hocvuso(['user', ...args, ...store()], opts);

describe('help and version', () => {
  const cmds = {
    serve: [/--listen/, /--data/],
    migrate: [/--data/],
    user: [/\badd\b/, /\blist\b/, /\bgrant\b/, /\brevoke\b/, /\bpasswd\b/],
    demo: [/--data/],
    backup: [/--data/, /--out/],
    version: [],
  };

  test('hocvuso --help: exit 0, usage naming every command', async () => {
    const r = await hocvuso(['--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /hocvuso/);
    for (const c of Object.keys(cmds)) assert.match(r.stdout, new RegExp(`\\b${c}\\b`), `--help names ${c}`);
  });

  for (const [cmd, wants] of Object.entries(cmds)) {
    test(`hocvuso ${cmd} --help: exit 0 with usage text`, async () => {
      const r = await hocvuso([cmd, '--help']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`hocvuso ${cmd}\\b`), `usage names "hocvuso ${cmd}":\n${r.stdout}`);
      for (const w of wants) assert.match(r.stdout, w, `${cmd} --help mentions ${w}`);
    });
  }

  test('hocvuso version prints the version of the build', async () => {
    const version = /version\s*:\s*'([^']+)'/.exec(readFileSync(join(REPO_ROOT, 'meson.build'), 'utf8'))[1];
    const r = await hocvuso(['version']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes(version), `"${r.stdout.trim()}" names ${version}`);
  });

  test('an unknown command or option: non-zero exit and a message naming it', async () => {
    const r = await hocvuso(['phepthuat']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /phepthuat/);
    const o = await hocvuso(['migrate', '--khong-co', ...store()]);
    assert.notEqual(o.code, 0);
    assert.match(o.stderr, /khong-co/);
  });
});

describe('migrate', () => {
  let dir, uri;
  before(async () => {
    dir = tempDir('migrate');
    uri = await freshDatabase('cli_migrate');
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await dropDatabase(uri);
  });

  async function migrations() {
    const sql = 'SELECT count(*) || \'|\' || coalesce(max(version), 0) FROM schema_migrations;';
    let r;
    if (uri) {
      r = await run('psql', ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', uri, '-c', sql]);
    } else {
      const db = filesIn(dir).find((f) => f.stat.isFile() && readFileSync(f.path).subarray(0, 15).toString('latin1') === 'SQLite format 3');
      assert.ok(db, `an SQLite database in ${dir}: ${filesIn(dir).map((f) => f.name)}`);
      r = await run('sqlite3', [db.path, sql]);
    }
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  }

  test('twice: the second run applies nothing', async () => {
    const first = await hocvuso(['migrate', ...storeArgs(dir, uri)]);
    assert.equal(first.code, 0, first.stderr);
    const m1 = await migrations();
    assert.ok(Number(m1.split('|')[0]) > 0, `migrations recorded: ${m1}`);
    const second = await hocvuso(['migrate', ...storeArgs(dir, uri)]);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(await migrations(), m1, 'the second run recorded nothing new');
    assert.notEqual(second.stdout + second.stderr, '', 'migrate says what it did');
    assert.notEqual(first.stdout + first.stderr, second.stdout + second.stderr, 'the second run reports a different outcome');
  });

  test('on the live demo database: exit 0, data intact', async () => {
    const r = await hocvuso(['migrate', ...store()]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await srv.getJSON(admin, '/api/v1/me')).username, 'admin');
  });
});

describe('user management', () => {
  const name = 'cli.nguoi.dung';
  const pw = 'Mat-khau-tu-CLI-1';
  let unitByCode;

  before(async () => {
    const wardId = await srv.unitId(admin, WARD_NAME);
    const kind = await groupKind(srv, admin);
    const r = await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: wardId, kind, name: 'Tổ của CLI', code: uniq('CLI-') } });
    assert.equal(r.status, 201, r.text);
    unitByCode = r.json;
  });

  test('user add NAME --name … --password-stdin; the user can log in', async () => {
    const r = await user(['add', name, '--name', 'Trần Thị Bình', '--password-stdin'], { input: `${pw}\n` });
    assert.equal(r.code, 0, r.stderr);
    const s = await srv.login(name, pw);
    const me = await srv.getJSON(s, '/api/v1/me');
    assert.equal(me.display_name, 'Trần Thị Bình');
    assert.deepEqual(me.roles, []);
    assert.ok(!r.stdout.includes(pw) && !r.stderr.includes(pw), 'the password is not echoed');
  });

  test('user list shows the users', async () => {
    const r = await user(['list']);
    assert.equal(r.code, 0, r.stderr);
    for (const n of [name, 'admin', 'giaovien', 'hocvien']) assert.match(r.stdout, new RegExp(`(^|\\W)${n.replace(/\./g, '\\.')}(\\W|$)`, 'm'), `${n} listed`);
    assert.ok(r.stdout.includes('Trần Thị Bình'));
  });

  test('user grant NAME ROLE UNIT by id and by code; user revoke', async () => {
    const schoolId = await srv.unitId(admin, 'Trường THCS Trần Hưng Đạo');
    let r = await user(['grant', name, 'teacher', String(schoolId)]);
    assert.equal(r.code, 0, r.stderr);
    r = await user(['grant', name, 'learner', unitByCode.code]);
    assert.equal(r.code, 0, r.stderr);
    const s = await srv.login(name, pw);
    let me = await srv.getJSON(s, '/api/v1/me');
    const got = me.roles.map((x) => `${x.role}@${x.unit_id}`).sort();
    assert.deepEqual(got, [`learner@${unitByCode.id}`, `teacher@${schoolId}`].sort());
    const listed = await user(['list']);
    assert.match(listed.stdout, /teacher/);
    r = await user(['revoke', name, 'teacher', String(schoolId)]);
    assert.equal(r.code, 0, r.stderr);
    // A change made by another process reaches the server's session cache through PostgreSQL's
    // NOTIFY, a moment after the CLI's commit (docs/ARCHITECTURE.md, "Sessions"; writes are
    // re-checked on the database): wait for it, within a bound.
    const rolesSoon = async (want) => {
      let roles;
      for (let i = 0; i < 40; i++) {
        roles = (await srv.getJSON(s, '/api/v1/me')).roles.map((x) => `${x.role}@${x.unit_id}`);
        if (JSON.stringify(roles) === JSON.stringify(want)) break;
        await new Promise((res) => setTimeout(res, 50));
      }
      return roles;
    };
    assert.deepEqual(await rolesSoon([`learner@${unitByCode.id}`]), [`learner@${unitByCode.id}`]);
    r = await user(['revoke', name, 'learner', unitByCode.code]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await rolesSoon([]), []);
    // Revoking what is not granted fails.
    r = await user(['revoke', name, 'learner', unitByCode.code]);
    assert.notEqual(r.code, 0);
    assert.ok(r.stderr.trim().length > 0);
  });

  test('user passwd NAME --password-stdin: old password fails, new works, sessions end', async () => {
    const s = await srv.login(name, pw);
    const newPw = 'Mat-khau-moi-CLI-2';
    const r = await user(['passwd', name, '--password-stdin'], { input: `${newPw}\n` });
    assert.equal(r.code, 0, r.stderr);
    const old = await srv.request('POST', '/api/v1/session', { body: { username: name, password: pw } });
    assert.equal(old.status, 401, old.text);
    await srv.login(name, newPw);
    assert.equal((await srv.request('GET', '/api/v1/me', { session: s })).status, 401, 'the old session ended');
  });

  test('bad input: non-zero exit, a clear message, nothing changed', async () => {
    const schoolId = await srv.unitId(admin, 'Trường THCS Trần Hưng Đạo');
    const before = (await user(['list'])).stdout;
    const cases = [
      [['grant', name, 'phu_thuy', String(schoolId)], undefined, /phu_thuy/],
      [['grant', 'khong.ton.tai', 'teacher', String(schoolId)], undefined, /khong\.ton\.tai/],
      [['grant', name, 'teacher', '99999999'], undefined, /99999999/],
      [['grant', name, 'teacher', 'MA-KHONG-CO'], undefined, /MA-KHONG-CO/],
      [['revoke', 'khong.ton.tai', 'teacher', String(schoolId)], undefined, /khong\.ton\.tai/],
      [['passwd', 'khong.ton.tai', '--password-stdin'], 'mat-khau-dai-1\n', /khong\.ton\.tai/],
      [['add', 'admin', '--name', 'Trùng tên', '--password-stdin'], 'mat-khau-dai-1\n', /./],
      [['add', 'Sai Ten!', '--name', 'Sai Tên', '--password-stdin'], 'mat-khau-dai-1\n', /./],
      [['add', 'ngan.qua', '--name', 'Mật Khẩu Ngắn', '--password-stdin'], 'ngan\n', /./],
      [['add', 'khong.mk', '--name', 'Trống', '--password-stdin'], '', /./],
      [['add'], undefined, /./],
      [['add', 'thieu.ten', '--password-stdin'], 'mat-khau-dai-1\n', /./],
      [['grant', name], undefined, /./],
      [['grant', name, 'teacher'], undefined, /./],
      [['revoke'], undefined, /./],
      [['passwd'], undefined, /./],
      [['bay_lung_tung'], undefined, /bay_lung_tung/],
      [[], undefined, /./],
    ];
    const wrong = [];
    for (const [args, input, re] of cases) {
      const r = await user(args, { input });
      const what = `user ${args.join(' ')} → exit ${r.code} ${r.signal || ''}, stderr: ${r.stderr.trim().slice(0, 160)}`;
      if (r.code === 0) wrong.push(`${what}: must fail`);
      else if (r.signal !== null || !(r.code > 0 && r.code < 128)) wrong.push(`${what}: crashed`);
      else if (!r.stderr.trim()) wrong.push(`${what}: no message on stderr`);
      else if (!re.test(r.stderr)) wrong.push(`${what}: the message does not name the bad argument (${re})`);
    }
    assert.deepEqual(wrong, []);
    assert.equal((await user(['list'])).stdout, before, 'nothing changed');
    const bad = await srv.request('POST', '/api/v1/session', { body: { username: 'ngan.qua', password: 'ngan' } });
    assert.equal(bad.status, 401);
  });
});

describe('serve failures', () => {
  test('an unusable --data (a path under a regular file): non-zero exit with a message', async () => {
    const dir = tempDir('badserve');
    const file = join(dir, 'tep-thuong');
    writeFileSync(file, 'không phải thư mục\n');
    try {
      const port = await freePort();
      const r = await hocvuso(['serve', '--listen', `127.0.0.1:${port}`, '--data', join(file, 'du-lieu')], { timeout: 20000 });
      assert.notEqual(r.code, 0);
      assert.ok(r.code > 0 && r.code < 128, `exit ${r.code} ${r.signal}`);
      assert.match(r.stderr, /tep-thuong/, `the message names the path: ${r.stderr}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a --listen address in use: non-zero exit with a message', async () => {
    const dir = tempDir('busyport');
    try {
      const r = await hocvuso(['serve', '--listen', `127.0.0.1:${srv.port}`, ...storeArgs(dir, srv.dbUri)], { timeout: 20000 });
      assert.notEqual(r.code, 0);
      assert.ok(r.code > 0 && r.code < 128, `exit ${r.code} ${r.signal}`);
      assert.match(r.stderr, new RegExp(String(srv.port)), `the message names the address: ${r.stderr}`);
      assert.equal((await srv.request('GET', '/healthz')).status, 200);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a malformed --listen: non-zero exit with a message', async () => {
    const dir = tempDir('badlisten');
    try {
      const r = await hocvuso(['serve', '--listen', 'khong-phai-dia-chi', ...storeArgs(dir, srv.dbUri)], { timeout: 20000 });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /khong-phai-dia-chi/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('secrets.json (docs/OPERATIONS.md)', () => {
  test('serve refuses to start when secrets.json can be read by others, and says chmod 600', async () => {
    const dir = tempDir('secrets');
    const uri = await freshDatabase('cli_secrets');
    try {
      const m = await hocvuso(['migrate', ...storeArgs(dir, uri)]);
      assert.equal(m.code, 0, m.stderr);
      const add = await hocvuso(['user', 'add', 'bi.mat', '--name', 'Bí Mật', '--password-stdin', ...storeArgs(dir, uri)], { input: 'mat-khau-dai-1\n' });
      assert.equal(add.code, 0, add.stderr);
      const sec = join(dir, 'secrets.json');
      assert.ok(filesIn(dir).some((f) => f.name === 'secrets.json'), `secrets.json in ${filesIn(dir).map((f) => f.name)}`);
      assert.equal(statSync(sec).mode & 0o777, 0o600);
      chmodSync(sec, 0o644);
      const port = await freePort();
      const r = await hocvuso(['serve', '--listen', `127.0.0.1:${port}`, ...storeArgs(dir, uri)], { timeout: 20000 });
      assert.notEqual(r.code, 0, 'serve must refuse');
      assert.match(r.stderr, /chmod 0?600/, r.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await dropDatabase(uri);
    }
  });
});

describe('demo', () => {
  test('--residents N --seed S: a synthetic population through the importer, the same people again changes nothing', { timeout: 180_000 }, async () => {
    const dir = tempDir('demo-people');
    const db = await freshDatabase('demopeople');
    try {
      const args = ['demo', ...storeArgs(dir, db), '--residents', '400', '--seed', '7'];
      const env = { HOCVUSO_ADMIN_PASSWORD: 'Demo-mat-khau-9' };
      const first = await hocvuso(args, { env });
      assert.equal(first.code, 0, first.stderr);
      const m = /Synthetic residents: (\d+) imported, (\d+) unchanged, (\d+) rejected/.exec(first.stdout);
      assert.ok(m, first.stdout);
      // 400 residents and the staff of its units who live elsewhere, every row valid.
      assert.ok(Number(m[1]) >= 400 && Number(m[1]) < 460, first.stdout);
      assert.equal(Number(m[3]), 0, first.stdout);
      const again = await hocvuso(args, { env });
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, new RegExp(`Synthetic residents: 0 imported, ${m[1]} unchanged, 0 rejected`));
      // Another seed is other people; a bad count is refused before anything is written.
      const bad = await hocvuso(['demo', ...storeArgs(dir, db), '--residents', 'nhiều'], { env });
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--residents/);
      const left = filesIn(dir).filter((f) => f.name.endsWith('.csv')).map((f) => f.name);
      assert.deepEqual(left, [], 'the generated list is not left in the data directory');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      if (db) await dropDatabase(db);
    }
  });

  test('prints the admin log-in (user name and the password it was given)', () => {
    const line = srv.demoOut.stdout.split('\n').find((l) => /\badmin\b/.test(l));
    assert.ok(line, `a line naming admin in:\n${srv.demoOut.stdout}`);
    assert.ok(line.includes(srv.password), `the admin line shows the password: ${line}`);
  });

  test('the secrets file in DIR has mode 0600 and never appears in the server log', async () => {
    // Make the server log plenty first.
    for (const u of ['admin', 'vanhoa', 'hocvien']) {
      const s = await srv.login(u);
      await srv.request('GET', '/api/v1/me', { session: s });
      await srv.request('DELETE', '/api/v1/session', { session: s });
    }
    const files = filesIn(srv.dataDir).filter((f) => f.stat.isFile() && /secret|key/i.test(f.name));
    assert.ok(files.length > 0, `a secrets file in ${srv.dataDir}: ${filesIn(srv.dataDir).map((f) => f.name)}`);
    for (const f of files) {
      assert.equal(statSync(f.path).mode & 0o777, 0o600, `${f.name} mode ${(f.stat.mode & 0o777).toString(8)}`);
      const raw = readFileSync(f.path);
      assert.ok(raw.length >= 16, `${f.name} holds a secret`);
      const text = raw.toString('utf8');
      const needles = new Set([raw.toString('hex'), raw.toString('base64')]);
      if (!text.includes('\uFFFD')) {
        needles.add(text.trim());
        for (const tok of text.split(/[\s=:"',{}[\]]+/)) if (tok.length >= 12) needles.add(tok);
      }
      for (const n of needles) {
        if (!n) continue;
        assert.ok(!srv.stderr.includes(n), `secret material from ${f.name} appears in the server's stderr`);
        assert.ok(!srv.stdout.includes(n), `secret material from ${f.name} appears in the server's stdout`);
      }
    }
  });
});

