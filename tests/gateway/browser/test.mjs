// The admin gateway's desk in a real browser (Debian's Chromium through playwright-core): a
// press officer writes a Vietnamese draft, previews and submits it; the spokesperson publishes
// it; a newsroom (the project's CLI) receives it byte for byte and acknowledges it while the
// report page shows the acknowledgement arrive by server push; the spokesperson kills it and
// the newsroom receives the kill; an operator signs in with TOTP and adds an outlet and a
// journalist. Every main page is screenshotted and checked with axe-core (no serious or
// critical violation), and the browser must log no Content-Security-Policy violation.
//
//   GATEWAY_URL=http://127.0.0.1:PORT PRESS_USER=… PRESS_PASSWORD=… SPOKES_USER=… SPOKES_PASSWORD=…
//   OPERATOR_USER=… OPERATOR_PASSWORD=… [OPERATOR_TOTP_SECRET=BASE32: else enrolled on the pages] NEWSROOM_CMD='pressrelay … subscribe …'
//   SCREENSHOT_DIR=build/… [README_SCREENSHOT_DIR=docs/screenshots] node test.mjs
//
// Every wait has a deadline (30 s at most); the whole run is bounded; the newsroom process is
// ended by its own process group id. Exit 0 when everything passed.
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

const WAIT_MS = 30_000; // no single wait is longer
const STEP_MS = 90_000; // a step of several waits
const TOTAL_MS = 12 * 60_000; // the whole run

// --- Configuration ---------------------------------------------------------------------------

function env(name, { optional = false } = {}) {
  const v = process.env[name];
  if (!v && !optional) {
    console.error(`FAILED: environment variable ${name} is required (see the header of test.mjs)`);
    process.exit(2);
  }
  return v || '';
}

function fail(message) {
  console.error(`\nFAILED: ${message}`);
  process.exitCode = 1;
  throw new Error(message);
}

const cfg = {
  gateway: env('GATEWAY_URL').replace(/\/+$/, ''),
  press: { user: env('PRESS_USER'), password: env('PRESS_PASSWORD') },
  spokes: { user: env('SPOKES_USER'), password: env('SPOKES_PASSWORD') },
  operator: { user: env('OPERATOR_USER'), password: env('OPERATOR_PASSWORD'), totpSecret: env('OPERATOR_TOTP_SECRET', { optional: true }) },
  newsroomCmd: env('NEWSROOM_CMD'),
  shots: env('SCREENSHOT_DIR'),
  readmeShots: env('README_SCREENSHOT_DIR', { optional: true }),
  chromium: process.env.CHROMIUM || '/usr/bin/chromium',
};

// The statement, typed as a press officer would: precomposed (NFC) Vietnamese.
const stamp = new Date().toISOString().replace(/\D/g, '').slice(2, 14);
const HEADLINE = 'Bộ Y tế thông tin về tình hình sốt xuất huyết tại Hà Nội';
const SUMMARY = 'Số ca mắc sốt xuất huyết tại Hà Nội tăng trong tháng qua; Bộ Y tế đề nghị người dân chủ động diệt lăng quăng, bọ gậy.';
const BODY = [
  `Theo báo cáo của Sở Y tế Hà Nội, trong tuần qua thành phố ghi nhận thêm nhiều ca mắc sốt xuất huyết, tập trung ở các phường Hoàng Mai, Đống Đa và Hà Đông (mã tin ${stamp}).`,
  'Bộ Y tế đề nghị người dân đậy kín dụng cụ chứa nước, loại bỏ vật dụng phế thải có thể đọng nước, ngủ màn kể cả ban ngày.',
  'Khi có dấu hiệu sốt cao liên tục, đau đầu, phát ban, cần đến ngay cơ sở y tế để được khám và điều trị kịp thời; không tự ý điều trị tại nhà.',
  'Ủy ban nhân dân các phường, xã phối hợp với ngành y tế tổ chức chiến dịch vệ sinh môi trường, phun hóa chất diệt muỗi tại các ổ dịch.',
].join('\n\n');
const KILL_REASON = 'Số liệu trong tin cần được Sở Y tế Hà Nội rà soát lại; tin sẽ được phát hành lại sau.';
const ATTACHMENT = Buffer.from(`%PDF-1.4\n% pressrelay browser test ${stamp}\nThông báo của Bộ Y tế về sốt xuất huyết.\n%%EOF\n`, 'utf8');
const ATTACHMENT_SHA = crypto.createHash('sha256').update(ATTACHMENT).digest('hex');

