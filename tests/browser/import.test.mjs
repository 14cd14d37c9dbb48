// Importing a list from the browser (issue 7): a small CSV with two bad rows is uploaded, its
// columns are recognised and shown with a preview, the import runs with a progress bar, exactly
// the two bad rows are reported (line and reason) with the error report to download, the job is
// listed on coming back, and the good rows are on the residents page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import {
  launchBrowser, newPage, login, waitReady, hashOf, assertNoProblems, assertNoHorizontalOverflow, PHONE, DESKTOP,
} from './lib/browser.mjs';
import { hasRoute } from './lib/people.mjs';

let srv;
let browser;

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

// Line 1 is the header; lines 3 (no such day) and 5 (a phone number too short) are wrong.
const CSV = [
  'STT,Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Tổ dân phố,Ghi chú',
  '1,Hoàng Thị Mận,12/03/1961,Nữ,0912000111,Tổ dân phố số 3,',
  '2,Bùi Văn Sai Ngày,31/02/1970,Nam,0912000222,Tổ dân phố số 3,',
  '3,Ngô Minh Khôi,1999,Nam,0912000333,Tổ dân phố số 3,mới chuyển đến',
  '4,Đinh Thị Sai Số,05/06/1980,Nữ,12345,Tổ dân phố số 3,',
  '5,Tạ Quang Lộc,20/10/1955,Nam,,Tổ dân phố số 3,',
].join('\r\n') + '\r\n';

