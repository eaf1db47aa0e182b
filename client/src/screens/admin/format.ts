import { addMonths, formatRuDate, formatRuMonth } from '@otmetka/shared';

/** Display helpers for the admin and parent screens (Russian, the organisation's time zone). */

const formatters = new Map<string, Intl.DateTimeFormat>();

/** An instant (ms) as local date and time in a zone: «05.09.2026, 14:03». */
export function formatInstantIn(timeZone: string, ms: number): string {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('ru-RU', {
      timeZone,
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter.format(new Date(ms));
}

export function formatDate(date: string | null | undefined): string {
  return date ? formatRuDate(date) : '—';
}

/** '2026-09' → «сентябрь 2026». */
export const monthLabel = (month: string): string => formatRuMonth(month);

/** The month after (n > 0) or before (n < 0) a 'YYYY-MM' month. */
export const shiftMonth = addMonths;

/** The schedule's weekday names and «Вт, Чт» labels: the server's messages use the same. */
export {
  RU_WEEKDAYS_SHORT as WEEKDAYS_SHORT,
  ruWeekdays as weekdaysLabel,
} from '@otmetka/shared';

export function hours(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1).replace('.', ',');
}

/** The display name of a person from its parts. */
export function fullName(p: { lastName: string; firstName: string; middleName: string }): string {
  return [p.lastName, p.firstName, p.middleName].filter(Boolean).join(' ');
}
