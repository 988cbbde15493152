// Sign-in accounts: create (with a password), change, reset the second factor, disable.
import { h, pageHeader, field, button, formAlert, showError, clearErrors, busy, toast, table, empty, chip, clear, confirmDialog } from '../dom.js';
import { t, label, fmtTime } from '../i18n.js';
import { get, put, post, enc, ApiError } from '../api.js';
import { ACCOUNT_SUBJECTS } from '../data.js';

export async function render(ctx) {
  const w = (k, v) => t(`reg.accounts.${k}`, v);
  ctx.title(w('title'));
  const alert = formAlert();
  const username = field({ id: 'accounts-username', name: 'accounts-username', label: w('username'), field: 'username', required: true,
    attrs: { autocomplete: 'off', spellcheck: 'false', autocapitalize: 'none' } });
  const kind = field({ id: 'accounts-subjectKind', name: 'accounts-subjectKind', type: 'select', label: w('subjectKind'), field: 'subjectKind', required: true,
    options: ACCOUNT_SUBJECTS.map((k) => [k, label('subjectKind', k)]) });
  const subject = field({ id: 'accounts-subjectId', name: 'accounts-subjectId', label: w('subjectId'), field: 'subjectId', required: true, attrs: { spellcheck: 'false' } });
  const display = field({ id: 'accounts-displayName', name: 'accounts-displayName', label: w('displayName'), field: 'displayName', required: true });
  const password = field({ id: 'accounts-password', name: 'accounts-password', type: 'password', label: w('password'), field: 'password', attrs: { autocomplete: 'new-password' } });
  const disabled = field({ id: 'accounts-disabled', name: 'accounts-disabled', type: 'checkbox', label: w('disabled'), field: 'disabled' });
  const saveBtn = h('button', { type: 'submit', class: 'btn btn-primary', id: 'accounts-save' }, t('app.save'));
  const form = h('form', { class: 'form', id: 'accounts-form', novalidate: true, autocomplete: 'off' }, alert,
    h('div', { class: 'grid-2' }, username.wrap, kind.wrap, subject.wrap, display.wrap, password.wrap, disabled.wrap),
    h('div', { class: 'form-actions' }, saveBtn, h('button', { type: 'reset', class: 'btn btn-quiet' }, t('app.clearForm'))));
  let accounts = [];

  const upsert = async (account, pw) => {
    await put(`/api/v1/accounts/${enc(account.username)}`, { account, password: pw || '' });
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    busy(saveBtn, async () => {
      clearErrors(form);
      const account = { username: username.input.value.trim().toLowerCase(), subjectKind: kind.input.value, subjectId: subject.input.value.trim(),
        displayName: display.input.value.trim().normalize('NFC'), disabled: disabled.input.checked };
      try {
        await upsert(account, password.input.value);
        toast(w('saved', { id: account.username }));
        form.reset();
        await load();
      } catch (e) { if (!(e instanceof ApiError && e.httpStatus === 401)) showError(form, e, alert); }
    });
  });

  const listAlert = formAlert();
  const listBox = h('div', { class: 'list-box', id: 'accounts-list' });
  const act = (text, attrs, fn) => button(text, { class: ['btn-quiet', 'btn-small', attrs.class].filter(Boolean).join(' '), 'aria-label': attrs.aria }, async (ev) => {
    await busy(ev.target, async () => {
      try { await fn(); await load(); } catch (e) { if (!(e instanceof ApiError && e.httpStatus === 401)) showError(listBox, e, listAlert); }
    });
  });
  async function load() {
    try {
      accounts = (await get('/api/v1/accounts')).accounts || [];
      clear(listBox).append(accounts.length ? table(w('title'), [
        { label: w('username'), cell: (a) => h('span', null, a.displayName || a.username, h('span', { class: 'sub muted mono' }, a.username)), header: true },
        { label: w('subjectKind'), cell: (a) => h('span', null, label('subjectKind', a.subjectKind), h('span', { class: 'sub muted mono' }, a.subjectId)) },
        { label: w('totp'), cell: (a) => (a.totpEnabled ? chip(t('app.yes'), 'ok') : chip(t('app.no'), a.subjectKind === 'SUBJECT_KIND_OPERATOR' ? 'warn' : 'neutral')) },
        { label: w('status'), cell: (a) => h('span', null, a.disabled ? chip(w('off'), 'danger') : chip(w('on'), 'ok'),
          a.lockedUntil && new Date(a.lockedUntil) > new Date() ? h('span', { class: 'sub muted' }, `${w('lockedUntil')} ${fmtTime(a.lockedUntil)}`) : null) },
        { label: w('lastSignIn'), cell: (a) => fmtTime(a.lastSignIn) || '—', class: 'nowrap' },
        { label: t('app.actions'), cell: (a) => h('div', { class: 'row-actions' },
          button(t('app.edit'), { class: 'btn-quiet btn-small', 'aria-label': `${t('app.edit')} ${a.username}` }, () => {
            clearErrors(form);
            username.input.value = a.username;
            kind.input.value = a.subjectKind;
            subject.input.value = a.subjectId || '';
            display.input.value = a.displayName || '';
            password.input.value = '';
            disabled.input.checked = Boolean(a.disabled);
            username.input.focus();
          }),
          a.totpEnabled ? act(w('resetTotp'), { aria: `${w('resetTotp')} ${a.username}` }, async () => {
            if (!(await confirmDialog({ title: w('confirmReset', { id: a.username }), body: w('confirmResetBody'), ok: w('resetTotp'), danger: true }))) return;
            await post(`/api/v1/accounts/${enc(a.username)}:resetTotp`, {});
            toast(w('resetOk', { id: a.username }));
          }) : null,
          act(a.disabled ? w('enable') : w('disable'), { class: a.disabled ? '' : 'btn-danger-text', aria: `${a.disabled ? w('enable') : w('disable')} ${a.username}` }, async () => {
            if (!a.disabled && !(await confirmDialog({ title: w('confirmDisable', { id: a.username }), body: w('confirmDisableBody'), ok: w('disable'), danger: true }))) return;
            await upsert({ username: a.username, subjectKind: a.subjectKind, subjectId: a.subjectId, displayName: a.displayName, disabled: !a.disabled }, '');
            toast(a.disabled ? w('enabledOk', { id: a.username }) : w('disabledOk', { id: a.username }));
          })) },
      ], accounts.map((a) => ({ ...a, __data: { key: a.username } }))) : empty(t('app.none')));
    } catch (e) { if (!(e instanceof ApiError && e.httpStatus === 401)) showError(listBox, e, listAlert); }
  }

  ctx.main.replaceChildren(pageHeader(w('title'), w('lead')),
    h('div', { class: 'split' },
      h('section', { class: 'panel', 'aria-labelledby': 'accounts-list-title' }, h('h2', { class: 'panel-title', id: 'accounts-list-title' }, w('title')), listAlert, listBox),
      h('section', { class: 'panel', 'aria-labelledby': 'accounts-form-title' }, h('h2', { class: 'panel-title', id: 'accounts-form-title' }, w('form')), form)));
  await load();
  return null;
}
