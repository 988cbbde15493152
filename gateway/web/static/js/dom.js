// Building the page without innerHTML (every text goes in as text), and the few widgets every
// page shares: labelled fields with an error beside them, tables, chips, toasts, a confirm
// dialog. Nothing here writes a style attribute: the CSP forbids inline style.
import { t, describe } from './i18n.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

function applyAttrs(el, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
    else if (key === 'text') el.textContent = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'on') for (const [ev, fn] of Object.entries(value)) el.addEventListener(ev, fn);
    else if (key === 'style') throw new Error('inline style is not allowed (CSP)');
    else if (key === 'value' && 'value' in el && el.namespaceURI !== SVG_NS) el.value = value;
    else if (key === 'checked' || key === 'selected' || key === 'disabled' || key === 'hidden' || key === 'multiple') el[key] = Boolean(value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// h('p', {class: 'lead'}, 'text', h('strong', null, 'more'))
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  applyAttrs(el, attrs);
  append(el, children);
  return el;
}

export function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  applyAttrs(el, attrs);
  append(el, children);
  return el;
}

export function clear(el) { while (el.firstChild) el.firstChild.remove(); return el; }

let uid = 0;
export function nextId(prefix = 'f') { uid += 1; return `${prefix}-${uid}`; }

// A page's top: the h1 (focused after navigation), a lead paragraph, actions.
export function pageHeader(title, lead, ...actions) {
  return h('div', { class: 'page-head' },
    h('div', { class: 'page-head-text' },
      h('h1', { tabindex: '-1', id: 'page-title' }, title),
      lead ? h('p', { class: 'lead' }, lead) : null),
    actions.length ? h('div', { class: 'page-actions' }, actions) : null);
}

export function section(title, ...children) {
  const id = nextId('sec');
  return h('section', { class: 'panel', 'aria-labelledby': id }, h('h2', { id, class: 'panel-title' }, title), children);
}

// A labelled control with a hint and a place for its error.
//   spec: {id, label, name, type, field, hint, required, value, options:[[value,label]], rows,
//          attrs, checked, placeholder}
export function field(spec) {
  const id = spec.id || nextId('f');
  const hintId = spec.hint ? `${id}-hint` : null;
  const errId = `${id}-err`;
  let input;
  const common = { id, name: spec.name || id, 'aria-describedby': [hintId, errId].filter(Boolean).join(' '),
    dataset: spec.field ? { field: spec.field } : undefined, ...(spec.attrs || {}) };
  if (spec.type === 'select') {
    input = h('select', common, (spec.options || []).map(([v, l]) => h('option', { value: v }, l)));
    if (spec.value !== undefined) input.value = spec.value;
  } else if (spec.type === 'textarea') {
    input = h('textarea', { ...common, rows: spec.rows || 4 });
    input.value = spec.value ?? '';
  } else if (spec.type === 'checkbox') {
    input = h('input', { ...common, type: 'checkbox', checked: spec.checked });
    return {
      wrap: h('div', { class: ['field', 'field-check', spec.class] },
        h('div', { class: 'check-row' }, input, h('label', { for: id }, spec.label)),
        hintId ? h('p', { class: 'hint', id: hintId }, spec.hint) : null,
        h('p', { class: 'field-error', id: errId, hidden: true })),
      input,
    };
  } else {
    input = h('input', { ...common, type: spec.type || 'text', placeholder: spec.placeholder });
    input.value = spec.value ?? '';
  }
  if (spec.required) input.setAttribute('aria-required', 'true');
  const labelEl = h('label', { for: id }, spec.label,
    spec.required ? h('span', { class: 'req' }, ` (${t('app.required')})`) : null);
  const wrap = h('div', { class: ['field', spec.class] },
    labelEl,
    hintId ? h('p', { class: 'hint', id: hintId }, spec.hint) : null,
    input,
    h('p', { class: 'field-error', id: errId, hidden: true }));
  return { wrap, input, label: labelEl };
}

export function fieldset(legend, ...children) {
  return h('fieldset', { class: 'fieldset' }, h('legend', null, legend), children);
}

export function button(text, attrs = {}, onClick) {
  const el = h('button', { type: 'button', ...attrs, class: ['btn', attrs.class] }, text);
  if (onClick) el.addEventListener('click', onClick);
  return el;
}

export function link(text, href, attrs = {}) { return h('a', { href, ...attrs }, text); }

export function chip(text, tone = 'neutral', attrs = {}) { return h('span', { class: ['chip', `chip-${tone}`], ...attrs }, text); }

// A table: columns [{label, cell(row) -> node|string, class}], rows, caption.
export function table(caption, columns, rows, attrs = {}) {
  // Focusable, so that a keyboard can scroll a table wider than the screen.
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'group', 'aria-label': caption },
    h('table', { class: 'table', ...attrs },
      h('caption', { class: attrs.captionVisible ? '' : 'visually-hidden' }, caption),
      h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col', class: c.class }, c.label)))),
      h('tbody', null, rows.map((row) => h('tr', { dataset: row.__data }, columns.map((c, i) => {
        const value = c.cell(row);
        return i === 0 && c.header ? h('th', { scope: 'row', class: c.class }, value) : h('td', { class: c.class }, value);
      }))))));
}

export function empty(text) { return h('p', { class: 'empty' }, text); }

