import { describe, expect, it } from 'vitest';
import {
  applyStatusChange,
  enrolledOn,
  isEnrolledOn,
  isOpenStatus,
  monthsWithEnrolmentChange,
  notEnrolledReason,
} from '../src/enrolment.ts';
import type { RosterEntry } from '../src/schemas/journal.ts';
import { DEFAULT_APPLICATION_STATUSES } from '../src/schemas/registry.ts';
import { expectDomainError } from './helpers.ts';

function entry(
  learnerId: string,
  name: string,
  intervals: RosterEntry['intervals'],
  deleted = false,
): RosterEntry {
  return {
    id: `roster:sg-1:${learnerId}`,
    type: 'roster',
    orgId: 'org-1',
    subgroupId: 'sg-1',
    stamps: {},
    learnerId,
    name,
    intervals,
    _deleted: deleted,
  };
}

describe('enrolment', () => {
  it('[EN1] enrolled from the first day through the last, open intervals have no end', () => {
    const intervals = [
      { from: '2026-09-10', to: '2026-12-15' },
      { from: '2027-01-20', to: null },
    ];
    expect(isEnrolledOn(intervals, '2026-09-09')).toBe(false);
    expect(isEnrolledOn(intervals, '2026-09-10')).toBe(true);
    expect(isEnrolledOn(intervals, '2026-12-15')).toBe(true);
    expect(isEnrolledOn(intervals, '2026-12-16')).toBe(false);
    expect(isEnrolledOn(intervals, '2027-05-31')).toBe(true);
  });

  it('[EN1] enrolledOn lists the enrolled, not deleted, in Russian name order', () => {
    const roster = [
      entry('l-3', 'Ярцева Анна', [{ from: '2026-09-01', to: null }]),
      entry('l-1', 'Ёлкин Пётр', [{ from: '2026-09-01', to: null }]),
      entry('l-2', 'Абрамов Илья', [{ from: '2026-09-01', to: null }]),
      entry('l-4', 'Борисов Олег', [{ from: '2026-10-01', to: null }]),
      entry('l-5', 'Васильев Иван', [{ from: '2026-09-01', to: null }], true),
    ];
    expect(enrolledOn(roster, '2026-09-15').map((e) => e.name)).toEqual([
      'Абрамов Илья',
      'Ёлкин Пётр',
      'Ярцева Анна',
    ]);
  });

  it('[EN2] enrol opens an interval (idempotently); withdrawal from d ends it at d - 1', () => {
    const open = applyStatusChange([], { kind: 'enrol', date: '2026-09-01' });
    expect(open).toEqual([{ from: '2026-09-01', to: null }]);
    expect(applyStatusChange(open, { kind: 'enrol', date: '2026-09-05' })).toEqual(open);

    const left = applyStatusChange(open, { kind: 'withdraw', date: '2026-12-01' });
    expect(left).toEqual([{ from: '2026-09-01', to: '2026-11-30' }]);
    expect(isEnrolledOn(left, '2026-12-01')).toBe(false);
    expect(applyStatusChange(left, { kind: 'withdraw', date: '2026-12-01' })).toEqual(left);
  });

  it('[EN3] correct moves the open interval to its new start, never into the previous interval', () => {
    const open = [{ from: '2026-12-01', to: null }];
    expect(applyStatusChange(open, { kind: 'correct', date: '2026-12-02' })).toEqual([
      { from: '2026-12-02', to: null },
    ]);
    expect(applyStatusChange(open, { kind: 'correct', date: '2026-11-20' })).toEqual([
      { from: '2026-11-20', to: null },
    ]);
    const again = [
      { from: '2026-09-01', to: '2026-10-31' },
      { from: '2026-12-01', to: null },
    ];
    expect(applyStatusChange(again, { kind: 'correct', date: '2026-11-15' })).toEqual([
      { from: '2026-09-01', to: '2026-10-31' },
      { from: '2026-11-15', to: null },
    ]);
    expect(() => applyStatusChange(again, { kind: 'correct', date: '2026-11-01' })).toThrow(
      /позже 01\.11\.2026/,
    );
    // Nothing open: it is an enrolment.
    expect(applyStatusChange([], { kind: 'correct', date: '2026-12-01' })).toEqual(open);
  });

  it('[EN2] re-enrolment gets a second interval; one touching the last interval reopens it', () => {
    const left = [{ from: '2026-09-01', to: '2026-11-30' }];
    expect(applyStatusChange(left, { kind: 'enrol', date: '2027-01-15' })).toEqual([
      ...left,
      { from: '2027-01-15', to: null },
    ]);
    expect(applyStatusChange(left, { kind: 'enrol', date: '2026-12-01' })).toEqual([
      { from: '2026-09-01', to: null },
    ]);
  });

  it('[EN2] a withdrawal dated on or before the start removes the interval', () => {
    const intervals = [
      { from: '2026-09-01', to: '2026-11-30' },
      { from: '2027-01-15', to: null },
    ];
    expect(applyStatusChange(intervals, { kind: 'withdraw', date: '2027-01-15' })).toEqual([
      intervals[0],
    ]);
  });

  it('[EN2] bad status changes and malformed input name the field', () => {
    expectDomainError(
      () => applyStatusChange([], { kind: 'withdraw', date: '2026-09-01' }),
      'INVALID_STATUS_CHANGE',
      'date',
    );
    expectDomainError(
      () =>
        applyStatusChange([{ from: '2026-10-01', to: '2026-10-31' }], {
          kind: 'enrol',
          date: '2026-09-01',
        }),
      'INVALID_STATUS_CHANGE',
      'date',
    );
    expectDomainError(
      () => applyStatusChange([], { kind: 'pause' as never, date: '2026-09-01' }),
      'INVALID_STATUS_CHANGE',
      'kind',
    );
    expectDomainError(
      () => applyStatusChange([], { kind: 'enrol', date: '1.9.2026' }),
      'INVALID_DATE',
      'date',
    );
    expectDomainError(
      () => isEnrolledOn([{ from: '2026-10-01', to: '2026-09-01' }], '2026-09-15'),
      'INVALID_DATE',
      'intervals[0].to',
    );
    expectDomainError(() => isEnrolledOn([], '2026/09/15'), 'INVALID_DATE', 'date');
    expectDomainError(
      () => enrolledOn([entry('l-1', 'А', [{ from: 'x', to: null }])], '2026-09-15'),
      'INVALID_DATE',
      'roster[0].intervals[0].from',
    );
  });
});

