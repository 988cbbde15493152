// The operator's registry pages that share one shape: a list (with a filter) and a form to add
// or change one entry (PUT replaces it whole): agencies, spokespeople, press officers, outlets,
// journalists, newsroom clients.
import { h, pageHeader, field, button, formAlert, showError, clearErrors, busy, toast, table, empty, chip, clear } from '../dom.js';
import { t, label, fmtTime, vnLocalToUtc, utcToVnLocal } from '../i18n.js';
import { get, put, enc, withQuery, ApiError } from '../api.js';
import { REGIONS, AGENCY_KINDS, SPOKES_ROLES, OUTLET_KINDS, regionName } from '../data.js';

const enumOptions = (group, values) => [['', '—'], ...values.map((v) => [v, label(group, v)])];

// Reading and writing one value at a dotted path ("contact.email").
const getPath = (o, path) => path.split('.').reduce((x, k) => (x == null ? undefined : x[k]), o);
function setPath(o, path, value) {
  const keys = path.split('.');
  let x = o;
  keys.slice(0, -1).forEach((k) => { x[k] = x[k] || {}; x = x[k]; });
  x[keys[keys.length - 1]] = value;
}

// Card expiry as a date: the end of that day, Vietnam time.
const endOfDay = (date) => (date ? vnLocalToUtc(`${date}T23:59:59`) : '');

function validity(s) {
  const now = Date.now();
  if (s.validFrom && new Date(s.validFrom).getTime() > now) return chip(t('reg.spokespeople.future'), 'warn');
  if (s.validUntil && new Date(s.validUntil).getTime() <= now) return chip(t('reg.spokespeople.expired'), 'danger');
  return chip(t('reg.spokespeople.active'), 'ok');
}