for (const [where, viewport] of [['phone', PHONE], ['desktop', DESKTOP]]) {
  test(`${where}: a CSV with two bad rows — mapping, progress, exactly those two reported, the rest on the residents page`, { timeout: 120_000 }, async (t) => {
    if (!(await hasRoute(srv.url, '/api/v1/imports'))) {
      t.skip('the server has no /api/v1/imports yet');
      return;
    }
    const { page, problems, context } = await newPage(browser, srv.url, { viewport });
    await login(page, 'admin', srv.password);
    await page.goto('/#/nhap-du-lieu');
    await waitReady(page);
    const suffix = where === 'phone' ? '' : ' B';
    const csv = CSV.replace(/Hoàng Thị Mận|Ngô Minh Khôi|Tạ Quang Lộc/g, (n) => n + suffix)
      .replace(/0912000/g, where === 'phone' ? '0912000' : '0913000');
    await page.getByLabel('Tệp danh sách (CSV hoặc Excel .xlsx)').setInputFiles({
      name: `danh-sach-${where}.csv`, mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8'),
    });
    await page.getByRole('button', { name: 'Tải lên' }).click();
    await page.waitForFunction(() => /^#\/nhap-du-lieu\/\d+$/.test(location.hash));
    await waitReady(page);
    const jobHash = await hashOf(page);

    // The mapping step: each column with its field, the required ones marked, a preview.
    const mapping = page.getByRole('form', { name: 'Ghép cột với thông tin' });
    assert.equal(await mapping.getByLabel('Cột B: “Họ và tên”').inputValue(), 'full_name');
    assert.equal(await mapping.getByLabel('Cột F: “Tổ dân phố”').inputValue(), 'unit');
    assert.equal(await mapping.getByLabel('Cột G: “Ghi chú”').inputValue(), '', 'an unknown column is not used');
    assert.match(await mapping.getByLabel('Cột B: “Họ và tên”').locator('option:checked').textContent(), /bắt buộc/);
    await mapping.getByText('Đã đủ các cột bắt buộc.').waitFor();
    const preview = page.getByRole('region', { name: /Bảng xem trước/ });
    await preview.getByRole('cell', { name: `Hoàng Thị Mận${suffix}` }).waitFor();
    await assertNoHorizontalOverflow(page, viewport.width, 'mapping step');

    // Clearing a required column is caught before anything is sent.
    await mapping.getByLabel('Cột B: “Họ và tên”').selectOption('');
    await mapping.getByText('Còn thiếu cột bắt buộc: Họ và tên.').waitFor();
    await mapping.getByRole('button', { name: 'Bắt đầu nhập' }).click();
    await mapping.getByRole('alert').getByText('Vui lòng chọn cột cho: Họ và tên.').waitFor();
    await mapping.getByLabel('Cột B: “Họ và tên”').selectOption('full_name');
    await mapping.getByRole('button', { name: 'Bắt đầu nhập' }).click();

    // Progress (however brief), then the result: three in, exactly lines 3 and 5 refused.
    await page.getByRole('heading', { name: 'Kết quả' }).waitFor({ timeout: 60_000 });
    await waitReady(page);
    assert.equal(await page.locator('[data-count="imported"]').textContent(), '3');
    assert.equal(await page.locator('[data-count="rejected"]').textContent(), '2');
    const errors = (await page.getByRole('list', { name: 'Dòng bị từ chối và lý do' }).locator('li').allTextContents()).map((s) => s.trim());
    assert.equal(errors.length, 2, JSON.stringify(errors));
    assert.match(errors[0], /^Dòng 3: .*[Nn]gày sinh/);
    assert.match(errors[1], /^Dòng 5: .*điện thoại/);
    const report = page.getByRole('link', { name: 'Tải tệp lỗi (CSV)' });
    const href = await report.getAttribute('href');
    assert.equal(href, `/api/v1/imports/${jobHash.split('/').pop()}/errors.csv`);
    const body = await page.evaluate(async (u) => (await fetch(u)).text(), href);
    assert.match(body, /Sai Ngày/);
    assert.match(body, /Sai Số/);
    await assertNoHorizontalOverflow(page, viewport.width, 'import result');

    // Coming back: the list shows the finished job with its counts.
    await page.goto('/#/nhap-du-lieu');
    await waitReady(page);
    const item = page.locator('main a.item-link', { hasText: `danh-sach-${where}.csv` });
    await item.getByText('Đã xong').waitFor();
    await item.getByText(/Thêm mới 3 .* bị từ chối 2/).waitFor();

    // The good rows are in the registry, the bad ones are not.
    await page.goto('/#/dan-cu');
    await waitReady(page);
    // On a phone the filters are folded away until asked for.
    if (!(await page.getByLabel('Đơn vị', { exact: true }).isVisible())) await page.locator('summary', { hasText: 'Bộ lọc' }).click();
    await page.getByLabel('Đơn vị', { exact: true }).selectOption({ label: '— Tổ dân phố số 3' });
    await page.getByRole('button', { name: 'Tìm', exact: true }).click();
    await page.waitForFunction(() => location.hash.includes('unit_id='));
    await waitReady(page);
    const found = await page.locator('main .resident-table a.row-link').allTextContents();
    for (const name of ['Hoàng Thị Mận', 'Ngô Minh Khôi', 'Tạ Quang Lộc']) assert.ok(found.includes(name + suffix), JSON.stringify(found));
    assert.ok(!found.some((n) => /Sai/.test(n)), JSON.stringify(found));
    // And a name typed without diacritics finds an imported person.
    await page.goto('/#/dan-cu');
    await waitReady(page);
    await page.getByLabel('Tìm theo họ tên, số điện thoại hoặc số CCCD').fill(`ta quang loc${suffix.toLowerCase()}`);
    await page.getByRole('button', { name: 'Tìm', exact: true }).click();
    await page.waitForFunction(() => location.hash.includes('q='));
    await waitReady(page);
    assert.deepEqual(await page.locator('main .resident-table a.row-link').allTextContents(), [`Tạ Quang Lộc${suffix}`]);
    assertNoProblems(problems, `${where} import`);
    await context.close();
  });
}

test('a file that is not a list is refused with the server\'s reason beside the file field', { timeout: 60_000 }, async (t) => {
  if (!(await hasRoute(srv.url, '/api/v1/imports'))) {
    t.skip('the server has no /api/v1/imports yet');
    return;
  }
  const { page, problems, context, allow } = await newPage(browser, srv.url, { viewport: PHONE });
  allow(/status of 400/);
  await login(page, 'admin', srv.password);
  await page.goto('/#/nhap-du-lieu');
  await waitReady(page);
  const input = page.getByLabel('Tệp danh sách (CSV hoặc Excel .xlsx)');
  await page.getByRole('button', { name: 'Tải lên' }).click();
  await page.getByText('Vui lòng chọn tệp danh sách.').waitFor();
  await input.setInputFiles({ name: 'anh.csv', mimeType: 'text/csv', buffer: Buffer.from('Ghi chú\r\nkhông có họ tên\r\n', 'utf8') });
  await page.getByRole('button', { name: 'Tải lên' }).click();
  // Either refused at once, or the mapping step says what is missing: never a silent failure.
  await page.waitForFunction(() => /^#\/nhap-du-lieu\/\d+$/.test(location.hash)
    || !document.querySelector('main .field-error').hidden);
  if ((await hashOf(page)) === '#/nhap-du-lieu') {
    assert.equal(await input.getAttribute('aria-invalid'), 'true');
  } else {
    await waitReady(page);
    await page.getByText(/Còn thiếu cột bắt buộc: Họ và tên, Tổ dân phố/).waitFor();
  }
  assertNoProblems(problems, 'bad file');
  await context.close();
});

test('a running import: the progress bar follows the job, survives leaving and coming back, and turns into the result', { timeout: 60_000 }, async (t) => {
  if (!(await hasRoute(srv.url, '/api/v1/imports'))) {
    t.skip('the server has no /api/v1/imports yet');
    return;
  }
  // A real import of five lines ends before anyone sees it run: the job's answers are stubbed
  // here (in the shape of GET /api/v1/imports/{id}) so that the page meets a long one.
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  const job = {
    id: 777, kind: 'residents', status: 'running', file_name: 'ca-phuong.xlsx', format: 'XLSX', mapping: {},
    rows_total: 12000, rows_done: 4800, imported: 4700, updated: 0, unchanged: 90, rejected: 10, committed_line: 4801,
    error: null, created_at: Math.floor(Date.now() / 1000) - 60, updated_at: Math.floor(Date.now() / 1000), finished_at: null,
  };
  let polls = 0;
  await context.route('**/api/v1/imports/777', (route) => {
    polls += 1;
    route.fulfill({ json: { ...job, errors: [] } });
  });
  await context.route(/\/api\/v1\/imports(\?.*)?$/, (route) => route.fulfill({ json: { items: [job], page: 1, per_page: 20, total: 1 } }));
  await login(page, 'admin', srv.password);
  await page.goto('/#/nhap-du-lieu/777');
  await waitReady(page);
  const bar = page.getByRole('progressbar', { name: 'Tiến độ nhập danh sách' });
  assert.equal(await bar.getAttribute('value'), '40');
  await page.getByRole('status').getByText('Đã xử lý 4.800/12.000 dòng (40%)').waitFor();
  // The bar moves as the job does.
  job.rows_done = 9000;
  await page.getByText('Đã xử lý 9.000/12.000 dòng (75%)').waitFor();
  assert.equal(await bar.getAttribute('value'), '75');
  await assertNoHorizontalOverflow(page, PHONE.width, 'progress');

  // Leave: the polling stops with the page; the list still shows the job running.
  await page.goto('/#/dan-cu');
  await waitReady(page);
  const before = polls;
  await page.waitForTimeout(2500);
  assert.ok(polls <= before + 1, `still polling after leaving (${polls - before} more)`);
  await page.goto('/#/nhap-du-lieu');
  await waitReady(page);
  const item = page.locator('main a.item-link', { hasText: 'ca-phuong.xlsx' });
  await item.getByText('Đang nhập').waitFor();
  await item.getByText('Đã xử lý 9.000/12.000 dòng (75%)').waitFor();

  // Back on the job, which then ends: the result replaces the bar by itself.
  await item.click();
  await waitReady(page);
  await page.getByRole('progressbar', { name: 'Tiến độ nhập danh sách' }).waitFor();
  Object.assign(job, { status: 'done', rows_done: 12000, imported: 11880, unchanged: 100, rejected: 20, finished_at: Math.floor(Date.now() / 1000) });
  await page.getByRole('heading', { name: 'Kết quả' }).waitFor();
  assert.equal(await page.locator('[data-count="imported"]').textContent(), '11.880');
  assert.equal(await page.locator('[data-count="rejected"]').textContent(), '20');
  await page.getByRole('link', { name: 'Tải tệp lỗi (CSV)' }).waitFor();
  assertNoProblems(problems, 'progress');
  await context.close();
});
