// Schools (trường học): #/truong-hoc — the schools in the caller's scope, whether each teaches the
// digital-skills programme of Thông tư 02/2025, the students it covers, its model designations, and
// the share of general-education schools that teach it (the plan's target 6: at least 80%);
// #/truong-hoc/:id — one school, and for its teachers (school.write on it) the forms to record the
// programme, its students by grade, evidence (a link or a file) and designations.
// Never counts anything itself: the totals are the server's.
import { h } from '../h.js';
import { api, request, ApiError, hasRoute } from '../api.js';
import { icon } from '../icons.js';
import { pageHeader, section, field, form, empty, setFlash, banner, badge, fmtDateTime, fmtNum, FieldError } from '../ui.js';

const MAX_BYTES = 10 * 1024 * 1024;
const GRADES = { school_primary: [1, 5], school_lower_secondary: [6, 9], school_upper_secondary: [10, 12] };
export const DESIGNATIONS = [
  { value: 'model_school', label: 'Trường học chuyển đổi số điển hình' },
  { value: 'creative_class', label: 'Lớp học số sáng tạo' },
  { value: 'model_teacher', label: 'Giáo viên số tiêu biểu' },
];

function programmeBadge(s) {
  return s.runs_programme ? badge('Đang dạy chương trình', 'success') : badge('Chưa dạy chương trình', 'warning');
}

function share(covered, students) {
  return students ? `${fmtNum(covered)}/${fmtNum(students)} học sinh (${Math.round((covered * 100) / students)}%)` : 'chưa có số học sinh';
}

/* ---------- the list ---------- */

function totalsCard(t) {
  const item = (label, value) => h('li', null, h('span', { class: 'stat-value' }, value), h('span', { class: 'stat-label' }, label));
  return h('section', { class: 'card', 'aria-label': 'Tổng hợp' },
    h('ul', { class: 'stat-list school-totals' },
      item('trường phổ thông đang dạy chương trình kỹ năng số', `${fmtNum(t.general_running)}/${fmtNum(t.general)}`),
      item(t.students ? `học sinh được học (${fmtNum(t.covered)}/${fmtNum(t.students)})` : 'học sinh được học', t.students ? `${Math.round((t.covered * 100) / t.students)}%` : '—')),
    h('p', { class: 'muted' }, 'Chỉ tiêu của kế hoạch: từ 80% trở lên các cơ sở giáo dục phổ thông triển khai chương trình kỹ năng số theo Thông tư 02/2025/TT-BGDĐT.'));
}

function schoolsTable(items) {
  const cell = (label, ...content) => h('td', { dataset: { label } }, ...content);
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'table table-cards schools-table' },
      h('caption', { class: 'visually-hidden' }, 'Các trường'),
      h('thead', null, h('tr', null, ['Trường', 'Chương trình', 'Học sinh được học', 'Danh hiệu'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, items.map((s) => h('tr', { dataset: { id: String(s.id) } },
        h('td', { class: 'cell-title', dataset: { label: 'Trường' } }, h('a', { href: `#/truong-hoc/${encodeURIComponent(s.id)}`, class: 'row-name' }, s.name)),
        cell('Chương trình', programmeBadge(s)),
        cell('Học sinh được học', s.general ? share(s.covered, s.students) : 'mầm non'),
        cell('Danh hiệu', fmtNum(s.designations)))))));
}

async function renderList(ctx) {
  const query = {};
  if (ctx.query.unit_id) query.unit_id = ctx.query.unit_id;
  const data = await api.get('/schools', query);
  return h('div', { class: 'page' },
    pageHeader('Trường học', 'Chương trình giáo dục kỹ năng số cho học sinh theo Thông tư 02/2025/TT-BGDĐT (Khung năng lực số cho người học), số học sinh được học và các danh hiệu.'),
    totalsCard(data.totals),
    section('Các trường', data.items.length ? schoolsTable(data.items) : empty('Không có trường nào trong phạm vi của bạn.')));
}

/* ---------- one school ---------- */

