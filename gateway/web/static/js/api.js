// The gateway's JSON API as the pages use it: same-origin fetch with the session cookie, the
// X-CSRF-Token header on every call that changes something, and errors as ApiError (the
// google.rpc.Status body: code, message, field violations, retry delay).
import { t } from './i18n.js';

const SESSION_KEY = 'pressrelay.session';

// Who is signed in. The session itself is an HttpOnly cookie no script can read; the CSRF
// token comes from the gateway at sign-in and on every load.
export const session = {
  signedIn: false, csrf: '', username: '', role: '', displayName: '', agencyCode: '', subjectId: '',
  totpPending: false, totpEnabled: false, idleTimeoutSeconds: 0,
};

const ROLE_OF_SUBJECT = {
  SUBJECT_KIND_SPOKESPERSON: 'ROLE_SPOKESPERSON',
  SUBJECT_KIND_PRESS_OFFICER: 'ROLE_PRESS_OFFICER',
  SUBJECT_KIND_OPERATOR: 'ROLE_OPERATOR',
};

let onUnauthenticated = () => {};
export function whenUnauthenticated(fn) { onUnauthenticated = fn; }

export class ApiError extends Error {
  constructor(httpStatus, body) {
    const code = typeof body?.code === 'number' ? body.code : (httpStatus === 0 ? 14 : httpStatus === 401 ? 16 : 2);
    super(body?.message || `HTTP ${httpStatus}`);
    this.httpStatus = httpStatus;
    this.code = code;
    this.serverMessage = body?.message || '';
    this.violations = [];
    this.retrySeconds = null;
    for (const d of body?.details || []) {
      const type = d['@type'] || '';
      if (type.endsWith('google.rpc.BadRequest')) {
        for (const v of d.fieldViolations || []) this.violations.push({ field: v.field || '', description: v.description || '' });
      } else if (type.endsWith('google.rpc.RetryInfo') && d.retryDelay) {
        this.retrySeconds = Math.ceil(parseFloat(d.retryDelay));
      }
    }
    // A message without details may still name a field: "draft.headline: is required".
    if (!this.violations.length && code === 3) {
      const m = /^([a-z_][\w.[\]]*): (.+)$/i.exec(this.serverMessage);
      if (m) this.violations.push({ field: m[1], description: m[2] });
    }
  }

  get userMessage() {
    if (this.httpStatus === 0) return t('err.network');
    if (this.code === 8) return this.retrySeconds ? t('err.8', { s: this.retrySeconds }) : t('err.retryLater');
    const text = t(`err.${this.code}`);
    return text === `err.${this.code}` ? t('err.other') : text;
  }
}

// api('POST', '/api/v1/drafts', {draft: ...}) -> the response JSON, or throws ApiError.
export async function api(method, path, body, { signal, quietUnauthenticated = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = session.csrf;
  let res;
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', cache: 'no-store', signal,
      body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, { message: String(e.message || e) });
  }
  const text = await res.text();
  let json = {};
  if (text) {
    try { json = JSON.parse(text); } catch { json = { message: text.slice(0, 300) }; }
  }
  if (res.ok) return json;
  const error = new ApiError(res.status, json);
  if (res.status === 401 && !path.startsWith('/api/session') && !quietUnauthenticated) onUnauthenticated(error);
  throw error;
}

export const get = (path, opts) => api('GET', path, undefined, opts);
export const post = (path, body = {}, opts) => api('POST', path, body, opts);
export const put = (path, body, opts) => api('PUT', path, body, opts);

// '/api/v1/statements' + {agencyCode: 'MOH', pageToken: ''} -> '/api/v1/statements?agencyCode=MOH'
export function withQuery(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export const enc = encodeURIComponent;

function remember() {
  const { username, role, displayName, agencyCode, subjectId } = session;
  sessionStorage.setItem(SESSION_KEY, JSON.stringify({ username, role, displayName, agencyCode, subjectId }));
}

function forget() {
  Object.assign(session, { signedIn: false, csrf: '', username: '', role: '', displayName: '', agencyCode: '', subjectId: '',
    totpPending: false, totpEnabled: false });
  sessionStorage.removeItem(SESSION_KEY);
}

export async function signIn(username, password, totpCode) {
  const body = { username, password };
  if (totpCode) body.totpCode = totpCode;
  const r = await api('POST', '/api/session', body);
  Object.assign(session, {
    signedIn: true, csrf: r.csrfToken || '', username: r.username || username,
    role: r.principal?.role || '', displayName: r.principal?.displayName || r.username || username,
    agencyCode: r.principal?.agencyCode || '', subjectId: r.principal?.id || '',
    totpPending: Boolean(r.totpEnrollmentRequired), idleTimeoutSeconds: r.idleTimeoutSeconds || 0,
  });
  remember();
  return r;
}

// Who the cookie says is signed in (after a reload); false when nobody is.
export async function loadSession() {
  try {
    const r = await api('GET', '/api/session');
    let saved = {};
    try { saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) || '{}'); } catch { saved = {}; }
    const same = saved.username === r.username;
    Object.assign(session, {
      signedIn: true, csrf: r.csrfToken || '', username: r.username || '',
      role: ROLE_OF_SUBJECT[r.subjectKind] || (same ? saved.role : '') || '',
      displayName: r.displayName || r.username || '',
      agencyCode: r.agencyCode || (same ? saved.agencyCode : '') || '',
      subjectId: r.subjectId || '', totpEnabled: Boolean(r.totpEnabled),
      totpPending: ROLE_OF_SUBJECT[r.subjectKind] === 'ROLE_OPERATOR' && !r.totpEnabled,
    });
    remember();
    return true;
  } catch (e) {
    if (e instanceof ApiError && e.httpStatus === 401) { forget(); return false; }
    throw e;
  }
}

export async function signOut() {
  try { await api('DELETE', '/api/session'); } finally { forget(); }
}

export function endSession() { forget(); }

// A fresh idempotency key (crypto.randomUUID needs a secure context; this does not).
export function newKey() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
