// One statement: the version as issued, every version with who wrote, reviewed and issued it,
// and for the spokesperson the next version (update, correction, withhold, kill).
import { h, field, button, formAlert, showError, clearErrors, setFieldError, busy, toast, confirmDialog, link, table, chip } from '../dom.js';
import { t, fmtTime, label } from '../i18n.js';
import { get, post, session, enc, withQuery, newKey, ApiError } from '../api.js';
import { wireCard } from '../statement-view.js';
import { contentForm } from '../content-form.js';
import { SIGNALS } from '../data.js';

// The content of an issued version, as a draft to change.
export function draftOf(s) {
  const d = { agencyCode: s.issuer?.agencyCode || '', kind: s.kind, urgency: s.urgency, language: s.language, headline: s.headline,
    summary: s.summary, body: s.body, subjects: s.subjects, located: s.located, attachments: s.attachments, inReplyTo: s.inReplyTo };
  if (s.embargoed && new Date(s.embargoed) > new Date()) d.embargoed = s.embargoed;
  return d;
}

export async function render(ctx) {
  const id = ctx.params.id;
  const wanted = Number(ctx.query.get('v')) || 0;
  const [statement, latest, history] = await Promise.all([
    get(withQuery(`/api/v1/statements/${enc(id)}`, { version: wanted || undefined })),
    wanted ? get(`/api/v1/statements/${enc(id)}`) : null,
    get(`/api/v1/statements/${enc(id)}/history`).catch((e) => { if (e?.httpStatus === 401) throw e; return { versions: [] }; }),
  ]);
  if (!ctx.alive()) return null;
  const head = latest || statement;
  ctx.title(`${statement.headline} · ${t('statement.version', { n: statement.version })}`);

  const reportHref = `#/statements/${encodeURIComponent(id)}/report${wanted ? `?v=${statement.version}` : ''}`;
  const top = h('div', { class: 'page-head statement-head' },
    h('p', { class: 'crumbs' }, link(t('nav.statements'), '#/statements'), ' / ', h('span', null, t('statement.version', { n: statement.version }))),
    h('div', { class: 'page-actions' }, link(t('statement.report'), reportHref, { class: 'btn btn-primary', id: 'open-report' })));

  const versions = (history.versions || []).slice().sort((a, b) => b.version - a.version);
  const versionsPanel = h('section', { class: 'panel', 'aria-labelledby': 'versions-title' },
    h('h2', { class: 'panel-title', id: 'versions-title' }, t('statement.versions')),
    table(t('statement.versions'), [
      { label: t('statements.version'), cell: (v) => (v.version === statement.version
        ? h('span', null, String(v.version), ' ', chip(t('statement.viewing'), 'info'))
        : link(String(v.version), `#/statements/${encodeURIComponent(id)}?v=${v.version}`, { 'aria-label': t('statement.view', { n: v.version }) })), class: 'num' },
      { label: t('statement.signal'), cell: (v) => label('signal', v.signal) },
      { label: t('statement.issuedAt'), cell: (v) => fmtTime(v.issuedAt), class: 'nowrap' },
      { label: t('statement.writtenBy'), cell: (v) => v.writtenBy || '—' },
      { label: t('statement.reviewedBy'), cell: (v) => v.reviewedBy || '—' },
      { label: t('statement.publishedBy'), cell: (v) => v.publishedBy || '—' },
      { label: t('report.title'), cell: (v) => link(t('statement.reportOf', { n: v.version }), `#/statements/${encodeURIComponent(id)}/report?v=${v.version}`) },
    ], versions.map((v) => ({ ...v, __data: { version: String(v.version) } }))));

  const parts = [top, h('div', { class: 'panel statement-card', id: 'statement-card' }, wireCard(statement, { level: 1 })), versionsPanel];
  let controller = null;
  const canRevise = session.role === 'ROLE_SPOKESPERSON' && head.pubstatus !== 'PUB_STATUS_CANCELED';
  if (canRevise) {
    const r = revisePanel(ctx, head);
    parts.push(r.el);
    controller = r;
  } else if (head.pubstatus === 'PUB_STATUS_CANCELED') {
    parts.push(h('p', { class: 'notice notice-danger', id: 'statement-killed' }, t('statement.killed')));
  }
  ctx.main.replaceChildren(...parts);
  return controller;
}

