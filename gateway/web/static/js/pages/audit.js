// The audit trail: filter by who, what and since when, newest first, page by page.
import { h, pageHeader, field, button, formAlert, showError, clearErrors, busy, table, empty, chip, clear } from '../dom.js';
import { t, label, fmtTime, vnLocalToUtc } from '../i18n.js';
import { get, withQuery, ApiError } from '../api.js';

export async function render(ctx) {
  const w = (k) => t(`reg.audit.${k}`);
  ctx.title(w('title'));
  const q = ctx.query;
  const alert = formAlert();
  const principal = field({ id: 'audit-principal', name: 'audit-principal', label: w('principal'), field: 'principalId', value: q.get('principal') || '', attrs: { spellcheck: 'false' } });
  const method = field({ id: 'audit-method', name: 'audit-method', label: w('method'), field: 'method', value: q.get('method') || '',
    attrs: { list: 'audit-methods', spellcheck: 'false', placeholder: 'Distribution.Publish' } });
  const methods = h('datalist', { id: 'audit-methods' }, ['Distribution.Publish', 'Distribution.Revise', 'Distribution.ApproveDraft', 'Distribution.CreateDraft',
    'Distribution.SubmitDraft', 'Distribution.ReturnDraft', 'RegistryAdmin.UpsertOutlet', 'RegistryAdmin.UpsertJournalist', 'RegistryAdmin.IssueToken',
    'RegistryAdmin.RevokeToken', 'RegistryAdmin.UpsertAccount', 'Directory.SignIn'].map((m) => h('option', { value: m })));
  const target = field({ id: 'audit-target', name: 'audit-target', label: w('target'), field: 'target', value: q.get('target') || '', attrs: { spellcheck: 'false' } });
  const since = field({ id: 'audit-since', name: 'audit-since', type: 'datetime-local', label: w('since'), field: 'since', value: q.get('since') || '' });
  const limit = field({ id: 'audit-limit', name: 'audit-limit', type: 'select', label: w('limit'), field: 'limit',
    options: [['50', '50'], ['100', '100'], ['200', '200'], ['500', '500']], value: q.get('limit') || '100' });
  const search = h('button', { type: 'submit', class: 'btn btn-primary', id: 'audit-search' }, w('search'));
  const form = h('form', { class: 'form', id: 'audit-form', novalidate: true }, alert, methods,
    h('div', { class: 'grid-3' }, principal.wrap, method.wrap, target.wrap, since.wrap, limit.wrap), h('div', { class: 'form-actions' }, search));

  const listBox = h('div', { class: 'list-box', id: 'audit-list' });
  const newer = button(t('app.newer'), { class: 'btn-quiet', id: 'audit-newer' });
  const older = button(t('app.older'), { class: 'btn-quiet', id: 'audit-older' });
  const note = h('p', { class: 'muted', id: 'audit-note' });
  const tokens = ['']; // the page tokens of the pages seen: tokens[i] opens page i
  let page = 0;

  async function load(i) {
    clearErrors(form);
    const token = tokens[i];
    try {
      const r = await get(withQuery('/api/v1/audit', { principalId: principal.input.value.trim(), method: method.input.value.trim(),
        target: target.input.value.trim(), since: vnLocalToUtc(since.input.value) || undefined, limit: limit.input.value, pageToken: token }));
      page = i;
      tokens.length = i + 1;
      if (r.nextPageToken) tokens.push(r.nextPageToken);
      const entries = r.entries || [];
      clear(listBox).append(entries.length ? table(w('title'), [
        { label: w('at'), cell: (e) => fmtTime(e.at, 'seconds'), class: 'nowrap' },
        { label: w('method'), cell: (e) => h('code', null, e.method || '') },
        { label: w('who'), cell: (e) => h('span', null, e.principalId || '—', h('span', { class: 'sub muted' }, e.role && e.role !== 'ROLE_UNSPECIFIED' ? label('role', e.role) : '')) },
        { label: w('target'), cell: (e) => e.target || '' },
        { label: w('outcome'), cell: (e) => h('span', null, chip(e.outcome || '', (e.outcome || '').startsWith('OK') ? 'ok' : 'danger'),
          e.outcomeMessage ? h('span', { class: 'sub muted' }, e.outcomeMessage) : null) },
        { label: w('peer'), cell: (e) => h('span', { class: 'mono' }, e.peer || ''), class: 'nowrap' },
        { label: w('via'), cell: (e) => e.viaGateway || '' },
      ], entries) : empty(w('empty')));
      note.textContent = !entries.length && r.nextPageToken ? w('moreMaybe') : '';
      newer.disabled = page === 0;
      older.disabled = !r.nextPageToken;
    } catch (e) { if (!(e instanceof ApiError && e.httpStatus === 401)) showError(form, e, alert); }
  }
  form.addEventListener('submit', (ev) => { ev.preventDefault(); tokens.length = 1; busy(search, () => load(0)); });
  newer.addEventListener('click', () => busy(newer, () => load(Math.max(0, page - 1))));
  older.addEventListener('click', () => busy(older, () => load(page + 1)));

  ctx.main.replaceChildren(pageHeader(w('title'), w('lead')),
    h('section', { class: 'panel', 'aria-labelledby': 'audit-filter-title' }, h('h2', { class: 'panel-title', id: 'audit-filter-title' }, t('app.filter')), form),
    h('section', { class: 'panel', 'aria-labelledby': 'audit-list-title' }, h('h2', { class: 'panel-title', id: 'audit-list-title' }, w('title')),
      listBox, note, h('div', { class: 'pager' }, newer, older)));
  await load(0);
  return null;
}

