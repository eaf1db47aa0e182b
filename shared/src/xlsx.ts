import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { DomainError } from './errors.ts';

/**
 * A minimal XLSX (Office Open XML spreadsheet) reader and writer on fflate, enough for topic
 * templates, imports and journal exports. Pure: bytes in, bytes out.
 *
 * Reading: cell values of every sheet (shared strings, inline strings, numbers, booleans as
 * 0/1), merged ranges filled with their top-left value. Styles are not read, so a date cell
 * arrives as its Excel serial number.
 * Writing: strings are inline-string cells, which Excel never evaluates, so a value that
 * starts with = + - @ cannot become a formula (CSV/formula injection).
 */

export type CellValue = string | number | null;

export interface SheetData {
  name: string;
  rows: CellValue[][];
  /** Read only: the sheet is hidden in Excel (`state` hidden or veryHidden). */
  hidden?: boolean;
}

export interface SheetInput extends SheetData {
  /** Column widths in characters, first column first. */
  colWidths?: number[];
  /** Merged ranges such as 'A2:A4'. */
  merges?: string[];
  /** Zero-based columns whose numbers are Excel date serials, shown as dates. */
  dateColumns?: number[];
  /** Printed on A4 across the page, all columns on one page's width (as many pages down). */
  printLandscapeFitWidth?: boolean;
}

/** Unpacked parts larger than this are refused (a zip bomb guard; real sheets are far smaller). */
const MAX_PART_BYTES = 64 * 1024 * 1024;
const MAX_CELLS = 2_000_000;

function invalid(message: string): never {
  throw new DomainError('IMPORT_FILE_INVALID', 'file', message);
}

// ----------------------------------------------------------------------------------------------
// XML helpers. The parts are machine-written XML; a few regular expressions read them, with
// an optional namespace prefix (some writers emit <x:c>).

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeXml(text: string): string {
  return text
    .replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_, e: string) => {
      if (e[0] !== '#') return ENTITIES[e] ?? '';
      const code = e[1] === 'x' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1));
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : '';
    })
    .replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(tag);
  return m ? decodeXml(m[1] ?? m[2] ?? '') : undefined;
}

/** The text of every <t> in a fragment, skipping phonetic runs (<rPh>). */
function textOf(fragment: string): string {
  const body = fragment.replace(/<(?:\w+:)?rPh\b[\s\S]*?<\/(?:\w+:)?rPh>/g, '');
  let out = '';
  for (const m of body.matchAll(/<(?:\w+:)?t(?:\s[^>]*)?>([\s\S]*?)<\/(?:\w+:)?t>/g))
    out += decodeXml(m[1] ?? '');
  return out;
}

// ----------------------------------------------------------------------------------------------
// Cell references

