import { dateToExcelSerial, excelSerialToDate, parseRuDate } from './dates.ts';
import { DomainError } from './errors.ts';
import { type DatePeriod, plannedDateProblem } from './topic-dates.ts';
import { type CellValue, readXlsx, type SheetData, writeXlsx } from './xlsx.ts';

/**
 * Import of the calendar study plan (КТП) from the files teachers actually have (TI1–TI6):
 * CSV from Excel in UTF-8 (with or without BOM) or Windows-1251 with `;`, `,` or tab, and XLSX
 * with merged section cells and date serials. Every problem becomes a row error that names the
 * file row and the column; nothing is thrown for bad content, only for an unreadable file.
 */

/** The template's columns, in order. */
export const TOPIC_TEMPLATE_COLUMNS = [
  '№ п/п',
  'Раздел',
  'Тема',
  'Кол-во часов',
  'Форма занятия',
  'Форма контроля',
  'Плановая дата',
] as const;

type Column = 'order' | 'section' | 'title' | 'hours' | 'form' | 'control' | 'plannedDate';

const COLUMN_TITLES: Record<Column, string> = {
  order: '№ п/п',
  section: 'Раздел',
  title: 'Тема',
  hours: 'Кол-во часов',
  form: 'Форма занятия',
  control: 'Форма контроля',
  plannedDate: 'Плановая дата',
};

/** Header spellings seen in real plans, compared after `normaliseHeader`. */
const HEADER_ALIASES: Record<Column, string[]> = {
  order: ['№п/п', '№', 'n', 'no', 'номер', 'п/п', '№занятия', 'номерп/п'],
  section: ['раздел', 'модуль', 'разделпрограммы', 'название раздела'],
  title: ['тема', 'темазанятия', 'названиетемы', 'темы'],
  hours: ['кол-вочасов', 'количествочасов', 'часы', 'часов', 'кол-воч.', 'всегочасов'],
  form: ['формазанятия', 'формапроведения', 'формапроведениязанятия'],
  control: ['формаконтроля', 'контроль', 'формыконтроля'],
  plannedDate: ['плановаядата', 'дата', 'датапроведения', 'плановаядатапроведения', 'датапоплану'],
};

/** One parsed topic; `row` is the 1-based row of the file, as Excel shows it. */
export interface ImportedTopicRow {
  row: number;
  order: number;
  section: string;
  title: string;
  hours: number;
  form: string;
  control: string;
  plannedDate: string | null;
}

export interface TopicImportError {
  row: number;
  column: string;
  message: string;
}

export interface TopicImportOptions {
  /**
   * The subgroup's study period: planned dates outside it are row errors (TI7). Without it only
   * implausible dates are (PLAUSIBLE_PLAN_PERIOD).
   */
  period?: DatePeriod;
  /** TI16: the XLSX counts date serials from 1904 (Excel for Mac); set from the file. */
  date1904?: boolean;
}

/** Days between Excel's 1900 and 1904 date systems. */
const DATE1904_OFFSET = 1462;

export interface TopicImportResult {
  rows: ImportedTopicRow[];
  errors: TopicImportError[];
  totalHours: number;
}

const MAX_TEXT = 300;

function normaliseHeader(text: string): string {
  return text
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/[\s\u00a0*]+/g, '');
}

const HEADER_LOOKUP = new Map<string, Column>(
  (Object.entries(HEADER_ALIASES) as [Column, string[]][]).flatMap(([col, names]) =>
    names.map((n) => [normaliseHeader(n), col] as [string, Column]),
  ),
);

// ----------------------------------------------------------------------------------------------
// Text files

/** TI2: UTF-8 (BOM or not) when the bytes are valid UTF-8, else Windows-1251; UTF-16 by BOM. */
export function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return new TextDecoder('utf-8').decode(bytes.subarray(3));
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe)
    return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff)
    return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Excel's "CSV (разделители — запятые)" on a Russian Windows writes Windows-1251.
    return new TextDecoder('windows-1251').decode(bytes);
  }
}

const DELIMITERS = [';', '\t', ','];

