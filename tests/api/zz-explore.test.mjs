import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, finish, uniq } from '/work/wt-review2/tests/api/lib/server.mjs';
let srv, admin, tdp01, tdp1, tdp2;
const tag = uniq('x').replace(/[^a-z0-9]/g, '').replace(/[0-9]/g, (d) => 'abcdefghij'[d]);
before(async () => { srv = await startServer(); admin = await srv.login('admin'); tdp01 = await srv.login('tdp01');
  tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1'); tdp2 = await srv.unitId(admin, 'Tổ dân phố số 2'); });
after(async () => finish(srv, assert));
test('paging', async () => {
  const given = ['An', 'Anh', 'Bình', 'Hà', 'Hạ', 'Ha', 'Hương', 'Huong'];
  for (let i = 0; i < 70; i++) {
    const r = await srv.request('POST', '/api/v1/residents', { session: admin, body: { full_name: `Zq${tag} Văn ${given[i % given.length]}`, unit_id: i % 3 ? tdp1 : tdp2 } });
    assert.equal(r.status, 201);
  }
  for (const s of [admin, tdp01]) for (const q of [`zq${tag}`, `zq${tag} van`, `van zq${tag}`, `zq${tag} ha`, `zq${tag} h`, `zq`, `zq${tag} an`]) {
    const all = (await srv.getJSON(s, `/api/v1/residents?per_page=200&q=${encodeURIComponent(q)}`));
    const pages = [];
    for (let p = 1; p <= 8; p++) pages.push(...(await srv.getJSON(s, `/api/v1/residents?per_page=10&page=${p}&q=${encodeURIComponent(q)}`)).items.map(x => x.id));
    const ex = await srv.request('GET', `/api/v1/residents/export?format=csv&q=${encodeURIComponent(q)}`, { session: s });
    const exn = ex.text.replace(/^\uFEFF/, '').split('\r\n').slice(1).filter(Boolean).map((l) => l.split(',')[0]);
    console.log(q, all.total, all.items.length, pages.length, JSON.stringify(pages) === JSON.stringify(all.items.map(x=>x.id)), JSON.stringify(exn) === JSON.stringify(all.items.map(x=>x.full_name)), exn.length);
  }
});
