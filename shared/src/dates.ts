import { DomainError } from './errors.ts';

/**
 * Local civil dates ('YYYY-MM-DD') and wall-clock times ('HH:MM') of the organisation's time
 * zone (DT1). Everything here is integer arithmetic on day numbers: no function builds a JS Date
 * from a civil date, so the process time zone can never shift a date (DT3). The only bridge from
 * an instant to a civil date is `todayIn`/`nowTimeIn`, which ask Intl for the wall clock of an
 * explicit zone (DT2).
 */

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^(\d{1,2}):(\d{2})$/;
const MONTH_RE = /^(\d{4})-(\d{2})$/;

/** 1..7, Monday first (ISO 8601). */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  const days = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return days[month - 1] ?? 0;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function ymd(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : String(value);
}

function splitDate(value: unknown, field: string): [number, number, number] {
  const m = typeof value === 'string' ? DATE_RE.exec(value) : null;
  if (!m) {
    throw new DomainError(
      'INVALID_DATE',
      field,
      `ожидается дата ГГГГ-ММ-ДД, получено ${describe(value)}`,
    );
  }
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) {
    throw new DomainError('INVALID_DATE', field, `такой даты нет: ${describe(value)}`);
  }
  return [y, mo, d];
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian civil date (the "days from civil" algorithm):
 * exact integer arithmetic, independent of any time zone.
 */
