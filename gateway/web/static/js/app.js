// The desk: one page, hash routes ("#/drafts/d_…"), a header with the person's navigation and
// the language switch. Pages are modules under pages/; each renders into <main> and may hand
// back {snapshot(), restore()} so that what a person typed survives a language switch and an
// ended session (kept in sessionStorage until they sign in again).
import { t, setLang, lang } from './i18n.js';
import { h, clear, toast, captureControls, restoreControls } from './dom.js';
import { session, loadSession, signOut, endSession, whenUnauthenticated } from './api.js';
import * as signinPage from './pages/signin.js';
import * as deskPage from './pages/desk.js';
import * as reviewPage from './pages/review.js';
import * as editorPage from './pages/editor.js';
import * as statementsPage from './pages/statements.js';
import * as statementPage from './pages/statement.js';
import * as reportPage from './pages/report.js';
import * as accountPage from './pages/account.js';
import * as registryPage from './pages/registry.js';
import * as subscriptionsPage from './pages/subscriptions.js';
import * as tokensPage from './pages/tokens.js';
import * as accountsPage from './pages/accounts.js';
import * as auditPage from './pages/audit.js';
import * as importPage from './pages/import.js';

const SP = 'ROLE_SPOKESPERSON';
const PO = 'ROLE_PRESS_OFFICER';
const OP = 'ROLE_OPERATOR';
const UNSAVED_KEY = 'pressrelay.unsaved';

const ROUTES = [
  { path: '/signin', page: signinPage, public: true },
  { path: '/desk', page: deskPage, roles: [SP, PO] },
  { path: '/review', page: reviewPage, roles: [SP, PO] },
  { path: '/drafts/new', page: editorPage, roles: [SP, PO] },
  { path: '/drafts/:id', page: editorPage, roles: [SP, PO] },
  { path: '/statements', page: statementsPage },
  { path: '/statements/:id', page: statementPage },
  { path: '/statements/:id/report', page: reportPage },
  { path: '/account', page: accountPage, pending: true },
  { path: '/admin/subscriptions', page: subscriptionsPage, roles: [OP] },
  { path: '/admin/tokens', page: tokensPage, roles: [OP] },
  { path: '/admin/accounts', page: accountsPage, roles: [OP] },
  { path: '/admin/audit', page: auditPage, roles: [OP] },
  { path: '/admin/import', page: importPage, roles: [OP] },
  { path: '/admin/:entity', page: registryPage, roles: [OP] },
];

const NAV = {
  [PO]: [['/desk', 'nav.desk'], ['/statements', 'nav.statements'], ['/account', 'nav.account']],
  [SP]: [['/desk', 'nav.desk'], ['/review', 'nav.review'], ['/statements', 'nav.statements'], ['/account', 'nav.account']],
  [OP]: [['/admin/agencies', 'nav.agencies'], ['/admin/spokespeople', 'nav.spokespeople'], ['/admin/officers', 'nav.officers'],
    ['/admin/outlets', 'nav.outlets'], ['/admin/journalists', 'nav.journalists'], ['/admin/clients', 'nav.clients'],
    ['/admin/subscriptions', 'nav.subscriptions'], ['/admin/tokens', 'nav.tokens'], ['/admin/accounts', 'nav.accounts'],
    ['/admin/audit', 'nav.audit'], ['/admin/import', 'nav.import'], ['/statements', 'nav.statements'], ['/account', 'nav.account']],
};

function home() {
  if (!session.signedIn) return '/signin';
  if (session.totpPending) return '/account';
  return session.role === OP ? '/admin/agencies' : '/desk';
}

function go(path) {
  const target = `#${path}`;
  if (location.hash === target) render();
  else location.hash = target;
}

