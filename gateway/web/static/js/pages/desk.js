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
  const obligations = h('div', { id: 'desk-obligations' });
  ctx.main.replaceChildren(
    pageHeader(t('desk.title'), t('desk.lead', { agency: agency || '—' }),
      link(t('desk.newDraft'), '#/drafts/new', { class: 'btn btn-primary', id: 'new-draft' })),
    waiting,
    obligations,
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

  if (agency) await showObligations(obligations, agency);

  if (session.role === 'ROLE_SPOKESPERSON' && !state.input.value) {
    const n = list.rows.filter((d) => d.state === 'DRAFT_STATE_IN_REVIEW').length;
    if (n) waiting.append(h('p', { class: 'notice' }, h('a', { href: '#/review' }, `${t('nav.review')}: ${n}`)));
  }
  return null;
}

// The agency's obligations to the press (Decree 09/2017 Art. 5-6, GET /api/v1/obligations):
// what is overdue and what is due soon, above the drafts. Nothing is shown when all is done.
async function showObligations(box, agency) {
  const r = await get(withQuery('/api/v1/obligations', { agencyCode: agency }));
  const o = (r.agencies || [])[0];
  if (!o) return;
  const items = [];
  if (o.informationOverdue) items.push(h('li', { class: 'overdue' }, t('obligations.informationOverdue')));
  if (o.pressConferenceOverdue) items.push(h('li', { class: 'overdue' }, t('obligations.conferenceOverdue')));
  for (const f of o.followUpsDue || []) {
    if (!f.overdue) continue;
    items.push(h('li', { class: 'overdue' }, t('obligations.followUpOverdue', { time: fmtTime(f.followUpBy) }), ' ',
      link(f.headline || f.statementId, `#/statements/${encodeURIComponent(f.statementId)}`)));
  }
  // The reminders come from the wire in Vietnamese, the language of the obligations.
  for (const text of o.reminders || []) items.push(h('li', {}, text));
  if (!items.length) return;
  box.replaceChildren(h('section', { class: 'panel', 'aria-labelledby': 'desk-obligations-title' },
    h('div', { class: 'panel-head' }, h('h2', { id: 'desk-obligations-title', class: 'panel-title' }, t('obligations.title'))),
    h('ul', { class: 'obligations' }, ...items)));
}