/** 'A' → 0, 'AB' → 27. */
function columnIndex(letters: string): number {
  let n = 0;
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/** 0 → 'A', 27 → 'AB'. */
export function columnName(index: number): string {
  let n = index + 1;
  let out = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    out = String.fromCharCode(65 + r) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

function parseRef(ref: string): { row: number; col: number } | null {
  const m = /^\$?([A-Z]{1,3})\$?(\d{1,7})$/.exec(ref.toUpperCase());
  return m ? { col: columnIndex(m[1]!), row: Number(m[2]) - 1 } : null;
}

function parseRange(range: string): { r1: number; c1: number; r2: number; c2: number } | null {
  const [a, b = a] = range.split(':');
  const p = a ? parseRef(a) : null;
  const q = b ? parseRef(b) : null;
  if (!p || !q) return null;
  return {
    r1: Math.min(p.row, q.row),
    c1: Math.min(p.col, q.col),
    r2: Math.max(p.row, q.row),
    c2: Math.max(p.col, q.col),
  };
}

// ----------------------------------------------------------------------------------------------
// Reading

function unpack(bytes: Uint8Array): Record<string, Uint8Array> {
  if (
    !(bytes instanceof Uint8Array) ||
    bytes.length < 4 ||
    bytes[0] !== 0x50 ||
    bytes[1] !== 0x4b
  ) {
    invalid('файл не является книгой Excel (.xlsx)');
  }
  try {
    return unzipSync(bytes, {
      filter: (f) => {
        if (f.originalSize > MAX_PART_BYTES) invalid('книга Excel слишком велика');
        return /^(xl\/.*\.xml|xl\/_rels\/.*\.rels)$/.test(f.name);
      },
    });
  } catch (error) {
    if (error instanceof DomainError) throw error;
    return invalid('файл Excel повреждён и не читается');
  }
}

function sheetPaths(
  parts: Record<string, Uint8Array>,
): { name: string; path: string; hidden: boolean }[] {
  const workbook = parts['xl/workbook.xml'];
  if (!workbook) invalid('в файле Excel нет книги (xl/workbook.xml)');
  const rels = parts['xl/_rels/workbook.xml.rels'];
  const targets = new Map<string, string>();
  for (const m of strFromU8(rels ?? new Uint8Array()).matchAll(/<(?:\w+:)?Relationship\b[^>]*>/g)) {
    const id = attr(m[0], 'Id');
    const target = attr(m[0], 'Target');
    if (id && target) targets.set(id, target.startsWith('/') ? target.slice(1) : `xl/${target}`);
  }
  const out: { name: string; path: string; hidden: boolean }[] = [];
  for (const m of strFromU8(workbook).matchAll(/<(?:\w+:)?sheet\b[^>]*>/g)) {
    const rid = attr(m[0], 'r:id') ?? '';
    const state = attr(m[0], 'state');
    out.push({
      name: attr(m[0], 'name') ?? `Лист${out.length + 1}`,
      path: targets.get(rid) ?? `xl/worksheets/sheet${out.length + 1}.xml`,
      hidden: state === 'hidden' || state === 'veryHidden',
    });
  }
  return out;
}

/**
 * Excel for Mac saved books counting dates from 1904 (`<workbookPr date1904="1">`): their date
 * serials are 1462 days smaller than the same dates counted from 1900.
 */
function usesDate1904(parts: Record<string, Uint8Array>): boolean {
  const workbook = strFromU8(parts['xl/workbook.xml'] ?? new Uint8Array());
  const pr = /<(?:\w+:)?workbookPr\b[^>]*>/.exec(workbook)?.[0];
  const value = pr ? attr(pr, 'date1904') : undefined;
  return value === '1' || value === 'true';
}

function sharedStrings(parts: Record<string, Uint8Array>): string[] {
  const xml = parts['xl/sharedStrings.xml'];
  if (!xml) return [];
  return [
    ...strFromU8(xml).matchAll(/<(?:\w+:)?si>([\s\S]*?)<\/(?:\w+:)?si>|<(?:\w+:)?si\/>/g),
  ].map((m) => textOf(m[1] ?? ''));
}

function cellValue(tag: string, body: string, strings: string[]): CellValue {
  const type = attr(tag, 't') ?? 'n';
  if (type === 'inlineStr') return textOf(body);
  const v = /<(?:\w+:)?v>([\s\S]*?)<\/(?:\w+:)?v>/.exec(body);
  if (!v) return null;
  const raw = decodeXml(v[1] ?? '');
  if (type === 's') return strings[Number(raw)] ?? invalid(`ссылка на отсутствующую строку ${raw}`);
  if (type === 'n' || type === 'b') {
    const n = Number(raw);
    return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
  }
  return raw;
}

function readSheet(xml: string, strings: string[]): CellValue[][] {
  const rows: CellValue[][] = [];
  let rowIndex = -1;
  let cells = 0;
  for (const rm of xml.matchAll(/<(?:\w+:)?row\b([^>]*?)(?:\/>|>([\s\S]*?)<\/(?:\w+:)?row>)/g)) {
    const r = attr(rm[0].slice(0, rm[0].indexOf('>') + 1), 'r');
    rowIndex = r ? Number(r) - 1 : rowIndex + 1;
    const row: CellValue[] = [];
    let col = -1;
    for (const cm of (rm[2] ?? '').matchAll(
      /<(?:\w+:)?c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/(?:\w+:)?c>)/g,
    )) {
      const tag = `<c${cm[1] ?? ''}>`;
      const ref = attr(tag, 'r');
      col = ref ? (parseRef(ref)?.col ?? col + 1) : col + 1;
      if (++cells > MAX_CELLS) invalid('в листе слишком много ячеек');
      const value = cellValue(tag, cm[2] ?? '', strings);
      if (value !== null && value !== '') row[col] = value;
    }
    rows[rowIndex] = Array.from(row, (v) => v ?? null);
  }
  return Array.from(rows, (r) => r ?? []);
}

function fillMerges(xml: string, rows: CellValue[][]): void {
  for (const m of xml.matchAll(/<(?:\w+:)?mergeCell\b[^>]*>/g)) {
    const range = parseRange(attr(m[0], 'ref') ?? '');
    if (!range || (range.r2 - range.r1 + 1) * (range.c2 - range.c1 + 1) > MAX_CELLS) continue;
    const value = rows[range.r1]?.[range.c1] ?? null;
    for (let r = range.r1; r <= range.r2; r++) {
      const row = rows[r] ?? [];
      rows[r] = row;
      for (let c = range.c1; c <= range.c2; c++) {
        while (row.length < c) row.push(null);
        row[c] = value;
      }
    }
  }
}

/**
 * Reads every sheet of an XLSX file, in workbook order, a hidden one marked `hidden`, and
 * whether the book counts dates from 1904.
 * Rows and columns keep their positions (empty cells are null); merged ranges are filled with
 * their top-left value. Throws IMPORT_FILE_INVALID for a file that is not a readable XLSX.
 */
export function readXlsx(bytes: Uint8Array): { sheets: SheetData[]; date1904: boolean } {
  const parts = unpack(bytes);
  const strings = sharedStrings(parts);
  const sheets = sheetPaths(parts).map(({ name, path, hidden }) => {
    const part = parts[path];
    if (!part) invalid(`в книге нет листа «${name}»`);
    const xml = strFromU8(part);
    const rows = readSheet(xml, strings);
    fillMerges(xml, rows);
    return hidden ? { name, rows, hidden } : { name, rows };
  });
  if (sheets.length === 0) invalid('в книге Excel нет листов');
  return { sheets, date1904: usesDate1904(parts) };
}

// ----------------------------------------------------------------------------------------------
// Writing

function escapeXml(text: string): string {
  return (
    text
      // Characters XML 1.0 cannot carry would make the whole file unreadable to Excel.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
  );
}

function cellXml(value: CellValue, ref: string, isDate: boolean, field: string): string {
  if (value === null || value === '') return '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new DomainError('VALIDATION_FAILED', field, 'число должно быть конечным');
    return `<c r="${ref}"${isDate ? ' s="1"' : ''}><v>${value}</v></c>`;
  }
  if (typeof value !== 'string')
    throw new DomainError('VALIDATION_FAILED', field, 'ожидается строка, число или пусто');
  if (value.length > 32767)
    throw new DomainError('VALIDATION_FAILED', field, 'в ячейке Excel не больше 32767 знаков');
  return `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${escapeXml(value)}</t></is></c>`;
}