function revisePanel(ctx, head) {
  let key = newKey();
  const alert = formAlert();
  const signal = field({ id: 'revise-signal', name: 'revise-signal', type: 'select', label: t('statement.signalField'), field: 'signal',
    options: [['', t('statement.choose')], ...SIGNALS.map((s) => [s, label('signal', s)])] });
  const reason = field({ id: 'revise-reason', name: 'revise-reason', type: 'textarea', rows: 3, label: t('statement.reason'),
    hint: t('statement.reasonHint'), field: 'reason' });
  const content = contentForm('r', { agencyCode: head.issuer?.agencyCode || session.agencyCode });
  content.load(draftOf(head));
  const contentBox = h('div', { class: 'revise-content' }, h('h3', { class: 'sub-title' }, t('statement.newContent')), content.el);
  const submit = button(t('statement.submitRevise'), { id: 'revise-submit', class: 'btn-primary' });
  const formEl = h('form', { class: 'form', id: 'revise-form', novalidate: true }, alert, signal.wrap, reason.wrap, contentBox, h('div', { class: 'form-actions' }, submit));
  const sync = () => {
    const changes = ['VERSION_SIGNAL_UPDATE', 'VERSION_SIGNAL_CORRECTION'].includes(signal.input.value);
    contentBox.hidden = !changes;
    submit.className = signal.input.value === 'VERSION_SIGNAL_KILL' ? 'btn btn-danger' : 'btn btn-primary';
  };
  signal.input.addEventListener('change', sync);
  sync();

  submit.addEventListener('click', () => busy(submit, async () => {
    clearErrors(formEl);
    const s = signal.input.value;
    const changes = ['VERSION_SIGNAL_UPDATE', 'VERSION_SIGNAL_CORRECTION'].includes(s);
    if (!s) {
      setFieldError(signal.input, t('statement.chooseFirst'));
      signal.input.focus();
      return;
    }
    if (s !== 'VERSION_SIGNAL_UPDATE' && !reason.input.value.trim()) {
      setFieldError(reason.input, t('statement.reasonHint'));
      reason.input.focus();
      return;
    }
    if (changes && !content.checkLocally()) return;
    const ok = await confirmDialog({ title: t(`statement.confirm.${s}`), body: t(`statement.confirmBody.${s}`),
      ok: label('signal', s), danger: s === 'VERSION_SIGNAL_KILL' || s === 'VERSION_SIGNAL_WITHHOLD' });
    if (!ok) return;
    const body = { signal: s, reason: reason.input.value.trim().normalize('NFC'), idempotencyKey: key, expectedVersion: head.version };
    if (changes) body.draft = content.collect();
    try {
      const r = await post(`/api/v1/statements/${enc(head.id)}:revise`, body);
      toast(t('statement.revised', { v: r.statement?.version ?? '', n: r.recipientsMatched || 0 }));
      ctx.go(`/statements/${encodeURIComponent(head.id)}?v=${r.statement?.version || ''}`);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (e.httpStatus === 401) return;
      // A definite refusal: the next try is a new request. Unanswered (network, 5xx): the same key.
      if (e.httpStatus >= 400 && e.httpStatus < 500) key = newKey();
      if (e.code === 9 && /version/i.test(e.serverMessage)) {
        alert.replaceChildren(h('p', { class: 'form-alert-title' }, t('statement.expected')),
          h('p', { class: 'form-alert-detail' }, t('err.detail', { msg: e.serverMessage })));
        alert.hidden = false;
        alert.focus();
        return;
      }
      showError(formEl, e, alert);
    }
  }));

  const el = h('section', { class: 'panel', 'aria-labelledby': 'revise-title' },
    h('h2', { class: 'panel-title', id: 'revise-title' }, t('statement.revise')), formEl);
  return {
    el,
    snapshot: () => ({ signal: signal.input.value, reason: reason.input.value, content: content.collect() }),
    restore: (snap) => {
      if (!snap) return;
      signal.input.value = snap.signal || signal.input.value;
      reason.input.value = snap.reason || '';
      if (snap.content) content.load(snap.content);
      sync();
    },
  };
}
