// Import a list of residents: #/nhap-du-lieu (choose a CSV/XLSX file, upload with progress, the
// past and running imports) and #/nhap-du-lieu/:id (one import: the column-mapping step with a
// preview, then a progress bar that polls the job, then the counts and the rejected rows).
// The job lives on the server: leaving the page and coming back finds it where it is.
// Never reads the file itself: detecting columns and checking rows are the server's.
import { h, uid, replace } from '../h.js';
import { api, request, ApiError, hasRoute, getCsrfToken } from '../api.js';
import { icon } from '../icons.js';
import { pageHeader, section, empty, banner, errorBanner, fmtNum, fmtDateTime, badge } from '../ui.js';

const POLL_MS = 1000;
const MAX_BYTES = 20 * 1024 * 1024;

// The fields a column may hold (src/domain/colmap.c); the server's own list, when an answer has
// one (`fields`), takes precedence.
const FIELDS = [
  { code: 'full_name', label: 'Họ và tên', required: true },
  { code: 'unit', label: 'Tổ dân phố', required: true },
  { code: 'birth_date', label: 'Ngày sinh' },
  { code: 'sex', label: 'Giới tính' },
  { code: 'cccd', label: 'Số CCCD' },
  { code: 'phone', label: 'Số điện thoại' },
  { code: 'address', label: 'Địa chỉ' },
  { code: 'household_code', label: 'Mã hộ' },
  { code: 'relation', label: 'Quan hệ với chủ hộ' },
  { code: 'vneid', label: 'Mức định danh điện tử' },
  { code: 'org', label: 'Nơi làm việc/học tập' },
  { code: 'role', label: 'Vai trò ở nơi làm việc/học tập' },
  { code: 'grade', label: 'Lớp' },
  { code: 'seq', label: 'STT' },
];

const BODY_KEYS = { role: 'membership_role' };

const RUNNING = new Set(['queued', 'running']);
const FINISHED = new Set(['done', 'failed']);

/*
 * The upload's answer (the columns found, the first rows) is what the mapping step shows; the
 * job's own answer (GET /imports/{id}) does not repeat it, so it is kept for this tab's session.
 */
const CACHE = 'hocvuso.import.';
function remember(answer) {
  try {
    sessionStorage.setItem(CACHE + answer.id, JSON.stringify({
      columns: answer.columns, preview: answer.preview, missing: answer.missing, warnings: answer.warnings,
    }));
  } catch { /* private mode or full: the mapping step falls back to the detected mapping */ }
}
function recalled(id) {
  try {
    return JSON.parse(sessionStorage.getItem(CACHE + id) || 'null');
  } catch {
    return null;
  }
}

/** The API's times are ISO strings or, for import jobs, seconds since 1970. */
function when(v) {
  return typeof v === 'number' ? fmtDateTime(new Date(v * 1000).toISOString()) : fmtDateTime(v);
}