function sheetXml(sheet: SheetInput, i: number): string {
  const dates = new Set(sheet.dateColumns ?? []);
  const rows = sheet.rows.map((row, r) => {
    if (!Array.isArray(row))
      throw new DomainError(
        'VALIDATION_FAILED',
        `sheets[${i}].rows[${r}]`,
        'ожидается строка таблицы',
      );
    const cells = row
      .map((v, c) =>
        cellXml(v, `${columnName(c)}${r + 1}`, dates.has(c), `sheets[${i}].rows[${r}][${c}]`),
      )
      .join('');
    return cells ? `<row r="${r + 1}">${cells}</row>` : '';
  });
  const cols = (sheet.colWidths ?? []).map((w, c) => {
    if (!Number.isFinite(w) || w <= 0 || w > 255) {
      throw new DomainError(
        'VALIDATION_FAILED',
        `sheets[${i}].colWidths[${c}]`,
        'ширина столбца от 1 до 255',
      );
    }
    return `<col min="${c + 1}" max="${c + 1}" width="${w}" customWidth="1"/>`;
  });
  const merges = (sheet.merges ?? []).map((ref, m) => {
    if (!/^[A-Z]{1,3}\d{1,7}:[A-Z]{1,3}\d{1,7}$/.test(ref) || !parseRange(ref)) {
      throw new DomainError(
        'VALIDATION_FAILED',
        `sheets[${i}].merges[${m}]`,
        `неверный диапазон ${ref}`,
      );
    }
    return `<mergeCell ref="${ref}"/>`;
  });
  // Schema order: sheetPr first; pageMargins and pageSetup after mergeCells.
  const fit = sheet.printLandscapeFitWidth === true;
  return [
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
    fit ? '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' : '',
    cols.length ? `<cols>${cols.join('')}</cols>` : '',
    `<sheetData>${rows.join('')}</sheetData>`,
    merges.length ? `<mergeCells count="${merges.length}">${merges.join('')}</mergeCells>` : '',
    fit
      ? '<pageMargins left="0.4" right="0.4" top="0.5" bottom="0.5" header="0.3" footer="0.3"/>' +
        '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
      : '',
    '</worksheet>',
  ].join('');
}