function gradeInputs(s) {
  const range = GRADES[s.kind];
  if (!range) return [];
  const rows = [];
  for (let g = range[0]; g <= range[1]; g++) {
    const cur = s.grades.find((x) => x.grade === g) || { students: '', covered: '' };
    rows.push(h('div', { class: 'school-grade-row' },
      field({ label: `Khối ${g}: số học sinh`, name: `students_${g}`, inputmode: 'numeric', maxlength: 6, value: String(cur.students), optionalMark: false }),
      field({ label: `Khối ${g}: số được học`, name: `covered_${g}`, inputmode: 'numeric', maxlength: 6, value: String(cur.covered), optionalMark: false })));
  }
  return rows;
}

function programmeForm(ctx, s) {
  const range = GRADES[s.kind];
  const runsId = `chay-${s.id}`;
  return form({
    submitLabel: 'Lưu',
    busyLabel: 'Đang lưu…',
    className: 'school-programme-form',
    attrs: { 'aria-label': 'Chương trình kỹ năng số của trường' },
    onSubmit: async (values) => {
      const body = { runs_programme: values.runs_programme === '1', since_on: values.since_on.trim(), evidence_url: values.evidence_url.trim() };
      if (range) {
        body.grades = [];
        for (let g = range[0]; g <= range[1]; g++) {
          const st = values[`students_${g}`].trim();
          const cv = values[`covered_${g}`].trim();
          if (!st && !cv) continue;
          if (!/^\d+$/.test(st)) throw new FieldError(`students_${g}`, 'Ghi số học sinh của khối (số nguyên).');
          if (!/^\d+$/.test(cv || '0')) throw new FieldError(`covered_${g}`, 'Ghi số học sinh được học (số nguyên).');
          body.grades.push({ grade: g, students: Number(st), covered: Number(cv || '0') });
        }
      }
      await api.put(`/schools/${encodeURIComponent(s.id)}/programme`, body);
      setFlash('Đã lưu chương trình kỹ năng số của trường.');
      ctx.refresh();
      return undefined;
    },
  },
  h('div', { class: 'choice' },
    h('input', { type: 'checkbox', id: runsId, name: 'runs_programme', value: '1', checked: s.runs_programme }),
    h('label', { for: runsId }, 'Trường đang dạy chương trình kỹ năng số theo Thông tư 02/2025')),
  field({ label: 'Ngày bắt đầu', name: 'since_on', type: 'date', value: s.since_on || '' }),
  field({ label: 'Đường dẫn minh chứng', name: 'evidence_url', type: 'url', value: s.evidence_url || '', maxlength: 500, hint: 'Ví dụ: kế hoạch của trường trên trang thông tin điện tử (https://…).' }),
  range ? h('fieldset', { class: 'field' }, h('legend', { class: 'field-label' }, 'Học sinh theo khối lớp'), ...gradeInputs(s)) : null);
}

function evidenceForm(ctx, s) {
  const input = h('input', { id: `minh-chung-${s.id}`, type: 'file', name: 'file', class: 'file-input', accept: '.pdf,.png,.jpg,.jpeg,.webp,application/pdf,image/png,image/jpeg,image/webp' });
  return form({
    submitLabel: 'Gửi tệp minh chứng',
    busyLabel: 'Đang gửi…',
    className: 'school-evidence-form',
    onSubmit: async () => {
      const file = input.files && input.files[0];
      if (!file) throw new FieldError('file', 'Vui lòng chọn tệp.');
      if (file.size > MAX_BYTES) throw new FieldError('file', 'Tệp lớn hơn 10 MB.');
      try {
        await request('POST', `/schools/${encodeURIComponent(s.id)}/evidence`, { query: { name: file.name.slice(0, 200) }, raw: file });
      } catch (err) {
        if (err instanceof ApiError && err.field === 'file') throw new FieldError('file', err.message);
        throw err;
      }
      setFlash('Đã gửi tệp minh chứng.');
      ctx.refresh();
      return undefined;
    },
  }, field({ label: 'Tệp minh chứng', name: 'file', hint: 'PDF hoặc ảnh (PNG, JPEG, WebP), tối đa 10 MB.', control: input, optionalMark: false }));
}

