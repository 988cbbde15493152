// The signed-in person's account: who they are, a new password, and the second factor (which an
// operator must enrol before anything else works).
import { h, pageHeader, field, button, formAlert, showError, clearErrors, setFieldError, busy, toast, dl, section } from '../dom.js';
import { t, fmtTime, label } from '../i18n.js';
import { get, post, session, ApiError } from '../api.js';

export async function render(ctx) {
  ctx.title(t('account.title'));
  const me = await get('/api/v1/me/account');
  if (!ctx.alive()) return null;
  session.totpEnabled = Boolean(me.totpEnabled);

  const facts = section(t('account.who'), dl([
    [t('account.username'), me.username],
    [t('account.name'), me.displayName || '—'],
    [t('account.kind'), label('subjectKind', me.subjectKind)],
    session.agencyCode || me.agencyCode ? [t('account.agency'), session.agencyCode || me.agencyCode] : null,
    [t('account.lastSignIn'), fmtTime(me.lastSignIn) || '—'],
    [t('reg.accounts.totp'), me.totpEnabled ? t('totp.enabled') : t('totp.disabled')],
  ]));

  // Second factor.
  const totpAlert = formAlert();
  const totpBody = h('div', { id: 'totp-box' });
  const startBtn = button(t('totp.start'), { id: 'totp-start', class: 'btn-primary' });
  startBtn.addEventListener('click', () => busy(startBtn, async () => {
    try {
      const e = await post('/api/v1/me/account:enrollTotp', {});
      const code = field({ id: 'totp-code', name: 'totp-code', label: t('totp.code'), field: 'code',
        attrs: { inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6', 'data-nokeep': '' } });
      const confirm = h('button', { type: 'submit', class: 'btn btn-primary', id: 'totp-confirm' }, t('totp.confirm'));
      const form = h('form', { class: 'form', id: 'totp-form', novalidate: true }, totpAlert,
        h('p', { class: 'notice notice-warn' }, t('totp.once')),
        dl([[t('totp.secret'), h('code', { class: 'secret', id: 'totp-secret' }, e.secret)],
          [t('totp.uri'), h('code', { class: 'secret wrap', id: 'totp-uri' }, e.otpauthUri)]]),
        code.wrap, confirm);
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        busy(confirm, async () => {
          clearErrors(form);
          try {
            await post('/api/v1/me/account:confirmTotp', { code: code.input.value.replace(/\s+/g, '') });
            session.totpPending = false;
            session.totpEnabled = true;
            toast(t('totp.done'));
            ctx.go(ctx.home());
          } catch (err) { if (!(err instanceof ApiError && err.httpStatus === 401)) showError(form, err, totpAlert); }
        });
      });
      totpBody.replaceChildren(form);
      code.input.focus();
    } catch (err) { if (!(err instanceof ApiError && err.httpStatus === 401)) showError(totpBody, err, totpAlert); }
  }));
  totpBody.append(totpAlert, h('p', null, me.totpEnabled ? t('totp.enabled') : t('totp.lead')), startBtn);
  const totpSection = section(t('totp.title'), totpBody);

  // Password.
  const pwAlert = formAlert();
  const current = field({ id: 'pw-current', name: 'pw-current', type: 'password', label: t('account.current'), field: 'currentPassword', attrs: { autocomplete: 'current-password' } });
  const next = field({ id: 'pw-new', name: 'pw-new', type: 'password', label: t('account.newPassword'), field: 'newPassword', attrs: { autocomplete: 'new-password', minlength: '12' } });
  const again = field({ id: 'pw-again', name: 'pw-again', type: 'password', label: t('account.repeat'), attrs: { autocomplete: 'new-password' } });
  const change = h('button', { type: 'submit', class: 'btn btn-primary', id: 'pw-submit' }, t('account.change'));
  const pwForm = h('form', { class: 'form narrow', id: 'pw-form', novalidate: true }, pwAlert,
    h('input', { type: 'text', name: 'username', autocomplete: 'username', value: me.username, hidden: true, 'aria-hidden': 'true', tabindex: '-1', 'data-nokeep': '' }),
    current.wrap, next.wrap, again.wrap, change);
  pwForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    busy(change, async () => {
      clearErrors(pwForm);
      if ([...next.input.value].length < 12) { setFieldError(next.input, t('account.tooShort')); next.input.focus(); return; }
      if (next.input.value !== again.input.value) { setFieldError(again.input, t('account.mismatch')); again.input.focus(); return; }
      try {
        await post('/api/v1/me/account:changePassword', { currentPassword: current.input.value, newPassword: next.input.value });
        pwForm.reset();
        toast(t('account.changed'));
      } catch (err) { if (!(err instanceof ApiError && err.httpStatus === 401)) showError(pwForm, err, pwAlert); }
    });
  });

  const parts = [pageHeader(session.totpPending ? t('totp.title') : t('account.title'), session.totpPending ? t('totp.lead') : null)];
  if (session.totpPending) parts.push(h('p', { class: 'notice notice-warn', role: 'status' }, t('err.totpPending')), totpSection, facts);
  else parts.push(facts, section(t('account.password'), pwForm), totpSection);
  ctx.main.replaceChildren(...parts);
  return null;
}
