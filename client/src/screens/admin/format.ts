import { formatRuDate } from '@otmetka/shared';
import { ORG_TIME_ZONE } from './context.ts';

/** Display helpers for the admin and parent screens (Russian, the organisation's time zone). */

const dateTime = new Intl.DateTimeFormat('ru-RU', {
  timeZone: ORG_TIME_ZONE,
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** An instant (ms) as local date and time of the organisation: «05.09.2026, 14:03». */
export function formatInstant(ms: number): string {
  return dateTime.format(new Date(ms));
}

export function formatDate(date: string | null | undefined): string {
  return date ? formatRuDate(date) : '—';
}

const MONTHS = [
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

/** '2026-09' → «сентябрь 2026». */
export function monthLabel(month: string): string {
  const [year, m] = month.split('-');
  return `${MONTHS[Number(m) - 1] ?? m} ${year}`;
}

/** The month after (n > 0) or before (n < 0) a 'YYYY-MM' month. */
export function shiftMonth(month: string, n: number): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  const index = year * 12 + (m - 1) + n;
  const y = Math.floor(index / 12);
  return `${y}-${String((index % 12) + 1).padStart(2, '0')}`;
}

export const WEEKDAYS_SHORT = ['Пн', 'Вт', 'Ср', 'Чт', 'Пт', 'Сб', 'Вс'];

/** [2, 4] → «Вт, Чт». */
export function weekdaysLabel(days: readonly number[]): string {
  return [...days]
    .sort((a, b) => a - b)
    .map((d) => WEEKDAYS_SHORT[d - 1])
    .join(', ');
}

export function hours(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1).replace('.', ',');
}

/** The display name of a person from its parts. */
export function fullName(p: { lastName: string; firstName: string; middleName: string }): string {
  return [p.lastName, p.firstName, p.middleName].filter(Boolean).join(' ');
}
