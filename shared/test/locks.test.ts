import { describe, expect, it } from 'vitest';
import { lockId } from '../src/ids.ts';
import { firstLockedMonth, isMonthLocked } from '../src/locks.ts';
import type { MonthLock } from '../src/schemas/catalog.ts';
import { expectDomainError } from './helpers.ts';

const org = { lockDay: 5, timeZone: 'Asia/Yekaterinburg' };

function lock(subgroupId: string | null, month: string, locked: boolean, at = 1): MonthLock {
  return {
    id: lockId(subgroupId, month),
    type: 'lock',
    orgId: 'org-1',
    subgroupId,
    month,
    locked,
    reason: locked ? '' : 'исправление',
    at,
    by: 'admin-1',
  };
}

const check = (locks: MonthLock[], now: string, month = '2026-09', subgroupId = 'sg-1') =>
  isMonthLocked({ locks, org, subgroupId, month, now: new Date(now) });

describe('month locks', () => {
  it('[LK2] September locks from 5 October in the org time zone, not in UTC', () => {
    // 18:59 UTC on 4 Oct is 23:59 on 4 Oct in Yekaterinburg; 19:00 UTC is 00:00 on 5 Oct.
    expect(check([], '2026-10-04T18:59:00Z')).toBe(false);
    expect(check([], '2026-10-04T19:00:00Z')).toBe(true);
    expect(check([], '2027-01-05T00:00:00Z', '2026-12')).toBe(true);
    expect(
      isMonthLocked({
        locks: [],
        org: { ...org, lockDay: null },
        subgroupId: 'sg-1',
        month: '2026-09',
        now: new Date('2027-01-01'),
      }),
    ).toBe(false);
  });

  it('[LK1] an explicit lock of the subgroup or of the whole org locks before the lock day', () => {
    expect(check([lock('sg-1', '2026-09', true)], '2026-09-20T00:00:00Z')).toBe(true);
    expect(check([lock(null, '2026-09', true)], '2026-09-20T00:00:00Z')).toBe(true);
    expect(check([lock('sg-2', '2026-09', true)], '2026-09-20T00:00:00Z')).toBe(false);
    expect(check([lock('sg-1', '2026-10', true)], '2026-09-20T00:00:00Z')).toBe(false);
  });

  it('[LK1] a subgroup unlock overrides the org lock and the automatic lock', () => {
    const unlock = lock('sg-1', '2026-09', false);
    expect(check([lock(null, '2026-09', true), unlock], '2026-11-01T00:00:00Z')).toBe(false);
    expect(check([unlock], '2026-11-01T00:00:00Z')).toBe(false);
    expect(check([{ ...unlock, _deleted: true }], '2026-11-01T00:00:00Z')).toBe(true);
  });

  it('[LK1] bad input names the field', () => {
    expectDomainError(() => check([], '2026-10-05T00:00:00Z', '2026-9'), 'INVALID_DATE', 'month');
    expectDomainError(
      () => check([], '2026-10-05T00:00:00Z', '2026-09', 'SG 1'),
      'VALIDATION_FAILED',
      'subgroupId',
    );
    expectDomainError(() => check([], 'not a date'), 'VALIDATION_FAILED', 'now');
  });
});

describe('the first locked month of a change', () => {
  it('[LK3][LK4] names the earliest locked month among those given, by the same precedence as LK1 and LK2', () => {
    const locks = [
      lock('sg-1', '2026-11', true),
      lock(null, '2026-10', true),
      lock('sg-1', '2026-10', false),
    ];
    const first = (months: string[], now = '2026-10-01T00:00:00Z') =>
      firstLockedMonth({ locks, org, subgroupId: 'sg-1', months, now: new Date(now) });
    // October is unlocked for sg-1 itself; November is locked.
    expect(first(['2026-12', '2026-10', '2026-11', '2026-10'])).toBe('2026-11');
    expect(first(['2026-10', '2026-12'])).toBeUndefined();
    // From 5 October (lock day 5) September locks automatically and comes first.
    expect(first(['2026-11', '2026-09'], '2026-10-05T00:00:00Z')).toBe('2026-09');
    expect(first([])).toBeUndefined();
  });
});