function toDayNumber(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function fromDayNumber(n: number): string {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return ymd(era * 400 + yoe + (m <= 2 ? 1 : 0), m, d);
}

/** Days since 1970-01-01 of a civil date; throws INVALID_DATE naming `field`. */
export function dayNumber(date: string, field = 'date'): number {
  const [y, m, d] = splitDate(date, field);
  return toDayNumber(y, m, d);
}

/** The civil date of a day number (inverse of `dayNumber`). */
export function dateOfDayNumber(n: number): string {
  if (!Number.isInteger(n) || Math.abs(n) > 100_000_000) {
    throw new DomainError('INVALID_DATE', 'dayNumber', `ожидается целое число дней, получено ${n}`);
  }
  return fromDayNumber(n);
}

/** Validates a civil date and returns it unchanged (DT4). */
export function parseLocalDate(value: string, field = 'date'): string {
  splitDate(value, field);
  return value;
}

/** `date` plus `n` days (n may be negative). */
export function addDays(date: string, n: number): string {
  if (!Number.isInteger(n)) {
    throw new DomainError('VALIDATION_FAILED', 'n', `ожидается целое число дней, получено ${n}`);
  }
  return fromDayNumber(dayNumber(date) + n);
}

/** Negative, zero or positive as `a` is before, equal to or after `b`. */
export function compareDates(a: string, b: string): number {
  const da = dayNumber(a, 'a');
  const db = dayNumber(b, 'b');
  return da < db ? -1 : da > db ? 1 : 0;
}

/** `b - a` in days. */
export function daysBetween(a: string, b: string): number {
  return dayNumber(b, 'b') - dayNumber(a, 'a');
}

/**
 * A person's age in whole years on `date`, for a birth date: the year difference, less one
 * until the birthday comes round that year (one born on 29 February turns a year older on
 * 1 March in a common year). Both are civil dates; a malformed one throws (DT4).
 */
export function ageOn(birthDate: string, date: string): number {
  const [by, bm, bd] = splitDate(birthDate, 'birthDate');
  const [y, m, d] = splitDate(date, 'date');
  const years = y - by;
  return m < bm || (m === bm && d < bd) ? years - 1 : years;
}

/** ISO weekday of a civil date: 1 is Monday, 7 is Sunday. 1970-01-01 was a Thursday. */
export function isoWeekday(date: string): IsoWeekday {
  return weekdayOfDayNumber(dayNumber(date));
}

/** ISO weekday of a day number (see `dayNumber`). */
export function weekdayOfDayNumber(n: number): IsoWeekday {
  return (((((n + 3) % 7) + 7) % 7) + 1) as IsoWeekday;
}

/** The month 'YYYY-MM' of a date. */
export function monthOf(date: string): string {
  parseLocalDate(date);
  return date.slice(0, 7);
}

function splitMonth(month: unknown, field: string): [number, number] {
  const m = typeof month === 'string' ? MONTH_RE.exec(month) : null;
  const mo = m ? Number(m[2]) : 0;
  if (!m || mo < 1 || mo > 12) {
    throw new DomainError(
      'INVALID_DATE',
      field,
      `ожидается месяц ГГГГ-ММ, получено ${describe(month)}`,
    );
  }
  return [Number(m[1]), mo];
}

/** Every date of a month 'YYYY-MM', in order. */
export function monthDays(month: string): string[] {
  const [y, m] = splitMonth(month, 'month');
  const out: string[] = [];
  for (let d = 1; d <= daysInMonth(y, m); d++) out.push(ymd(y, m, d));
  return out;
}

/** The month `n` months after `month` ('2026-12', 1 → '2027-01'). */
export function addMonths(month: string, n: number): string {
  const [y, m] = splitMonth(month, 'month');
  if (!Number.isInteger(n)) {
    throw new DomainError('VALIDATION_FAILED', 'n', `ожидается целое число месяцев, получено ${n}`);
  }
  const index = y * 12 + (m - 1) + n;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${pad2((index % 12) + 1)}`;
}

/**
 * Validates a wall-clock time and returns it as 'HH:MM' ('9:05' → '09:05'). Throws
 * INVALID_TIME naming `field`.
 */
export function parseLocalTime(value: string, field = 'time'): string {
  const m = typeof value === 'string' ? TIME_RE.exec(value.trim()) : null;
  const [h, min] = m ? [Number(m[1]), Number(m[2])] : [-1, -1];
  if (!m || h > 23 || min > 59) {
    throw new DomainError(
      'INVALID_TIME',
      field,
      `ожидается время ЧЧ:ММ, получено ${describe(value)}`,
    );
  }
  return `${pad2(h)}:${pad2(min)}`;
}

/** Minutes after midnight of a strict 'HH:MM' time. */
export function minutesOf(time: string, field = 'time'): number {
  if (typeof time !== 'string' || !/^\d{2}:\d{2}$/.test(time)) {
    throw new DomainError(
      'INVALID_TIME',
      field,
      `ожидается время ЧЧ:ММ, получено ${describe(time)}`,
    );
  }
  const normal = parseLocalTime(time, field);
  return Number(normal.slice(0, 2)) * 60 + Number(normal.slice(3));
}

// Intl formatters are costly to build; one per zone is kept (a cache, not state).
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f) return f;
  try {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
  } catch {
    throw new DomainError(
      'VALIDATION_FAILED',
      'timeZone',
      `неизвестный часовой пояс ${describe(timeZone)}`,
    );
  }
  formatters.set(timeZone, f);
  return f;
}

function wallClock(timeZone: string, now: Date): Record<string, number> {
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
    throw new DomainError('VALIDATION_FAILED', 'now', 'ожидается момент времени (Date)');
  }
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(now)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return parts;
}

/** The civil date in `timeZone` at the instant `now` (DT2), e.g. 19:30 UTC → next day in UTC+5. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  const p = wallClock(timeZone, now);
  return ymd(p.year ?? 0, p.month ?? 0, p.day ?? 0);
}

/** The wall-clock time 'HH:MM' in `timeZone` at the instant `now` (DT2). */
export function nowTimeIn(timeZone: string, now: Date = new Date()): string {
  const p = wallClock(timeZone, now);
  return `${pad2(p.hour ?? 0)}:${pad2(p.minute ?? 0)}`;
}

/** 'YYYY-MM-DD' → 'DD.MM.YYYY', as Russian users read dates. */
export function formatRuDate(date: string): string {
  const [y, m, d] = splitDate(date, 'date');
  return `${pad2(d)}.${pad2(m)}.${String(y).padStart(4, '0')}`;
}

const MONTH_NAMES_RU = [
  'январь',
  'февраль',
  'март',
  'апрель',
  'май',
  'июнь',
  'июль',
  'август',
  'сентябрь',
  'октябрь',
  'ноябрь',
  'декабрь',
];

/** 'YYYY-MM' → «сентябрь 2026» (or «Сентябрь 2026» with `capital`), as a heading or a cell. */
export function formatRuMonth(month: string, capital = false): string {
  const [y, m] = splitMonth(month, 'month');
  const name = MONTH_NAMES_RU[m - 1]!;
  return `${capital ? name[0]!.toUpperCase() + name.slice(1) : name} ${y}`;
}

/** Weekdays as a schedule names them, Monday first (index = ISO weekday - 1). */
export const RU_WEEKDAYS_SHORT = ['Пн', 'Вт', 'Ср', 'Чт', 'Пт', 'Сб', 'Вс'] as const;

/** ISO weekdays in week order as Russian readers see them: [4, 1] → «Пн, Чт». */
export function ruWeekdays(days: readonly number[]): string {
  return [...days]
    .sort((a, b) => a - b)
    .map((d) => RU_WEEKDAYS_SHORT[d - 1])
    .join(', ');
}

/** Alias of `formatRuDate` (the name used in SPEC.md's module table). */
export const formatLocalDate = formatRuDate;

/**
 * A date typed by a person or found in a file: 'DD.MM.YYYY', 'D.M.YY' (20YY) or ISO
 * 'YYYY-MM-DD' → 'YYYY-MM-DD'. Throws INVALID_DATE naming `field`.
 */
export function parseRuDate(text: string, field = 'date'): string {
  const value = typeof text === 'string' ? text.trim() : '';
  if (DATE_RE.test(value)) return parseLocalDate(value, field);
  const m = /^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$/.exec(value);
  if (!m) {
    throw new DomainError(
      'INVALID_DATE',
      field,
      `ожидается дата ДД.ММ.ГГГГ, получено ${describe(text)}`,
    );
  }
  const year = m[3]!.length === 2 ? 2000 + Number(m[3]) : Number(m[3]);
  return parseLocalDate(ymd(year, Number(m[2]), Number(m[1])), field);
}

/** Day number of 1899-12-30, the day before Excel's serial 1 once its 1900 leap bug is skipped. */
const EXCEL_EPOCH = toDayNumber(1899, 12, 30);

/**
 * An Excel serial date (1900 date system) → 'YYYY-MM-DD'; a time fraction is ignored.
 * Serial 60 is Excel's phantom 29 Feb 1900 and is refused; serials below 61 are shifted by one.
 */
export function excelSerialToDate(serial: number, field = 'date'): string {
  if (typeof serial !== 'number' || !Number.isFinite(serial) || serial < 1 || serial >= 2958466) {
    throw new DomainError('INVALID_DATE', field, `не дата Excel: ${describe(serial)}`);
  }
  const whole = Math.floor(serial);
  if (whole === 60) {
    throw new DomainError('INVALID_DATE', field, 'в Excel нет настоящего 29.02.1900');
  }
  return fromDayNumber(EXCEL_EPOCH + whole + (whole < 60 ? 1 : 0));
}

/** The Excel serial (1900 date system) of a civil date, for writing date cells. */
export function dateToExcelSerial(date: string): number {
  const serial = dayNumber(date) - EXCEL_EPOCH;
  return serial < 61 ? serial - 1 : serial;
}