function parseHash() {
  let raw = location.hash.replace(/^#/, '');
  try { raw = decodeURI(raw); } catch { /* keep it as it is */ }
  raw = raw || '/';
  const [path, q = ''] = raw.split('?');
  return { path: path || '/', query: new URLSearchParams(q) };
}

function match(path) {
  const parts = path.split('/').filter(Boolean);
  for (const route of ROUTES) {
    const rp = route.path.split('/').filter(Boolean);
    if (rp.length !== parts.length) continue;
    const params = {};
    let ok = true;
    rp.forEach((seg, i) => {
      if (seg.startsWith(':')) params[seg.slice(1)] = decodeURIComponent(parts[i]);
      else if (seg !== parts[i]) ok = false;
    });
    if (ok) return { route, params };
  }
  return null;
}

// --- The header ---------------------------------------------------------------------------

function updateChrome(activePath) {
  document.documentElement.lang = lang();
  document.getElementById('skip-link').textContent = t('app.skip');
  document.getElementById('brand-sub').textContent = t('app.title');
  document.getElementById('footer-text').textContent = t('app.footer');
  const langBtn = document.getElementById('lang-switch');
  langBtn.textContent = t('app.switchTo');
  langBtn.lang = lang() === 'vi' ? 'en' : 'vi';
  const out = document.getElementById('sign-out');
  out.textContent = t('app.signOut');
  out.hidden = !session.signedIn;
  const who = document.getElementById('whoami');
  who.hidden = !session.signedIn;
  clear(who);
  if (session.signedIn) {
    who.append(h('span', { class: 'whoami-name' }, session.displayName || session.username), ' ',
      h('span', { class: 'whoami-role' }, [t(`role.${session.role}`), session.agencyCode].filter(Boolean).join(' · ')));
  }
  const nav = document.getElementById('mainnav');
  nav.setAttribute('aria-label', t('app.nav'));
  const list = clear(document.getElementById('mainnav-list'));
  const items = session.signedIn && !session.totpPending ? NAV[session.role] || [] : [];
  nav.hidden = !items.length;
  for (const [path, key] of items) {
    const active = activePath === path || (path !== '/desk' && activePath.startsWith(`${path}/`)) ||
      (path === '/desk' && activePath.startsWith('/drafts/'));
    list.append(h('li', null, h('a', { href: `#${path}`, class: 'mainnav-link', 'aria-current': active ? 'page' : false }, t(key))));
  }
}

// --- Rendering a route ---------------------------------------------------------------------

let current = null; // {ctx, controller, hash}
let pendingRestore = null; // {hash, snapshot} after a language switch or a new sign-in
let renderSeq = 0;

function leave() {
  if (!current) return;
  current.ctx.dead = true;
  for (const fn of current.ctx.leaves) { try { fn(); } catch { /* a page's cleanup must not stop navigation */ } }
  current = null;
}

function snapshotCurrent() {
  if (!current) return null;
  const main = document.getElementById('main');
  try {
    return current.controller?.snapshot ? current.controller.snapshot() : captureControls(main);
  } catch { return captureControls(main); }
}

async function render() {
  const seq = ++renderSeq;
  const { path, query } = parseHash();
  leave();
  const main = document.getElementById('main');
  const found = match(path);
  if (!found) {
    if (path === '/' || path === '') return go(home());
    updateChrome(path);
    clear(main).append(h('h1', { tabindex: '-1', id: 'page-title' }, t('app.notFound')), h('p', null, h('a', { href: `#${home()}` }, t('app.back'))));
    return;
  }
  const { route, params } = found;
  if (!route.public && !session.signedIn) return go(`/signin?next=${encodeURIComponent(path + (query.toString() ? `?${query}` : ''))}`);
  if (route.public && session.signedIn && path === '/signin') return go(home());
  if (session.signedIn && session.totpPending && !route.pending && !route.public) return go('/account');
  if (route.roles && !route.roles.includes(session.role)) return go(home());

  updateChrome(path);
  clear(main).append(h('p', { class: 'loading' }, t('app.loading')));
  const ctx = {
    main, params, query, path, dead: false, leaves: [],
    onLeave(fn) { this.leaves.push(fn); },
    alive() { return !this.dead; },
    title(text) { document.title = `${text} · ${t('app.title')} · pressrelay`; },
    go, home, afterSignIn,
    // Names the page's new address without rendering it again (a draft saved for the first time).
    replace(newPath) {
      history.replaceState(null, '', `#${newPath}`);
      if (current && current.ctx === this) current.hash = location.hash;
    },
  };
  current = { ctx, controller: null, hash: location.hash };
  let controller = null;
  try {
    controller = await route.page.render(ctx);
  } catch (e) {
    if (ctx.dead || seq !== renderSeq) return;
    if (e?.httpStatus === 401) return;
    clear(main).append(h('h1', { tabindex: '-1', id: 'page-title' }, t('err.other')),
      h('div', { class: 'form-alert', role: 'alert' }, h('p', null, e?.userMessage || String(e?.message || e)),
        e?.serverMessage ? h('p', { class: 'form-alert-detail' }, t('err.detail', { msg: e.serverMessage })) : null));
    return;
  }
  if (ctx.dead || seq !== renderSeq) return;
  current.controller = controller || null;
  let restored = false;
  if (pendingRestore && pendingRestore.hash === location.hash) {
    const snap = pendingRestore.snapshot;
    pendingRestore = null;
    if (controller?.restore) controller.restore(snap); else restoreControls(main, snap);
    restored = Boolean(snap?.__fromSession);
  }
  if (restored) toast(t('app.restored'));
  const heading = document.getElementById('page-title');
  if (heading && !main.contains(document.activeElement)) heading.focus({ preventScroll: true });
}

// When the session ended: keep what was typed for after the next sign-in.
let ending = false;
whenUnauthenticated(() => {
  if (ending || !session.signedIn) return;
  ending = true;
  const snapshot = snapshotCurrent();
  if (snapshot && current) {
    sessionStorage.setItem(UNSAVED_KEY, JSON.stringify({ hash: current.hash, snapshot: { ...snapshot, __fromSession: true }, at: Date.now() }));
  }
  const next = parseHash();
  endSession();
  ending = false;
  go(`/signin?ended=1&next=${encodeURIComponent(next.path + (next.query.toString() ? `?${next.query}` : ''))}`);
});

// After signing in again: the kept snapshot waits for its page (valid for a day).
function afterSignIn(next) {
  const raw = sessionStorage.getItem(UNSAVED_KEY);
  sessionStorage.removeItem(UNSAVED_KEY);
  if (raw) {
    try {
      const kept = JSON.parse(raw);
      if (Date.now() - kept.at < 86400e3) pendingRestore = { hash: kept.hash, snapshot: kept.snapshot };
    } catch { /* nothing to restore */ }
  }
  go(next && next.startsWith('/') && !next.startsWith('/signin') ? next : home());
}

async function boot() {
  setLang(lang());
  document.getElementById('lang-switch').addEventListener('click', () => {
    const snapshot = snapshotCurrent();
    setLang(lang() === 'vi' ? 'en' : 'vi');
    if (snapshot) pendingRestore = { hash: location.hash, snapshot };
    render();
  });
  document.getElementById('sign-out').addEventListener('click', async () => {
    leave();
    try { await signOut(); } catch { endSession(); }
    sessionStorage.removeItem(UNSAVED_KEY);
    go('/signin');
  });
  window.addEventListener('hashchange', render);
  try {
    await loadSession();
  } catch (e) {
    toast(e?.userMessage || String(e), 'error');
  }
  render();
}

boot();
