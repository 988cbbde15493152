// A Statement as a newsroom receives it: the wire card (headline, issuer, times, body,
// topics, files, signature) and, folded, the exact JSON.
import { h, chip } from './dom.js';
import { t, label, fmtTime, fmtBytes, lang } from './i18n.js';
import { regionName } from './data.js';

export function statusTone(statement) {
  if (statement.pubstatus === 'PUB_STATUS_CANCELED') return 'danger';
  if (statement.pubstatus === 'PUB_STATUS_WITHHELD') return 'warn';
  return 'ok';
}

export function urgencyText(u) {
  const n = Number(u) || 5;
  return `${n} · ${label('urgency', n)}`;
}

export function paragraphs(text) {
  return String(text || '').split(/\n{2,}/).filter((p) => p.trim() !== '').map((p) => h('p', null, p));
}

// level: the heading level of the headline (1 when it is the page's title, else after the
// page's own headings).
export function wireCard(s, { level = 3, json = true } = {}) {
  const issuer = s.issuer || {};
  const located = s.located || {};
  const place = located.name || (located.regionCode ? regionName(located.regionCode, lang()) : '');
  const when = s.versioncreated ? fmtTime(s.versioncreated, 'long') : '';
  const embargo = s.embargoed ? h('p', { class: 'wire-embargo' }, t('statements.embargoed', { time: fmtTime(s.embargoed, 'long') })) : null;
  const kicker = h('p', { class: 'wire-kicker' },
    h('span', null, label('kind', s.kind)),
    chip(urgencyText(s.urgency), Number(s.urgency) <= 2 ? 'danger' : Number(s.urgency) <= 3 ? 'warn' : 'neutral'),
    s.pubstatus ? chip(label('pubstatus', s.pubstatus), statusTone(s)) : null,
    s.signal && s.signal !== 'VERSION_SIGNAL_PUBLISH' ? chip(label('signal', s.signal), 'info') : null,
    s.version ? h('span', { class: 'muted' }, t('statement.version', { n: s.version })) : null);
  const by = [issuer.agencyName || issuer.agencyCode, [issuer.spokespersonName, issuer.spokespersonTitle].filter(Boolean).join(', ')]
    .filter(Boolean).join(' — ');
  const attachments = (s.attachments || []).length ? h('div', { class: 'wire-files' },
    h('p', { class: 'wire-label' }, t('editor.attachments')),
    h('ul', null, s.attachments.map((a) => h('li', null,
      h('a', { href: a.href, rel: 'noopener noreferrer', target: '_blank' }, a.title || a.href),
      ' ', h('span', { class: 'muted' }, [a.mediaType, a.sizeBytes !== undefined ? fmtBytes(a.sizeBytes) : ''].filter(Boolean).join(' · ')),
      h('br'), h('code', { class: 'hash' }, `SHA-256 ${a.sha256 || ''}`))))) : null;
  const card = h('article', { class: 'wire', lang: s.language || 'vi' },
    h('header', { class: 'wire-head' },
      kicker,
      h(`h${level}`, level === 1 ? { class: 'wire-headline', id: 'page-title', tabindex: '-1' } : { class: 'wire-headline' }, s.headline || ''),
      h('p', { class: 'wire-meta' }, [by, when, place].filter(Boolean).join(' · ')),
      embargo,
      s.signalReason ? h('p', { class: 'wire-reason' }, h('strong', null, `${label('signal', s.signal)}: `), s.signalReason) : null,
      s.inReplyTo ? h('p', { class: 'wire-reply' }, h('strong', null, `${t('editor.inReplyTo')}: `), s.inReplyTo) : null),
    s.summary ? h('p', { class: 'wire-summary' }, s.summary) : null,
    h('div', { class: 'wire-body' }, paragraphs(s.body)),
    (s.subjects || []).length ? h('p', { class: 'wire-topics' }, s.subjects.map((x) => chip(x.name || x.code, 'topic', { title: x.code }))) : null,
    attachments,
    s.signature?.keyId ? h('p', { class: 'wire-sig muted' }, t('statement.signedWith', { key: s.signature.keyId, alg: s.signature.algorithm || 'ed25519' })) : null);
  if (!json) return card;
  return h('div', { class: 'wire-wrap' }, card,
    h('details', { class: 'wire-json' }, h('summary', null, t('editor.json')), h('pre', { tabindex: '0' }, JSON.stringify(s, null, 2))));
}
