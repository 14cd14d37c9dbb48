// certificates.js: certificates (chứng nhận). The holder's and officers' list and one certificate
// with its QR code, PDF and (for a ward admin) revocation; and the public verification page, for
// anyone, logged in or not: by ID, or from a QR code's signed payload, whose Ed25519 signature the
// browser checks itself with the published key (docs/CERTIFICATES.md) before asking the register.
import { h } from '../h.js';
import { api, ApiError, hasRoute } from '../api.js';
import { icon } from '../icons.js';
import {
  badge, banner, confirmDialog, empty, errorBanner, field, form, pageHeader, pager, parsePage, section,
} from '../ui.js';

const PER_PAGE = 20;
const KEYS_URL = '/.well-known/hocvuso/certificate-keys.json';

/** "2026-12-02" → "02/12/2026" */
function vnDate(ymd) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd || '');
  return m ? `${m[3]}/${m[2]}/${m[1]}` : ymd || '';
}
function idText(id) {
  return String(id).replace(/(\d{4})(?=\d)/g, '$1-');
}
function statusBadge(status) {
  if (status === 'valid') return badge('Còn hiệu lực', 'success');
  if (status === 'revoked') return badge('Đã thu hồi', 'warning');
  return badge('Không hợp lệ', 'neutral');
}

/* ---------- the list ---------- */

async function listView(ctx) {
  const page = parsePage(ctx.query.page);
  const data = await api.get('/certificates', { page, per_page: PER_PAGE });
  const items = data.items || [];
  const staff = ctx.can('people.read');
  return h('div', { class: 'page' },
    pageHeader('Chứng nhận', staff
      ? 'Chứng nhận của bạn và của người dân trong phạm vi bạn quản lý. Mỗi chứng nhận có chữ ký số và mã QR để bất kỳ ai cũng kiểm tra được.'
      : 'Chứng nhận bạn đã đạt. Mỗi chứng nhận có chữ ký số và mã QR để bất kỳ ai cũng kiểm tra được.',
    h('a', { href: '#/xac-minh', class: 'btn btn-secondary' }, icon('search'), h('span', null, 'Kiểm tra một chứng nhận'))),
    section(staff ? 'Danh sách chứng nhận' : 'Chứng nhận của tôi',
      items.length
        ? h('ul', { class: 'card-list cert-list' }, items.map((c) => h('li', { class: 'card cert-row', dataset: { id: String(c.id) } },
          h('a', { href: `#/chung-nhan/${c.id}`, class: 'cert-link' },
            h('strong', null, c.programme),
            h('span', { class: 'row-sub' }, ` · ${c.holder_name}${c.unit_name ? ` · ${c.unit_name}` : ''}`)),
          h('p', { class: 'row-sub' }, `Số ${c.id_text} · cấp ngày ${vnDate(c.issued_on)} `, statusBadge(c.status)))))
        : empty(staff ? 'Chưa có chứng nhận nào.' : 'Bạn chưa có chứng nhận nào. Hãy học và làm bài kiểm tra của từng học phần: khi đạt đủ, chứng nhận được cấp ngay.'),
      pager(data, (p) => ctx.setQuery({ page: p }), 'chứng nhận')));
}

/* ---------- one certificate ---------- */

