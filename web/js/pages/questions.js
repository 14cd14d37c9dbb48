// The question bank (ngân hàng câu hỏi): #/cau-hoi lists the questions, filtered by competence,
// level, type and words, with a form that imports a GIFT or Moodle XML file and shows, line by line,
// the questions that could not be kept and why; #/cau-hoi/:id shows one question with its answers
// and explanation. For content editors (content.write).
// Never grades anything, nor decides what a file holds: the server reads and checks the file.
import { h, uid, replace } from '../h.js';
import { api, request } from '../api.js';
import { icon } from '../icons.js';
import { pageHeader, section, pager, empty, parsePage, fmtNum, fmtDate, errorBanner, banner, badge, searchForm } from '../ui.js';

const PER_PAGE = 20;
const MAX_BYTES = 8 * 1024 * 1024;
export const TYPE_LABELS = {
  single: 'Một đáp án',
  multi: 'Nhiều đáp án',
  truefalse: 'Đúng / sai',
  matching: 'Ghép nối',
  short: 'Trả lời ngắn',
  numerical: 'Điền số',
};
const LEVELS = [1, 2, 3, 4, 5, 6, 7, 8];

function select(label, name, value, options, hint) {
  const id = uid(name);
  const control = h('select', { id, name },
    options.map((o) => h('option', { value: o.value, selected: String(o.value) === String(value ?? '') }, o.label)));
  return h('div', { class: 'field' },
    h('label', { for: id, class: 'field-label' }, label),
    hint ? h('p', { class: 'field-hint' }, hint) : null,
    control);
}

function compOptions(comps, none) {
  return [{ value: '', label: none }].concat(comps.map((c) => ({ value: c.code, label: `${c.code} · ${c.name}` })));
}

/* ---------- import ---------- */

function importResult(r) {
  const kept = `Đã thêm ${fmtNum(r.imported)} câu hỏi vào ngân hàng`;
  const same = r.unchanged ? `; ${fmtNum(r.unchanged)} câu đã có sẵn nên giữ nguyên` : '';
  const head = banner(r.rejected.length ? 'warning' : 'success', `${kept}${same}.`);
  if (!r.rejected.length) return h('div', { class: 'import-result', role: 'status' }, head);
  return h('div', { class: 'import-result', role: 'status' }, head,
    h('p', null, `${fmtNum(r.rejected.length)} câu không nhận được. Sửa các câu này trong tệp rồi nhập lại: các câu đã nhận sẽ không bị thêm lần nữa.`),
    h('div', { class: 'table-wrap' },
      h('table', { class: 'table table-cards problems-table' },
        h('caption', { class: 'visually-hidden' }, 'Các câu hỏi không nhận được'),
        h('thead', null, h('tr', null, ['Dòng', 'Câu hỏi', 'Lý do'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', null, r.rejected.map((p) => h('tr', null,
          h('td', { dataset: { label: 'Dòng' } }, String(p.line)),
          h('td', { dataset: { label: 'Câu hỏi' } }, p.name || '—'),
          h('td', { dataset: { label: 'Lý do' } }, p.reason)))))));
}

