// The live delivery report of one version: counts, a chart by outlet, who has not
// acknowledged, and every recipient. The gateway pushes the report whenever it changes
// (server-sent events on report:watch); the page never polls.
import { h, svg, clear, link, field, table, empty, chip } from '../dom.js';
import { t, fmtTime, fmtNumber } from '../i18n.js';
import { get, enc, withQuery } from '../api.js';

const MAX_ROWS = 500;
const MAX_OUTLETS = 12;
const RETRY_MS = 5000;

export async function render(ctx) {
  const id = ctx.params.id;
  const wanted = Number(ctx.query.get('v')) || 0;
  const latest = await get(`/api/v1/statements/${enc(id)}`);
  if (!ctx.alive()) return null;
  const version = wanted || latest.version || 1;
  ctx.title(`${t('report.title')} · ${latest.headline}`);

  const tiles = {};
  const tile = (key, tone) => {
    const value = h('p', { class: 'stat-value', id: `count-${key}`, dataset: { value: '' } }, '–');
    tiles[key] = value;
    return h('div', { class: ['stat', `stat-${tone}`] }, h('p', { class: 'stat-label', id: `count-${key}-label` }, t(`report.${key}`)), value);
  };
  const liveState = h('p', { class: 'live', id: 'report-live', dataset: { state: 'connecting' }, role: 'status' },
    h('span', { class: 'live-dot', 'aria-hidden': 'true' }), h('span', { class: 'live-text' }, t('report.connecting')));
  const lastUpdate = h('p', { class: 'muted', id: 'report-updated' });
  const summary = h('p', { class: 'visually-hidden', 'aria-live': 'polite', id: 'report-summary' });
  const alertBox = h('div', { class: 'form-alert', role: 'alert', hidden: true });
  const chartBox = h('div', { class: 'chart-box', id: 'report-chart', tabindex: '0', role: 'group', 'aria-label': t('report.chart') });
  const unconfirmedTitle = h('h2', { class: 'panel-title', id: 'unconfirmed-title' }, t('report.unconfirmed', { n: '–' }));
  const unconfirmedBox = h('div', { id: 'report-unconfirmed' });
  const everyoneTitle = h('h2', { class: 'panel-title', id: 'everyone-title' }, t('report.everyone', { n: '–' }));
  const everyoneBox = h('div', { id: 'report-recipients' });

  const versionPick = field({ id: 'report-version', name: 'version', type: 'select', label: t('report.version'),
    options: Array.from({ length: latest.version || 1 }, (_, i) => latest.version - i).map((v) => [String(v), t('statement.version', { n: v })]),
    value: String(version) });
  versionPick.input.addEventListener('change', () => ctx.go(`/statements/${encodeURIComponent(id)}/report?v=${versionPick.input.value}`));

  ctx.main.replaceChildren(
    h('div', { class: 'page-head' },
      h('div', { class: 'page-head-text' },
        h('p', { class: 'crumbs' }, link(t('nav.statements'), '#/statements'), ' / ',
          link(latest.headline || id, `#/statements/${encodeURIComponent(id)}`, { lang: latest.language || 'vi' })),
        h('h1', { id: 'page-title', tabindex: '-1' }, t('report.title')),
        h('p', { class: 'lead' }, t('report.lead', { v: version }))),
      h('div', { class: 'page-actions report-tools' }, versionPick.wrap, h('div', null, liveState, lastUpdate))),
    alertBox,
    h('section', { class: 'panel', 'aria-labelledby': 'overall-title' },
      h('h2', { class: 'panel-title', id: 'overall-title' }, t('report.overall')),
      h('div', { class: 'stats' }, tile('matched', 'neutral'), tile('queued', 'queued'), tile('sent', 'sent'), tile('acknowledged', 'acked')),
      summary),
    h('section', { class: 'panel', 'aria-labelledby': 'chart-title' },
      h('h2', { class: 'panel-title', id: 'chart-title' }, t('report.chart')), chartBox),
    h('section', { class: 'panel', 'aria-labelledby': 'unconfirmed-title' }, unconfirmedTitle, unconfirmedBox),
    h('section', { class: 'panel', 'aria-labelledby': 'everyone-title' }, everyoneTitle, everyoneBox));

  function setLive(state) {
    liveState.dataset.state = state;
    liveState.querySelector('.live-text').textContent = t(`report.${state}`);
  }

  function apply(report) {
    alertBox.hidden = true;
    for (const key of ['matched', 'queued', 'sent', 'acknowledged']) {
      const n = Number(key === 'matched' ? report.recipientsMatched : report[key]) || 0;
      tiles[key].dataset.value = String(n);
      tiles[key].textContent = fmtNumber(n);
    }
    const matched = Number(report.recipientsMatched) || 0;
    summary.textContent = `${t('report.acknowledged')}: ${fmtNumber(report.acknowledged || 0)} / ${fmtNumber(matched)}`;
    lastUpdate.textContent = t('report.lastUpdate', { time: fmtTime(new Date(), 'time') });
    const recipients = report.recipients || [];
    clear(chartBox).append(chart(recipients, report));
    const waiting = recipients.filter((r) => !r.acknowledgedAt);
    unconfirmedTitle.textContent = t('report.unconfirmed', { n: fmtNumber(waiting.length) });
    clear(unconfirmedBox).append(waiting.length ? recipientTable(t('report.unconfirmed', { n: waiting.length }), waiting, false)
      : h('p', { class: 'notice notice-ok' }, matched ? t('report.allConfirmed') : t('app.none')));
    everyoneTitle.textContent = t('report.everyone', { n: fmtNumber(recipients.length) });
    clear(everyoneBox).append(recipients.length ? recipientTable(t('report.everyone', { n: recipients.length }), recipients, true) : empty(t('app.none')));
  }

  // --- The push --------------------------------------------------------------------------
  let source = null;
  let retry = null;
  const url = withQuery(`/api/v1/statements/${enc(id)}/report:watch`, { version });
  const stop = () => { if (source) source.close(); source = null; clearTimeout(retry); };
  ctx.onLeave(stop);

  const showFailure = (body) => {
    alertBox.replaceChildren(h('p', { class: 'form-alert-title' }, t('report.stopped')),
      body?.message ? h('p', { class: 'form-alert-detail' }, t('err.detail', { msg: body.message })) : null);
    alertBox.hidden = false;
  };
  const later = () => { clearTimeout(retry); retry = setTimeout(() => { if (ctx.alive()) connect(); }, RETRY_MS); };

  function connect() {
    stop();
    setLive('connecting');
    source = new EventSource(url);
    source.addEventListener('open', () => setLive('live'));
    source.addEventListener('report', (ev) => {
      setLive('live');
      let report;
      try { report = JSON.parse(ev.data); } catch { return; /* a torn event: the next one replaces it */ }
      apply(report);
    });
    source.addEventListener('failed', (ev) => {
      let body = {};
      try { body = JSON.parse(ev.data); } catch { body = {}; }
      stop();
      setLive('stopped');
      showFailure(body);
      later();
    });
    source.addEventListener('error', async () => {
      if (!source) return;
      if (source.readyState === EventSource.CONNECTING) { setLive('reconnecting'); return; }
      // Closed: the gateway answered with an error instead of a stream. Ask once why (a 401
      // takes the person to sign-in); try again later otherwise.
      stop();
      setLive('stopped');
      try {
        await get(withQuery(`/api/v1/statements/${enc(id)}/report`, { version }));
        if (ctx.alive()) later();
      } catch (e) {
        if (!ctx.alive() || e?.httpStatus === 401) return;
        showFailure({ message: e.serverMessage || e.userMessage });
        later();
      }
    });
  }
  connect();
  return null;
}

