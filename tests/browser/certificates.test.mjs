// Certificates in a real Chromium against a real server: on a 360 px phone the demo learner passes
// the quiz that completes a programme, is told at once that a certificate was issued, opens it (the
// holder's name, the programme, its QR code drawn) and finds the PDF link; a stranger with no
// account opens the verification page by ID and by the QR code's address and reads "valid" with
// the signature checked in the browser itself; an altered QR payload reads as forged, an unknown ID
// as not found; the ward admin revokes it with a reason and the stranger then reads "revoked".
// The signature is also checked here with Node's own crypto, from the published key and the byte
// layout of docs/CERTIFICATES.md alone.
// Owns: its server, its browser, the question, quiz and programme it makes through the API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, verify as edVerify } from 'node:crypto';
import { startServer } from './lib/server.mjs';
import { launchBrowser, newPage, login, waitReady, assertNoProblems, assertNoHorizontalOverflow, PHONE } from './lib/browser.mjs';
import { apiSession } from './lib/people.mjs';

let srv;
let browser;
let certId;

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
  const admin = await apiSession(srv.url, 'admin', srv.password);
  const gift = '$CATEGORY: KNS-CB/M07/thu-cn/1.1/1\n\n::CN::Ai cũng có thể kiểm tra một chứng nhận bằng mã QR của nó?{T####Mã QR mang nội dung đã ký.}\n';
  const imp = await admin.raw('POST', '/questions/import?name=cn.gift', gift, { 'Content-Type': 'text/plain' });
  assert.equal(imp.status, 200, JSON.stringify(imp.body));
  await admin.ok('POST', '/quizzes', { title: 'Kiểm tra chứng nhận thử', category: 'KNS-CB/M07/thu-cn', question_count: 1, pass_percent: 100 });
  await admin.ok('POST', '/programmes', { code: 'THU-CN', title: 'Chứng nhận thử trên trình duyệt', requirements: { modules: ['KNS-CB/M07'] } });
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('phone 360 px: the passing submission shows the new certificate; it opens with its QR code', { timeout: 120_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'hocvien', srv.password);
  await page.goto('/#/hoc-tap');
  await waitReady(page);
  await page.getByRole('button', { name: 'Bắt đầu làm bài: Kiểm tra chứng nhận thử' }).click();
  await page.waitForFunction(() => location.hash.startsWith('#/bai-lam/'));
  await waitReady(page);
  await page.locator('main fieldset.question').getByText('Đúng', { exact: true }).click();
  await page.getByRole('button', { name: 'Nộp bài' }).click();
  await page.getByRole('dialog', { name: 'Nộp bài?' }).getByRole('button', { name: 'Nộp bài' }).click();
  await page.getByText('Bạn vừa được cấp chứng nhận!').waitFor();
  await page.getByRole('link', { name: 'Xem chứng nhận: Chứng nhận thử trên trình duyệt' }).click();
  await page.waitForFunction(() => location.hash.startsWith('#/chung-nhan/'));
  await waitReady(page);
  certId = (await page.evaluate(() => location.hash)).split('/').pop();
  const card = page.locator('main .cert-card');
  assert.equal((await card.locator('[data-field="holder"]').textContent()).trim(), 'Vũ Thị Lan');
  assert.equal((await card.locator('[data-field="programme"]').textContent()).trim(), 'Chứng nhận thử trên trình duyệt');
  await card.getByText('CHỨNG NHẬN', { exact: true }).waitFor();
  // The QR image is drawn (an SVG of the server's).
  await page.waitForFunction(() => {
    const img = document.querySelector('main .cert-qr');
    return img && img.complete && img.naturalWidth > 0;
  });
  await assertNoHorizontalOverflow(page, PHONE.width, 'certificate');
  // The PDF to print: a download of the holder's own certificate.
  const pdfLink = page.getByRole('link', { name: 'Tải bản PDF để in' });
  assert.equal(await pdfLink.getAttribute('href'), `/api/v1/certificates/${certId}/pdf`);
  const pdf = await page.request.get(`${srv.url}/api/v1/certificates/${certId}/pdf`);
  assert.equal(pdf.status(), 200);
  assert.match(pdf.headers()['content-type'], /^application\/pdf/);
  assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');
  // In the learner's list too.
  await page.goto('/#/chung-nhan');
  await waitReady(page);
  await page.locator(`main .cert-row[data-id="${certId}"]`).getByText('Còn hiệu lực').waitFor();
  assertNoProblems(problems);
  await context.close();
});

test('the signature checks with Node crypto from the published key and the documented bytes', async () => {
  const v = await (await fetch(`${srv.url}/api/v1/certificates/${certId}/verify`)).json();
  const keys = (await (await fetch(`${srv.url}/.well-known/hocvuso/certificate-keys.json`)).json()).keys;
  const k = keys.find((x) => x.id === v.key_id);
  const raw = Buffer.from(k.public_key, 'base64url');
  const key = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]), format: 'der', type: 'spki' });
  const idText = String(v.id).replace(/(\d{4})(?=\d)/g, '$1-');
  const bytes = Buffer.from(`hocvuso-certificate/1\nid: ${idText}\nholder: ${v.holder_name}\nprogramme: ${v.programme}\nissued_on: ${v.issued_on}\nissuer: ${v.issuer}\nkey: ${v.key_id}`, 'utf8');
  assert.deepEqual(Buffer.from(v.payload, 'base64url'), bytes);
  assert.ok(edVerify(null, bytes, key, Buffer.from(v.signature, 'base64url')));
});

