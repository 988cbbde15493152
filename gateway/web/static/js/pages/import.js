// Bulk import of outlets and journalists from CSV files, read in the browser. The service's
// import is all or nothing and names refused entries as "journalists[3].card_number"; the
// report maps each back to the file and line a person sees.
import { h, pageHeader, field, formAlert, clearErrors, busy, table, clear, chip, section } from '../dom.js';
import { t, label, describe, vnLocalToUtc } from '../i18n.js';
import { post, ApiError } from '../api.js';
import { parseTable, CsvError } from '../csv.js';
import { OUTLET_KINDS } from '../data.js';

// CSV column (normalised: lower case, no '_', '-' or spaces) -> entity field, per kind.
const OUTLET_COLUMNS = { id: 'id', licencenumber: 'licenceNumber', licensenumber: 'licenceNumber', licence: 'licenceNumber',
  name: 'name', kind: 'kind', trusted: 'trusted' };
const JOURNALIST_COLUMNS = { cardnumber: 'cardNumber', card: 'cardNumber', fullname: 'fullName', name: 'fullName',
  outletid: 'outletId', outlet: 'outletId', cardexpires: 'cardExpires', expires: 'cardExpires', email: 'contact.email', phone: 'contact.phone' };
const REQUIRED = { outlets: ['id', 'licenceNumber', 'name', 'kind'], journalists: ['cardNumber', 'fullName', 'outletId', 'cardExpires'] };
// Proto field (as the service names it) -> the column a person wrote.
const PROTO_TO_FIELD = { licence_number: 'licenceNumber', card_number: 'cardNumber', full_name: 'fullName', outlet_id: 'outletId',
  card_expires: 'cardExpires', 'contact.email': 'contact.email', 'contact.phone': 'contact.phone' };

const fold = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase().trim();

function outletKind(value) {
  const v = value.trim();
  if (!v) return { value: '' };
  for (const k of OUTLET_KINDS) {
    const short = k.replace('OUTLET_KIND_', '').toLowerCase().replace(/_/g, '-');
    if (v.toUpperCase() === k || fold(v).replace(/[\s_]/g, '-') === short) return { value: k };
    if (fold(v) === fold(label('outletKind', k)) || fold(v) === fold(t(`outletKind.${k}`))) return { value: k };
  }
  const viLabels = { 'bao in': 'OUTLET_KIND_NEWSPAPER', 'tap chi': 'OUTLET_KIND_MAGAZINE', 'bao dien tu': 'OUTLET_KIND_ONLINE',
    'bao noi': 'OUTLET_KIND_RADIO', 'bao hinh': 'OUTLET_KIND_TELEVISION', 'hang thong tan': 'OUTLET_KIND_NEWS_AGENCY' };
  if (viLabels[fold(v)]) return { value: viLabels[fold(v)] };
  return { error: t('reg.import.badKind', { v, list: OUTLET_KINDS.map((k) => k.replace('OUTLET_KIND_', '').toLowerCase()).join(', ') }) };
}

function bool(value) {
  const v = fold(value);
  if (['', '0', 'false', 'no', 'khong', 'n'].includes(v)) return { value: false };
  if (['1', 'true', 'yes', 'co', 'x', 'y'].includes(v)) return { value: true };
  return { error: t('reg.import.badBool', { v: value }) };
}

function expiry(value) {
  const v = value.trim();
  if (!v) return { value: '' };
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return { value: vnLocalToUtc(`${v}T23:59:59`) };
  const d = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v); // dd/mm/yyyy, as Vietnamese spreadsheets write it
  if (d) return { value: vnLocalToUtc(`${d[3]}-${d[2].padStart(2, '0')}-${d[1].padStart(2, '0')}T23:59:59`) };
  const parsed = new Date(v);
  if (/^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(parsed.getTime())) return { value: parsed.toISOString().replace('.000Z', 'Z') };
  return { error: t('reg.import.badDate', { v }) };
}

