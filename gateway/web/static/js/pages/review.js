// The review queue: drafts the press office sent to the spokesperson.
import { h, pageHeader, link } from '../dom.js';
import { t, fmtTime, label } from '../i18n.js';
import { get, withQuery } from '../api.js';
import { agencyOf, pagedList } from './common.js';
import { urgencyText } from '../statement-view.js';

export async function render(ctx) {
  ctx.title(t('review.title'));
  const agency = agencyOf();
  const listBox = h('div', { class: 'list-box', id: 'review-list' });
  ctx.main.replaceChildren(pageHeader(t('review.title'), t('review.lead')), h('section', { class: 'panel', 'aria-label': t('review.title') }, listBox));
  const list = pagedList(listBox, {
    caption: t('review.title'),
    emptyText: t('review.empty'),
    columns: [
      { label: t('desk.headline'), cell: (d) => link(d.content?.headline || t('desk.untitled'), `#/drafts/${encodeURIComponent(d.id)}`, { class: 'row-link' }) },
      { label: t('editor.kind'), cell: (d) => label('kind', d.content?.kind) },
      { label: t('editor.urgency'), cell: (d) => urgencyText(d.content?.urgency) },
      { label: t('desk.writer'), cell: (d) => d.writtenByName || d.writtenBy || '' },
      { label: t('review.submitted'), cell: (d) => fmtTime(d.submittedAt || d.updatedAt), class: 'nowrap' },
    ],
    load: async (pageToken) => {
      const r = await get(withQuery('/api/v1/drafts', { agencyCode: agency, state: 'DRAFT_STATE_IN_REVIEW', pageSize: 50, pageToken }));
      return { items: r.drafts || [], next: r.nextPageToken };
    },
  });
  await list.first();
  return null;
}