function designationForm(ctx, s) {
  const year = new Date().getMonth() >= 7 ? new Date().getFullYear() : new Date().getFullYear() - 1;
  return form({
    submitLabel: 'Ghi danh hiệu',
    busyLabel: 'Đang ghi…',
    className: 'school-designation-form',
    onSubmit: async (values) => {
      const body = { kind: values.kind, school_year: values.school_year.trim() };
      if (values.name.trim()) body.name = values.name.trim();
      if (values.decision.trim()) body.decision = values.decision.trim();
      await api.post(`/schools/${encodeURIComponent(s.id)}/designations`, body);
      setFlash('Đã ghi danh hiệu.');
      ctx.refresh();
      return undefined;
    },
  },
  field({ label: 'Danh hiệu', name: 'kind', type: 'select', value: 'creative_class', options: DESIGNATIONS, optionalMark: false }),
  field({ label: 'Tên lớp hoặc giáo viên', name: 'name', maxlength: 200, hint: 'Để trống với danh hiệu của cả trường.' }),
  field({ label: 'Năm học', name: 'school_year', value: `${year}-${year + 1}`, maxlength: 9, optionalMark: false }),
  field({ label: 'Số quyết định', name: 'decision', maxlength: 200 }));
}

async function renderSchool(ctx, id) {
  let s;
  try {
    s = await api.get(`/schools/${encodeURIComponent(id)}`);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 400)) {
      return h('div', { class: 'page' }, pageHeader('Trường học', null), banner('error', err.message));
    }
    throw err;
  }
  const canWrite = ctx.can('school.write');
  return h('div', { class: 'page' },
    h('p', null, h('a', { href: '#/truong-hoc', class: 'back-link' }, icon('back'), h('span', null, 'Tất cả các trường'))),
    pageHeader(s.name, s.kind_label),
    section('Chương trình kỹ năng số',
      h('p', null, programmeBadge(s), s.since_on ? ` từ ngày ${s.since_on.split('-').reverse().join('/')}` : ''),
      s.general ? h('p', null, `Học sinh được học: ${share(s.covered, s.students)}`) : null,
      s.grades.length ? h('ul', { class: 'plan-figures school-grades' }, s.grades.map((g) => h('li', null,
        h('span', { class: 'stat-label' }, `Khối ${g.grade}: `), h('strong', null, fmtNum(g.covered)), `/${fmtNum(g.students)} học sinh`))) : null,
      s.evidence_url ? h('p', null, 'Minh chứng: ', h('a', { href: s.evidence_url, rel: 'noopener noreferrer', target: '_blank' }, s.evidence_url)) : null,
      s.evidence.length ? h('ul', { class: 'plan-files' }, s.evidence.map((a) => h('li', null,
        h('a', { href: a.url, download: a.filename }, icon('upload'), h('span', null, a.filename))))) : null,
      s.updated_at ? h('p', { class: 'item-meta' }, `Cập nhật ${fmtDateTime(s.updated_at)}${s.updated_by_name ? ` bởi ${s.updated_by_name}` : ''}`) : null),
    canWrite ? section('Cập nhật chương trình', programmeForm(ctx, s)) : null,
    canWrite ? section('Tệp minh chứng', evidenceForm(ctx, s)) : null,
    section('Danh hiệu',
      s.designations.length ? h('ul', { class: 'request-list school-designations' }, s.designations.map((d) => h('li', null,
        h('p', { class: 'request-head' }, h('strong', null, d.kind_label), ` · năm học ${d.school_year}`),
        h('p', null, d.name), d.decision ? h('p', { class: 'item-meta' }, d.decision) : null))) : empty('Chưa có danh hiệu nào.'),
      canWrite ? designationForm(ctx, s) : null));
}

export async function render(ctx) {
  if (!(await hasRoute('/schools'))) {
    return h('div', { class: 'page' }, pageHeader('Trường học', null),
      banner('warning', 'Máy chủ chưa có chức năng này. Chức năng sẽ dùng được sau khi hệ thống được cập nhật.'));
  }
  if (ctx.params && ctx.params.id) return renderSchool(ctx, ctx.params.id);
  return renderList(ctx);
}