function importForm(ctx, comps) {
  const fileId = uid('file');
  const input = h('input', { id: fileId, type: 'file', name: 'file', class: 'file-input', accept: '.txt,.gift,.xml,text/plain,text/xml,application/xml' });
  const slot = h('div', { class: 'import-slot', 'aria-live': 'polite' });
  const comp = select('Năng lực số mặc định', 'competency', '', compOptions(comps, 'Không chọn (câu hỏi phải tự ghi trong danh mục)'),
    'Gắn cho các câu hỏi chưa ghi năng lực trong danh mục của tệp ($CATEGORY: …/4.2/1).');
  const level = select('Bậc mặc định', 'level', '', [{ value: '', label: 'Không chọn' }].concat(LEVELS.map((l) => ({ value: l, label: `Bậc ${l}` }))));
  const button = h('button', { type: 'submit', class: 'btn btn-primary' }, icon('upload'), h('span', null, 'Nhập câu hỏi'));
  const el = h('form', { class: 'form import-questions', novalidate: true },
    h('div', { class: 'field' },
      h('label', { for: fileId, class: 'field-label' }, 'Tệp câu hỏi'),
      h('p', { class: 'field-hint' }, 'Tệp GIFT (.txt, .gift) hoặc Moodle XML (.xml), mã UTF-8, tối đa 8 MB. Nhận các loại: một đáp án, nhiều đáp án, đúng/sai, ghép nối, trả lời ngắn, điền số.'),
      input),
    comp, level, h('div', { class: 'form-actions' }, button), slot);
  el.addEventListener('submit', async (event) => {
    event.preventDefault();
    const file = input.files && input.files[0];
    if (!file) return replace(slot, banner('error', 'Vui lòng chọn tệp câu hỏi.'));
    if (file.size > MAX_BYTES) return replace(slot, banner('error', 'Tệp lớn hơn 8 MB. Hãy chia thành nhiều tệp nhỏ hơn.'));
    const query = { name: file.name.slice(0, 200) };
    const c = el.querySelector('select[name=competency]').value;
    const l = el.querySelector('select[name=level]').value;
    if (c) query.competency = c;
    if (l) query.level = l;
    button.disabled = true;
    replace(slot, h('p', { class: 'loading' }, 'Đang đọc tệp…'));
    try {
      const r = await request('POST', '/questions/import', { query, raw: file });
      replace(slot, importResult(r), h('p', null, h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => ctx.refresh() },
        icon('back'), h('span', null, 'Xem danh sách câu hỏi'))));
    } catch (err) {
      replace(slot, errorBanner(err));
    } finally {
      button.disabled = false;
    }
  });
  return el;
}

/* ---------- list ---------- */

function questionsTable(items) {
  const cell = (label, ...content) => h('td', { dataset: { label } }, ...content);
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'table table-cards questions-table' },
      h('caption', { class: 'visually-hidden' }, 'Câu hỏi'),
      h('thead', null, h('tr', null, ['Câu hỏi', 'Loại', 'Năng lực số', 'Bậc', 'Giải thích'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, items.map((q) => h('tr', { dataset: { id: String(q.id) } },
        h('td', { class: 'cell-title', dataset: { label: 'Câu hỏi' } },
          h('a', { href: `#/cau-hoi/${q.id}`, class: 'row-name' }, q.name),
          h('span', { class: 'row-sub' }, plain(q.text, q.format).slice(0, 140))),
        cell('Loại', TYPE_LABELS[q.type] || q.type),
        cell('Năng lực số', h('abbr', { title: q.competency_name }, q.competency)),
        cell('Bậc', String(q.level)),
        cell('Giải thích', q.has_explanation ? badge('Có', 'success') : badge('Chưa có', 'warning')))))));
}

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
const BLOCK = /^\/?(p|div|br|li|ul|ol|tr|td|th|h[1-6]|blockquote|pre|hr|table)\b/i;
/** A question's text (an option's, a feedback's) as the words a reader sees, never as markup and
 * never parsed as HTML (no element is made, so nothing loads or runs). HTML and Moodle's auto format
 * (what Moodle exports: <p>, <b>, &amp;, &nbsp;) lose their scripts, styles and tags (a block's tag
 * becomes a space, an inline one nothing) and have their entities decoded; other formats lose
 * anything tag-like, as before. */
export function plain(text, format) {
  const s = String(text ?? '');
  if (format !== 'html' && format !== 'moodle') return s.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return s.replace(/<(script|style|template|noscript)\b[\s\S]*?(<\/\1\s*>|$)/gi, ' ')
    .replace(/<!--[\s\S]*?(-->|$)/g, ' ')
    .replace(/<([^>]*)>/g, (_, tag) => (BLOCK.test(tag) ? ' ' : ''))
    .replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,6});/gi, (m, e) => {
      if (e[0] !== '#') return ENTITIES[e.toLowerCase()] ?? m;
      const n = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return n > 0 && n <= 0x10ffff && (n < 0xd800 || n > 0xdfff) ? String.fromCodePoint(n) : m;
    })
    .replace(/\s+/g, ' ').trim();
}