function certCard(c, qrSrc) {
  return h('article', { class: `cert-card cert-${c.status}`, 'aria-label': 'Chứng nhận' },
    h('p', { class: 'cert-nation' }, 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM'),
    h('p', { class: 'cert-motto' }, 'Độc lập - Tự do - Hạnh phúc'),
    h('p', { class: 'cert-issuer' }, c.issuer),
    h('h2', { class: 'cert-title' }, 'CHỨNG NHẬN'),
    h('p', { class: 'cert-holder', dataset: { field: 'holder' } }, c.holder_name),
    h('p', null, 'đã hoàn thành chương trình'),
    h('p', { class: 'cert-programme', dataset: { field: 'programme' } }, c.programme),
    h('p', { class: 'row-sub' }, 'Phong trào Bình dân học vụ số'),
    h('p', null, `Cấp ngày ${vnDate(c.issued_on)} · Số ${c.id_text || idText(c.id)}`),
    qrSrc ? h('img', { class: 'cert-qr', src: qrSrc, alt: 'Mã QR để kiểm tra chứng nhận', width: '200', height: '200' }) : null,
    qrSrc ? h('p', { class: 'row-sub' }, 'Quét mã để kiểm tra chứng nhận') : null);
}

function revokeForm(ctx, c) {
  return form({
    submitLabel: 'Thu hồi chứng nhận',
    submitClass: 'btn-danger',
    className: 'revoke-form',
    onSubmit: async (values) => {
      const ok = await confirmDialog({
        title: 'Thu hồi chứng nhận?',
        message: `Chứng nhận của ${c.holder_name} sẽ không còn hiệu lực. Việc này không hoàn tác được.`,
        okLabel: 'Thu hồi',
        danger: true,
      });
      if (!ok) return undefined;
      await api.post(`/certificates/${c.id}/revoke`, { reason: values.reason.trim() });
      ctx.refresh();
      return undefined;
    },
  }, field({ label: 'Lý do thu hồi', name: 'reason', required: true, minlength: 3, maxlength: 500,
    hint: 'Ghi vào nhật ký; trang kiểm tra công khai chỉ báo "đã thu hồi", không hiện lý do.' }));
}

async function detailView(ctx) {
  const c = await api.get(`/certificates/${encodeURIComponent(ctx.params.id)}`);
  const pdf = await hasRoute('/certificates/{id}/pdf');
  const actions = [
    pdf ? h('a', { href: `/api/v1/certificates/${c.id}/pdf`, class: 'btn btn-primary', download: `chung-nhan-${c.id_text}.pdf` },
      icon('download'), h('span', null, 'Tải bản PDF để in')) : null,
    h('a', { href: `#/xac-minh/${c.id}`, class: 'btn btn-secondary' }, icon('shield'), h('span', null, 'Trang kiểm tra công khai')),
  ].filter(Boolean);
  return h('div', { class: 'page' },
    pageHeader('Chứng nhận', null, h('a', { href: '#/chung-nhan', class: 'btn btn-secondary' }, icon('back'), h('span', null, 'Danh sách'))),
    c.status === 'revoked'
      ? banner('warning', `Chứng nhận này đã bị thu hồi ngày ${vnDate(c.revoked_on)}.${c.revoke_reason ? ` Lý do: ${c.revoke_reason}` : ''}`)
      : null,
    certCard(c, `/api/v1/certificates/${c.id}/qr.svg`),
    h('div', { class: 'form-actions cert-actions' }, actions),
    section('Kiểm tra độc lập',
      h('p', null, 'Chứng nhận được ký số (Ed25519). Ai cũng có thể tự kiểm tra bằng khóa công khai của phường, không cần hỏi hệ thống:'),
      h('p', null, h('a', { href: KEYS_URL }, 'Khóa công khai')),
      h('p', { class: 'row-sub' }, `Mã khóa: ${c.key_id}`)),
    ctx.can('certificates.manage') && c.status === 'valid' ? section('Thu hồi', revokeForm(ctx, c)) : null);
}

/* ---------- public verification ---------- */

const b64url = (s) => {
  const t = s.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(t + '='.repeat((4 - (t.length % 4)) % 4));
  return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
};

/** The signature checked here, with the published key: true, false, or null (this browser cannot). */
async function checkLocally(payloadB64, sigB64) {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(b64url(payloadB64));
    const kid = /\nkey: ([^\n]+)$/.exec(text);
    if (!kid) return false;
    const res = await fetch(KEYS_URL, { credentials: 'omit' });
    const keys = (await res.json()).keys || [];
    const k = keys.find((x) => x.id === kid[1]);
    if (!k) return false;
    if (!crypto.subtle) return null;
    const key = await crypto.subtle.importKey('raw', b64url(k.public_key), { name: 'Ed25519' }, false, ['verify']);
    return await crypto.subtle.verify({ name: 'Ed25519' }, key, b64url(sigB64), b64url(payloadB64));
  } catch {
    return null;
  }
}