function columnName(index) {
  let n = index + 1;
  let out = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    out = String.fromCharCode(65 + r) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

function fieldsOf(job) {
  if (Array.isArray(job.fields) && job.fields.length) {
    return job.fields.map((f) => ({ code: f.code, label: f.label || f.code, required: Boolean(f.required) }));
  }
  return FIELDS;
}

function statusOf(job) {
  const s = String(job.status || '');
  if (RUNNING.has(s)) return 'running';
  if (FINISHED.has(s)) return s === 'failed' || s === 'error' || s === 'cancelled' ? 'failed' : 'done';
  return 'mapping';
}

function statusBadge(job) {
  const s = statusOf(job);
  if (s === 'running') return badge('Đang nhập', 'warning');
  if (s === 'failed') return badge('Không thành công', 'danger');
  if (s === 'done') return badge('Đã xong', 'success');
  return badge('Chờ ghép cột', 'neutral');
}

function jobName(job) {
  return job.file_name || job.filename || job.name || `Lần nhập số ${job.id}`;
}

function percent(job) {
  const total = Number(job.rows_total) || 0;
  const done = Number(job.rows_done) || 0;
  return total > 0 ? Math.min(100, Math.round((done * 100) / total)) : 0;
}

function notReady() {
  return banner('warning', 'Máy chủ chưa có chức năng nhập danh sách. Chức năng này sẽ dùng được sau khi hệ thống được cập nhật; trong lúc chờ, hãy thêm từng người ở trang Dân cư.');
}

/* ---------- upload ---------- */

/** Sends the file's bytes as they are; onProgress(fraction). Resolves with the server's answer. */
function upload(file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1/imports?${new URLSearchParams({ name: file.name.slice(0, 200) })}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.setRequestHeader('Accept', 'application/json');
    const token = getCsrfToken();
    if (token) xhr.setRequestHeader('X-CSRF-Token', token);
    xhr.upload.addEventListener('progress', (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); });
    xhr.addEventListener('load', () => {
      let data = null;
      try { data = xhr.responseText ? JSON.parse(xhr.responseText) : null; } catch { data = null; }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(data);
        return;
      }
      const err = data && data.error ? data.error : {};
      let message = typeof err.message === 'string' && err.message ? err.message : `Tải lên không được (mã ${xhr.status}).`;
      if (xhr.status === 413) message = 'Tệp quá lớn. Hãy chia danh sách thành nhiều tệp nhỏ hơn.';
      if (xhr.status === 403 && err.code === 'csrf_failed') message = 'Phiên làm việc đã thay đổi. Hãy tải lại trang rồi thử lại.';
      reject(new ApiError(xhr.status, err.code || `http_${xhr.status}`, message, err.field || null, err.errors || null));
    });
    xhr.addEventListener('error', () => reject(new ApiError(0, 'network', 'Không gửi được tệp. Kiểm tra mạng rồi thử lại.')));
    xhr.send(file);
  });
}

function uploadCard(ctx) {
  const id = uid('file');
  const input = h('input', {
    id, type: 'file', name: 'file', class: 'file-input', accept: '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'aria-describedby': `${id}-hint ${id}-error`,
  });
  const error = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  const bar = h('progress', { class: 'progress', max: '100', value: '0', 'aria-label': 'Tiến độ tải tệp lên' });
  const barText = h('p', { class: 'progress-text', role: 'status' });
  const progressBox = h('div', { hidden: true }, bar, barText);
  const button = h('button', { type: 'submit', class: 'btn btn-primary' }, icon('upload'), h('span', null, 'Tải lên'));
  const el = h('form', { class: 'form', novalidate: true, 'aria-label': 'Tải danh sách lên' },
    h('div', { class: 'field' },
      h('label', { for: id, class: 'field-label' }, 'Tệp danh sách (CSV hoặc Excel .xlsx)'),
      h('p', { class: 'field-hint', id: `${id}-hint` },
        'Dòng đầu tiên là tiêu đề cột. Bắt buộc có cột “Họ và tên” và “Tổ dân phố”; nên có ngày sinh, giới tính, số điện thoại, số CCCD. Tệp .xls cũ: hãy mở bằng Excel và lưu lại dạng .xlsx.'),
      input, error),
    progressBox,
    h('div', { class: 'form-actions' }, button));
  const showError = (text) => {
    error.textContent = text;
    error.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  };
  el.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    input.removeAttribute('aria-invalid');
    const file = input.files && input.files[0];
    if (!file) return showError('Vui lòng chọn tệp danh sách.');
    if (!/\.(csv|xlsx)$/i.test(file.name)) return showError('Chỉ nhận tệp .csv hoặc .xlsx.');
    if (file.size > MAX_BYTES) return showError('Tệp lớn hơn 20 MB. Hãy chia danh sách thành nhiều tệp nhỏ hơn.');
    button.disabled = true;
    progressBox.hidden = false;
    barText.textContent = 'Đang tải lên…';
    try {
      const job = await upload(file, (f) => {
        bar.value = Math.round(f * 100);
        barText.textContent = f < 1 ? `Đang tải lên: ${Math.round(f * 100)}%` : 'Đã tải lên, máy chủ đang đọc tệp…';
      });
      bar.value = 100;
      remember(job);
      ctx.go(`#/nhap-du-lieu/${encodeURIComponent(job.id)}`);
    } catch (err) {
      progressBox.hidden = true;
      button.disabled = false;
      showError(err instanceof ApiError ? err.message : 'Đã có lỗi không mong muốn. Vui lòng thử lại.');
    }
    return undefined;
  });
  return el;
}

