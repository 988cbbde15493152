// CSV (RFC 4180) read in the browser: quoted fields with commas, quotes and line breaks,
// CRLF or LF, a UTF-8 byte-order mark, ',' or ';' as separator (spreadsheets set to
// Vietnamese often write ';'). Each record remembers the line it starts on, so a refusal
// can name the line a person sees in their editor.

export class CsvError extends Error {
  constructor(message, line) { super(message); this.line = line; }
}

function detectSeparator(text) {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && ch === ',') commas += 1;
    else if (!quoted && ch === ';') semicolons += 1;
  }
  return semicolons > commas ? ';' : ',';
}

// -> [{line, fields: [..]}], blank lines skipped.
export function parseCsv(input) {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const sep = detectSeparator(text);
  const records = [];
  let fields = [];
  let value = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let afterQuote = false;
  const endField = () => { fields.push(value); value = ''; afterQuote = false; };
  const endRecord = () => {
    endField();
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: start, fields });
    fields = [];
  };
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') { value += '"'; i += 1; } else { quoted = false; afterQuote = true; }
      } else {
        if (ch === '\n') line += 1;
        value += ch;
      }
      continue;
    }
    if (ch === '"') {
      if (value !== '' || afterQuote) throw new CsvError(`unexpected quote on line ${line}`, line);
      quoted = true;
    } else if (ch === sep) {
      endField();
    } else if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && text[i + 1] === '\n') i += 1;
      endRecord();
      line += 1;
      start = line;
    } else {
      if (afterQuote) throw new CsvError(`text after a closing quote on line ${line}`, line);
      value += ch;
    }
  }
  if (quoted) throw new CsvError(`a quoted field that starts on line ${start} never ends`, start);
  endRecord();
  return records;
}

// -> {header: ['id', ...], rawHeader, rows: [{line, values: {id: ..}}]}; header names are trimmed and
// compared without case, '_', '-' or spaces ("card_number" = "cardNumber" = "Card number").
export function parseTable(input) {
  const records = parseCsv(input);
  if (!records.length) return { header: [], rawHeader: [], rows: [] };
  const rawHeader = records[0].fields.map((h) => h.trim());
  const header = rawHeader.map((h) => normalizeName(h));
  const rows = records.slice(1).map((r) => {
    const values = {};
    header.forEach((name, i) => { values[name] = (r.fields[i] ?? '').trim(); });
    return { line: r.line, values };
  });
  return { header, rawHeader, rows };
}

export function normalizeName(name) { return String(name).trim().toLowerCase().replace(/[\s_-]+/g, ''); }
