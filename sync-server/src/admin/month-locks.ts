import { firstLockedMonth, formatRuMonth, type MonthLock } from '@otmetka/shared';
import { HttpError } from '../http/errors.ts';
import type { OrgData } from './data.ts';

/**
 * Month locks as the admin routes see them (LK3, LK4): a status change or a schedule edit that
 * would rewrite the journal of a locked month is refused before anything is written, with the
 * same lock rules as a teacher's push (shared isMonthLocked: the subgroup's own lock, then the
 * org's, then the automatic lock day, on the server's clock).
 */

/** Returns the first of `months` locked for the subgroup now, or undefined. */
export type LockedMonthOf = (months: Iterable<string>) => string | undefined;

/** Reads the org and its locks once; the returned function answers for any set of months. */
export async function lockedMonthChecker(
  data: OrgData,
  subgroupId: string,
  now: number,
): Promise<LockedMonthOf> {
  return (await lockedMonthCheckers(data, now))(subgroupId);
}

/** lockedMonthChecker for every subgroup of the organisation, on one read of the locks. */
export async function lockedMonthCheckers(
  data: OrgData,
  now: number,
): Promise<(subgroupId: string) => LockedMonthOf> {
  const [org, locks] = await Promise.all([data.org(), data.list<MonthLock>('lock')]);
  return (subgroupId) => {
    const relevant = locks.filter((l) => l.subgroupId === null || l.subgroupId === subgroupId);
    return (months) =>
      firstLockedMonth({ locks: relevant, org, subgroupId, months, now: new Date(now) });
  };
}

/** 409 MONTH_LOCKED naming the month («сентябрь 2026») and what to do first. */
export function monthLocked(month: string, what: string, field?: string): HttpError {
  return new HttpError(
    409,
    'MONTH_LOCKED',
    `Месяц «${formatRuMonth(month)}» закрыт: ${what}. Сначала откройте этот месяц ` +
      '(раздел «Закрытие месяцев»), затем повторите.',
    field ? { field, month } : { month },
  );
}