function jobList(items) {
  return h('ul', { class: 'item-list' }, items.map((job) => h('li', null,
    h('a', { href: `#/nhap-du-lieu/${encodeURIComponent(job.id)}`, class: 'item-link' },
      h('span', { class: 'item-main' },
        h('span', { class: 'item-title' }, jobName(job), statusBadge(job)),
        h('span', { class: 'item-meta' }, [
          job.created_at ? when(job.created_at) : '',
        ].filter(Boolean).join(' · ')),
        statusOf(job) === 'running'
          ? h('span', { class: 'item-meta' }, `Đã xử lý ${fmtNum(job.rows_done || 0)}/${fmtNum(job.rows_total || 0)} dòng (${percent(job)}%)`)
          : statusOf(job) === 'done'
            ? h('span', { class: 'item-meta' }, `Thêm mới ${fmtNum(job.imported || 0)} · không đổi ${fmtNum(job.unchanged || 0)} · bị từ chối ${fmtNum(job.rejected || 0)}`)
            : null),
      icon('chevron', 'item-chevron')))));
}

async function renderList(ctx) {
  const ready = await hasRoute('/imports');
  let jobs = null;
  if (ready) jobs = await api.get('/imports');
  const items = (jobs && jobs.items) || [];
  return h('div', { class: 'page' },
    pageHeader('Nhập danh sách', 'Đưa danh sách người dân từ tệp Excel hoặc CSV vào sổ dân cư.'),
    ready ? null : notReady(),
    section('1. Chọn tệp', ready ? uploadCard(ctx) : empty('Chưa thể tải tệp lên.')),
    h('section', { class: 'card explain-card', 'aria-labelledby': 'import-how' },
      h('h2', { id: 'import-how', class: 'card-title' }, 'Các bước'),
      h('ol', null,
        h('li', null, 'Chọn tệp và tải lên.'),
        h('li', null, 'Kiểm tra hệ thống đã nhận đúng cột nào là họ tên, ngày sinh, tổ dân phố… Sửa nếu cần.'),
        h('li', null, 'Bấm “Bắt đầu nhập”. Có thể rời trang trong lúc chờ: quay lại đây để xem tiến độ.'),
        h('li', null, 'Dòng nào bị từ chối sẽ được liệt kê kèm lý do; tải tệp lỗi về, sửa, rồi tải lên lại. Người đã có trong sổ không bị thêm trùng.'))),
    section('Các lần nhập', items.length ? jobList(items) : empty('Chưa có lần nhập nào.')));
}

/* ---------- one import ---------- */

function previewTable(job) {
  const columns = job.columns || [];
  const rows = (job.preview || job.rows || []).slice(0, 5);
  if (!rows.length) return null;
  const cellsOf = (row) => (Array.isArray(row) ? row : (row.cells || row.values || []));
  return h('div', { class: 'subsection' },
    h('h3', null, 'Xem trước các dòng đầu'),
    h('div', { class: 'preview-wrap', tabindex: '0', role: 'region', 'aria-label': 'Bảng xem trước, cuộn ngang để xem hết' },
      h('table', { class: 'preview-table' },
        h('caption', { class: 'visually-hidden' }, 'Các dòng đầu của tệp'),
        h('thead', null, h('tr', null,
          h('th', { scope: 'col' }, 'Dòng'),
          columns.map((c, k) => h('th', { scope: 'col' }, `${columnName(c.index ?? k)}: ${c.header || ''}`)))),
        h('tbody', null, rows.map((row, i) => h('tr', null,
          h('td', null, String(row.line || i + 2)),
          columns.map((c, k) => h('td', null, String(cellsOf(row)[c.index ?? k] ?? '')))))))));
}