function entities(refs) {
  const agencyOptions = () => [['', '—'], ...refs.agencies.map((a) => [a.code, `${a.code} · ${a.nameVi || ''}`])];
  const outletOptions = () => [['', '—'], ...refs.outlets.map((o) => [o.id, `${o.name} (${o.id})`])];
  return {
    agencies: {
      key: 'code', path: (e) => `/api/v1/agencies/${enc(e.code)}`, nav: 'nav.agencies',
      list: async () => (await get('/api/v1/agencies')).agencies || [],
      fields: () => [
        { name: 'code', label: t('reg.agencies.code'), required: true, attrs: { autocapitalize: 'characters', spellcheck: 'false' } },
        { name: 'nameVi', label: t('reg.agencies.nameVi'), required: true },
        { name: 'nameEn', label: t('reg.agencies.nameEn') },
        { name: 'kind', label: t('reg.agencies.kind'), type: 'select', options: enumOptions('agencyKind', AGENCY_KINDS), required: true },
        { name: 'parentCode', label: t('reg.agencies.parentCode'), type: 'select', options: agencyOptions() },
        { name: 'regionCode', label: t('reg.agencies.regionCode'), type: 'select', options: [['', '—'], ...REGIONS.map(([c, vi]) => [c, `${vi} (${c})`])] },
        { name: 'website', label: t('reg.agencies.website'), type: 'url' },
      ],
      columns: () => [
        { label: t('reg.agencies.code'), cell: (a) => h('code', null, a.code), header: true },
        { label: t('reg.agencies.nameVi'), cell: (a) => h('span', { lang: 'vi' }, a.nameVi || '') },
        { label: t('reg.agencies.nameEn'), cell: (a) => h('span', { lang: 'en' }, a.nameEn || '') },
        { label: t('reg.agencies.kind'), cell: (a) => label('agencyKind', a.kind) },
        { label: t('reg.agencies.regionCode'), cell: (a) => (a.regionCode ? regionName(a.regionCode) : '') },
      ],
    },
    spokespeople: {
      key: 'id', path: (e) => `/api/v1/spokespeople/${enc(e.id)}`, nav: 'nav.spokespeople',
      filter: { name: 'agencyCode', label: t('reg.spokespeople.filterAgency'), options: () => [['', t('statements.allAgencies')], ...agencyOptions().slice(1)] },
      list: async (f) => (await get(withQuery('/api/v1/spokespeople', { agencyCode: f }))).spokespeople || [],
      fields: () => [
        { name: 'id', label: t('reg.spokespeople.id'), required: true, attrs: { spellcheck: 'false' } },
        { name: 'agencyCode', label: t('reg.spokespeople.agencyCode'), type: 'select', options: agencyOptions(), required: true },
        { name: 'fullName', label: t('reg.spokespeople.fullName'), required: true },
        { name: 'title', label: t('reg.spokespeople.titleField') },
        { name: 'role', label: t('reg.spokespeople.role'), type: 'select', options: enumOptions('spokesRole', SPOKES_ROLES), required: true },
        { name: 'authorisedBy', label: t('reg.spokespeople.authorisedBy'), attrs: { spellcheck: 'false' } },
        { name: 'matter', label: t('reg.spokespeople.matter') },
        { name: 'matterTopics', label: t('reg.spokespeople.matterTopics'), type: 'list', attrs: { spellcheck: 'false' } },
        { name: 'validFrom', label: t('reg.spokespeople.validFrom'), type: 'datetime-local' },
        { name: 'validUntil', label: t('reg.spokespeople.validUntil'), type: 'datetime-local' },
        { name: 'contact.email', label: t('reg.spokespeople.email'), type: 'email' },
        { name: 'contact.phone', label: t('reg.spokespeople.phone'), type: 'tel' },
      ],
      columns: () => [
        { label: t('reg.spokespeople.fullName'), cell: (s) => h('span', null, s.fullName, h('span', { class: 'sub muted mono' }, s.id)), header: true },
        { label: t('reg.spokespeople.agencyCode'), cell: (s) => s.agencyCode },
        { label: t('reg.spokespeople.titleField'), cell: (s) => s.title || '' },
        { label: t('reg.spokespeople.role'), cell: (s) => label('spokesRole', s.role) + (s.matter ? `: ${s.matter}` : '')
          + (s.matterTopics?.length ? ` [${s.matterTopics.join(', ')}]` : '') + (s.authorisedBy ? ` (${s.authorisedBy})` : '') },
        { label: t('reg.spokespeople.validity'), cell: (s) => h('span', null, validity(s),
          h('span', { class: 'sub muted' }, `${fmtTime(s.validFrom) || '…'} → ${fmtTime(s.validUntil) || '…'}`)) },
      ],
    },
    officers: {
      key: 'id', path: (e) => `/api/v1/press-officers/${enc(e.id)}`, nav: 'nav.officers',
      filter: { name: 'agencyCode', label: t('reg.officers.filterAgency'), options: () => [['', t('statements.allAgencies')], ...agencyOptions().slice(1)] },
      list: async (f) => (await get(withQuery('/api/v1/press-officers', { agencyCode: f }))).pressOfficers || [],
      fields: () => [
        { name: 'id', label: t('reg.officers.id'), required: true, attrs: { spellcheck: 'false' } },
        { name: 'agencyCode', label: t('reg.officers.agencyCode'), type: 'select', options: agencyOptions(), required: true },
        { name: 'fullName', label: t('reg.officers.fullName'), required: true },
        { name: 'title', label: t('reg.officers.titleField') },
        { name: 'contact.email', label: t('reg.officers.email'), type: 'email' },
        { name: 'contact.phone', label: t('reg.officers.phone'), type: 'tel' },
        { name: 'disabled', label: t('reg.officers.disabled'), type: 'checkbox' },
      ],
      columns: () => [
        { label: t('reg.officers.fullName'), cell: (s) => h('span', null, s.fullName, h('span', { class: 'sub muted mono' }, s.id)), header: true },
        { label: t('reg.officers.agencyCode'), cell: (s) => s.agencyCode },
        { label: t('reg.officers.titleField'), cell: (s) => s.title || '' },
        { label: t('reg.officers.status'), cell: (s) => (s.disabled ? chip(t('reg.officers.off'), 'danger') : chip(t('reg.officers.on'), 'ok')) },
      ],
    },
    outlets: {
      key: 'id', path: (e) => `/api/v1/outlets/${enc(e.id)}`, nav: 'nav.outlets',
      list: async () => (await get('/api/v1/outlets')).outlets || [],
      fields: () => [
        { name: 'id', label: t('reg.outlets.id'), required: true, attrs: { spellcheck: 'false' } },
        { name: 'licenceNumber', label: t('reg.outlets.licence'), required: true },
        { name: 'name', label: t('reg.outlets.name'), required: true },
        { name: 'kind', label: t('reg.outlets.kind'), type: 'select', options: enumOptions('outletKind', OUTLET_KINDS), required: true },
        { name: 'trusted', label: t('reg.outlets.trusted'), type: 'checkbox' },
      ],
      columns: () => [
        { label: t('reg.outlets.name'), cell: (o) => h('span', null, o.name, h('span', { class: 'sub muted mono' }, o.id)), header: true },
        { label: t('reg.outlets.licence'), cell: (o) => o.licenceNumber || '' },
        { label: t('reg.outlets.kind'), cell: (o) => label('outletKind', o.kind) },
        { label: t('reg.outlets.trustedShort'), cell: (o) => (o.trusted ? chip(t('app.yes'), 'ok') : t('app.no')) },
      ],
    },
    journalists: {
      key: 'cardNumber', path: (e) => `/api/v1/journalists/${enc(e.cardNumber)}`, nav: 'nav.journalists',
      filter: { name: 'outletId', label: t('reg.journalists.filterOutlet'), options: () => [['', t('reg.journalists.allOutlets')], ...outletOptions().slice(1)] },
      list: async (f) => (await get(withQuery('/api/v1/journalists', { outletId: f }))).journalists || [],
      fields: () => [
        { name: 'cardNumber', label: t('reg.journalists.card'), required: true, attrs: { spellcheck: 'false' } },
        { name: 'fullName', label: t('reg.journalists.fullName'), required: true },
        { name: 'outletId', label: t('reg.journalists.outlet'), type: 'select', options: outletOptions(), required: true },
        { name: 'cardExpires', label: t('reg.journalists.expires'), type: 'date', required: true },
        { name: 'contact.email', label: t('reg.journalists.email'), type: 'email' },
        { name: 'contact.phone', label: t('reg.journalists.phone'), type: 'tel' },
      ],
      columns: () => [
        { label: t('reg.journalists.fullName'), cell: (j) => h('span', null, j.fullName, h('span', { class: 'sub muted mono' }, j.cardNumber)), header: true },
        { label: t('reg.journalists.outlet'), cell: (j) => refs.outlets.find((o) => o.id === j.outletId)?.name || j.outletId },
        { label: t('reg.journalists.expires'), cell: (j) => h('span', null, fmtTime(j.cardExpires, 'date'),
          j.cardExpires && new Date(j.cardExpires) < new Date() ? h('span', null, ' ', chip(t('reg.journalists.expired'), 'danger')) : null) },
        { label: t('reg.journalists.email'), cell: (j) => j.contact?.email || '' },
      ],
    },
    clients: {
      key: 'id', path: (e) => `/api/v1/clients/${enc(e.id)}`, nav: 'nav.clients',
      filter: { name: 'outletId', label: t('reg.clients.filterOutlet'), options: () => [['', t('reg.journalists.allOutlets')], ...outletOptions().slice(1)] },
      list: async (f) => (await get(withQuery('/api/v1/clients', { outletId: f }))).clients || [],
      fields: () => [
        { name: 'id', label: t('reg.clients.id'), required: true, attrs: { spellcheck: 'false' } },
        { name: 'outletId', label: t('reg.clients.outlet'), type: 'select', options: outletOptions(), required: true },
        { name: 'description', label: t('reg.clients.description') },
        { name: 'disabled', label: t('reg.clients.disabled'), type: 'checkbox' },
      ],
      columns: () => [
        { label: t('reg.clients.id'), cell: (c) => h('code', null, c.id), header: true },
        { label: t('reg.clients.outlet'), cell: (c) => refs.outlets.find((o) => o.id === c.outletId)?.name || c.outletId },
        { label: t('reg.clients.description'), cell: (c) => c.description || '' },
        { label: t('reg.clients.status'), cell: (c) => (c.disabled ? chip(t('reg.clients.off'), 'danger') : chip(t('reg.clients.on'), 'ok')) },
      ],
    },
  };
}

