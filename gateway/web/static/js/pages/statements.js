// The agency's statements (operators: any agency's), latest version of each, newest first.
import { h, pageHeader, field, link, chip } from '../dom.js';
import { t, fmtTime, label } from '../i18n.js';
import { get, withQuery, session } from '../api.js';
import { pagedList, agencyOf } from './common.js';
import { statusTone } from '../statement-view.js';

export async function render(ctx) {
  ctx.title(t('statements.title'));
  const operator = session.role === 'ROLE_OPERATOR';
  const agency = operator ? ctx.query.get('agency') || '' : agencyOf();
  const filters = h('div', { class: 'filters' });
  if (operator) {
    let agencies = [];
    try { agencies = (await get('/api/v1/agencies')).agencies || []; } catch (e) { if (e?.httpStatus === 401) return null; }
    const pick = field({ id: 'statements-agency', name: 'agency', type: 'select', label: t('statements.agency'), value: agency,
      options: [['', t('statements.allAgencies')], ...agencies.map((a) => [a.code, `${a.code} · ${a.nameVi || a.nameEn || ''}`])] });
    pick.input.value = agency;
    pick.input.addEventListener('change', () => ctx.go(withQuery('/statements', { agency: pick.input.value })));
    filters.append(pick.wrap);
  }
  const listBox = h('div', { class: 'list-box', id: 'statements-list' });
  ctx.main.replaceChildren(
    pageHeader(t('statements.title'), agency ? t('statements.lead', { agency }) : t('statements.leadAll')),
    h('section', { class: 'panel', 'aria-labelledby': 'statements-title' },
      h('div', { class: 'panel-head' }, h('h2', { class: 'panel-title', id: 'statements-title' }, t('statements.title')), filters),
      listBox));
  const list = pagedList(listBox, {
    caption: t('statements.title'),
    emptyText: t('statements.empty'),
    columns: [
      { label: t('statements.headline'), cell: (s) => h('span', null, link(s.headline || s.id, `#/statements/${encodeURIComponent(s.id)}`, { class: 'row-link' }),
        s.embargoed && new Date(s.embargoed) > new Date() ? h('span', { class: 'sub muted' }, t('statements.embargoed', { time: fmtTime(s.embargoed) })) : null) },
      { label: t('statements.kind'), cell: (s) => label('kind', s.kind) },
      { label: t('statements.version'), cell: (s) => String(s.version || 1), class: 'num' },
      { label: t('statements.status'), cell: (s) => h('span', { class: 'chips' }, chip(label('pubstatus', s.pubstatus), statusTone(s)),
        s.signal && s.signal !== 'VERSION_SIGNAL_PUBLISH' ? chip(label('signal', s.signal), 'info') : null) },
      { label: t('statements.issued'), cell: (s) => fmtTime(s.versioncreated), class: 'nowrap' },
      { label: t('report.title'), cell: (s) => link(t('report.title'), `#/statements/${encodeURIComponent(s.id)}/report`, { 'aria-label': `${t('report.title')}: ${s.headline || s.id}` }) },
    ],
    load: async (pageToken) => {
      const r = await get(withQuery('/api/v1/statements', { agencyCode: agency, pageSize: 50, pageToken }));
      return { items: r.statements || [], next: r.nextPageToken };
    },
  });
  await list.first();
  return null;
}
