import {
  addDays,
  addMonths,
  compareDates,
  formatRuDate,
  monthDays,
  monthOf,
  parseLocalDate,
} from './dates.ts';
import { DomainError } from './errors.ts';
import type { EnrolmentInterval, RosterEntry } from './schemas/journal.ts';
import { APPLICATION_STUDYING } from './schemas/registry.ts';

/**
 * Who is in the journal on a date (EN1, EN2). A learner appears from the enrolment date and
 * disappears from the withdrawal date, so nobody is listed (and marked absent) before they
 * enrolled or after they left.
 */

function checkIntervals(intervals: EnrolmentInterval[], field: string): void {
  if (!Array.isArray(intervals)) {
    throw new DomainError('VALIDATION_FAILED', field, 'ожидается список периодов обучения');
  }
  intervals.forEach((iv, i) => {
    parseLocalDate(iv.from, `${field}[${i}].from`);
    if (iv.to !== null) {
      parseLocalDate(iv.to, `${field}[${i}].to`);
      if (iv.to < iv.from) {
        throw new DomainError(
          'INVALID_DATE',
          `${field}[${i}].to`,
          'период обучения кончается раньше, чем начинается',
        );
      }
    }
  });
}

/** EN1: some interval has from ≤ date and (to is null or date ≤ to). */
export function isEnrolledOn(intervals: EnrolmentInterval[], date: string): boolean {
  parseLocalDate(date, 'date');
  checkIntervals(intervals, 'intervals');
  // ISO dates compare correctly as strings once validated.
  return intervals.some((iv) => iv.from <= date && (iv.to === null || date <= iv.to));
}

/**
 * PR10: why a learner is not enrolled on `date`, in the journal's words, for a refused mark: the
 * teacher of an offline tablet learns of a withdrawal or a later start only from the refusal.
 * Null when the intervals say nothing (none at all) or the learner is enrolled.
 */
export function notEnrolledReason(intervals: EnrolmentInterval[], date: string): string | null {
  if (isEnrolledOn(intervals, date)) return null;
  const sorted = [...intervals].sort((a, b) => compareDates(a.from, b.from));
  const next = sorted.find((iv) => iv.from > date);
  const before = sorted.filter((iv) => iv.to !== null && iv.to < date).at(-1);
  const left = before?.to ? `отчислен с ${formatRuDate(addDays(before.to, 1))}` : null;
  const starts = next ? `зачислен с ${formatRuDate(next.from)}` : null;
  if (left && starts) return `${left}, снова ${starts}`;
  return left ?? starts;
}

/** A change of a learner's enrolment in one subgroup (EN2, EN3). */
export interface EnrolmentChange {
  kind: 'enrol' | 'withdraw' | 'correct';
  date: string;
}

const byName = new Intl.Collator('ru', { sensitivity: 'base', numeric: true });

/** The roster entries enrolled on `date`, not deleted, sorted by name (Russian collation). */
export function enrolledOn(roster: RosterEntry[], date: string): RosterEntry[] {
  parseLocalDate(date, 'date');
  return roster
    .filter((entry, i) => {
      if (entry._deleted) return false;
      checkIntervals(entry.intervals, `roster[${i}].intervals`);
      return entry.intervals.some((iv) => iv.from <= date && (iv.to === null || date <= iv.to));
    })
    .sort((a, b) => byName.compare(a.name, b.name) || (a.learnerId < b.learnerId ? -1 : 1));
}

/**
 * EN2: the intervals after a status change. `enrol` from d opens an interval at d (nothing
 * changes if one is open; a re-enrolment that touches the last interval reopens it);
 * `withdraw` from d ends the open interval at d - 1, or removes it when d is on or before its
 * start. A second identical withdrawal changes nothing. EN3: `correct` moves the open
 * interval's start to d. Returns a new sorted array.
 */