const TYPES = { datetime: 'datetime-local', list: 'text' };

export async function render(ctx) {
  const name = ctx.params.entity;
  const refs = { agencies: [], outlets: [] };
  const needsAgencies = ['agencies', 'spokespeople', 'officers'].includes(name);
  const needsOutlets = ['journalists', 'clients'].includes(name);
  const spec = entities(refs)[name];
  if (!spec) { ctx.go(ctx.home()); return null; }
  const [agencies, outlets] = await Promise.all([
    needsAgencies ? get('/api/v1/agencies') : null, needsOutlets ? get('/api/v1/outlets') : null]);
  if (!ctx.alive()) return null;
  refs.agencies = (agencies?.agencies || []).slice().sort((a, b) => a.code.localeCompare(b.code));
  refs.outlets = (outlets?.outlets || []).slice().sort((a, b) => (a.name || '').localeCompare(b.name || '', 'vi'));
  const words = (k) => t(`reg.${name}.${k}`);
  ctx.title(words('title'));

  // The form.
  const alert = formAlert();
  const controls = spec.fields().map((f) => {
    const id = `${name}-${f.name.replace(/\./g, '-')}`;
    const c = field({ id, name: id, label: f.label, type: TYPES[f.type] || f.type, options: f.options, required: f.required, field: f.name, attrs: f.attrs });
    return { f, c };
  });
  const saveBtn = h('button', { type: 'submit', class: 'btn btn-primary', id: `${name}-save` }, t('app.save'));
  const resetBtn = h('button', { type: 'reset', class: 'btn btn-quiet', id: `${name}-reset` }, t('app.clearForm'));
  const form = h('form', { class: 'form', id: `${name}-form`, novalidate: true }, alert,
    h('div', { class: 'grid-2' }, controls.map(({ c }) => c.wrap)), h('div', { class: 'form-actions' }, saveBtn, resetBtn));

  const fill = (entity) => {
    for (const { f, c } of controls) {
      const v = getPath(entity, f.name);
      if (f.type === 'checkbox') c.input.checked = Boolean(v);
      else if (f.type === 'datetime-local') c.input.value = utcToVnLocal(v);
      else if (f.type === 'date') c.input.value = utcToVnLocal(v).slice(0, 10);
      else if (f.type === 'list') c.input.value = (v || []).join(', ');
      else c.input.value = v ?? '';
    }
  };
  const collect = () => {
    const e = {};
    for (const { f, c } of controls) {
      let v;
      if (f.type === 'checkbox') v = c.input.checked;
      else if (f.type === 'datetime-local') v = vnLocalToUtc(c.input.value);
      else if (f.type === 'date') v = endOfDay(c.input.value);
      else if (f.type === 'list') v = c.input.value.split(',').map((x) => x.trim()).filter(Boolean);
      else v = c.input.value.trim().normalize('NFC');
      if (v !== '' && v !== false && !(Array.isArray(v) && v.length === 0)) setPath(e, f.name, v);
    }
    return e;
  };

  // The list.
  const listBox = h('div', { class: 'list-box', id: `${name}-list` });
  const listAlert = formAlert();
  let filterControl = null;
  if (spec.filter) {
    filterControl = field({ id: `${name}-filter`, name: `${name}-filter`, type: 'select', label: spec.filter.label,
      options: spec.filter.options(), value: ctx.query.get('f') || '' });
    filterControl.input.value = ctx.query.get('f') || '';
    filterControl.input.addEventListener('change', () => ctx.go(withQuery(`/admin/${name}`, { f: filterControl.input.value })));
  }
  async function load() {
    try {
      const items = await spec.list(filterControl?.input.value || '');
      const columns = [...spec.columns(), { label: t('app.actions'), cell: (e) => button(t('app.edit'),
        { class: 'btn-quiet btn-small', 'aria-label': `${t('app.edit')} ${e[spec.key]}` }, () => {
          clearErrors(form);
          fill(e);
          controls[0].c.input.focus();
        }) }];
      clear(listBox).append(items.length
        ? table(words('title'), columns, items.map((e) => ({ ...e, __data: { key: String(e[spec.key]) } })))
        : empty(t('app.none')));
    } catch (e) {
      if (!(e instanceof ApiError && e.httpStatus === 401)) showError(listBox, e, listAlert);
    }
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    busy(saveBtn, async () => {
      clearErrors(form);
      const entity = collect();
      try {
        await put(spec.path(entity), entity);
        toast(words('saved').replace('{id}', entity[spec.key] || ''));
        form.reset();
        await load();
      } catch (e) {
        if (!(e instanceof ApiError && e.httpStatus === 401)) showError(form, e, alert);
      }
    });
  });
  form.addEventListener('reset', () => clearErrors(form));

  ctx.main.replaceChildren(
    pageHeader(words('title'), words('lead')),
    h('div', { class: 'split' },
      h('section', { class: 'panel', 'aria-labelledby': `${name}-list-title` },
        h('div', { class: 'panel-head' }, h('h2', { class: 'panel-title', id: `${name}-list-title` }, words('title')),
          filterControl ? h('div', { class: 'filters' }, filterControl.wrap) : null),
        listAlert, listBox),
      h('section', { class: 'panel', 'aria-labelledby': `${name}-form-title` },
        h('h2', { class: 'panel-title', id: `${name}-form-title` }, words('form')), form)));
  await load();
  return null;
}
