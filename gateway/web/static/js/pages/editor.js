// The draft editor: write, save, preview exactly as newsrooms will receive it, send for review;
// for the spokesperson, review (publish now or at the release time, or send back with a
// comment). A failed call never clears the form.
import { h, pageHeader, field, button, formAlert, showError, clearErrors, setFieldError, busy, toast, confirmDialog, dl, clear } from '../dom.js';
import { t, fmtTime } from '../i18n.js';
import { get, post, put, session, enc, ApiError } from '../api.js';
import { contentForm } from '../content-form.js';
import { wireCard } from '../statement-view.js';
import { draftChip, agencyOf } from './common.js';

const SP = 'ROLE_SPOKESPERSON';

export async function render(ctx) {
  const isNew = !ctx.params.id;
  let draft = isNew ? null : await get(`/api/v1/drafts/${enc(ctx.params.id)}`);
  if (!ctx.alive()) return null;
  let dirty = false;
  let previewed = null; // the content JSON last previewed

  const form = contentForm('d', { agencyCode: draft?.content?.agencyCode || agencyOf() });
  if (draft) form.load(draft.content || {});
  form.earlyToTrusted = Boolean(draft?.earlyToTrusted);
  const alert = formAlert();
  const stateBox = h('div', { class: 'draft-state', id: 'draft-state-box' });
  const notices = h('div', { class: 'notices' });
  const actions = h('div', { class: 'form-actions', id: 'draft-actions' });
  const reviewBox = h('div', { id: 'review-box' });
  const previewBody = h('div', { class: 'preview-body', id: 'preview', 'aria-live': 'polite' }, h('p', { class: 'empty' }, t('editor.previewEmpty')));
  const previewStale = h('p', { class: 'notice notice-warn', id: 'preview-stale', hidden: true }, t('editor.previewStale'));
  const formEl = h('form', { class: 'form editor-form', id: 'draft-form', novalidate: true, 'aria-labelledby': 'draft-content-title' },
    h('h2', { class: 'panel-title', id: 'draft-content-title' }, t('editor.content')), alert, form.el, actions);

  const title = () => (!draft ? t('editor.titleNew') : t('editor.title'));
  ctx.title(title());
  ctx.main.replaceChildren(
    pageHeader(title(), null, stateBox),
    notices,
    reviewBox,
    h('div', { class: 'editor-layout' },
      h('div', { class: 'panel editor-main' }, formEl),
      h('section', { class: 'panel editor-preview', 'aria-labelledby': 'preview-title', tabindex: '0' },
        h('h2', { class: 'panel-title', id: 'preview-title' }, t('editor.previewTitle')), previewStale, previewBody)));

  form.onChange(() => {
    dirty = true;
    previewStale.hidden = previewed === null || JSON.stringify(form.collect()) === previewed;
  });
  const beforeUnload = (ev) => { if (dirty) { ev.preventDefault(); ev.returnValue = t('editor.unsavedLeave'); } };
  window.addEventListener('beforeunload', beforeUnload);
  ctx.onLeave(() => window.removeEventListener('beforeunload', beforeUnload));

  // --- Calls ----------------------------------------------------------------------------

  const fail = (e, where = alert) => {
    if (e instanceof ApiError && e.httpStatus === 401) return;
    if (e instanceof ApiError && (e.code === 9 || e.code === 10) && /revision|changed|expected|concurrent/i.test(e.serverMessage)) {
      where.replaceChildren(h('p', { class: 'form-alert-title' }, t('editor.conflict')),
        h('p', { class: 'form-alert-detail' }, t('err.detail', { msg: e.serverMessage })));
      where.hidden = false;
      where.focus();
      return;
    }
    showError(formEl, e, where);
  };

  async function save() {
    clearErrors(formEl);
    if (!form.checkLocally()) return false;
    const content = form.collect();
    try {
      if (!draft) {
        draft = await post('/api/v1/drafts', { draft: { content, earlyToTrusted: form.earlyToTrusted } });
        ctx.replace(`/drafts/${encodeURIComponent(draft.id)}`);
      } else {
        draft = await put(`/api/v1/drafts/${enc(draft.id)}`,
          { draft: { id: draft.id, content, earlyToTrusted: form.earlyToTrusted }, expectedRevision: draft.revision });
      }
      dirty = false;
      refresh();
      return true;
    } catch (e) { fail(e); return false; }
  }

  async function preview() {
    clearErrors(formEl);
    if (!form.checkLocally()) return;
    const content = form.collect();
    try {
      const statement = await post('/api/v1/drafts:preview', { content });
      previewed = JSON.stringify(content);
      previewStale.hidden = true;
      clear(previewBody).append(wireCard(statement, { level: 3 }));
    } catch (e) { fail(e); }
  }

  async function submit() {
    if ((dirty || !draft) && !(await save())) return false;
    try {
      draft = await post(`/api/v1/drafts/${enc(draft.id)}:submit`, { expectedRevision: draft.revision });
      toast(t('editor.submitted'));
      refresh();
      return true;
    } catch (e) { fail(e); return false; }
  }

  async function approve() {
    const at = draft?.content?.embargoed && new Date(draft.content.embargoed) > new Date() ? draft.content.embargoed : '';
    const ok = await confirmDialog({ title: t('editor.confirmApprove'),
      body: at ? t('editor.confirmApproveAt', { time: fmtTime(at, 'long') }) : t('editor.confirmApproveBody'),
      ok: at ? t('editor.approveAt', { time: fmtTime(at) }) : t('editor.approve') });
    if (!ok) return;
    try {
      const r = await post(`/api/v1/drafts/${enc(draft.id)}:approve`, { expectedRevision: draft.revision });
      draft = r.draft || draft;
      const p = r.published || {};
      const n = p.recipientsMatched || 0;
      toast(p.scheduled ? t('editor.scheduled', { time: fmtTime(p.statement?.embargoed), n }) : t('editor.published', { n }));
      dirty = false;
      const id = p.statement?.id || draft.statementId;
      if (id) ctx.go(`/statements/${encodeURIComponent(id)}`);
      else refresh();
    } catch (e) {
      // The draft and the form stay as they were: nothing typed is lost.
      fail(e, draft?.state === 'DRAFT_STATE_IN_REVIEW' ? reviewAlert : alert);
    }
  }

  const comment = field({ id: 'review-comment', name: 'review-comment', type: 'textarea', rows: 3, label: t('editor.comment'), field: 'comment' });
  const reviewAlert = formAlert();
  async function sendBack() {
    clearErrors(reviewBox);
    if (!comment.input.value.trim()) {
      setFieldError(comment.input, t('editor.needComment'));
      comment.input.focus();
      return;
    }
    try {
      draft = await post(`/api/v1/drafts/${enc(draft.id)}:return`, { expectedRevision: draft.revision, comment: comment.input.value.normalize('NFC') });
      toast(t('editor.returned'));
      comment.input.value = '';
      refresh();
    } catch (e) { if (!(e instanceof ApiError && e.httpStatus === 401)) showError(reviewBox, e, reviewAlert); }
  }

  // --- What the page offers in each state -------------------------------------------------

  function refresh() {
    const state = draft?.state || 'DRAFT_STATE_WRITING';
    const spokesperson = session.role === SP;
    document.getElementById('page-title').textContent = title();
    ctx.title(title());
    clear(stateBox);
    if (draft) {
      stateBox.append(h('span', { id: 'draft-state', dataset: { state } }, draftChip(draft)),
        h('span', { class: 'muted' }, ` ${t('editor.revision', { n: draft.revision || 0 })}`));
    }
    clear(notices);
    if (draft) {
      notices.append(dl([
        [t('editor.writtenBy'), draft.writtenByName || draft.writtenBy || '—'],
        [t('desk.updated'), fmtTime(draft.updatedAt || draft.createdAt) || '—'],
        draft.submittedAt ? [t('review.submitted'), fmtTime(draft.submittedAt)] : null,
      ]));
    }
    if (draft?.reviewComment && state === 'DRAFT_STATE_WRITING') {
      notices.append(h('div', { class: 'notice notice-warn', id: 'review-comment-shown' },
        h('p', null, h('strong', null, t('editor.returnedBy'))), h('p', null, draft.reviewComment)));
    }
    if (state === 'DRAFT_STATE_IN_REVIEW' && !spokesperson) notices.append(h('p', { class: 'notice' }, t('editor.readOnly')));
    if (state === 'DRAFT_STATE_PUBLISHED') {
      notices.append(h('p', { class: 'notice notice-ok' }, t('editor.publishedAs'), ' ',
        draft.statementId ? h('a', { href: `#/statements/${encodeURIComponent(draft.statementId)}` }, t('editor.openStatement')) : null));
    }
    form.setDisabled(state !== 'DRAFT_STATE_WRITING');

    clear(actions);
    const saveBtn = button(t('editor.save'), { id: 'draft-save' });
    const previewBtn = button(t('editor.preview'), { id: 'draft-preview' });
    saveBtn.addEventListener('click', () => busy(saveBtn, async () => { if (await save()) toast(t('editor.saved')); }));
    previewBtn.addEventListener('click', () => busy(previewBtn, preview));
    if (state === 'DRAFT_STATE_WRITING') {
      const submitBtn = button(t('editor.submit'), { id: 'draft-submit', class: 'btn-primary' });
      submitBtn.addEventListener('click', () => busy(submitBtn, submit));
      actions.append(saveBtn, previewBtn, submitBtn);
      if (spokesperson) {
        const publishBtn = button(t('editor.approve'), { id: 'draft-publish-own', class: 'btn-accent' });
        publishBtn.addEventListener('click', () => busy(publishBtn, async () => { if (await submit()) await approve(); }));
        actions.append(publishBtn);
      }
    } else {
      actions.append(previewBtn);
    }

    clear(reviewBox);
    if (state === 'DRAFT_STATE_IN_REVIEW' && spokesperson) {
      const embargoed = draft.content?.embargoed && new Date(draft.content.embargoed) > new Date() ? draft.content.embargoed : '';
      const approveBtn = button(embargoed ? t('editor.approveAt', { time: fmtTime(embargoed) }) : t('editor.approve'),
        { id: 'draft-approve', class: 'btn-primary' });
      approveBtn.addEventListener('click', () => busy(approveBtn, approve));
      const returnBtn = button(t('editor.returnIt'), { id: 'draft-return' });
      returnBtn.addEventListener('click', () => busy(returnBtn, sendBack));
      reviewBox.append(h('section', { class: 'panel panel-review', 'aria-labelledby': 'review-title' },
        h('h2', { class: 'panel-title', id: 'review-title' }, t('editor.reviewTitle')),
        h('p', null, t('editor.reviewLead')),
        reviewAlert,
        h('div', { class: 'review-grid' },
          h('div', null, approveBtn),
          h('div', { class: 'review-return' }, comment.wrap, returnBtn))));
    }
  }
  refresh();
  if (draft && draft.state !== 'DRAFT_STATE_WRITING') preview();

  return {
    snapshot: () => ({ content: form.collect(), earlyToTrusted: form.earlyToTrusted, comment: comment.input.value }),
    restore: (s) => {
      if (!s?.content) return;
      form.load(s.content);
      form.earlyToTrusted = s.earlyToTrusted;
      comment.input.value = s.comment || '';
      dirty = true;
    },
  };
}