/** The delimiter used most in the first non-empty line outside quotes; `;` wins ties. */
function detectDelimiter(text: string): string {
  const line = text.split(/\r\n|\n|\r/).find((l) => l.trim() !== '') ?? '';
  const counts: Record<string, number> = { ';': 0, '\t': 0, ',': 0 };
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch in counts) counts[ch] = (counts[ch] ?? 0) + 1;
  }
  return DELIMITERS.reduce((best, d) => ((counts[d] ?? 0) > (counts[best] ?? 0) ? d : best), ';');
}

/** RFC 4180 fields: quotes, doubled quotes, delimiters and line breaks inside quotes. */
export function parseCsv(text: string, delimiter = detectDelimiter(text)): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch !== '"') field += ch;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === delimiter) {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

// ----------------------------------------------------------------------------------------------
// Cells → topics

function isBlank(v: CellValue | undefined): boolean {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
}

function text(v: CellValue | undefined): string {
  if (isBlank(v)) return '';
  return String(v).replace(/\s+/g, ' ').trim();
}

/** '1,5' and '1.5' → 1.5; numbers stay numbers; anything else → NaN. */
function number(v: CellValue | undefined): number {
  if (typeof v === 'number') return v;
  const t = text(v).replace(/\s/g, '').replace(',', '.');
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : Number.NaN;
}

/** Finds the header row among the first rows (a title line may come first): ≥ 2 known names. */
function findHeader(rows: CellValue[][]): { index: number; columns: Map<Column, number> } | null {
  for (let r = 0; r < Math.min(rows.length, 15); r++) {
    const columns = new Map<Column, number>();
    (rows[r] ?? []).forEach((cell, c) => {
      const col = HEADER_LOOKUP.get(normaliseHeader(text(cell)));
      if (col && !columns.has(col)) columns.set(col, c);
    });
    if (columns.size >= 2 && columns.has('title')) return { index: r, columns };
  }
  return null;
}

/** A date-time cell saved as text keeps its time: «01.09.2026 0:00». */
const TIME_SUFFIX = /\s+\d{1,2}:\d{2}(:\d{2})?$/;

function parseDate(v: CellValue | undefined, date1904 = false): string | null {
  if (isBlank(v)) return null;
  const n = typeof v === 'number' ? v : /^\d{5}(\.\d+)?$/.test(text(v)) ? Number(text(v)) : null;
  if (n !== null) return excelSerialToDate(n + (date1904 ? DATE1904_OFFSET : 0), 'plannedDate');
  // TI3: the plan means the day; a time of day an export added is not part of it.
  return parseRuDate(text(v).replace(TIME_SUFFIX, ''), 'plannedDate');
}

interface RowContext {
  cells: CellValue[];
  columns: Map<Column, number>;
  rowNumber: number;
  errors: TopicImportError[];
  period: DatePeriod | undefined;
  date1904: boolean;
}

function cell(ctx: RowContext, col: Column): CellValue | undefined {
  const c = ctx.columns.get(col);
  return c === undefined ? undefined : ctx.cells[c];
}

function rowError(ctx: RowContext, col: Column, message: string): void {
  ctx.errors.push({ row: ctx.rowNumber, column: COLUMN_TITLES[col], message });
}

function textField(ctx: RowContext, col: Column): string {
  const value = text(cell(ctx, col));
  if (value.length > MAX_TEXT) rowError(ctx, col, `не длиннее ${MAX_TEXT} знаков`);
  return value;
}

function parseRow(ctx: RowContext, fallbackOrder: number): ImportedTopicRow | null {
  const before = ctx.errors.length;
  const title = textField(ctx, 'title');
  if (!title) rowError(ctx, 'title', 'не указана тема');

  const rawOrder = cell(ctx, 'order');
  const order = isBlank(rawOrder) ? fallbackOrder : number(rawOrder);
  if (!Number.isInteger(order) || order < 0 || order > 100_000)
    rowError(ctx, 'order', `неверный номер «${text(rawOrder)}»`);

  const rawHours = cell(ctx, 'hours');
  const hours = number(rawHours);
  if (isBlank(rawHours)) rowError(ctx, 'hours', 'не указано количество часов');
  else if (!(hours >= 0 && hours <= 100))
    rowError(ctx, 'hours', `неверное количество часов «${text(rawHours)}»`);

  let plannedDate: string | null = null;
  try {
    plannedDate = parseDate(cell(ctx, 'plannedDate'), ctx.date1904);
  } catch {
    const shown = text(cell(ctx, 'plannedDate'));
    // «31.09.2026» is written right but names no day: saying "expected ДД.ММ.ГГГГ" misleads.
    const wellFormed = /^\d{1,2}\.\d{1,2}\.(\d{2}|\d{4})$/.test(shown.trim());
    rowError(
      ctx,
      'plannedDate',
      wellFormed
        ? `даты «${shown}» не существует в календаре`
        : `неверная дата «${shown}», ожидается ДД.ММ.ГГГГ`,
    );
  }

  const problem = plannedDate === null ? null : plannedDateProblem(plannedDate, ctx.period);
  if (problem) rowError(ctx, 'plannedDate', problem);

  const row: ImportedTopicRow = {
    row: ctx.rowNumber,
    order,
    section: textField(ctx, 'section'),
    title,
    hours,
    form: textField(ctx, 'form'),
    control: textField(ctx, 'control'),
    plannedDate,
  };
  return ctx.errors.length === before ? row : null;
}

const TOTAL_WORD = /^(итого|всего)(?![а-яё])/i;

/**
 * A closing «Итого» line carries a total, not a topic: a cell starts with «Итого» or «Всего»
 * («Итого за год», «ВСЕГО: 72 часа»). TI11: in a plan with a «№» column, a numbered row is a
 * topic whatever its title («8; Всего понемногу: повторение»), where it was dropped without a
 * word; a total line has no number.
 */
function isTotalRow(cells: CellValue[], orderColumn: number | undefined): boolean {
  if (!cells.some((v) => TOTAL_WORD.test(text(v)))) return false;
  return orderColumn === undefined || Number.isNaN(number(cells[orderColumn]));
}

/**
 * TI14: «Кол-во часов» over a second header row «Теория | Практика | Всего», as many plans
 * split the hours: the topic's hours are the «Всего» column under it. The second row is no
 * topic. Undefined when the header is one row.
 */
function hoursTotalColumn(
  rows: CellValue[][],
  headerIndex: number,
  hoursAt: number,
): number | undefined {
  const top = rows[headerIndex] ?? [];
  const below = rows[headerIndex + 1] ?? [];
  const name = text(top[hoursAt]);
  for (let c = hoursAt; c < below.length; c++) {
    // The hours' group ends where the header row names another column.
    if (c > hoursAt && !isBlank(top[c]) && text(top[c]) !== name) return undefined;
    if (/^всего/i.test(text(below[c]))) return c;
  }
  return undefined;
}

/**
 * TI15: a row that only names a section («Раздел 1. Введение (4 ч)»), across the table (a
 * merged row repeats its text in every column, TI4) or alone in the «№» or «Раздел» column.
 * Its text becomes the section of the topics below that have none. Null for any other row.
 */
function sectionHeading(cells: CellValue[], columns: Map<Column, number>): string | null {
  const filled = cells.flatMap((v, c) => (isBlank(v) ? [] : [{ c, value: text(v) }]));
  const first = filled[0];
  if (!first || !Number.isNaN(number(first.value))) return null;
  if (!filled.every((f) => f.value === first.value)) return null;
  if (filled.length >= 2) return first.value;
  return first.c === columns.get('order') || first.c === columns.get('section')
    ? first.value
    : null;
}

/** TI1, TI3, TI5, TI7: header by name, then one topic (or row errors) per non-empty row. */
export function parseTopicRows(
  rows: CellValue[][],
  options: TopicImportOptions = {},
): TopicImportResult {
  const header = findHeader(rows);
  if (!header) {
    return {
      rows: [],
      errors: [
        {
          row: 1,
          column: COLUMN_TITLES.title,
          message: 'не найдена строка заголовков с колонками «Тема» и «Кол-во часов»',
        },
      ],
      totalHours: 0,
    };
  }
  const errors: TopicImportError[] = [];
  if (!header.columns.has('hours')) {
    errors.push({
      row: header.index + 1,
      column: COLUMN_TITLES.hours,
      message: 'нет колонки «Кол-во часов»',
    });
    return { rows: [], errors, totalHours: 0 };
  }

  const total = hoursTotalColumn(rows, header.index, header.columns.get('hours')!);
  if (total !== undefined) header.columns.set('hours', total);
  const first = header.index + (total === undefined ? 1 : 2);

  const topics: ImportedTopicRow[] = [];
  let lastOrder = 0;
  let seen = 0;
  let heading = '';
  for (let r = first; r < rows.length; r++) {
    const cells = rows[r] ?? [];
    if (cells.every(isBlank) || isTotalRow(cells, header.columns.get('order'))) continue;
    const named = sectionHeading(cells, header.columns);
    if (named !== null) {
      heading = named;
      continue;
    }
    seen += 1;
    if (seen > MAX_IMPORT_TOPICS) return fileProblem(header.index + 1, tooMany(rows, r));
    const topic = parseRow(
      {
        cells,
        columns: header.columns,
        rowNumber: r + 1,
        errors,
        period: options.period,
        date1904: options.date1904 === true,
      },
      lastOrder + 1,
    );
    lastOrder += 1;
    if (topic) {
      lastOrder = topic.order;
      topics.push(topic.section === '' ? { ...topic, section: heading } : topic);
    }
  }
  if (seen === 0) {
    return fileProblem(header.index + 1, 'под строкой заголовков нет ни одной темы');
  }
  const planned = header.columns.has('order') ? inPlanOrder(topics) : topics;
  return { rows: planned, errors, totalHours: topicHours(planned) };
}

/**
 * TI17: a plan whose «№» gives each topic its own number is saved in that order, whatever the
 * order of the rows (a sheet sorted by another column in Excel); numbers that repeat (a plan
 * numbered afresh in each section) leave the rows as the file has them.
 */
function inPlanOrder(topics: ImportedTopicRow[]): ImportedTopicRow[] {
  if (new Set(topics.map((t) => t.order)).size !== topics.length) return topics;
  return [...topics].sort((a, b) => a.order - b.order);
}

/**
 * TI13: a plan has at most a few hundred topics (144 hours a year at half an hour each is 288);
 * a file with more is not a plan (a whole database export, a wrong sheet), and a device would
 * spend minutes saving it.
 */
export const MAX_IMPORT_TOPICS = 500;

function tooMany(rows: CellValue[][], from: number): string {
  const more = rows.slice(from).filter((cells) => !cells.every(isBlank)).length;
  return `в файле больше ${MAX_IMPORT_TOPICS} тем (${MAX_IMPORT_TOPICS + more}): столько в учебный план подгруппы не входит — проверьте, тот ли это файл или лист`;
}

/** TI13: a problem of the whole file, shown on its header row; nothing can be saved. */
function fileProblem(row: number, message: string): TopicImportResult {
  return { rows: [], errors: [{ row, column: COLUMN_TITLES.title, message }], totalHours: 0 };
}

/**
 * TI12: a plan is read from the first sheet Excel shows that has the header row: a workbook
 * often opens with a hidden sheet or a title page («Записка») before «КТП», and the first
 * sheet alone was read. Without such a sheet the error names the sheets looked at.
 */
function parseWorkbook(sheets: SheetData[], options: TopicImportOptions): TopicImportResult {
  const shown = sheets.filter((sheet) => !sheet.hidden);
  const sheet = shown.find((s) => findHeader(s.rows) !== null);
  if (sheet || shown.length < 2) return parseTopicRows((sheet ?? shown[0])?.rows ?? [], options);

  const result = parseTopicRows(shown[0]!.rows, options);
  const names = shown.map((s) => `«${s.name}»`).join(', ');
  const errors = result.errors.map((e) => ({
    ...e,
    message: `${e.message} ни на одном листе книги (${names})`,
  }));
  return { ...result, errors };
}

function isZip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/**
 * Parses a topics file (CSV/TXT or XLSX, told by its content, then by its name). Throws
 * IMPORT_FILE_INVALID (field `file`) only when the file cannot be read at all; problems in
 * rows come back in `errors` (TI5), and the valid rows in `rows`.
 */
export function parseTopicsFile(
  bytes: Uint8Array,
  fileName: string,
  options: TopicImportOptions = {},
): TopicImportResult {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
    throw new DomainError('IMPORT_FILE_INVALID', 'file', 'файл пуст');
  }
  const name = typeof fileName === 'string' ? fileName.toLowerCase() : '';
  if (isZip(bytes)) {
    const book = readXlsx(bytes);
    return parseWorkbook(book.sheets, { ...options, date1904: book.date1904 });
  }
  if (name.endsWith('.xlsx'))
    throw new DomainError('IMPORT_FILE_INVALID', 'file', 'файл .xlsx повреждён');
  if (name.endsWith('.xls') || (bytes[0] === 0xd0 && bytes[1] === 0xcf)) {
    throw new DomainError(
      'IMPORT_FILE_INVALID',
      'file',
      'старый формат .xls не поддерживается: сохраните файл как .xlsx или CSV',
    );
  }
  return parseTopicRows(textRows(decodeText(bytes)), options);
}

