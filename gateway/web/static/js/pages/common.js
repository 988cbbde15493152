// Pieces several pages share: state chips, "show more" paging, the agency a person works for.
import { h, chip, button, clear, table, empty, busy, showError, formAlert } from '../dom.js';
import { t, label } from '../i18n.js';
import { session } from '../api.js';

export function draftChip(d) {
  const tone = { DRAFT_STATE_WRITING: 'neutral', DRAFT_STATE_IN_REVIEW: 'warn', DRAFT_STATE_PUBLISHED: 'ok' }[d.state] || 'neutral';
  const returned = d.state === 'DRAFT_STATE_WRITING' && d.reviewComment;
  return h('span', { class: 'chips' }, chip(label('draftState', d.state), tone, { dataset: { state: d.state || '' } }),
    returned ? chip(t('desk.returned'), 'danger') : null);
}

export function agencyOf() { return session.agencyCode || ''; }

// A list with "show more": load(pageToken) -> {items, next}; renderRows(items) -> table.
export function pagedList(container, { caption, columns, load, emptyText }) {
  const alert = formAlert();
  const rows = [];
  let next = '';
  const holder = h('div', { class: 'paged' });
  const more = button(t('app.more'), { class: 'btn-quiet' });
  more.hidden = true;
  const draw = () => {
    clear(holder);
    holder.append(rows.length ? table(caption, columns, rows) : empty(emptyText || t('app.none')));
    more.hidden = !next;
  };
  const fetchPage = async (token) => {
    try {
      const page = await load(token);
      rows.push(...(page.items || []));
      next = page.next || '';
      alert.hidden = true;
      draw();
    } catch (e) {
      if (e?.httpStatus === 401) return;
      showError(container, e, alert);
    }
  };
  more.addEventListener('click', () => busy(more, () => fetchPage(next)));
  container.append(alert, holder, h('div', { class: 'more-row' }, more));
  return { first: () => fetchPage(''), rows };
}
