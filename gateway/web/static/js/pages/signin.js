// Sign-in: username, password and, for accounts with a second factor, the TOTP code.
import { h, field, formAlert, clearErrors, busy } from '../dom.js';
import { t, fmtTime } from '../i18n.js';
import { signIn, ApiError } from '../api.js';

export async function render(ctx) {
  ctx.title(t('signin.title'));
  const alert = formAlert();
  const user = field({ id: 'signin-username', name: 'username', label: t('signin.username'), field: 'username',
    attrs: { autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false' } });
  const pass = field({ id: 'signin-password', name: 'password', type: 'password', label: t('signin.password'), field: 'password',
    attrs: { autocomplete: 'current-password' } });
  const totp = field({ id: 'signin-totp', name: 'totp', label: t('signin.totp'), hint: t('signin.totpHint'), field: 'totpCode',
    attrs: { autocomplete: 'one-time-code', inputmode: 'numeric', maxlength: '6', 'data-nokeep': '' } });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-wide', id: 'signin-submit' }, t('signin.submit'));
  const form = h('form', { class: 'form', id: 'signin-form', novalidate: true }, alert, user.wrap, pass.wrap, totp.wrap, submit);
  const ended = ctx.query.get('ended') === '1';
  const card = h('section', { class: 'signin-card', 'aria-labelledby': 'page-title' },
    h('h1', { id: 'page-title', tabindex: '-1' }, t('signin.title')),
    h('p', { class: 'lead' }, t('signin.lead')),
    ended ? h('p', { class: 'notice notice-warn', id: 'signin-ended' }, t('signin.ended')) : null,
    form);
  ctx.main.replaceChildren(h('div', { class: 'signin-wrap' }, card));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    await busy(submit, async () => {
      try {
        await signIn(user.input.value.trim(), pass.input.value, totp.input.value.replace(/\s+/g, ''));
        ctx.afterSignIn(ctx.query.get('next') || '');
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        let message = e.userMessage;
        if (e.httpStatus === 401) message = t('signin.wrong');
        if (e.httpStatus === 429 || e.code === 8) {
          message = e.retrySeconds ? t('signin.locked', { time: fmtTime(new Date(Date.now() + e.retrySeconds * 1000), 'time') }) : t('signin.lockedNoTime');
        }
        alert.replaceChildren(h('p', { class: 'form-alert-title' }, message));
        alert.hidden = false;
        pass.input.value = '';
        totp.input.value = '';
        alert.focus();
      }
    });
  });
  if (!ended) user.input.focus();
  return null;
}
