// The public progress board: #/bang-tin — the ward's indicators on a public screen (the ward's
// LED screens, plan IV.1.1), no log-in and no personal data: one indicator at a time in large
// figures, rotating by itself (every ?giay=N seconds, 10 by default), the whole list below it;
// a full-screen button; refreshed every five minutes. Never computes a figure (GET /board).
import { h, replace } from '../h.js';
import { api } from '../api.js';
import { fmtNum } from '../ui.js';

function big(it, index, total) {
  const pct = it.percent === null ? '—' : `${fmtNum(it.percent)}%`;
  const fill = h('span', { class: `ind-fill${it.met ? ' ind-met' : ''}` });
  fill.style.width = `${it.percent === null ? 0 : Math.min(100, it.percent)}%`;
  return h('section', { class: 'board-now', 'aria-live': 'polite', dataset: { code: it.code } },
    h('p', { class: 'board-count' }, `${index + 1}/${total}`),
    h('h2', { class: 'board-name' }, it.name),
    h('p', { class: 'board-value' }, pct),
    h('div', { class: 'ind-bar board-bar' }, fill),
    h('p', { class: 'board-detail' },
      `${fmtNum(it.numerator)} trên ${fmtNum(it.denominator)}` + (it.target === null ? '' : ` · chỉ tiêu ${fmtNum(it.target)}%`)));
}

export async function render(ctx) {
  const every = Math.max(2, Math.min(120, Number(ctx.query.giay) || 10)) * 1000;
  let data = await api.get('/board', ctx.query.unit ? { unit: ctx.query.unit } : {});
  const now = h('div', { class: 'board-slot' });
  const list = h('ol', { class: 'board-list' });
  const stamp = h('p', { class: 'board-stamp' });
  const full = h('button', { type: 'button', class: 'btn btn-secondary board-full' }, 'Toàn màn hình');
  full.addEventListener('click', () => {
    const el = document.documentElement;
    if (document.fullscreenElement) document.exitFullscreen();
    else if (el.requestFullscreen) el.requestFullscreen();
  });
  const page = h('div', { class: 'page board' },
    h('header', { class: 'board-head' },
      h('h1', { class: 'board-title', tabindex: '-1' }, `Phong trào “Bình dân học vụ số” – ${data.unit.name}`),
      full),
    now, list, stamp);
  let i = 0;
  const draw = () => {
    const items = data.items;
    if (!items.length) return;
    i %= items.length;
    replace(now, big(items[i], i, items.length));
    replace(list, items.map((it, k) => h('li', { class: k === i ? 'board-item board-item-now' : 'board-item' },
      h('span', { class: 'board-item-name' }, it.name),
      h('span', { class: 'board-item-value' }, it.percent === null ? '—' : `${fmtNum(it.percent)}%`))));
    stamp.textContent = `Số liệu đến ngày ${data.date.split('-').reverse().join('/')}, cập nhật lúc ${new Date(data.computed_at).toLocaleTimeString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit' })}.`;
  };
  draw();
  const tick = setInterval(() => {
    if (!page.isConnected) { clearInterval(tick); return; }
    i += 1;
    draw();
  }, every);
  const refresh = setInterval(async () => {
    if (!page.isConnected) { clearInterval(refresh); return; }
    try { data = await api.get('/board', ctx.query.unit ? { unit: ctx.query.unit } : {}); draw(); } catch { /* keep the last figures */ }
  }, 300000);
  return page;
}
