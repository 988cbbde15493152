// The form of a statement's content (StatementDraft), shared by the draft editor and the
// revision of a published statement. Every control names its field (data-field) so that a
// service error lands beside it; attachments get their size and SHA-256 from a local file.
import { h, field, fieldset, button, setFieldError, nextId } from './dom.js';
import { t, label, lang, vnLocalToUtc, utcToVnLocal, fmtTime } from './i18n.js';
import { REGIONS, STATEMENT_KINDS, TOPICS, regionName } from './data.js';
import { fileDigest } from './sha256.js';

const nfc = (s) => String(s ?? '').normalize('NFC');

function counter(input, max) {
  const out = h('p', { class: 'counter', 'aria-live': 'off' });
  const update = () => {
    const n = [...input.value].length;
    out.textContent = t('editor.counter', { n, max });
    out.classList.toggle('counter-over', n > max);
  };
  input.addEventListener('input', update);
  update();
  return out;
}

// prefix: id prefix ("d" for the editor); agencyCode: whose statement.
export function contentForm(prefix, { agencyCode = '' } = {}) {
  let agency = agencyCode;
  const listeners = [];
  const changed = () => listeners.forEach((fn) => fn());
  const id = (name) => `${prefix}-${name}`;

  const kind = field({ id: id('kind'), name: id('kind'), type: 'select', label: t('editor.kind'), field: 'kind', required: true,
    options: [['', '—'], ...STATEMENT_KINDS.map((k) => [k, label('kind', k)])] });
  const headline = field({ id: id('headline'), name: id('headline'), label: t('editor.headline'), field: 'headline', required: true,
    attrs: { maxlength: '300', autocomplete: 'off', lang: 'vi' } });
  const summary = field({ id: id('summary'), name: id('summary'), type: 'textarea', rows: 3, label: t('editor.summary'), field: 'summary' });
  const body = field({ id: id('body'), name: id('body'), type: 'textarea', rows: 14, label: t('editor.body'), field: 'body',
    required: true, hint: t('editor.bodyHint') });
  const reply = field({ id: id('reply'), name: id('reply'), label: t('editor.inReplyTo'), field: 'inReplyTo', hint: t('editor.inReplyToHint') });
  const urgency = field({ id: id('urgency'), name: id('urgency'), type: 'select', label: t('editor.urgency'), field: 'urgency',
    options: [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => [String(n), `${n} · ${label('urgency', n)}`]), value: '5' });
  const language = field({ id: id('language'), name: id('language'), type: 'select', label: t('editor.language'), field: 'language',
    options: [['vi', t('language.vi')], ['en', t('language.en')]], value: 'vi' });
  const region = field({ id: id('region'), name: id('region'), type: 'select', label: t('editor.region'), field: 'located.regionCode',
    options: [['', t('editor.national')], ...REGIONS.map(([c, vi, en]) => [c, `${lang() === 'en' ? en : vi} (${c})`])] });
  const place = field({ id: id('place'), name: id('place'), label: t('editor.place'), field: 'located.name' });
  const embargoOn = field({ id: id('embargo-on'), name: id('embargo-on'), type: 'checkbox', label: t('editor.embargo') });
  const embargo = field({ id: id('embargo'), name: id('embargo'), type: 'datetime-local', label: t('editor.embargoAt'), field: 'embargoed' });
  const embargoShown = h('p', { class: 'hint', id: id('embargo-shown'), 'aria-live': 'polite' });
  const early = field({ id: id('early'), name: id('early'), type: 'checkbox', label: t('editor.early'), field: 'earlyToTrusted' });
  const embargoBox = h('div', { class: 'embargo-box', hidden: true }, embargo.wrap, embargoShown, early.wrap);

  // Where the place name follows the region until someone types their own.
  let placeTouched = false;
  place.input.addEventListener('input', () => { placeTouched = place.input.value !== ''; });
  region.input.addEventListener('change', () => {
    if (!placeTouched) place.input.value = region.input.value ? regionName(region.input.value, language.input.value) : '';
  });
  const syncKind = () => { reply.wrap.hidden = kind.input.value !== 'STATEMENT_KIND_ANSWER'; };
  kind.input.addEventListener('change', syncKind);
  const syncEmbargo = () => {
    embargoBox.hidden = !embargoOn.input.checked;
    const utc = vnLocalToUtc(embargo.input.value);
    embargoShown.textContent = embargoOn.input.checked && utc ? t('editor.embargoShown', { time: fmtTime(utc, 'long') }) : '';
  };
  embargoOn.input.addEventListener('change', syncEmbargo);
  embargo.input.addEventListener('input', syncEmbargo);

  // Topics: rows of code + name.
  const datalistId = nextId('topics');
  const datalist = h('datalist', { id: datalistId }, TOPICS.map((c) => h('option', { value: c }, label('topic', c))));
  const topicRows = h('div', { class: 'rows', id: id('topics') });
  const topics = [];
  const addTopic = (value = {}) => {
    const i = topics.length;
    const code = field({ id: id(`topic-${i}-code`), name: id(`topic-${i}-code`), label: t('editor.topicCode'), field: `subjects[${i}].code`,
      value: value.code || '', attrs: { list: datalistId, autocomplete: 'off', spellcheck: 'false' } });
    const name = field({ id: id(`topic-${i}-name`), name: id(`topic-${i}-name`), label: t('editor.topicName'), field: `subjects[${i}].name`, value: value.name || '' });
    // A known code names itself, until someone types a name of their own.
    let nameAuto = !value.name;
    name.input.addEventListener('input', () => { nameAuto = name.input.value === ''; });
    code.input.addEventListener('input', () => {
      if (!nameAuto) return;
      name.input.value = TOPICS.includes(code.input.value.trim()) ? topicName(code.input.value.trim(), language.input.value) : '';
    });
    const row = { code, name, removed: false };
    const remove = button('×', { class: 'btn-icon', 'aria-label': t('editor.removeTopic', { n: i + 1 }) }, () => {
      row.removed = true;
      el.remove();
      changed();
    });
    const el = h('div', { class: 'row-item row-topic' }, code.wrap, name.wrap, remove);
    row.el = el;
    topics.push(row);
    topicRows.append(el);
    return row;
  };
  const addTopicBtn = button(t('editor.addTopic'), { class: 'btn-quiet', id: id('add-topic') }, () => { addTopic().code.input.focus(); changed(); });

  // Attachments: rows of title, href, media type, size, SHA-256, and a local file to compute them.
  const attRows = h('div', { class: 'rows', id: id('attachments') });
  const atts = [];
  const addAttachment = (value = {}) => {
    const i = atts.length;
    const n = i + 1;
    const p = (k) => id(`att-${i}-${k}`);
    const title = field({ id: p('title'), name: p('title'), label: t('editor.attTitle'), field: `attachments[${i}].title`, value: value.title || '' });
    const href = field({ id: p('href'), name: p('href'), type: 'url', label: t('editor.attHref'), field: `attachments[${i}].href`,
      value: value.href || '', attrs: { placeholder: 'https://', spellcheck: 'false' } });
    const type = field({ id: p('type'), name: p('type'), label: t('editor.attType'), field: `attachments[${i}].mediaType`,
      value: value.mediaType || '', attrs: { placeholder: 'application/pdf', spellcheck: 'false' } });
    const size = field({ id: p('size'), name: p('size'), label: t('editor.attSize'), field: `attachments[${i}].sizeBytes`,
      value: value.sizeBytes !== undefined ? String(value.sizeBytes) : '', attrs: { inputmode: 'numeric' } });
    const sha = field({ id: p('sha'), name: p('sha'), label: t('editor.attSha'), field: `attachments[${i}].sha256`,
      value: value.sha256 || '', attrs: { spellcheck: 'false', autocomplete: 'off', class: 'mono' } });
    const file = field({ id: p('file'), name: p('file'), type: 'file', label: t('editor.attFile'), hint: t('editor.attFileHint') });
    const status = h('p', { class: 'hint', id: p('status'), 'aria-live': 'polite' });
    const row = { title, href, type, size, sha, file, status, computed: null, removed: false };
    file.input.addEventListener('change', async () => {
      const f = file.input.files?.[0];
      if (!f) return;
      status.textContent = t('editor.attComputing');
      const d = await fileDigest(f);
      row.computed = d;
      size.input.value = String(d.size);
      sha.input.value = d.sha256;
      if (!type.input.value) type.input.value = d.mediaType;
      if (!title.input.value) title.input.value = f.name;
      status.textContent = t('editor.attComputed', { name: f.name });
      status.dataset.done = 'true';
      changed();
    });
    const remove = button(t('editor.attRemove', { n }), { class: 'btn-quiet btn-small' }, () => { row.removed = true; el.remove(); changed(); });
    const el = h('fieldset', { class: 'row-item row-attachment' }, h('legend', null, t('editor.attachment', { n })),
      h('div', { class: 'grid-2' }, title.wrap, href.wrap, type.wrap, size.wrap), sha.wrap, file.wrap, status, remove);
    row.el = el;
    atts.push(row);
    attRows.append(el);
    return row;
  };
  const addAttBtn = button(t('editor.addAttachment'), { class: 'btn-quiet', id: id('add-attachment') }, () => { addAttachment().title.input.focus(); changed(); });

  const el = h('div', { class: 'content-form' },
    h('div', { class: 'grid-3' }, kind.wrap, urgency.wrap, language.wrap),
    reply.wrap,
    headline.wrap, counter(headline.input, 300),
    summary.wrap, counter(summary.input, 2000),
    body.wrap,
    fieldset(t('editor.topics'), h('p', { class: 'hint' }, t('editor.topicHint')), datalist, topicRows, addTopicBtn),
    h('div', { class: 'grid-2' }, region.wrap, place.wrap),
    fieldset(t('editor.release'), embargoOn.wrap, embargoBox),
    fieldset(t('editor.attachments'), attRows, addAttBtn));
  el.addEventListener('input', changed);
  el.addEventListener('change', changed);
  syncKind();

  function collect() {
    const c = { agencyCode: agency, kind: kind.input.value || undefined, urgency: Number(urgency.input.value) || 5,
      language: language.input.value, headline: nfc(headline.input.value), body: nfc(body.input.value) };
    if (summary.input.value) c.summary = nfc(summary.input.value);
    if (kind.input.value === 'STATEMENT_KIND_ANSWER' && reply.input.value) c.inReplyTo = nfc(reply.input.value);
    const subjects = topics.filter((r) => !r.removed && (r.code.input.value || r.name.input.value))
      .map((r) => ({ code: r.code.input.value.trim(), name: nfc(r.name.input.value.trim()) }));
    if (subjects.length) c.subjects = subjects;
    if (region.input.value || place.input.value) c.located = { regionCode: region.input.value || undefined, name: nfc(place.input.value) || undefined };
    const attachments = atts.filter((r) => !r.removed).map((r) => ({
      href: r.href.input.value.trim(), mediaType: r.type.input.value.trim(), sizeBytes: r.size.input.value.trim() || '0',
      sha256: r.sha.input.value.trim().toLowerCase(), title: nfc(r.title.input.value.trim()) }));
    if (attachments.length) c.attachments = attachments;
    if (embargoOn.input.checked && embargo.input.value) c.embargoed = vnLocalToUtc(embargo.input.value);
    if (!c.agencyCode) delete c.agencyCode;
    return c;
  }

  function load(c = {}) {
    if (c.agencyCode) agency = c.agencyCode;
    kind.input.value = c.kind || '';
    urgency.input.value = String(c.urgency || 5);
    language.input.value = c.language || 'vi';
    headline.input.value = c.headline || '';
    summary.input.value = c.summary || '';
    body.input.value = c.body || '';
    reply.input.value = c.inReplyTo || '';
    region.input.value = c.located?.regionCode || '';
    place.input.value = c.located?.name || '';
    placeTouched = Boolean(c.located?.name) && c.located.name !== regionName(c.located?.regionCode, c.language || 'vi');
    topics.splice(0).forEach((r) => r.el.remove());
    (c.subjects || []).forEach((s) => addTopic(s));
    atts.splice(0).forEach((r) => r.el.remove());
    (c.attachments || []).forEach((a) => addAttachment(a));
    embargoOn.input.checked = Boolean(c.embargoed);
    embargo.input.value = utcToVnLocal(c.embargoed);
    syncKind();
    syncEmbargo();
    el.querySelectorAll('textarea, input').forEach((x) => x.dispatchEvent(new Event('input')));
  }

  // What can be told before asking the service: the attachment's address, size and hash.
  function checkLocally() {
    let first = null;
    const mark = (control, message) => { setFieldError(control, message); first = first || control; };
    for (const r of atts.filter((x) => !x.removed)) {
      if (r.href.input.value && !/^https:\/\/\S+$/i.test(r.href.input.value.trim())) mark(r.href.input, t('editor.badHref'));
      if (r.size.input.value && !/^\d+$/.test(r.size.input.value.trim())) mark(r.size.input, t('editor.badSize'));
      const sha = r.sha.input.value.trim().toLowerCase();
      if (sha && !/^[0-9a-f]{64}$/.test(sha)) mark(r.sha.input, t('editor.badSha'));
      else if (sha && r.computed && r.computed.sha256 !== sha) mark(r.sha.input, t('editor.attMismatch'));
    }
    if (first) first.focus();
    return !first;
  }

  function setDisabled(disabled) {
    el.querySelectorAll('input, select, textarea, button').forEach((x) => { x.disabled = disabled; });
  }

  return {
    el, collect, load, checkLocally, setDisabled,
    onChange(fn) { listeners.push(fn); },
    get embargoed() { return embargoOn.input.checked && embargo.input.value ? vnLocalToUtc(embargo.input.value) : ''; },
    get earlyToTrusted() { return embargoOn.input.checked && early.input.checked; },
    set earlyToTrusted(v) { early.input.checked = Boolean(v); },
    set agencyCode(v) { agency = v; },
  };
}

function topicName(code, language) {
  const names = {
    vi: { health: 'Y tế', economy: 'Kinh tế', education: 'Giáo dục', disaster: 'Thiên tai', environment: 'Môi trường', transport: 'Giao thông',
      'foreign-affairs': 'Đối ngoại', security: 'An ninh, trật tự', culture: 'Văn hóa', agriculture: 'Nông nghiệp', finance: 'Tài chính',
      science: 'Khoa học, công nghệ', labour: 'Lao động, việc làm', law: 'Pháp luật' },
    en: { health: 'Health', economy: 'Economy', education: 'Education', disaster: 'Disasters', environment: 'Environment', transport: 'Transport',
      'foreign-affairs': 'Foreign affairs', security: 'Public security', culture: 'Culture', agriculture: 'Agriculture', finance: 'Finance',
      science: 'Science and technology', labour: 'Labour and jobs', law: 'Law' },
  };
  return names[language]?.[code] || code;
}