function setPath(o, path, value) {
  const keys = path.split('.');
  let x = o;
  keys.slice(0, -1).forEach((k) => { x[k] = x[k] || {}; x = x[k]; });
  x[keys[keys.length - 1]] = value;
}

// One CSV file -> {rows: [{line, entity, column: {field: header}, problems: []}], fileProblems: []}
function readFile(kind, text) {
  const columns = kind === 'outlets' ? OUTLET_COLUMNS : JOURNALIST_COLUMNS;
  let table;
  try { table = parseTable(text); } catch (e) {
    if (e instanceof CsvError) return { rows: [], fileProblems: [{ line: e.line, text: t('reg.import.parseError', { msg: e.message }) }] };
    throw e;
  }
  const fieldOf = {};
  const headerOf = {}; // entity field -> the column name as the file wrote it
  table.header.forEach((name, i) => {
    if (!columns[name]) return;
    fieldOf[name] = columns[name];
    headerOf[columns[name]] = table.rawHeader[i];
  });
  const present = new Set(Object.values(fieldOf));
  const fileProblems = REQUIRED[kind].filter((f) => !present.has(f)).map((f) => ({ line: 1, text: t('reg.import.missingColumn', { col: f }) }));
  if (!table.rows.length) fileProblems.push({ line: 1, text: t('reg.import.emptyFile') });
  const rows = table.rows.map(({ line, values }) => {
    const entity = {};
    const problems = [];
    for (const [column, f] of Object.entries(fieldOf)) {
      const raw = values[column] ?? '';
      let r = { value: raw.normalize('NFC') };
      if (f === 'kind') r = outletKind(raw);
      else if (f === 'trusted') r = bool(raw);
      else if (f === 'cardExpires') r = expiry(raw);
      if (r.error) problems.push({ column: headerOf[f] || column, text: r.error });
      else if (r.value !== '' && r.value !== false) setPath(entity, f, r.value);
    }
    return { line, entity, problems, key: entity.id || entity.cardNumber || '' };
  });
  return { rows, fileProblems, headerOf };
}