export function applyStatusChange(
  intervals: EnrolmentInterval[],
  change: EnrolmentChange,
): EnrolmentInterval[] {
  checkIntervals(intervals, 'intervals');
  const date = parseLocalDate(change?.date, 'date');
  const sorted = [...intervals]
    .sort((a, b) => compareDates(a.from, b.from))
    .map((iv) => ({ ...iv }));

  if (change.kind === 'enrol') return enrol(sorted, date);
  if (change.kind === 'withdraw') return withdraw(sorted, date);
  if (change.kind === 'correct') return correct(sorted, date);
  throw new DomainError(
    'INVALID_STATUS_CHANGE',
    'kind',
    `неизвестное изменение статуса ${String(change.kind)}`,
  );
}

function enrol(sorted: EnrolmentInterval[], date: string): EnrolmentInterval[] {
  const last = sorted.at(-1);
  if (!last) return [{ from: date, to: null }];
  if (last.to === null) return sorted;
  if (date < last.from) {
    throw new DomainError(
      'INVALID_STATUS_CHANGE',
      'date',
      'дата зачисления раньше начала последнего периода обучения',
    );
  }
  if (date <= addDays(last.to, 1)) {
    last.to = null;
    return sorted;
  }
  return [...sorted, { from: date, to: null }];
}

/**
 * EN3: «обучается с d» told again for a learner studying since another date corrects the
 * enrolment date: the open interval starts at d. It may not reach back into the previous
 * interval (that would be a re-enrolment, EN2). Without an open interval it is an enrolment.
 */
function correct(sorted: EnrolmentInterval[], date: string): EnrolmentInterval[] {
  const last = sorted.at(-1);
  if (!last || last.to !== null) return enrol(sorted, date);
  const previous = sorted.at(-2);
  if (previous?.to && date <= addDays(previous.to, 1)) {
    throw new DomainError(
      'INVALID_STATUS_CHANGE',
      'date',
      `дата зачисления должна быть позже ${formatRuDate(addDays(previous.to, 1))}: до неё шёл прошлый период обучения`,
    );
  }
  last.from = date;
  return sorted;
}

function withdraw(sorted: EnrolmentInterval[], date: string): EnrolmentInterval[] {
  const last = sorted.at(-1);
  const end = addDays(date, -1);
  if (last && last.to === null) {
    if (date <= last.from) return sorted.slice(0, -1);
    last.to = end;
    return sorted;
  }
  if (last && last.to === end) return sorted;
  throw new DomainError(
    'INVALID_STATUS_CHANGE',
    'date',
    'обучающийся не зачислен: отчислять некого',
  );
}

/**
 * LK3: the months of `period` (a subgroup's study period) whose journal a change of enrolment
 * alters: those with a day on which `before` and `after` disagree about the learner being
 * enrolled. A withdrawal dated before the learner's start alters nothing before that start.
 */
export function monthsWithEnrolmentChange(
  before: EnrolmentInterval[],
  after: EnrolmentInterval[],
  period: { from: string; to: string },
): string[] {
  checkIntervals(before, 'before');
  checkIntervals(after, 'after');
  const from = parseLocalDate(period?.from, 'period.from');
  const to = parseLocalDate(period?.to, 'period.to');
  const enrolled = (intervals: EnrolmentInterval[], date: string) =>
    intervals.some((iv) => iv.from <= date && (iv.to === null || date <= iv.to));

  const months: string[] = [];
  for (let month = monthOf(from); month <= monthOf(to); month = addMonths(month, 1)) {
    const differs = monthDays(month).some(
      (date) => date >= from && date <= to && enrolled(before, date) !== enrolled(after, date),
    );
    if (differs) months.push(month);
  }
  return months;
}

/**
 * AP3: whether an application in `status` is open. The org's status list runs as a pipeline:
 * the statuses before «обучается» (новая, подтверждена, в резерве) still lead to it, so they
 * are open like «обучается» itself; those after it (отклонена, отчислен, …) close the
 * application. Without «обучается» in the list, only the first status is open.
 */
export function isOpenStatus(status: string, statuses: readonly string[]): boolean {
  const studying = statuses.indexOf(APPLICATION_STUDYING);
  const position = statuses.indexOf(status);
  if (status === APPLICATION_STUDYING || position === 0) return true;
  return studying > 0 && position > 0 && position < studying;
}
