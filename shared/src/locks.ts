import { addMonths, todayIn } from './dates.ts';
import { DomainError } from './errors.ts';
import { isEntityId, isMonth } from './formats.ts';
import type { MonthLock, Org } from './schemas/catalog.ts';

/**
 * Month locks (LK1, LK2). Precedence, most specific first: a subgroup's own lock document
 * (locked or explicitly unlocked), then the organisation's document for that month, then the
 * automatic lock from `org.lockDay` of the next month in the org's time zone.
 */

function latest(locks: MonthLock[]): MonthLock | undefined {
  // Lock ids are derived from (subgroup, month), so there is one at most; if a copy slipped in,
  // the latest decision counts.
  return locks.reduce<MonthLock | undefined>(
    (best, l) => (!best || l.at > best.at ? l : best),
    undefined,
  );
}

/** Who closed a month: an admin's lock document, or the automatic lock (LK2); null: open. */
export type MonthLockOrigin = 'admin' | 'auto' | null;

/** Why `month` of the subgroup is closed, or null when its journal rows may be written. */
export function monthLockOrigin(input: {
  locks: MonthLock[];
  org: Pick<Org, 'lockDay' | 'timeZone'>;
  subgroupId: string;
  month: string;
  now: Date;
}): MonthLockOrigin {
  const { locks, org, subgroupId, month, now } = input;
  if (!isMonth(month)) {
    throw new DomainError(
      'INVALID_DATE',
      'month',
      `ожидается месяц ГГГГ-ММ, получено ${String(month)}`,
    );
  }
  if (!isEntityId(subgroupId)) {
    throw new DomainError('VALIDATION_FAILED', 'subgroupId', 'неверный идентификатор подгруппы');
  }
  if (!Array.isArray(locks))
    throw new DomainError('VALIDATION_FAILED', 'locks', 'ожидается список блокировок');

  const live = locks.filter((l) => !l._deleted && l.month === month);
  const decision =
    latest(live.filter((l) => l.subgroupId === subgroupId)) ??
    latest(live.filter((l) => l.subgroupId === null));
  if (decision) return decision.locked ? 'admin' : null;
  return isAutoLocked(org, month, now) ? 'auto' : null;
}

/** True when journal rows of `month` in the subgroup may no longer be written. */
export function isMonthLocked(input: Parameters<typeof monthLockOrigin>[0]): boolean {
  return monthLockOrigin(input) !== null;
}

/** LK2: from day `lockDay` of the month after `month`, in the org's time zone. */
export function isAutoLocked(
  org: Pick<Org, 'lockDay' | 'timeZone'>,
  month: string,
  now: Date,
): boolean {
  if (org.lockDay === null) return false;
  if (!Number.isInteger(org.lockDay) || org.lockDay < 1 || org.lockDay > 28) {
    throw new DomainError(
      'VALIDATION_FAILED',
      'org.lockDay',
      'день блокировки должен быть от 1 до 28',
    );
  }
  return todayIn(org.timeZone, now) >= autoLockDate(org.lockDay, month);
}

/** LK2: the day `month` locks by itself, day `lockDay` of the next month («2026-10-10»). */
export function autoLockDate(lockDay: number, month: string): string {
  return `${addMonths(month, 1)}-${String(lockDay).padStart(2, '0')}`;
}

/**
 * LK3, LK4: the first of `months` (in calendar order) that is locked for the subgroup, or
 * undefined. An admin change that would rewrite the journal of these months (a back-dated
 * status change, a retroactive schedule edit) is refused when one of them is locked.
 */
export function firstLockedMonth(input: {
  locks: MonthLock[];
  org: Pick<Org, 'lockDay' | 'timeZone'>;
  subgroupId: string;
  months: Iterable<string>;
  now: Date;
}): string | undefined {
  const { months, ...rest } = input;
  return [...new Set(months)].sort().find((month) => isMonthLocked({ ...rest, month }));
}