function mappingStep(ctx, job) {
  const fields = fieldsOf(job);
  const columns = job.columns || [];
  const alert = h('div', { class: 'banner banner-error', role: 'alert', hidden: true });
  const requiredLeft = h('p', { class: 'field-hint', role: 'status' });
  const selects = [];
  const list = h('ul', { class: 'mapping-list' }, columns.map((c, k) => {
    const id = uid('col');
    const index = c.index ?? k;
    const letter = columnName(index);
    const first = (job.preview || [])[0];
    const sample = first && Array.isArray(first.cells) ? first.cells[index] : '';
    const select = h('select', { id, name: `col-${index}`, dataset: { index: String(index) } },
      h('option', { value: '' }, '— Không dùng cột này —'),
      fields.filter((f) => f.code !== 'none').map((f) => h('option', { value: f.code, selected: c.field === f.code },
        f.required ? `${f.label} (bắt buộc)` : f.label)));
    selects.push(select);
    return h('li', null, h('div', { class: 'field' },
      h('label', { for: id, class: 'field-label' }, `Cột ${letter}: “${c.header || c.name || ''}”`),
      select,
      sample ? h('p', { class: 'mapping-sample' }, `Dòng đầu: ${sample}`) : null));
  }));
  const check = () => {
    const chosen = new Set(selects.map((s) => s.value).filter(Boolean));
    const missing = fields.filter((f) => f.required && !chosen.has(f.code)).map((f) => f.label);
    requiredLeft.textContent = missing.length ? `Còn thiếu cột bắt buộc: ${missing.join(', ')}.` : 'Đã đủ các cột bắt buộc.';
    return missing;
  };
  selects.forEach((s) => s.addEventListener('change', check));
  check();
  const start = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Bắt đầu nhập');
  const el = h('form', { class: 'form', novalidate: true, 'aria-label': 'Ghép cột với thông tin' },
    alert,
    h('p', null, 'Mỗi cột của tệp ứng với một thông tin. Hệ thống đã tự nhận theo tiêu đề cột; hãy kiểm tra và sửa nếu sai. ',
      h('span', { class: 'required-mark' }, 'Bắt buộc: '), fields.filter((f) => f.required).map((f) => f.label).join(', '), '.'),
    Array.isArray(job.missing) && job.missing.length ? banner('warning',
      `Chưa nhận ra cột: ${job.missing.map((m) => (fields.find((f) => f.code === m) || {}).label || m).join(', ')}. Hãy chọn cột tương ứng bên dưới.`) : null,
    (job.warnings || []).map((w) => h('p', { class: 'field-hint' }, String(w))),
    list, requiredLeft,
    previewTable(job),
    h('div', { class: 'form-actions' }, start));
  el.addEventListener('submit', async (event) => {
    event.preventDefault();
    alert.hidden = true;
    const missing = check();
    if (missing.length) {
      replace(alert, h('p', null, `Vui lòng chọn cột cho: ${missing.join(', ')}.`));
      alert.hidden = false;
      return;
    }
    // Every field: its column, or -1 (so that a column the server guessed and the user cleared is
    // cleared). The body names colmap's "role" membership_role (PUT /imports/{id}/mapping).
    const key = (code) => BODY_KEYS[code] || code;
    const mapping = Object.fromEntries(fields.filter((f) => f.code !== 'none').map((f) => [key(f.code), -1]));
    for (const s of selects) if (s.value) mapping[key(s.value)] = Number(s.dataset.index);
    start.disabled = true;
    start.textContent = 'Đang bắt đầu…';
    try {
      await api.put(`/imports/${encodeURIComponent(job.id)}/mapping`, mapping);
      await request('POST', `/imports/${encodeURIComponent(job.id)}/start`); // no body: the route takes none
      ctx.refresh();
    } catch (err) {
      start.disabled = false;
      start.textContent = 'Bắt đầu nhập';
      replace(alert, h('p', null, err instanceof ApiError ? err.message : 'Đã có lỗi không mong muốn. Vui lòng thử lại.'));
      alert.hidden = false;
      alert.scrollIntoView({ block: 'nearest' });
    }
  });
  return el;
}

