// The press office's desk: the agency's drafts, newest change first, and a new draft.
import { h, pageHeader, field, link } from '../dom.js';
import { t, fmtTime } from '../i18n.js';
import { get, withQuery, session } from '../api.js';
import { draftChip, agencyOf, pagedList } from './common.js';

export async function render(ctx) {
  ctx.title(t('desk.title'));
  const agency = agencyOf();
  const state = field({ id: 'desk-state', name: 'state', type: 'select', label: t('desk.filterState'),
    options: [['', t('desk.all')], ['DRAFT_STATE_WRITING', t('draftState.DRAFT_STATE_WRITING')],
      ['DRAFT_STATE_IN_REVIEW', t('draftState.DRAFT_STATE_IN_REVIEW')], ['DRAFT_STATE_PUBLISHED', t('draftState.DRAFT_STATE_PUBLISHED')]],
    value: ctx.query.get('state') || '' });
  const listBox = h('div', { class: 'list-box', id: 'desk-list' });
  const waiting = h('div', { id: 'desk-waiting' });
  ctx.main.replaceChildren(
    pageHeader(t('desk.title'), t('desk.lead', { agency: agency || '—' }),
      link(t('desk.newDraft'), '#/drafts/new', { class: 'btn btn-primary', id: 'new-draft' })),
    waiting,
    h('section', { class: 'panel', 'aria-labelledby': 'desk-drafts-title' },
      h('div', { class: 'panel-head' }, h('h2', { id: 'desk-drafts-title', class: 'panel-title' }, t('desk.drafts')),
        h('div', { class: 'filters' }, state.wrap)),
      listBox));

  state.input.addEventListener('change', () => ctx.go(withQuery('/desk', { state: state.input.value })));

  const list = pagedList(listBox, {
    caption: t('desk.drafts'),
    emptyText: t('desk.empty'),
    columns: [
      { label: t('desk.headline'), cell: (d) => link(d.content?.headline || t('desk.untitled'), `#/drafts/${encodeURIComponent(d.id)}`, { class: 'row-link' }) },
      { label: t('desk.state'), cell: draftChip },
      { label: t('desk.writer'), cell: (d) => d.writtenByName || d.writtenBy || '' },
      { label: t('desk.updated'), cell: (d) => fmtTime(d.updatedAt || d.createdAt), class: 'nowrap' },
    ],
    load: async (pageToken) => {
      const r = await get(withQuery('/api/v1/drafts', { agencyCode: agency, state: state.input.value, pageSize: 50, pageToken }));
      return { items: r.drafts || [], next: r.nextPageToken };
    },
  });
  await list.first();

  if (session.role === 'ROLE_SPOKESPERSON' && !state.input.value) {
    const n = list.rows.filter((d) => d.state === 'DRAFT_STATE_IN_REVIEW').length;
    if (n) waiting.append(h('p', { class: 'notice' }, h('a', { href: '#/review' }, `${t('nav.review')}: ${n}`)));
  }
  return null;
}
