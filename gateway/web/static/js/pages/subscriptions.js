// A recipient's subscription: what it receives. Every filter narrows; an empty one means all.
import { h, pageHeader, field, fieldset, button, formAlert, showError, clearErrors, busy, toast, section } from '../dom.js';
import { t, label } from '../i18n.js';
import { get, put, enc, ApiError } from '../api.js';
import { REGIONS, STATEMENT_KINDS } from '../data.js';

const list = (s) => s.split(/[\s,;]+/).map((x) => x.trim()).filter(Boolean);

export async function render(ctx) {
  ctx.title(t('reg.subscriptions.title'));
  const [clients, journalists] = await Promise.all([get('/api/v1/clients'), get('/api/v1/journalists')]);
  if (!ctx.alive()) return null;
  const recipients = [
    ...(clients.clients || []).map((c) => [`client:${c.id}`, `${c.description || c.id} (client:${c.id})`]),
    ...(journalists.journalists || []).map((j) => [`journalist:${j.cardNumber}`, `${j.fullName} (journalist:${j.cardNumber})`]),
  ];
  const w = (k) => t(`reg.subscriptions.${k}`);
  const alert = formAlert();
  const datalist = h('datalist', { id: 'sub-recipients' }, recipients.map(([v, l]) => h('option', { value: v }, l)));
  const recipient = field({ id: 'sub-recipient', name: 'sub-recipient', label: w('recipient'), hint: w('recipientHint'), field: 'recipientId',
    required: true, value: ctx.query.get('r') || '', attrs: { list: 'sub-recipients', spellcheck: 'false', autocomplete: 'off' } });
  const loadBtn = button(w('load'), { id: 'sub-load' });
  const agencies = field({ id: 'sub-agencies', name: 'sub-agencies', label: w('agencies'), field: 'agencyCodes', attrs: { spellcheck: 'false' } });
  const topics = field({ id: 'sub-topics', name: 'sub-topics', label: w('topics'), field: 'topics', attrs: { spellcheck: 'false' } });
  const regions = field({ id: 'sub-regions', name: 'sub-regions', type: 'select', label: w('regions'), field: 'regionCodes',
    options: REGIONS.map(([c, vi]) => [c, `${vi} (${c})`]), attrs: { multiple: true, size: '8' } });
  const langVi = field({ id: 'sub-lang-vi', name: 'sub-lang-vi', type: 'checkbox', label: t('language.vi') });
  const langEn = field({ id: 'sub-lang-en', name: 'sub-lang-en', type: 'checkbox', label: t('language.en') });
  const urgency = field({ id: 'sub-urgency', name: 'sub-urgency', type: 'select', label: w('maxUrgency'), field: 'maxUrgency',
    options: [['0', w('anyUrgency')], ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => [String(n), `≤ ${n} · ${label('urgency', n)}`])] });
  const kinds = STATEMENT_KINDS.map((k) => field({ id: `sub-kind-${k}`, name: `sub-kind-${k}`, type: 'checkbox', label: label('kind', k) }));
  const saveBtn = h('button', { type: 'submit', class: 'btn btn-primary', id: 'sub-save' }, t('app.save'));
  const status = h('p', { class: 'hint', id: 'sub-status', 'aria-live': 'polite' });
  const form = h('form', { class: 'form', id: 'sub-form', novalidate: true }, alert, datalist,
    h('div', { class: 'inline-row' }, recipient.wrap, loadBtn), status,
    agencies.wrap, topics.wrap, regions.wrap,
    fieldset(w('languages'), h('div', { class: 'checks' }, langVi.wrap, langEn.wrap)),
    urgency.wrap,
    fieldset(w('kinds'), h('div', { class: 'checks' }, kinds.map((k) => k.wrap))),
    h('div', { class: 'form-actions' }, saveBtn));

  const fill = (s) => {
    agencies.input.value = (s.agencyCodes || []).join(', ');
    topics.input.value = (s.topics || []).join(', ');
    [...regions.input.options].forEach((o) => { o.selected = (s.regionCodes || []).includes(o.value); });
    langVi.input.checked = (s.languages || []).includes('vi');
    langEn.input.checked = (s.languages || []).includes('en');
    urgency.input.value = String(s.maxUrgency || 0);
    kinds.forEach((k, i) => { k.input.checked = (s.kinds || []).includes(STATEMENT_KINDS[i]); });
  };
  const open = async () => {
    clearErrors(form);
    const id = recipient.input.value.trim();
    if (!id) return;
    try {
      fill(await get(`/api/v1/subscriptions/${enc(id)}`));
      status.textContent = w('loaded').replace('{id}', id);
    } catch (e) {
      if (e instanceof ApiError && e.code === 5) { fill({}); status.textContent = w('notFound'); return; }
      if (!(e instanceof ApiError && e.httpStatus === 401)) showError(form, e, alert);
    }
  };
  loadBtn.addEventListener('click', () => busy(loadBtn, open));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    busy(saveBtn, async () => {
      clearErrors(form);
      const id = recipient.input.value.trim();
      const s = { recipientId: id, agencyCodes: list(agencies.input.value.toUpperCase()), topics: list(topics.input.value),
        regionCodes: [...regions.input.selectedOptions].map((o) => o.value),
        languages: [langVi.input.checked ? 'vi' : '', langEn.input.checked ? 'en' : ''].filter(Boolean),
        maxUrgency: Number(urgency.input.value) || 0, kinds: STATEMENT_KINDS.filter((k, i) => kinds[i].input.checked) };
      try {
        await put(`/api/v1/subscriptions/${enc(id || '-')}`, s);
        toast(w('saved').replace('{id}', id));
      } catch (e) { if (!(e instanceof ApiError && e.httpStatus === 401)) showError(form, e, alert); }
    });
  });

  ctx.main.replaceChildren(pageHeader(w('title'), w('lead')), section(w('form'), form));
  if (recipient.input.value) await open();
  return null;
}