export function dl(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(Boolean).map(([k, v]) => h('div', { class: 'fact' }, h('dt', null, k), h('dd', null, v))));
}

// Toasts: short confirmations, read out politely.
export function toast(message, tone = 'ok') {
  const box = document.getElementById('toasts');
  const el = h('div', { class: ['toast', `toast-${tone}`] }, message);
  box.append(el);
  setTimeout(() => el.remove(), tone === 'error' ? 10000 : 6000);
}

// The confirm dialog: resolves true when the person agrees.
export function confirmDialog({ title, body, ok, cancel, danger }) {
  const dialog = document.getElementById('dialog');
  document.getElementById('dialog-title').textContent = title;
  clear(document.getElementById('dialog-body')).append(...(Array.isArray(body) ? body : [h('p', null, body || '')]));
  const okBtn = document.getElementById('dialog-ok');
  okBtn.textContent = ok || t('app.ok');
  okBtn.className = danger ? 'btn btn-danger' : 'btn btn-primary';
  document.getElementById('dialog-cancel').textContent = cancel || t('app.cancel');
  dialog.returnValue = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
    document.getElementById('dialog-cancel').focus();
  });
}

// --- Errors beside the fields they name ---------------------------------------------------

const canon = (path) => String(path || '').replace(/_/g, '').toLowerCase();

// The control a violation's field path names: "draft.content.headline" finds data-field
// "headline"; "journalists[3].card_number" finds "journalists[3].cardNumber" or "cardNumber".
export function findFieldControl(root, path) {
  const controls = [...root.querySelectorAll('[data-field]')];
  const byField = new Map(controls.map((c) => [canon(c.dataset.field), c]));
  const parts = canon(path).split('.');
  for (let i = 0; i < parts.length; i += 1) {
    const candidate = parts.slice(i).join('.');
    if (byField.has(candidate)) return byField.get(candidate);
  }
  return null;
}

export function clearErrors(root) {
  root.querySelectorAll('.field-error').forEach((el) => { el.hidden = true; el.textContent = ''; });
  root.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
  root.querySelectorAll('.form-alert').forEach((el) => { el.hidden = true; clear(el); });
}

export function setFieldError(control, message) {
  control.setAttribute('aria-invalid', 'true');
  const err = document.getElementById(`${control.id}-err`);
  if (err) {
    err.textContent = err.hidden ? message : `${err.textContent} ${message}`;
    err.hidden = false;
  }
}

// The place at a form's top that says what went wrong (role=alert, read out at once).
export function formAlert() { return h('div', { class: 'form-alert', role: 'alert', hidden: true, tabindex: '-1' }); }

// Shows an ApiError (or any Error) in `root`: each field violation beside its control, the
// rest in the form's alert. Returns true if some field was marked.
export function showError(root, error, alertEl) {
  clearErrors(root);
  const alert = alertEl || root.querySelector('.form-alert');
  const unplaced = [];
  let first = null;
  for (const v of error.violations || []) {
    const control = findFieldControl(root, v.field);
    if (control) {
      setFieldError(control, describe(v.description));
      first = first || control;
    } else {
      unplaced.push(v);
    }
  }
  if (alert) {
    const lines = [h('p', { class: 'form-alert-title' }, first ? t('err.field') : error.userMessage || error.message)];
    if (unplaced.length) {
      lines.push(h('ul', null, unplaced.map((v) => h('li', null, h('code', null, v.field), ': ', describe(v.description)))));
    }
    if (error.serverMessage && !first && !unplaced.length && error.userMessage !== error.serverMessage) {
      lines.push(h('p', { class: 'form-alert-detail' }, t('err.detail', { msg: error.serverMessage })));
    }
    clear(alert).append(...lines);
    alert.hidden = false;
  }
  if (first) first.focus();
  else if (alert) alert.focus();
  return Boolean(first);
}

// --- Keeping what people typed ------------------------------------------------------------

// Every named control's value in root (not passwords, not files), keyed by name.
export function captureControls(root) {
  const out = {};
  root.querySelectorAll('input[name], select[name], textarea[name]').forEach((el) => {
    if (el.type === 'password' || el.type === 'file' || el.dataset.nokeep !== undefined) return;
    if (el.type === 'checkbox' || el.type === 'radio') out[el.name] = el.checked;
    else if (el.multiple) out[el.name] = [...el.selectedOptions].map((o) => o.value);
    else out[el.name] = el.value;
  });
  return out;
}

export function restoreControls(root, values) {
  if (!values) return;
  root.querySelectorAll('input[name], select[name], textarea[name]').forEach((el) => {
    if (!(el.name in values) || el.type === 'password' || el.type === 'file') return;
    const v = values[el.name];
    if (el.type === 'checkbox' || el.type === 'radio') el.checked = Boolean(v);
    else if (el.multiple) [...el.options].forEach((o) => { o.selected = v.includes(o.value); });
    else el.value = v;
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  });
}

// A pause on a button while a call runs: disabled, and aria-busy on its form.
export async function busy(btn, fn) {
  const was = btn.disabled;
  btn.disabled = true;
  btn.setAttribute('aria-busy', 'true');
  try { return await fn(); } finally { btn.disabled = was; btn.removeAttribute('aria-busy'); }
}
