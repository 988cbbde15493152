// Bearer tokens: issue one (shown once), list them, revoke one.
import { h, pageHeader, field, button, formAlert, showError, clearErrors, busy, toast, table, empty, chip, clear, confirmDialog, dl } from '../dom.js';
import { t, label, fmtTime } from '../i18n.js';
import { get, post, enc, withQuery, ApiError } from '../api.js';
import { TOKEN_SUBJECTS } from '../data.js';

export async function render(ctx) {
  const w = (k, v) => t(`reg.tokens.${k}`, v);
  ctx.title(w('title'));
  const filter = ctx.query.get('subject') || '';

  // Issue.
  const alert = formAlert();
  const kind = field({ id: 'tokens-subjectKind', name: 'tokens-subjectKind', type: 'select', label: w('subjectKind'), field: 'subjectKind', required: true,
    options: TOKEN_SUBJECTS.map((k) => [k, label('subjectKind', k)]) });
  const subject = field({ id: 'tokens-subjectId', name: 'tokens-subjectId', label: w('subjectId'), field: 'subjectId', required: true, attrs: { spellcheck: 'false' } });
  const days = field({ id: 'tokens-ttl', name: 'tokens-ttl', type: 'number', label: w('ttl'), field: 'ttlSeconds', value: '90', attrs: { min: '1', max: '366' } });
  const desc = field({ id: 'tokens-description', name: 'tokens-description', label: w('description'), field: 'description' });
  const issueBtn = h('button', { type: 'submit', class: 'btn btn-primary', id: 'tokens-issue' }, w('issue'));
  const shown = h('div', { id: 'token-shown' });
  const form = h('form', { class: 'form', id: 'tokens-form', novalidate: true }, alert, h('div', { class: 'grid-2' }, kind.wrap, subject.wrap, days.wrap, desc.wrap),
    h('div', { class: 'form-actions' }, issueBtn), shown);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    busy(issueBtn, async () => {
      clearErrors(form);
      clear(shown);
      try {
        const r = await post('/api/v1/tokens', { subjectKind: kind.input.value, subjectId: subject.input.value.trim(),
          ttlSeconds: String(Math.round((Number(days.input.value) || 0) * 86400)), description: desc.input.value.trim().normalize('NFC') });
        const copyBtn = button(t('app.copy'), { class: 'btn-quiet btn-small' }, async () => {
          try { await navigator.clipboard.writeText(r.token); toast(t('app.copied')); } catch { /* select it by hand */ }
        });
        shown.append(h('div', { class: 'notice notice-warn token-once', role: 'status' },
          h('p', null, h('strong', null, w('issued')), ' — ', w('once')),
          dl([[w('tokenField'), h('code', { class: 'secret wrap', id: 'token-value' }, r.token)], [w('id'), r.info?.tokenId || ''],
            [w('expiresAt'), fmtTime(r.info?.expiresAt)]]), copyBtn));
        await load();
      } catch (e) { if (!(e instanceof ApiError && e.httpStatus === 401)) showError(form, e, alert); }
    });
  });

  // List.
  const listAlert = formAlert();
  const listBox = h('div', { class: 'list-box', id: 'tokens-list' });
  const subjectFilter = field({ id: 'tokens-filter', name: 'tokens-filter', label: w('filterSubject'), value: filter, attrs: { spellcheck: 'false' } });
  const filterBtn = h('button', { type: 'submit', class: 'btn btn-quiet' }, t('app.filter'));
  const filterForm = h('form', { class: 'filters inline-row', id: 'tokens-filter-form', novalidate: true }, subjectFilter.wrap, filterBtn);
  filterForm.addEventListener('submit', (ev) => { ev.preventDefault(); ctx.go(withQuery('/admin/tokens', { subject: subjectFilter.input.value.trim() })); });

  const stateOf = (x) => {
    if (x.revokedAt) return chip(w('revoked'), 'danger');
    if (x.expiresAt && new Date(x.expiresAt) <= new Date()) return chip(w('expiredState'), 'neutral');
    return chip(w('activeState'), 'ok');
  };
  async function load() {
    try {
      const r = await get(withQuery('/api/v1/tokens', { subjectId: filter }));
      const all = (r.tokens || []).slice().sort((a, b) => String(b.issuedAt || '').localeCompare(String(a.issuedAt || '')));
      const tokens = all.slice(0, 500); // the newest; a filter finds the others
      clear(listBox).append(tokens.length ? table(w('title'), [
        { label: w('id'), cell: (x) => h('code', null, x.tokenId), header: true },
        { label: w('subjectKind'), cell: (x) => h('span', null, label('subjectKind', x.subjectKind), x.session ? h('span', { class: 'sub muted' }, `${w('session')}: ${x.username || ''}`) : null) },
        { label: w('subjectId'), cell: (x) => x.subjectId },
        { label: w('description'), cell: (x) => x.description || '' },
        { label: w('issuedAt'), cell: (x) => fmtTime(x.issuedAt), class: 'nowrap' },
        { label: w('expiresAt'), cell: (x) => fmtTime(x.expiresAt), class: 'nowrap' },
        { label: w('state'), cell: stateOf },
        { label: t('app.actions'), cell: (x) => (x.revokedAt ? '' : button(w('revoke'), { class: 'btn-quiet btn-small btn-danger-text', 'aria-label': `${w('revoke')} ${x.tokenId}` }, async (ev) => {
          const ok = await confirmDialog({ title: w('confirmRevoke', { id: x.tokenId }), body: w('confirmRevokeBody'), ok: w('revoke'), danger: true });
          if (!ok) return;
          await busy(ev.target, async () => {
            try {
              await post(`/api/v1/tokens/${enc(x.tokenId)}:revoke`, {});
              toast(w('revokedOk', { id: x.tokenId }));
              await load();
            } catch (e) { if (!(e instanceof ApiError && e.httpStatus === 401)) showError(listBox, e, listAlert); }
          });
        })) },
      ], tokens.map((x) => ({ ...x, __data: { key: x.tokenId } }))) : empty(t('app.none')));
      if (all.length > tokens.length) listBox.append(h('p', { class: 'muted' }, t('report.truncated', { shown: tokens.length, total: all.length })));
    } catch (e) { if (!(e instanceof ApiError && e.httpStatus === 401)) showError(listBox, e, listAlert); }
  }

  ctx.main.replaceChildren(pageHeader(w('title'), w('lead')),
    h('section', { class: 'panel', 'aria-labelledby': 'tokens-form-title' }, h('h2', { class: 'panel-title', id: 'tokens-form-title' }, w('form')), form),
    h('section', { class: 'panel', 'aria-labelledby': 'tokens-list-title' },
      h('div', { class: 'panel-head' }, h('h2', { class: 'panel-title', id: 'tokens-list-title' }, w('title')), filterForm), listAlert, listBox));
  await load();
  return null;
}