test('a stranger verifies it by ID and by its QR code; altered and unknown ones are told apart', { timeout: 120_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await page.goto(`/#/xac-minh/${certId}`);
  await page.getByRole('heading', { level: 1, name: 'Kiểm tra chứng nhận' }).waitFor();
  await page.getByText('Chứng nhận hợp lệ, đang còn hiệu lực.').waitFor();
  assert.equal((await page.locator('main .cert-verdict [data-field="holder"]').textContent()).trim(), 'Vũ Thị Lan');
  await page.locator('main [data-local="ok"]').waitFor(); // checked with WebCrypto Ed25519 in the page
  assert.equal(await page.locator('main .cert-verdict').getByText('Tổ dân phố').count(), 0, 'no unit, nothing but the name');
  await assertNoHorizontalOverflow(page, PHONE.width, 'verification');
  // The QR code's address: the signed payload itself.
  const learner = await apiSession(srv.url, 'hocvien', srv.password);
  const qr = (await learner.ok('GET', `/certificates/${certId}`)).qr_text;
  const c = qr.split('c=')[1];
  await page.goto(`/#/xac-minh?c=${c}`);
  await page.getByText('Chứng nhận hợp lệ, đang còn hiệu lực.').waitFor();
  await page.locator('main [data-local="ok"]').waitFor();
  const [p, s] = c.split('.');
  const altered = Buffer.from(Buffer.from(p, 'base64url').toString('utf8').replace('Vũ Thị Lan', 'Vũ Thị Lam')).toString('base64url');
  await page.goto(`/#/xac-minh?c=${altered}.${s}`);
  await page.getByText('Chứng nhận không hợp lệ: nội dung đã bị sửa hoặc chữ ký là giả.').waitFor();
  await page.locator('main [data-local="bad"]').waitFor();
  // By typing an ID that does not exist.
  await page.goto('/#/xac-minh');
  await page.getByLabel('Số chứng nhận (16 chữ số)').fill('1234-5678-9012-3456');
  await page.getByRole('button', { name: 'Kiểm tra' }).click();
  await page.getByText('Không tìm thấy chứng nhận nào mang số này trong sổ của phường.').waitFor();
  assertNoProblems(problems.filter((x) => !/404/.test(x)));
  await context.close();
});

test('the ward admin revokes it with a reason; the stranger then reads "revoked", without the reason', { timeout: 120_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'admin', srv.password);
  await page.goto(`/#/chung-nhan/${certId}`);
  await waitReady(page);
  await page.getByLabel('Lý do thu hồi').fill('Cấp nhầm để kiểm thử');
  await page.getByRole('button', { name: 'Thu hồi chứng nhận' }).click();
  await page.getByRole('dialog', { name: 'Thu hồi chứng nhận?' }).getByRole('button', { name: 'Thu hồi' }).click();
  await page.getByText(/Chứng nhận này đã bị thu hồi ngày .* Lý do: Cấp nhầm để kiểm thử/).waitFor();
  assertNoProblems(problems);
  await context.close();
  const { page: stranger, context: c2 } = await newPage(browser, srv.url, { viewport: PHONE });
  await stranger.goto(`/#/xac-minh/${certId}`);
  await stranger.getByText(/Chứng nhận này đã bị thu hồi ngày/).waitFor();
  assert.ok(!(await stranger.locator('main').textContent()).includes('Cấp nhầm'));
  await c2.close();
});

test('the ward admin edits a programme\'s rule on a phone: one more module for everyone, a list of its own for the elderly', { timeout: 120_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'admin', srv.password);
  await page.goto('/#/chuong-trinh');
  await waitReady(page);
  const card = page.locator('main .programme-card[data-code="THU-CN"]');
  await card.getByText('Sửa điều kiện cấp').click();
  const formEl = card.locator('form.programme-form');
  // M06 for everyone too; the elderly: M07 alone, a list of their own.
  await formEl.locator('input[name="modules"][value="KNS-CB/M06"]').check();
  await formEl.getByText('Riêng cho nhóm: Người cao tuổi (từ 60 tuổi)').click();
  await formEl.locator('input[name="own.elderly"]').check();
  await formEl.locator('input[name="g.elderly"][value="KNS-CB/M07"]').check();
  await formEl.getByLabel('Điểm đạt mỗi học phần (%)').fill('80');
  await formEl.getByRole('button', { name: 'Lưu điều kiện cấp' }).click();
  await page.locator('main .programme-card[data-code="THU-CN"]').getByText('Điểm đạt mỗi học phần: 80%').waitFor();
  await assertNoHorizontalOverflow(page, PHONE.width, 'programmes');
  const admin = await apiSession(srv.url, 'admin', srv.password);
  const p = (await admin.ok('GET', '/programmes')).items.find((x) => x.code === 'THU-CN');
  assert.deepEqual(p.requirements, { modules: ['KNS-CB/M06', 'KNS-CB/M07'], groups: [{ group: 'elderly', modules: ['KNS-CB/M07'] }] });
  assert.equal(p.pass_percent, 80);
  // A module no course has cannot be saved (the API refuses it; the page offers only real ones).
  const bad = await admin.call('PATCH', `/programmes/${p.id}`, { requirements: { modules: ['KNS-CB/M99'] } });
  assert.equal(bad.status, 400);
  assertNoProblems(problems);
  await context.close();
});
