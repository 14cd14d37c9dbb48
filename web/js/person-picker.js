// person-picker.js: a search box over the registry (GET /residents?q=, the caller's scope) whose
// results each carry one action button; used wherever a page names a person (an ambassador, a team
// member, the helper of a 4T step). Owns no state beyond its results; never decides who may be
// chosen: the server refuses, and its message is shown beside the result.
import { h, replace } from './h.js';
import { api, ApiError } from './api.js';
import { empty, errorBanner, searchForm } from './ui.js';

/** A search box over /residents; each result gets a button labelled `actionLabel` that runs act(person). */
export function personPicker({ label, actionLabel, act, hint }) {
  const results = h('div', { class: 'picker-results', 'aria-live': 'polite' });
  const search = async (q) => {
    if (!q) return replace(results);
    replace(results, h('p', { class: 'loading' }, 'Đang tìm…'));
    try {
      const data = await api.get('/residents', { q, per_page: 10 });
      const items = data.items || [];
      if (!items.length) return replace(results, empty('Không tìm thấy ai trong phạm vi của bạn.'));
      replace(results, h('ul', { class: 'request-list picker-list' }, items.map((p) => {
        const slot = h('div');
        const button = h('button', {
          type: 'button', class: 'btn btn-primary btn-small', 'aria-label': `${actionLabel}: ${p.full_name}`,
          onclick: async () => {
            button.disabled = true;
            try {
              await act(p);
            } catch (err) {
              button.disabled = false;
              if (err instanceof ApiError && err.status === 401) throw err;
              replace(slot, errorBanner(err));
            }
          },
        }, actionLabel);
        return h('li', { class: 'picker-item', dataset: { id: String(p.id) } },
          h('p', { class: 'request-head' }, h('strong', null, p.full_name)),
          h('p', { class: 'item-meta' }, [p.birth_year ? `Sinh năm ${p.birth_year}` : null, p.unit_name].filter(Boolean).join(' · ')),
          button, slot);
      })));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) throw err;
      replace(results, errorBanner(err));
    }
    return undefined;
  };
  return h('div', { class: 'person-picker' },
    hint ? h('p', { class: 'muted' }, hint) : null,
    searchForm({ label, placeholder: 'Họ tên (gõ không dấu cũng được)', onSearch: search }),
    results);
}
