// programmes.js: the programmes that grant certificates and their rules (điều kiện cấp), for the
// ward admin (certificates.manage): which modules every learner must pass, a shorter or longer list
// for a target group, the pass mark, an in-person check, on or off. The national assessment guide
// may change its criteria: this page is where the ward follows it, without a new version.
import { h } from '../h.js';
import { api } from '../api.js';
import { icon } from '../icons.js';
import { badge, banner, disclosure, empty, field, form, pageHeader, section } from '../ui.js';

/** Every module of every course: [{ref: "KNS-CB/M01", label}] */
async function allModules() {
  const courses = (await api.get('/courses', { per_page: 50 })).items || [];
  return courses.flatMap((c) => (c.modules || []).map((m) => ({ ref: `${c.code}/${m.code}`, label: `${m.code}. ${m.title}`, course: c.title })));
}

function moduleChecks(name, modules, chosen) {
  return h('div', { class: 'choices module-checks', role: 'group' }, modules.map((m, i) => {
    const id = `${name}-${i}`;
    return h('div', { class: 'choice' },
      h('input', { type: 'checkbox', id, name, value: m.ref, checked: chosen.includes(m.ref) }),
      h('label', { for: id }, m.label));
  }));
}

function ruleText(p, labelOf, groupLabel) {
  const r = p.requirements || {};
  const list = (mods) => (mods || []).map(labelOf).join('; ');
  return h('div', null,
    h('p', null, h('strong', null, 'Mọi người học: '), list(r.modules)),
    (r.groups || []).map((g) => h('p', null, h('strong', null, `${groupLabel(g.group)}: `), list(g.modules))),
    h('p', { class: 'row-sub' },
      p.pass_percent ? `Điểm đạt mỗi học phần: ${p.pass_percent}%` : 'Điểm đạt: theo từng bài kiểm tra',
      p.in_person_check ? ' · cần cán bộ kiểm tra trực tiếp' : ''));
}

/** The form of a programme (new when p is null). */
function editor(ctx, p, modules, groups) {
  const r = (p && p.requirements) || { modules: [] };
  const byGroup = new Map((r.groups || []).map((g) => [g.group, g.modules]));
  const groupBlocks = groups.map((g) => {
    const on = byGroup.has(g.code);
    const toggleId = `own-${g.code}-${p ? p.id : 'new'}`;
    return disclosure(`Riêng cho nhóm: ${g.label}${on ? ' (đang dùng)' : ''}`, h('div', null,
      h('div', { class: 'choice' },
        h('input', { type: 'checkbox', id: toggleId, name: `own.${g.code}`, value: '1', checked: on }),
        h('label', { for: toggleId }, 'Nhóm này dùng danh sách học phần riêng')),
      moduleChecks(`g.${g.code}`, modules, byGroup.get(g.code) || [])), { open: on });
  });
  const el = form({
    submitLabel: p ? 'Lưu điều kiện cấp' : 'Thêm chương trình',
    className: 'programme-form',
    onSubmit: async (values, formEl) => {
      const picked = (name) => [...formEl.querySelectorAll(`input[name="${name}"]:checked`)].map((x) => x.value);
      const requirements = { modules: picked('modules') };
      const own = groups.filter((g) => formEl.querySelector(`input[name="own.${g.code}"]`).checked)
        .map((g) => ({ group: g.code, modules: picked(`g.${g.code}`) }));
      if (own.length) requirements.groups = own;
      const body = {
        title: values.title.trim(),
        pass_percent: values.pass_percent ? Number(values.pass_percent) : 0,
        in_person_check: formEl.querySelector('input[name="in_person_check"]').checked,
        active: formEl.querySelector('input[name="active"]').checked,
        requirements,
      };
      if (p) await api.patch(`/programmes/${p.id}`, body);
      else await api.post('/programmes', { ...body, code: values.code.trim() });
      ctx.refresh();
      return undefined;
    },
  },
  p ? null : field({ label: 'Mã chương trình', name: 'code', required: true, maxlength: 40, hint: 'Ví dụ: PCKNS-CB. Không đổi được sau khi tạo.' }),
  field({ label: 'Tên chương trình (in trên chứng nhận)', name: 'title', value: p ? p.title : '', required: true, maxlength: 200 }),
  field({ label: 'Điểm đạt mỗi học phần (%)', name: 'pass_percent', type: 'number', value: p && p.pass_percent ? String(p.pass_percent) : '',
    hint: 'Để trống: dùng điểm đạt của từng bài kiểm tra.', inputmode: 'numeric' }),
  h('div', { class: 'choice' },
    h('input', { type: 'checkbox', id: `chk-${p ? p.id : 'new'}`, name: 'in_person_check', value: '1', checked: Boolean(p && p.in_person_check) }),
    h('label', { for: `chk-${p ? p.id : 'new'}` }, 'Cần cán bộ kiểm tra trực tiếp trước khi cấp')),
  h('div', { class: 'choice' },
    h('input', { type: 'checkbox', id: `act-${p ? p.id : 'new'}`, name: 'active', value: '1', checked: p ? p.active : true }),
    h('label', { for: `act-${p ? p.id : 'new'}` }, 'Đang cấp chứng nhận')),
  h('fieldset', { class: 'fieldset' }, h('legend', null, 'Học phần bắt buộc với mọi người học'), moduleChecks('modules', modules, r.modules || [])),
  h('div', { class: 'group-rules' }, groupBlocks));
  return el;
}

export async function render(ctx) {
  const [progs, modules, meta] = await Promise.all([api.get('/programmes'), allModules(), ctx.meta()]);
  const groups = meta.groups || [];
  const labelOf = (ref) => (modules.find((m) => m.ref === ref) || { label: ref }).label;
  const groupLabel = (code) => (groups.find((g) => g.code === code) || { label: code }).label;
  const items = progs.items || [];
  return h('div', { class: 'page' },
    pageHeader('Điều kiện cấp chứng nhận',
      'Chứng nhận được cấp ngay khi người học đạt đủ các học phần của chương trình. Sửa điều kiện ở đây khi hướng dẫn đánh giá thay đổi; chứng nhận đã cấp giữ nguyên.',
      h('a', { href: '#/chung-nhan', class: 'btn btn-secondary' }, icon('shield'), h('span', null, 'Chứng nhận đã cấp'))),
    modules.length ? null : banner('warning', 'Chưa có khóa học nào: hãy nạp chương trình học trước (hocvuso import curriculum).'),
    items.length ? items.map((p) => h('section', { class: 'card programme-card', dataset: { code: p.code } },
      h('h2', { class: 'card-title' }, p.title, ' ', p.active ? badge('Đang cấp', 'success') : badge('Tạm dừng', 'neutral')),
      h('p', { class: 'row-sub' }, `Mã ${p.code} · ${p.certificates} chứng nhận còn hiệu lực`),
      ruleText(p, labelOf, groupLabel),
      disclosure('Sửa điều kiện cấp', editor(ctx, p, modules, groups), { iconName: 'edit' }))) : empty('Chưa có chương trình nào.'),
    section('Thêm chương trình', editor(ctx, null, modules, groups)));
}