function recipientTable(caption, rows, full) {
  const shown = rows.slice(0, MAX_ROWS);
  const columns = [
    { label: t('report.outlet'), cell: (r) => r.outletName || r.outletId || '—' },
    { label: t('report.recipient'), cell: (r) => h('span', null, r.displayName || r.recipientId, h('span', { class: 'sub muted mono' }, r.recipientId)) },
    { label: t('report.queuedAt'), cell: (r) => fmtTime(r.queuedAt, 'seconds') || '—', class: 'nowrap' },
    { label: t('report.sentAt'), cell: (r) => fmtTime(r.sentAt, 'seconds') || '—', class: 'nowrap' },
  ];
  if (full) columns.push({ label: t('report.ackAt'), cell: (r) => (r.acknowledgedAt ? fmtTime(r.acknowledgedAt, 'seconds') : chip(t('report.notYet'), 'warn')), class: 'nowrap' });
  const wrap = h('div', null, table(caption, columns, shown.map((r) => ({ ...r, __data: { recipient: r.recipientId, acked: r.acknowledgedAt ? 'true' : 'false' } }))));
  if (rows.length > MAX_ROWS) wrap.append(h('p', { class: 'muted' }, t('report.truncated', { shown: fmtNumber(MAX_ROWS), total: fmtNumber(rows.length) })));
  return wrap;
}