export async function render(ctx) {
  const w = (k, v) => t(`reg.import.${k}`, v);
  ctx.title(w('title'));
  const alert = formAlert();
  const outletsFile = field({ id: 'import-outlets', name: 'import-outlets', type: 'file', label: w('outletsFile'), attrs: { accept: '.csv,text/csv' } });
  const journalistsFile = field({ id: 'import-journalists', name: 'import-journalists', type: 'file', label: w('journalistsFile'), attrs: { accept: '.csv,text/csv' } });
  const go = h('button', { type: 'submit', class: 'btn btn-primary', id: 'import-submit' }, w('check'));
  const reportBox = h('div', { id: 'import-report', 'aria-live': 'polite' });
  const form = h('form', { class: 'form', id: 'import-form', novalidate: true }, alert,
    h('div', { class: 'grid-2' }, outletsFile.wrap, journalistsFile.wrap), h('div', { class: 'form-actions' }, go));

  const help = h('div', { class: 'grid-2 import-help' },
    h('div', null, h('h3', { class: 'sub-title' }, w('outletsFile')),
      h('p', null, `${w('columns')}: `, h('code', null, 'id, licence_number, name, kind, trusted')),
      h('p', null, `${w('example')}:`), h('pre', { tabindex: '0' }, 'id,licence_number,name,kind,trusted\nbaomoi,DEMO-101/GP,Báo Mới Đà Nẵng,online,không\n')),
    h('div', null, h('h3', { class: 'sub-title' }, w('journalistsFile')),
      h('p', null, `${w('columns')}: `, h('code', null, 'card_number, full_name, outlet_id, card_expires, email, phone')),
      h('p', null, `${w('example')}:`), h('pre', { tabindex: '0' }, 'card_number,full_name,outlet_id,card_expires,email\nB-01234,Nguyễn Thị Hạnh,baomoi,2027-12-31,hanh@example.org\n')));

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    busy(go, async () => {
      clearErrors(form);
      clear(reportBox);
      const files = { outlets: outletsFile.input.files?.[0], journalists: journalistsFile.input.files?.[0] };
      if (!files.outlets && !files.journalists) {
        alert.replaceChildren(h('p', { class: 'form-alert-title' }, w('nothing')));
        alert.hidden = false;
        alert.focus();
        return;
      }
      const read = {};
      for (const kind of ['outlets', 'journalists']) {
        read[kind] = files[kind] ? { name: files[kind].name, ...readFile(kind, await files[kind].text()) } : { name: '', rows: [], fileProblems: [] };
      }
      const local = ['outlets', 'journalists'].reduce((n, k) => n + read[k].fileProblems.length + read[k].rows.filter((r) => r.problems.length).length, 0);
      let result = null;
      if (!local) {
        try {
          result = await post('/api/v1/recipients:import', { outlets: read.outlets.rows.map((r) => r.entity), journalists: read.journalists.rows.map((r) => r.entity) });
        } catch (e) {
          if (!(e instanceof ApiError)) throw e;
          if (e.httpStatus === 401) return;
          const unplaced = [];
          for (const v of e.violations) {
            const m = /^(outlets|journalists)\[(\d+)\](?:\.(.+))?$/.exec(v.field);
            const row = m && read[m[1]].rows[Number(m[2])];
            const f = m && m[3] ? PROTO_TO_FIELD[m[3]] || m[3] : '';
            if (row) row.problems.push({ column: f ? read[m[1]].headerOf?.[f] || m[3] : '', text: describe(v.description) });
            else unplaced.push(v);
          }
          if (!e.violations.length || unplaced.length) {
            alert.replaceChildren(h('p', { class: 'form-alert-title' }, e.userMessage),
              unplaced.length ? h('ul', null, unplaced.map((v) => h('li', null, h('code', null, v.field), ': ', describe(v.description)))) : null,
              e.serverMessage ? h('p', { class: 'form-alert-detail' }, t('err.detail', { msg: e.serverMessage })) : null);
            alert.hidden = false;
          }
        }
      }
      reportBox.append(report(read, result));
    });
  });

  ctx.main.replaceChildren(pageHeader(w('title'), w('lead')), section(w('title'), form, help), h('section', { class: 'panel', 'aria-labelledby': 'import-report-title' },
    h('h2', { class: 'panel-title', id: 'import-report-title' }, w('report')), reportBox));
  return null;
}

function report(read, result) {
  const w = (k, v) => t(`reg.import.${k}`, v);
  const rows = [];
  for (const kind of ['outlets', 'journalists']) {
    const file = read[kind];
    for (const p of file.fileProblems) rows.push({ file: file.name, line: p.line, key: '', ok: false, reasons: [p.text] });
    for (const r of file.rows) {
      rows.push({ file: file.name, line: r.line, key: r.key, ok: !r.problems.length,
        reasons: r.problems.map((p) => (p.column ? `${p.column}: ${p.text}` : p.text)) });
    }
  }
  const refused = rows.filter((r) => !r.ok).length;
  const summary = result
    ? h('p', { class: 'notice notice-ok', id: 'import-summary', dataset: { result: 'ok' } }, w('done', { outlets: result.outlets || 0, journalists: result.journalists || 0 }))
    : h('p', { class: 'notice notice-danger', id: 'import-summary', dataset: { result: 'refused' } }, w('refusedAll', { n: refused }));
  return h('div', null, summary, table(w('report'), [
    { label: w('file'), cell: (r) => r.file },
    { label: w('line'), cell: (r) => String(r.line), class: 'num' },
    { label: w('item'), cell: (r) => h('code', null, r.key) },
    { label: w('status'), cell: (r) => (r.ok ? chip(w('ok'), 'ok') : chip(w('refused'), 'danger')) },
    { label: w('reasons'), cell: (r) => (r.reasons.length ? h('ul', { class: 'plain' }, r.reasons.map((x) => h('li', null, x))) : '') },
  ], rows.map((r) => ({ ...r, __data: { line: String(r.line), file: r.file, status: r.ok ? 'ok' : 'refused' } }))));
}