function verdict(v, local) {
  const rows = v.holder_name ? h('dl', { class: 'cert-facts' },
    h('dt', null, 'Họ và tên'), h('dd', { dataset: { field: 'holder' } }, v.holder_name),
    h('dt', null, 'Chương trình'), h('dd', null, v.programme),
    h('dt', null, 'Ngày cấp'), h('dd', null, vnDate(v.issued_on)),
    v.issuer ? [h('dt', null, 'Nơi cấp'), h('dd', null, v.issuer)] : null,
    v.id ? [h('dt', null, 'Số chứng nhận'), h('dd', null, v.id_text || idText(v.id))] : null) : null;
  const localLine = local === true ? h('p', { class: 'row-sub', dataset: { local: 'ok' } }, icon('check'), ' Chữ ký số đã được kiểm tra ngay trên thiết bị này.')
    : local === false ? h('p', { class: 'row-sub', dataset: { local: 'bad' } }, 'Chữ ký số không khớp với khóa công khai của phường.') : null;
  let head;
  if (v.status === 'valid') head = banner('success', 'Chứng nhận hợp lệ, đang còn hiệu lực.');
  else if (v.status === 'revoked') head = banner('warning', `Chứng nhận này đã bị thu hồi${v.revoked_on ? ` ngày ${vnDate(v.revoked_on)}` : ''}. Nó không còn giá trị.`);
  else if (v.status === 'forged') head = banner('error', 'Chứng nhận không hợp lệ: nội dung đã bị sửa hoặc chữ ký là giả.');
  else head = banner('error', 'Không tìm thấy chứng nhận nào mang số này trong sổ của phường.');
  return h('div', { class: 'cert-verdict', dataset: { status: v.status } }, head, v.status === 'forged' ? null : rows, localLine);
}

function lookupForm(ctx, value) {
  return form({
    submitLabel: 'Kiểm tra',
    className: 'lookup-form',
    onSubmit: (values) => {
      const digits = (values.so || '').replace(/\D/g, '');
      if (digits.length !== 16) return Promise.reject(new ApiError(400, 'invalid_value', 'Số chứng nhận gồm 16 chữ số.', 'so'));
      ctx.go(`#/xac-minh/${digits}`);
      return undefined;
    },
  }, field({ label: 'Số chứng nhận (16 chữ số)', name: 'so', value, required: true, inputmode: 'numeric', autocomplete: 'off',
    hint: 'Ví dụ: 7228-6622-0937-2772. Hoặc quét mã QR trên chứng nhận bằng camera điện thoại.' }));
}

async function verifyView(ctx) {
  const signed = typeof ctx.query.c === 'string' && ctx.query.c.includes('.') ? ctx.query.c : null;
  const id = ctx.params.id ? ctx.params.id.replace(/\D/g, '') : '';
  let result = null;
  if (signed) {
    const [p, s] = signed.split('.');
    const [answer, local] = await Promise.all([
      api.post('/certificates/verify', { payload: p, signature: s }).catch((err) => ({ error: err })),
      checkLocally(p, s),
    ]);
    result = answer.error
      ? (answer.error instanceof ApiError && answer.error.status === 400 ? verdict({ status: 'forged' }, local) : errorBanner(answer.error, () => ctx.refresh()))
      : verdict(answer, local === true && answer.status === 'forged' ? false : local);
  } else if (id) {
    try {
      const v = await api.get(`/certificates/${encodeURIComponent(id)}/verify`);
      result = verdict(v, await checkLocally(v.payload, v.signature));
    } catch (err) {
      result = err instanceof ApiError && err.status === 404 ? verdict({ status: 'unknown' }, null) : errorBanner(err, () => ctx.refresh());
    }
  }
  return h('div', { class: 'page page-narrow verify-page' },
    pageHeader('Kiểm tra chứng nhận', 'Chứng nhận của phong trào Bình dân học vụ số có chữ ký số. Trang này cho biết chứng nhận có thật và còn hiệu lực hay không; ngoài họ tên, không hiện thông tin cá nhân nào khác.'),
    result ? h('div', { 'aria-live': 'polite' }, result) : null,
    section('Kiểm tra theo số chứng nhận', lookupForm(ctx, id ? idText(id) : '')));
}

export async function render(ctx) {
  if (ctx.path.startsWith('/xac-minh')) return verifyView(ctx);
  if (ctx.params && ctx.params.id) return detailView(ctx);
  return listView(ctx);
}