// Stacked bars per outlet: acknowledged, sent (not yet acknowledged), queued (not yet sent),
// not queued yet. SVG attributes only: no inline style.
function chart(recipients, report) {
  const groups = new Map();
  for (const r of recipients) {
    const key = r.outletId || '—';
    if (!groups.has(key)) groups.set(key, { name: r.outletName || r.outletId || '—', acked: 0, sent: 0, queued: 0, pending: 0 });
    const g = groups.get(key);
    if (r.acknowledgedAt) g.acked += 1;
    else if (r.sentAt) g.sent += 1;
    else if (r.queuedAt) g.queued += 1;
    else g.pending += 1;
  }
  let rows = [...groups.values()].sort((a, b) => total(b) - total(a) || a.name.localeCompare(b.name));
  if (rows.length > MAX_OUTLETS) {
    const rest = rows.slice(MAX_OUTLETS - 1).reduce((acc, g) => ({ name: t('report.others'), acked: acc.acked + g.acked,
      sent: acc.sent + g.sent, queued: acc.queued + g.queued, pending: acc.pending + g.pending }), { acked: 0, sent: 0, queued: 0, pending: 0 });
    rows = [...rows.slice(0, MAX_OUTLETS - 1), rest];
  }
  // The overall bar first, from the counts (they cover recipients the list may leave out).
  const matched = Number(report.recipientsMatched) || 0;
  const acked = Number(report.acknowledged) || 0;
  const sent = Math.max(0, (Number(report.sent) || 0) - acked);
  const queued = Math.max(0, (Number(report.queued) || 0) - (Number(report.sent) || 0));
  const overall = { name: t('report.overall'), acked, sent, queued, pending: Math.max(0, matched - acked - sent - queued) };
  const all = [overall, ...rows];

  const W = 720;
  const labelW = 230;
  const barW = W - labelW - 70;
  const rowH = 30;
  const H = all.length * rowH + 8;
  const max = Math.max(1, ...all.map(total));
  const box = svg('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': 'chart-svg-title chart-svg-desc', preserveAspectRatio: 'xMinYMin meet' },
    svg('title', { id: 'chart-svg-title' }, t('report.chart')),
    svg('desc', { id: 'chart-svg-desc' }, `${t('report.chartDesc')} ${all.map((g) => `${g.name}: ${g.acked}/${total(g)}`).join('; ')}`));
  all.forEach((g, i) => {
    const y = i * rowH + 4;
    const scale = i === 0 ? barW / Math.max(1, total(g)) : barW / max;
    box.append(svg('text', { x: labelW - 10, y: y + rowH / 2 + 1, class: i === 0 ? 'chart-label chart-label-strong' : 'chart-label', 'text-anchor': 'end', 'dominant-baseline': 'middle' }, clip(g.name, 30)));
    let x = labelW;
    for (const [part, cls] of [['acked', 'seg-acked'], ['sent', 'seg-sent'], ['queued', 'seg-queued'], ['pending', 'seg-pending']]) {
      const w = g[part] * scale;
      if (w > 0) box.append(svg('rect', { x: x.toFixed(1), y: y + 5, width: Math.max(w, 1.5).toFixed(1), height: rowH - 12, rx: 3, class: cls }));
      x += w;
    }
    if (total(g) === 0) box.append(svg('rect', { x: labelW, y: y + 5, width: barW, height: rowH - 12, rx: 3, class: 'seg-empty' }));
    box.append(svg('text', { x: (i === 0 ? labelW + barW : x) + 8, y: y + rowH / 2 + 1, class: 'chart-value', 'dominant-baseline': 'middle' }, `${g.acked}/${total(g)}`));
  });
  const legend = h('ul', { class: 'legend' },
    [['seg-acked', t('report.acknowledged')], ['seg-sent', t('report.sent')], ['seg-queued', t('report.queued')], ['seg-pending', t('report.pending')]]
      .map(([cls, text]) => h('li', null, h('span', { class: ['swatch', cls], 'aria-hidden': 'true' }), text)));
  return h('div', null, legend, box);
}

function total(g) { return g.acked + g.sent + g.queued + g.pending; }
function clip(s, n) { return [...s].length > n ? `${[...s].slice(0, n - 1).join('')}…` : s; }