for (const [name, text] of Object.entries({ HEADLINE, SUMMARY, BODY, KILL_REASON })) {
  if (text !== text.normalize('NFC')) fail(`${name} in the test must be typed precomposed (NFC)`);
}

// --- Small tools ---------------------------------------------------------------------------

// RFC 6238 TOTP (HMAC-SHA1, 30 s, 6 digits) from a base32 secret.
function totp(secret, at = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/[\s=]/g, '').toUpperCase()) {
    const v = alphabet.indexOf(c);
    if (v < 0) fail('OPERATOR_TOTP_SECRET is not base32');
    bits += v.toString(2).padStart(5, '0');
  }
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30_000)));
  const mac = crypto.createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

// Polls a condition (50 ms) until it holds or the deadline passes.
async function waitUntil(cond, what, timeout = WAIT_MS) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > deadline) fail(`timed out after ${timeout / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: took longer than ${ms / 1000} s`)), ms); })])
    .finally(() => clearTimeout(timer));
}

// A field of a delivery line: the CLI prints proto field names (signal_reason); accept the
// JSON names (signalReason) too.
function pick(o, snake) {
  if (!o) return undefined;
  if (snake in o) return o[snake];
  const camel = snake.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
  return o[camel];
}

// The newsroom: NEWSROOM_CMD in its own process group, one JSON delivery per stdout line.
class Newsroom {
  constructor(cmd) {
    this.deliveries = [];
    this.stderr = [];
    this.exited = null;
    this.child = spawn('sh', ['-c', cmd], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    readline.createInterface({ input: this.child.stdout }).on('line', (line) => {
      if (!line.trim()) return;
      try { this.deliveries.push(JSON.parse(line)); } catch { this.stderr.push(`(not JSON on stdout) ${line.slice(0, 200)}`); }
    });
    readline.createInterface({ input: this.child.stderr }).on('line', (line) => { this.stderr.push(line); if (this.stderr.length > 50) this.stderr.shift(); });
    this.child.on('exit', (code, signal) => { this.exited = { code, signal }; });
  }

  async waitFor(pred, what) {
    return waitUntil(() => {
      const found = this.deliveries.find((d) => pred(pick(d, 'statement') || {}, d));
      if (found) return found;
      if (this.exited) fail(`the newsroom command ended (${JSON.stringify(this.exited)}) before ${what}; its stderr:\n${this.stderr.join('\n')}`);
      return null;
    }, what);
  }

  async stop() {
    if (this.exited || !this.child.pid) return;
    try { process.kill(-this.child.pid, 'SIGTERM'); } catch { /* already gone */ }
    try {
      await waitUntil(() => this.exited, 'the newsroom command to end', 5_000);
    } catch {
      try { process.kill(-this.child.pid, 'SIGKILL'); } catch { /* already gone */ }
    }
  }
}

// --- The run -------------------------------------------------------------------------------

const results = [];
let browser = null;
let page = null;
let newsroom = null;
let receivedAt = 0;
const cspViolations = [];
const pageErrors = [];
const axeFindings = [];

async function step(name, fn) {
  const started = Date.now();
  process.stdout.write(`▶ ${name}\n`);
  try {
    await withTimeout(fn(), STEP_MS, name);
    results.push({ name, ok: true });
    process.stdout.write(`  ✓ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  } catch (e) {
    results.push({ name, ok: false });
    console.error(`  ✗ ${name}: ${e.message}`);
    if (page) {
      const file = path.join(cfg.shots, `FAILED-${name.replace(/[^\w-]+/g, '-').slice(0, 60)}.png`);
      try { await page.screenshot({ path: file, fullPage: true }); console.error(`    screenshot: ${file}`); } catch { /* no page to show */ }
      try {
        const shown = await page.evaluate(() => [...document.querySelectorAll('.form-alert:not([hidden]), .field-error:not([hidden]), .toast')]
          .map((el) => el.textContent.trim()).filter(Boolean));
        console.error(`    page: ${page.url()}${shown.length ? `\n    the page says: ${shown.join(' | ')}` : ''}`);
      } catch { /* page gone */ }
    }
    throw e;
  }
}

const README_NAMES = {
  '01-signin': 'signin', '02-desk': 'desk', '03-editor-preview': 'editor', '04-review': 'review', '05-statement': 'statement',
  '06-statements': 'statements', '07-report': 'report', '20-admin-outlets': 'operator-outlets', '25-admin-import': 'operator-import',
};

// axe-core on the page as it is, then a screenshot (full page for the build, the first screen
// for the README).
async function check(name) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const minor = results.violations.filter((v) => !bad.includes(v));
  for (const v of minor) console.log(`    axe (${v.impact}) ${v.id}: ${v.help} — ${v.nodes.length} element(s)`);
  for (const v of bad) {
    axeFindings.push({ page: name, id: v.id, impact: v.impact });
    console.error(`    axe ${v.impact.toUpperCase()} on ${name}: ${v.id}: ${v.help}\n      ${v.helpUrl}`);
    for (const n of v.nodes.slice(0, 5)) console.error(`      ${n.target.join(' ')}: ${n.failureSummary?.split('\n').join(' ')}`);
  }
  // The first screen, without the toasts that come and go.
  await page.evaluate(() => { window.scrollTo(0, 0); document.querySelectorAll('.toast').forEach((el) => el.remove()); });
  await page.screenshot({ path: path.join(cfg.shots, `${name}.png`), fullPage: true });
  if (cfg.readmeShots && README_NAMES[name]) {
    await page.screenshot({ path: path.join(cfg.readmeShots, `${README_NAMES[name]}.png`), fullPage: false });
  }
  if (bad.length) fail(`axe-core found ${bad.length} serious or critical violation(s) on ${name}`);
  if (cspViolations.length) fail(`Content-Security-Policy violations:\n${cspViolations.join('\n')}`);
  if (pageErrors.length) fail(`uncaught errors in the page:\n${pageErrors.join('\n')}`);
}

async function go(hashPath) {
  await page.goto(`${cfg.gateway}/#${hashPath}`);
}

async function heading(text) {
  await page.locator('h1', { hasText: text }).first().waitFor({ timeout: WAIT_MS });
}

async function signIn(who, totpSecret, { from } = {}) {
  if (from !== 'here') await go('/signin');
  await page.locator('#signin-username').waitFor();
  await page.fill('#signin-username', who.user);
  await page.fill('#signin-password', who.password);
  let code = '';
  if (totpSecret) {
    // A code with at least 5 s left, so it is still valid when the gateway checks it.
    await waitUntil(() => 30 - ((Date.now() / 1000) % 30) > 5, 'a TOTP window with time left', 6_000);
    code = totp(totpSecret);
    await page.fill('#signin-totp', code);
  }
  await page.click('#signin-submit');
  const outcome = await Promise.race([
    page.locator('#sign-out').waitFor({ state: 'visible' }).then(() => 'in'),
    page.locator('#signin-form .form-alert:not([hidden])').waitFor().then(() => 'refused'),
  ]);
  if (outcome === 'refused' && totpSecret) {
    // The code may have been used already in this window (replay protection): the next one.
    const used = Math.floor(Date.now() / 30_000);
    await waitUntil(() => Math.floor(Date.now() / 30_000) > used, 'the next TOTP window');
    await page.fill('#signin-password', who.password);
    await page.fill('#signin-totp', totp(totpSecret));
    await page.click('#signin-submit');
    await page.locator('#sign-out').waitFor({ state: 'visible' });
  } else if (outcome === 'refused') {
    fail(`sign-in of ${who.user} was refused: ${await page.locator('#signin-form .form-alert').textContent()}`);
  }
}

async function signOut() {
  await page.click('#sign-out');
  await page.locator('#signin-username').waitFor();
}

async function confirm() {
  await page.locator('#dialog[open]').waitFor();
  await page.click('#dialog-ok');
  await page.locator('#dialog[open]').waitFor({ state: 'detached' });
}

async function main() {
  fs.mkdirSync(cfg.shots, { recursive: true });
  if (cfg.readmeShots) fs.mkdirSync(cfg.readmeShots, { recursive: true });
  const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'pressrelay-chromium-'));
  const context = await chromium.launchPersistentContext(userData, {
    executablePath: cfg.chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
    locale: 'vi-VN',
    // Not Vietnam's zone: the pages must show Vietnam time whatever the browser's zone is.
    timezoneId: 'Europe/Paris',
  });
  browser = context;
  context.setDefaultTimeout(WAIT_MS);
  context.setDefaultNavigationTimeout(WAIT_MS);
  page = context.pages()[0] || await context.newPage();
  page.on('console', (msg) => {
    const text = msg.text();
    if (/Content[- ]Security[- ]Policy|Refused to (execute|apply|load|connect|evaluate)/i.test(text)) cspViolations.push(text);
  });
  page.on('pageerror', (e) => pageErrors.push(String(e.stack || e.message || e)));
  const watchRequests = [];
  page.on('request', (r) => { if (/\/report:watch/.test(r.url())) watchRequests.push(r.url()); });

  let draftUrl = '';
  let statementId = '';

  try {
    // --- The press officer ------------------------------------------------------------------
    await step('sign-in page, in Vietnamese and in English', async () => {
      await page.goto(`${cfg.gateway}/`);
      await page.locator('#signin-username').waitFor();
      if ((await page.getAttribute('html', 'lang')) !== 'vi') fail('the page does not start in Vietnamese (html lang)');
      await heading('Đăng nhập');
      await page.click('#lang-switch');
      await heading('Sign in');
      if ((await page.getAttribute('html', 'lang')) !== 'en') fail('the language switch did not set html lang="en"');
      await page.click('#lang-switch');
      await heading('Đăng nhập');
      await check('01-signin');
    });

    await step('press officer signs in and opens a new draft', async () => {
      await signIn(cfg.press);
      await heading('Bàn soạn tin');
      await page.click('#new-draft');
      await page.locator('#d-headline').waitFor();
    });

    await step('a service error appears beside the field it names, and nothing typed is lost', async () => {
      await page.selectOption('#d-kind', 'STATEMENT_KIND_PRESS_RELEASE');
      await page.fill('#d-body', BODY);
      await page.click('#draft-preview');
      const err = page.locator('#d-headline-err');
      await err.waitFor({ state: 'visible' });
      const text = (await err.textContent()).trim();
      if (!text) fail('the headline error is empty');
      if ((await page.getAttribute('#d-headline', 'aria-invalid')) !== 'true') fail('the headline is not marked aria-invalid');
      if ((await page.inputValue('#d-body')) !== BODY) fail('the body was changed by a failed call');
      console.log(`    beside the headline: “${text}”`);
    });

    await step('what was typed survives a language switch and an ended session', async () => {
      await page.click('#lang-switch');
      await heading('New draft');
      if ((await page.inputValue('#d-body')) !== BODY) fail('the body was lost when switching to English');
      await page.click('#lang-switch');
      await heading('Soạn tin mới');
      if ((await page.inputValue('#d-body')) !== BODY) fail('the body was lost when switching back to Vietnamese');
      // The session ends (its cookie is gone): the next call answers 401, the desk sends the
      // person to sign in and keeps the form; after signing in it is back.
      await page.context().clearCookies();
      await page.click('#draft-save');
      await page.locator('#signin-ended').waitFor();
      await signIn(cfg.press, null, { from: 'here' });
      await page.locator('#d-body').waitFor();
      await waitUntil(async () => (await page.inputValue('#d-body')) === BODY, 'the body to be restored after signing in again');
      if ((await page.inputValue('#d-kind')) !== 'STATEMENT_KIND_PRESS_RELEASE') fail('the kind was not restored after signing in again');
    });

    await step('press officer writes the draft, with topics, region and an attachment hashed in the browser', async () => {
      await page.selectOption('#d-urgency', '3');
      await page.fill('#d-headline', HEADLINE);
      await page.fill('#d-summary', SUMMARY);
      await page.click('#d-add-topic');
      await page.fill('#d-topic-0-code', 'health');
      await page.fill('#d-topic-0-name', 'Y tế');
      await page.click('#d-add-topic');
      await page.fill('#d-topic-1-code', 'sot-xuat-huyet');
      await page.fill('#d-topic-1-name', 'Sốt xuất huyết');
      await page.selectOption('#d-region', 'VN-HN');
      await waitUntil(async () => (await page.inputValue('#d-place')) === 'Hà Nội', 'the place name to follow the region');
      await page.click('#d-add-attachment');
      await page.fill('#d-att-0-href', 'https://moh.gov.vn/documents/thong-bao-sot-xuat-huyet-ha-noi.pdf');
      await page.setInputFiles('#d-att-0-file', { name: 'thong-bao-sot-xuat-huyet.pdf', mimeType: 'application/pdf', buffer: ATTACHMENT });
      await page.locator('#d-att-0-status[data-done="true"]').waitFor();
      const sha = await page.inputValue('#d-att-0-sha');
      const size = await page.inputValue('#d-att-0-size');
      if (sha !== ATTACHMENT_SHA) fail(`the browser's SHA-256 ${sha} differs from node's ${ATTACHMENT_SHA}`);
      if (size !== String(ATTACHMENT.length)) fail(`the browser's size ${size} differs from ${ATTACHMENT.length}`);
      await page.fill('#d-att-0-title', 'Thông báo của Bộ Y tế (PDF)');
      await page.click('#draft-save');
      await page.locator('#draft-state[data-state="DRAFT_STATE_WRITING"]').waitFor();
      await waitUntil(() => /#\/drafts\/[^/]+$/.test(page.url()), 'the draft to have an address');
      draftUrl = page.url();
    });

    await step('the preview shows the statement as newsrooms will receive it', async () => {
      await page.click('#draft-preview');
      const headline = page.locator('#preview .wire-headline');
      await headline.waitFor();
      if ((await headline.textContent()) !== HEADLINE) fail(`the preview headline is “${await headline.textContent()}”`);
      const body = (await page.locator('#preview .wire-body').innerText()).replace(/\s+/g, ' ');
      if (!body.includes(BODY.split('\n\n')[1])) fail('the preview body lacks the second paragraph');
      await check('03-editor-preview');
    });

    await step('press officer sends the draft for review', async () => {
      await page.click('#draft-submit');
      await page.locator('#draft-state[data-state="DRAFT_STATE_IN_REVIEW"]').waitFor();
      await go('/desk');
      await page.locator('#desk-list a', { hasText: HEADLINE }).first().waitFor();
      // The agency has not spoken yet: the desk says which obligations to the press are overdue.
      const duties = page.locator('#desk-obligations .obligations');
      await duties.waitFor();
      const dutiesText = await duties.innerText();
      if (!dutiesText.includes('họp báo định kỳ')) fail(`the desk does not show the overdue press conference: “${dutiesText}”`);
      await check('02-desk');
      await signOut();
    });

    // --- The spokesperson -------------------------------------------------------------------
    await step('spokesperson sees the draft in review', async () => {
      await signIn(cfg.spokes);
      await go('/review');
      await heading('Chờ duyệt');
      await page.locator('#review-list a', { hasText: HEADLINE }).first().waitFor();
      await check('04-review');
    });

    await step('spokesperson publishes it', async () => {
      await page.locator('#review-list a', { hasText: HEADLINE }).first().click();
      await page.locator('#draft-approve').waitFor();
      if (page.url() !== draftUrl) fail(`the review opened ${page.url()}, not the draft ${draftUrl}`);
      await page.locator('#preview .wire-headline').waitFor();
      await page.click('#draft-approve');
      await confirm();
      await waitUntil(() => /#\/statements\/[^/?]+$/.test(page.url()), 'the statement page after publishing');
      statementId = decodeURIComponent(page.url().split('#/statements/')[1]);
      const headline = page.locator('#statement-card .wire-headline');
      await headline.waitFor();
      if ((await headline.textContent()) !== HEADLINE) fail(`the statement page shows “${await headline.textContent()}”`);
      await page.locator('#versions-title').waitFor();
      console.log(`    statement ${statementId}`);
      await check('05-statement');
    });

    await step('the statements page lists it', async () => {
      await go('/statements');
      await page.locator('#statements-list a', { hasText: HEADLINE }).first().waitFor();
      await check('06-statements');
    });

    await step('the report page opens with nothing acknowledged yet', async () => {
      await go(`/statements/${encodeURIComponent(statementId)}/report`);
      await page.locator('#report-live[data-state="live"]').waitFor();
      const matched = await waitUntil(async () => {
        const v = await page.getAttribute('#count-matched', 'data-value');
        return v === '' || v === null ? null : Number(v);
      }, 'the first pushed report');
      if (matched < 1) fail('the statement matched no recipient: the newsroom of NEWSROOM_CMD must subscribe to it');
      const acked = await page.getAttribute('#count-acknowledged', 'data-value');
      if (acked !== '0') fail(`the report shows ${acked} acknowledgements before the newsroom connected`);
      await page.evaluate(() => { window.__stillTheSamePage = true; });
    });

    await step('the newsroom receives the statement byte for byte and acknowledges it', async () => {
      newsroom = new Newsroom(cfg.newsroomCmd);
      const d = await newsroom.waitFor((s) => s.id === statementId && Number(s.version) === 1, `statement ${statementId} v1 at the newsroom`);
      receivedAt = Date.now(); // the CLI acknowledges as soon as it has printed the delivery
      const s = pick(d, 'statement');
      const expect = (what, got, want) => { if (got !== want) fail(`the newsroom's ${what} differs from what was typed:\n  got:  ${JSON.stringify(got)}\n  want: ${JSON.stringify(want)}`); };
      expect('headline', s.headline, HEADLINE.normalize('NFC'));
      expect('summary', s.summary, SUMMARY.normalize('NFC'));
      expect('body', s.body, BODY.normalize('NFC'));
      expect('attachment SHA-256', pick(s.attachments?.[0], 'sha256'), ATTACHMENT_SHA);
      expect('attachment size', String(pick(s.attachments?.[0], 'size_bytes')), String(ATTACHMENT.length));
      expect('region', pick(pick(s, 'located'), 'region_code'), 'VN-HN');
      expect('topics', JSON.stringify((s.subjects || []).map((x) => [x.code, x.name])),
        JSON.stringify([['health', 'Y tế'], ['sot-xuat-huyet', 'Sốt xuất huyết']]));
    });

    await step('the report shows the acknowledgement arrive without a reload', async () => {
      const before = page.url();
      await page.waitForFunction(() => document.querySelector('#count-acknowledged')?.dataset.value === '1', null, { timeout: WAIT_MS, polling: 50 });
      const ackVisibleMs = Date.now() - receivedAt;
      console.log(`    acknowledgement visible on the report ${ackVisibleMs} ms after the newsroom received the statement`);
      if (ackVisibleMs > 2000) fail(`the acknowledgement took ${ackVisibleMs} ms to show (at most 2000)`);
      if (!(await page.evaluate(() => window.__stillTheSamePage === true))) fail('the report page was reloaded');
      if (page.url() !== before) fail('the report page navigated');
      if (!watchRequests.length) fail('the report page did not open report:watch');
      if (watchRequests.length > 1) console.log(`    (report:watch opened ${watchRequests.length} times: reconnections)`);
      await page.locator('#report-recipients tr[data-acked="true"]').first().waitFor();
      await check('07-report');
    });

    await step('spokesperson kills the statement, with a reason', async () => {
      await go(`/statements/${encodeURIComponent(statementId)}`);
      await page.locator('#revise-signal').waitFor();
      await page.selectOption('#revise-signal', 'VERSION_SIGNAL_KILL');
      await page.fill('#revise-reason', KILL_REASON);
      await page.click('#revise-submit');
      await confirm();
      await page.locator('#statement-killed').waitFor();
      await page.locator('#statement-card .chip-danger').first().waitFor();
    });

    await step('the newsroom receives the kill', async () => {
      const d = await newsroom.waitFor((s) => s.id === statementId && Number(s.version) >= 2,
        `the kill of ${statementId} at the newsroom`);
      const s = pick(d, 'statement');
      if (s.signal !== 'VERSION_SIGNAL_KILL' && s.pubstatus !== 'PUB_STATUS_CANCELED') {
        fail(`version ${s.version} reached the newsroom as ${s.signal} / ${s.pubstatus}, not a kill`);
      }
      if (s.pubstatus !== 'PUB_STATUS_CANCELED') fail(`the kill's pubstatus is ${s.pubstatus}`);
      if (pick(s, 'signal_reason') !== KILL_REASON) fail(`the kill's reason is ${JSON.stringify(pick(s, 'signal_reason'))}`);
      await newsroom.stop();
      await signOut();
    });

    // --- The operator -----------------------------------------------------------------------
    if (!cfg.operator.totpSecret) {
      // A new operator: the first sign-in (password only) opens nothing but the account page,
      // where the second factor is enrolled; the secret shown there is what the phone keeps.
      await step('operator enrols a second factor at the first sign-in', async () => {
        await signIn(cfg.operator, '');
        await waitUntil(() => page.url().includes('#/account'), 'the account page (enrolment required)');
        await page.click('#totp-start');
        const secret = (await page.locator('#totp-secret').textContent()).trim();
        if (!/^[A-Z2-7]{16,}=*$/.test(secret)) fail(`the TOTP secret shown is not base32: ${secret}`);
        await check('30-account-enrol');
        await waitUntil(() => 30 - ((Date.now() / 1000) % 30) > 5, 'a TOTP window with time left', 6_000);
        await page.fill('#totp-code', totp(secret));
        await page.click('#totp-confirm');
        await waitUntil(() => page.url().includes('#/admin/'), 'the operator home after enrolment');
        cfg.operator.totpSecret = secret;
        await signOut();
      });
    }
    await step('operator signs in with a TOTP code', async () => {
      await signIn(cfg.operator, cfg.operator.totpSecret);
      await waitUntil(() => page.url().includes('#/admin/') || page.url().includes('#/account'), 'the operator home');
      if (page.url().includes('#/account')) fail('the operator was asked to enrol a second factor: OPERATOR_TOTP_SECRET must be enrolled');
    });

    const adminPages = [
      ['10-admin-agencies', '/admin/agencies', '#agencies-list'],
      ['11-admin-spokespeople', '/admin/spokespeople', '#spokespeople-list'],
      ['12-admin-officers', '/admin/officers', '#officers-list'],
      ['13-admin-journalists', '/admin/journalists', '#journalists-list'],
      ['14-admin-clients', '/admin/clients', '#clients-list'],
      ['15-admin-subscriptions', '/admin/subscriptions', '#sub-form'],
      ['16-admin-tokens', '/admin/tokens', '#tokens-list'],
      ['17-admin-accounts', '/admin/accounts', '#accounts-list'],
      ['18-admin-audit', '/admin/audit', '#audit-list'],
      ['19-admin-statements', '/statements', '#statements-list'],
    ];
    for (const [name, hash, ready] of adminPages) {
      await step(`operator page ${hash}`, async () => {
        await go(hash);
        await page.locator(`${ready} table, ${ready} .empty, form${ready}`).first().waitFor();
        await check(name);
      });
    }

    const outletId = `e2e-${stamp}`;
    const card = `E2E-${stamp}`;
    await step('operator adds an outlet', async () => {
      await go('/admin/outlets');
      await page.locator('#outlets-form').waitFor();
      await page.fill('#outlets-id', outletId);
      await page.fill('#outlets-licenceNumber', `E2E-${stamp}/GP`);
      await page.fill('#outlets-name', `Báo Điện tử Thử nghiệm Đà Nẵng ${stamp}`);
      await page.selectOption('#outlets-kind', 'OUTLET_KIND_ONLINE');
      await page.click('#outlets-save');
      await page.locator(`#outlets-list tr[data-key="${outletId}"]`).waitFor();
      await check('20-admin-outlets');
    });

    await step('operator adds a journalist of that outlet', async () => {
      await go('/admin/journalists');
      await page.locator('#journalists-form').waitFor();
      await page.fill('#journalists-cardNumber', card);
      await page.fill('#journalists-fullName', 'Phạm Thị Hồng Nhung');
      await page.selectOption('#journalists-outletId', outletId);
      await page.fill('#journalists-cardExpires', '2030-12-31');
      await page.fill('#journalists-contact-email', 'pham.thi.hong.nhung@example.org');
      await page.click('#journalists-save');
      await page.locator(`#journalists-list tr[data-key="${card}"]`).waitFor();
      await check('21-admin-journalists-added');
    });

    await step('bulk import reports the refused CSV row by its line', async () => {
      await go('/admin/import');
      await page.locator('#import-form').waitFor();
      const csv = 'card_number,full_name,outlet_id,card_expires,email\n'
        + `E2E-I1-${stamp},Trương Minh Đức,${outletId},2030-06-30,truong.minh.duc@example.org\n`
        + `E2E-I2-${stamp},Vũ Thị Lan Anh,khong-co-co-quan-nay-${stamp},2030-06-30,vu.lan.anh@example.org\n`;
      await page.setInputFiles('#import-journalists', { name: 'nha-bao.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
      await page.click('#import-submit');
      await page.locator('#import-summary[data-result="refused"]').waitFor();
      await page.locator('#import-report tr[data-line="3"][data-status="refused"]').waitFor();
      await page.locator('#import-report tr[data-line="2"][data-status="ok"]').waitFor();
      await check('25-admin-import');
      await signOut();
    });
  } finally {
    if (newsroom) await newsroom.stop();
    await browser.close().catch(() => {});
    fs.rmSync(userData, { recursive: true, force: true });
  }
}

const watchdog = setTimeout(() => {
  console.error(`\nFAILED: the whole run took longer than ${TOTAL_MS / 60000} minutes`);
  if (newsroom?.child?.pid) { try { process.kill(-newsroom.child.pid, 'SIGKILL'); } catch { /* gone */ } }
  process.exit(1);
}, TOTAL_MS);

main().then(() => {
  const failed = results.filter((r) => !r.ok).length;
  console.log(`\nscreenshots: ${cfg.shots}${cfg.readmeShots ? ` and ${cfg.readmeShots}` : ''}`);
  console.log(`browser: ${results.length - failed} passed, ${failed} failed`);
  clearTimeout(watchdog);
  process.exit(failed ? 1 : 0);
}, (e) => {
  const failed = Math.max(1, results.filter((r) => !r.ok).length);
  if (!process.exitCode) console.error(`\nFAILED: ${e.stack || e}`);
  console.log(`browser: ${results.filter((r) => r.ok).length} passed, ${failed} failed`);
  clearTimeout(watchdog);
  process.exit(1);
});