describe('why a learner is not enrolled', () => {
  const twice = [
    { from: '2026-09-01', to: '2026-10-04' },
    { from: '2026-11-02', to: null },
  ];

  it('[PR10] names the withdrawal (the day after the last day), a later start, or both', () => {
    expect(notEnrolledReason([{ from: '2026-09-01', to: '2026-10-04' }], '2026-10-12')).toBe(
      'отчислен с 05.10.2026',
    );
    expect(notEnrolledReason([{ from: '2026-10-15', to: null }], '2026-10-12')).toBe(
      'зачислен с 15.10.2026',
    );
    expect(notEnrolledReason(twice, '2026-10-20')).toBe(
      'отчислен с 05.10.2026, снова зачислен с 02.11.2026',
    );
  });

  it('[PR10] says nothing when the learner is enrolled or has no interval at all', () => {
    expect(notEnrolledReason(twice, '2026-10-04')).toBeNull();
    expect(notEnrolledReason(twice, '2026-11-02')).toBeNull();
    expect(notEnrolledReason([], '2026-10-12')).toBeNull();
  });
});

describe('months a status change alters', () => {
  const year = { from: '2026-09-01', to: '2027-05-31' };

  it('[LK3] a withdrawal alters its own month and every later month of the study period', () => {
    const before = [{ from: '2026-09-01', to: null }];
    const after = applyStatusChange(before, { kind: 'withdraw', date: '2027-03-15' });
    expect(monthsWithEnrolmentChange(before, after, year)).toEqual([
      '2027-03',
      '2027-04',
      '2027-05',
    ]);
  });

  it('[LK3] an enrolment alters months from its date; a withdrawal before the start, only months from the start', () => {
    expect(monthsWithEnrolmentChange([], [{ from: '2027-04-10', to: null }], year)).toEqual([
      '2027-04',
      '2027-05',
    ]);
    const late = [{ from: '2027-05-01', to: null }];
    const gone = applyStatusChange(late, { kind: 'withdraw', date: '2026-09-20' });
    expect(monthsWithEnrolmentChange(late, gone, year)).toEqual(['2027-05']);
    expect(monthsWithEnrolmentChange(late, late, year)).toEqual([]);
  });
});

describe('open applications', () => {
  it('[AP3][AP12] the statuses up to «обучается» are open, those after it closed; without it only the first', () => {
    const open = DEFAULT_APPLICATION_STATUSES.filter((s) =>
      isOpenStatus(s, DEFAULT_APPLICATION_STATUSES),
    );
    const studying = DEFAULT_APPLICATION_STATUSES.indexOf('обучается');
    expect(open).toEqual(DEFAULT_APPLICATION_STATUSES.slice(0, studying + 1));

    const custom = ['заявка', 'зачислен', 'выбыл'];
    expect(custom.map((s) => isOpenStatus(s, custom))).toEqual([true, false, false]);
    // «обучается» is open even where the organisation left it out of its list.
    expect(isOpenStatus('обучается', custom)).toBe(true);
    expect(isOpenStatus('неизвестный', DEFAULT_APPLICATION_STATUSES)).toBe(false);
  });
});