/** Without the upload's answer (another tab or device): the mapping the server detected, to start as is. */
function detectedMapping(ctx, job) {
  const fields = fieldsOf(job);
  const mapping = job.mapping || {};
  const chosen = fields.filter((f) => typeof mapping[f.code] === 'number' && mapping[f.code] >= 0);
  const alert = h('div');
  const start = h('button', {
    type: 'button', class: 'btn btn-primary',
    onclick: async () => {
      start.disabled = true;
      try {
        await request('POST', `/imports/${encodeURIComponent(job.id)}/start`); // no body: the route takes none
        ctx.refresh();
      } catch (err) {
        start.disabled = false;
        replace(alert, errorBanner(err));
      }
    },
  }, 'Bắt đầu nhập');
  return h('div', null,
    h('p', null, 'Hệ thống đã nhận các cột sau theo tiêu đề. Muốn sửa cách ghép cột, hãy tải tệp lên lại từ trang “Nhập danh sách”.'),
    chosen.length ? h('ul', null, chosen.map((f) => h('li', null, `${f.label}: cột ${columnName(mapping[f.code])}`))) : empty('Chưa nhận ra cột nào.'),
    alert, h('div', { class: 'form-actions' }, start));
}

function progressBlock(ctx, job) {
  const bar = h('progress', { class: 'progress', max: '100', value: String(percent(job)), 'aria-label': 'Tiến độ nhập danh sách' });
  const text = h('p', { class: 'progress-text', role: 'status', 'aria-live': 'polite' });
  const setText = (j) => {
    bar.value = percent(j);
    text.textContent = Number(j.rows_total)
      ? `Đã xử lý ${fmtNum(j.rows_done || 0)}/${fmtNum(j.rows_total)} dòng (${percent(j)}%)`
      : 'Đang chuẩn bị…';
  };
  setText(job);
  const alert = h('div');
  const tick = async () => {
    if (!ctx.isCurrent() || !bar.isConnected) return;
    try {
      const next = await api.get(`/imports/${encodeURIComponent(job.id)}`);
      if (!ctx.isCurrent() || !bar.isConnected) return;
      replace(alert);
      if (statusOf(next) !== 'running') {
        ctx.refresh();
        return;
      }
      setText(next);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return;
      replace(alert, errorBanner(err));
    }
    setTimeout(tick, POLL_MS);
  };
  setTimeout(tick, POLL_MS);
  return h('div', null, bar, text, alert,
    h('p', { class: 'muted' }, 'Có thể rời trang này: việc nhập vẫn tiếp tục. Quay lại “Nhập danh sách” để xem tiến độ.'));
}