async function listView(ctx) {
  const page = parsePage(ctx.query.page);
  const filters = { competency: ctx.query.competency || '', level: ctx.query.level || '', type: ctx.query.type || '', q: ctx.query.q || '' };
  const [comps, data] = await Promise.all([
    api.get('/competencies', { per_page: 200 }),
    api.get('/questions', { page, per_page: PER_PAGE, ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v)) }),
  ]);
  const items = data.items || [];
  const onFilter = (event) => ctx.setQuery({ ...filters, [event.target.name]: event.target.value, page: undefined });
  const filterBar = h('div', { class: 'filters' },
    select('Năng lực số', 'competency', filters.competency, compOptions(comps.items || [], 'Tất cả')),
    select('Bậc', 'level', filters.level, [{ value: '', label: 'Tất cả' }].concat(LEVELS.map((l) => ({ value: l, label: `Bậc ${l}` })))),
    select('Loại câu hỏi', 'type', filters.type, [{ value: '', label: 'Tất cả' }].concat(Object.entries(TYPE_LABELS).map(([value, label]) => ({ value, label })))));
  for (const s of filterBar.querySelectorAll('select')) s.addEventListener('change', onFilter);
  return h('div', { class: 'page' },
    pageHeader('Ngân hàng câu hỏi', 'Câu hỏi dùng cho bài kiểm tra, mỗi câu gắn với một năng lực số (Thông tư 02/2025/TT-BGDĐT) và một bậc. Học viên không bao giờ thấy đáp án trước khi nộp bài.'),
    section('Nhập câu hỏi từ tệp', importForm(ctx, comps.items || [])),
    section('Danh sách câu hỏi',
      searchForm({ label: 'Tìm câu hỏi', value: filters.q, placeholder: 'Từ trong tên hoặc nội dung', onSearch: (q) => ctx.setQuery({ ...filters, q, page: undefined }) }),
      filterBar,
      h('p', { class: 'result-count', role: 'status' }, data.total ? `Có ${fmtNum(data.total)} câu hỏi` : 'Không có câu hỏi nào'),
      items.length ? questionsTable(items) : empty('Chưa có câu hỏi nào phù hợp. Hãy nhập một tệp câu hỏi ở trên.'),
      pager(data, (p) => ctx.setQuery({ ...filters, page: p }), 'câu hỏi')));
}

/* ---------- one question ---------- */

function answersOf(q) {
  if (q.type === 'truefalse') {
    return h('ul', { class: 'answers' },
      ['Đúng', 'Sai'].map((label, i) => {
        const right = (i === 0) === q.answer;
        return h('li', { class: right ? 'answer-right' : null }, right ? icon('check') : null, h('span', null, label),
          right ? h('span', { class: 'visually-hidden' }, ' (đáp án đúng)') : null);
      }));
  }
  return h('ul', { class: 'answers' }, (q.answers || []).map((a) => {
    const right = a.fraction > 0;
    const share = a.fraction ? ` (${Math.round(a.fraction * 1000) / 10}%)` : '';
    const text = q.type === 'matching' ? `${a.text || '(không ghép)'} → ${a.match}` :
      q.type === 'numerical' ? `${a.text}${a.tolerance ? ` ± ${a.tolerance}` : ''}` : a.text;
    return h('li', { class: right ? 'answer-right' : null },
      right ? icon('check') : null, h('span', null, plain(text, q.format) + (q.type === 'matching' ? '' : share)),
      a.feedback ? h('span', { class: 'row-sub' }, `Phản hồi: ${plain(a.feedback, q.format)}`) : null);
  }));
}

async function detailView(ctx) {
  const q = await api.get(`/questions/${encodeURIComponent(ctx.params.id)}`);
  return h('div', { class: 'page' },
    pageHeader(q.name, `${TYPE_LABELS[q.type] || q.type} · năng lực ${q.competency} (${q.competency_name}) · bậc ${q.level}`,
      h('a', { href: '#/cau-hoi', class: 'btn btn-secondary' }, icon('back'), h('span', null, 'Về ngân hàng câu hỏi'))),
    section('Câu hỏi', h('p', { class: 'question-text' }, plain(q.text, q.format))),
    section('Phương án và đáp án', answersOf(q)),
    section('Giải thích', q.explanation ? h('p', null, plain(q.explanation, q.format)) : empty('Câu hỏi này chưa có giải thích.')),
    section('Nguồn', h('p', null, `Tệp “${q.source || '—'}”, nhập ngày ${fmtDate(q.created_at)}`, q.category ? ` · danh mục ${q.category}` : '')));
}

export async function render(ctx) {
  return ctx.params && ctx.params.id ? detailView(ctx) : listView(ctx);
}