/**
 * The rows of a text file. The delimiter is guessed from the first non-empty line, which may
 * be a title holding none (TI1 allows title lines above the header); when that guess finds no
 * header row, the other delimiters are tried before giving up.
 */
function textRows(text: string): CellValue[][] {
  const guess = detectDelimiter(text);
  const rows = parseCsv(text, guess);
  if (findHeader(rows)) return rows;
  for (const delimiter of DELIMITERS.filter((d) => d !== guess)) {
    const other = parseCsv(text, delimiter);
    if (findHeader(other)) return other;
  }
  return rows;
}

/** Hours as a Russian reader writes them: a decimal comma (1,5 ч), as the import reads them. */
export function ruHours(hours: number): string {
  return String(hours).replace('.', ',');
}

/** TI6: the plan's hours against the subgroup's hours per year. */
/** The hours of topics, to the hundredth (hours come with a decimal comma, «1,5»). */
export function topicHours(topics: readonly { hours: number }[]): number {
  return Math.round(topics.reduce((sum, t) => sum + t.hours, 0) * 100) / 100;
}

export function checkTopicHours(
  totalHours: number,
  hoursPerYear: number,
): { ok: boolean; difference: number; message: string } {
  const difference = Math.round((totalHours - hoursPerYear) * 100) / 100;
  if (difference === 0)
    return {
      ok: true,
      difference,
      message: `Всего ${ruHours(totalHours)} ч — совпадает с учебным планом.`,
    };
  const word = difference > 0 ? 'больше' : 'меньше';
  return {
    ok: false,
    difference,
    message: `Всего ${ruHours(totalHours)} ч — на ${ruHours(Math.abs(difference))} ч ${word}, чем ${ruHours(hoursPerYear)} ч в год по плану.`,
  };
}