function resultBlock(job) {
  const errors = job.errors || job.first_errors || [];
  const rejected = Number(job.rejected) || 0;
  return h('div', null,
    statusOf(job) === 'failed' ? banner('error', job.error || job.message || 'Việc nhập không thành công. Hãy kiểm tra tệp rồi thử lại.') : null,
    h('dl', { class: 'counts' },
      h('div', null, h('dt', null, 'Thêm mới'), h('dd', { dataset: { count: 'imported' } }, fmtNum(job.imported || 0))),
      h('div', null, h('dt', null, 'Không đổi'), h('dd', { dataset: { count: 'unchanged' } }, fmtNum(job.unchanged || 0))),
      h('div', null, h('dt', null, 'Bị từ chối'), h('dd', { dataset: { count: 'rejected' } }, fmtNum(rejected)))),
    rejected || errors.length ? h('div', { class: 'subsection' },
      h('h3', null, 'Các dòng bị từ chối'),
      errors.length ? h('ul', { class: 'error-list', 'aria-label': 'Dòng bị từ chối và lý do' }, errors.map((e) => h('li', null,
        h('strong', null, `Dòng ${e.line}: `), e.reason || e.message || ''))) : null,
      rejected > errors.length ? h('p', { class: 'muted' }, errors.length
        ? `Chỉ hiện ${fmtNum(errors.length)} dòng đầu; tệp lỗi có đủ ${fmtNum(rejected)} dòng.`
        : `Tệp lỗi có đủ ${fmtNum(rejected)} dòng bị từ chối và lý do.`) : null,
      h('p', null, h('a', { href: `/api/v1/imports/${encodeURIComponent(job.id)}/errors.csv`, class: 'btn btn-secondary', download: '' },
        icon('download'), h('span', null, 'Tải tệp lỗi (CSV)'))),
      h('p', { class: 'muted' }, 'Mở tệp lỗi bằng Excel, sửa các dòng theo lý do ở cột cuối, lưu lại rồi tải lên ở trang “Nhập danh sách”.'))
      : banner('success', 'Mọi dòng đều hợp lệ.'),
    h('p', { class: 'back-row' },
      h('a', { href: '#/dan-cu', class: 'btn btn-primary' }, h('span', null, 'Xem danh sách dân cư')), ' ',
      h('a', { href: '#/nhap-du-lieu', class: 'btn btn-secondary' }, h('span', null, 'Nhập tệp khác'))));
}

async function renderJob(ctx) {
  const id = ctx.params.id;
  if (!(await hasRoute('/imports/{id}'))) {
    return h('div', { class: 'page' }, pageHeader('Nhập danh sách', null), notReady());
  }
  let job;
  try {
    if (!/^[1-9][0-9]{0,17}$/.test(String(id))) throw new ApiError(404, 'not_found', '');
    job = await api.get(`/imports/${encodeURIComponent(id)}`);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
    return h('div', { class: 'page' }, pageHeader('Không tìm thấy lần nhập', null),
      banner('warning', 'Lần nhập này không có, hoặc đã quá lâu nên không còn lưu.'),
      h('p', { class: 'back-row' }, h('a', { href: '#/nhap-du-lieu', class: 'btn btn-primary' }, 'Về trang nhập danh sách')));
  }
  const status = statusOf(job);
  ctx.setTitle(`Nhập: ${jobName(job)}`);
  let body;
  let title;
  if (status === 'mapping') {
    title = '2. Ghép cột với thông tin';
    const upload = recalled(job.id);
    body = upload && Array.isArray(upload.columns) ? mappingStep(ctx, { ...job, ...upload }) : detectedMapping(ctx, job);
  } else if (status === 'running') {
    title = '3. Đang nhập';
    body = progressBlock(ctx, job);
  } else {
    title = 'Kết quả';
    body = resultBlock(job);
  }
  return h('div', { class: 'page' },
    h('nav', { class: 'breadcrumb', 'aria-label': 'Đường dẫn' },
      h('ol', null,
        h('li', null, h('a', { href: '#/nhap-du-lieu' }, 'Nhập danh sách')),
        h('li', null, h('span', { 'aria-current': 'page' }, jobName(job))))),
    pageHeader(jobName(job), job.created_at ? `Tải lên lúc ${when(job.created_at)}` : null),
    section(title, body));
}

export async function render(ctx) {
  return ctx.params.id ? renderJob(ctx) : renderList(ctx);
}