const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';
const CT = 'application/vnd.openxmlformats-officedocument';

function checkSheetNames(sheets: SheetInput[]): void {
  if (!Array.isArray(sheets) || sheets.length === 0)
    throw new DomainError('VALIDATION_FAILED', 'sheets', 'нужен хотя бы один лист');
  const seen = new Set<string>();
  sheets.forEach((s, i) => {
    const name = typeof s?.name === 'string' ? s.name : '';
    if (!name || name.length > 31 || /[[\]:*?/\\]/.test(name) || seen.has(name.toLowerCase())) {
      throw new DomainError(
        'VALIDATION_FAILED',
        `sheets[${i}].name`,
        'имя листа: 1–31 знак без []:*?/\\, без повторов',
      );
    }
    seen.add(name.toLowerCase());
  });
}

function packageParts(sheets: SheetInput[]): Record<string, string> {
  const sheetList = sheets.map(
    (s, i) => `<sheet name="${escapeXml(s.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`,
  );
  const rels = sheets.map(
    (_, i) =>
      `<Relationship Id="rId${i + 1}" Type="${REL}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`,
  );
  const overrides = sheets.map(
    (_, i) =>
      `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="${CT}.spreadsheetml.worksheet+xml"/>`,
  );
  const head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>';
  return {
    '[Content_Types].xml': `${head}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="${CT}.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="${CT}.spreadsheetml.styles+xml"/>${overrides.join('')}</Types>`,
    '_rels/.rels': `${head}<Relationships xmlns="${PKG_REL}"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    'xl/workbook.xml': `${head}<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="${REL}"><sheets>${sheetList.join('')}</sheets></workbook>`,
    'xl/_rels/workbook.xml.rels': `${head}<Relationships xmlns="${PKG_REL}">${rels.join('')}<Relationship Id="rId${sheets.length + 1}" Type="${REL}/styles" Target="styles.xml"/></Relationships>`,
    // Style 1 is a date (built-in format 14, shown as ДД.ММ.ГГГГ in a Russian Excel).
    'xl/styles.xml': `${head}<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>`,
  };
}

/**
 * Writes an XLSX workbook with one sheet per input. Strings are inline text cells (never
 * formulas), numbers are numbers; `dateColumns` show serials as dates. The output is the same
 * for the same input (fixed zip timestamps). Throws VALIDATION_FAILED naming the bad field.
 */
export function writeXlsx(sheets: SheetInput[]): Uint8Array {
  checkSheetNames(sheets);
  const files: Record<string, Uint8Array> = {};
  for (const [path, xml] of Object.entries(packageParts(sheets))) files[path] = strToU8(xml);
  sheets.forEach((sheet, i) => {
    files[`xl/worksheets/sheet${i + 1}.xml`] = strToU8(sheetXml(sheet, i));
  });
  // A local-time constructor: the zip stores local fields, so every process TZ writes the same bytes.
  return zipSync(files, { level: 6, mtime: new Date(2000, 0, 1) });
}