const SAMPLE_ROWS: CellValue[][] = [
  [1, 'Введение', 'Вводное занятие. Техника безопасности', 2, 'беседа', 'опрос', '01.09.2026'],
  [
    2,
    'Введение',
    'Знакомство с материалами и инструментами',
    2,
    'практическое занятие',
    'наблюдение',
    '03.09.2026',
  ],
];

function csvField(v: CellValue): string {
  const s = v === null ? '' : String(v);
  return /[";\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The CSV template: UTF-8 with BOM (Excel then reads Cyrillic right), `;`, two sample rows. */
export function topicsTemplateCsv(): Uint8Array {
  const lines = [[...TOPIC_TEMPLATE_COLUMNS], ...SAMPLE_ROWS].map((r) => r.map(csvField).join(';'));
  const body = new TextEncoder().encode(`${lines.join('\r\n')}\r\n`);
  const out = new Uint8Array(body.length + 3);
  out.set([0xef, 0xbb, 0xbf]);
  out.set(body, 3);
  return out;
}

/** The XLSX template: the same columns and samples, dates as real date cells. */
export function topicsTemplateXlsx(): Uint8Array {
  const rows = SAMPLE_ROWS.map((r) =>
    r.map((v, c) => (c === 6 && typeof v === 'string' ? dateToExcelSerial(parseRuDate(v)) : v)),
  );
  return writeXlsx([
    {
      name: 'КТП',
      rows: [[...TOPIC_TEMPLATE_COLUMNS], ...rows],
      colWidths: [8, 24, 48, 14, 24, 20, 16],
      dateColumns: [6],
    },
  ]);
}
