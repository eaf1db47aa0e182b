import calendarData from '../data/calendar-ru.json' with { type: 'json' };
import { DomainError } from './errors.ts';
import { type Calendar, type CalendarDay, calendarSchema } from './schemas/catalog.ts';

/**
 * The holiday calendar (производственный календарь) as data. The project keeps its own copy in
 * shared/data/calendar-ru.json; the server stores it as the catalog document `calendar-ru`
 * (DEFAULT_CALENDAR_DOC on first start) and an admin can replace that document when the
 * government publishes a new decree, so no release is needed.
 *
 * For a journal of additional education only public holidays and days off moved by decree are
 * non-working: ordinary Saturdays and Sundays are normal lesson days (ДО teaches on weekends).
 */

/** Lookup over one calendar document. */
export interface HolidayCalendar {
  /** A public holiday or a day off moved there by decree. */
  isNonWorking(date: string): boolean;
  /** The name of the holiday or transfer, null on other days. */
  holidayName(date: string): string | null;
  /** A weekend day declared working by decree (a working Saturday). */
  isTransferredWorkday(date: string): boolean;
  /** The non-working days, sorted by date. */
  days: CalendarDay[];
}

function fieldOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  }
  return out || 'calendar';
}

/**
 * Builds a calendar from a `calendar` catalog document. The raw data file (without `id` and
 * `type`) is accepted too. Throws VALIDATION_FAILED naming the field (`days[3].date`), and
 * refuses a date listed twice or both as a day off and a working day.
 */
export function loadCalendar(doc: Calendar | unknown): HolidayCalendar {
  const input =
    doc && typeof doc === 'object' && !Array.isArray(doc)
      ? { id: 'calendar-ru', type: 'calendar', ...(doc as object) }
      : doc;
  const parsed = calendarSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DomainError(
      'VALIDATION_FAILED',
      fieldOf(issue?.path ?? []),
      issue?.message ?? 'invalid',
    );
  }
  return buildCalendar(parsed.data);
}

/**
 * Builds a calendar from a document already parsed with calendarSchema (a pulled catalog
 * document, the bundled data file): no zod at run time, so the journal opens without it.
 * Refuses a date listed twice or both as a day off and a working day, as loadCalendar does.
 */
export function buildCalendar(doc: Pick<Calendar, 'days' | 'workingWeekends'>): HolidayCalendar {
  const byDate = new Map<string, CalendarDay>();
  doc.days.forEach((day, i) => {
    if (byDate.has(day.date)) {
      throw new DomainError(
        'VALIDATION_FAILED',
        `days[${i}].date`,
        `дата ${day.date} указана дважды`,
      );
    }
    byDate.set(day.date, day);
  });
  const working = new Set<string>();
  doc.workingWeekends.forEach((day, i) => {
    if (byDate.has(day.date)) {
      throw new DomainError(
        'VALIDATION_FAILED',
        `workingWeekends[${i}].date`,
        `дата ${day.date} указана и выходным, и рабочим днём`,
      );
    }
    working.add(day.date);
  });

  const days = [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : 1));
  return {
    isNonWorking: (date) => byDate.has(date),
    holidayName: (date) => byDate.get(date)?.name ?? null,
    isTransferredWorkday: (date) => working.has(date),
    days,
  };
}

/** The bundled copy of shared/data/calendar-ru.json as a `calendar` catalog document. */
export const DEFAULT_CALENDAR_DOC: Calendar = {
  id: 'calendar-ru',
  type: 'calendar',
  ...calendarData,
} as Calendar;

let bundled: HolidayCalendar | undefined;

/** The calendar of the bundled data file (built once; calendars are immutable). */
export function defaultCalendar(): HolidayCalendar {
  // The data file is checked against calendarSchema by shared/test (calendar.test.ts).
  bundled ??= buildCalendar(DEFAULT_CALENDAR_DOC);
  return bundled;
}

/** A calendar without any holiday, for checks that must not depend on one. */
export const EMPTY_CALENDAR: HolidayCalendar = {
  isNonWorking: () => false,
  holidayName: () => null,
  isTransferredWorkday: () => false,
  days: [],
};
