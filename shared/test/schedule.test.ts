import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultCalendar, EMPTY_CALENDAR, loadCalendar } from '../src/calendar.ts';
import { todayIn } from '../src/dates.ts';
import { lessonId } from '../src/ids.ts';
import {
  expandSchedule,
  findSlot,
  isOnSchedule,
  type LessonSlot,
  periodScheduleConflicts,
  scheduleChangeImpact,
  splitRule,
  takenSlots,
  validateSchedule,
} from '../src/schedule.ts';
import type { Schedule } from '../src/schemas/catalog.ts';
import { expectDomainError, rule, SUBGROUP, schedule } from './helpers.ts';

const calendar = defaultCalendar();
const YEKATERINBURG = 'Asia/Yekaterinburg';

/** Non-working days of 2026/27 as DOMAIN.md lists them, typed here rather than read from data. */
const DAYS_OFF = new Set([
  '2026-11-04',
  '2026-12-31',
  '2027-01-01',
  '2027-01-02',
  '2027-01-03',
  '2027-01-04',
  '2027-01-05',
  '2027-01-06',
  '2027-01-07',
  '2027-01-08',
  '2027-02-23',
  '2027-03-08',
  '2027-05-03',
  '2027-05-10',
]);

/** Independent count: a UTC-only JS Date walked day by day, Tuesdays and Thursdays not off. */
function countTueThu(from: string, to: string): string[] {
  const out: string[] = [];
  const day = new Date(`${from}T00:00:00Z`);
  const end = new Date(`${to}T00:00:00Z`);
  while (day <= end) {
    const iso = day.toISOString().slice(0, 10);
    const wd = day.getUTCDay();
    if ((wd === 2 || wd === 4) && !DAYS_OFF.has(iso)) out.push(iso);
    day.setUTCDate(day.getUTCDate() + 1);
  }
  return out;
}

function year(): LessonSlot[] {
  return expandSchedule({ schedule: schedule(), subgroup: SUBGROUP, calendar });
}

describe('schedule expansion', () => {
  it('[SCH1][SCH3] a 2026/27 Tue/Thu 17:00–18:30 subgroup gets the independently counted lessons', () => {
    const slots = year();
    const expected = countTueThu('2026-09-01', '2027-05-31');

    expect(slots.map((s) => s.date)).toEqual(expected);
    expect(slots.every((s) => s.start === '17:00' && s.end === '18:30' && s.holiday === null)).toBe(
      true,
    );
    expect(slots.some((s) => s.date === '2026-11-04')).toBe(false);
    expect(slots.some((s) => s.date >= '2027-01-01' && s.date <= '2027-01-08')).toBe(false);
  });

  it('[SCH3] holidayRule flag keeps holiday slots with the holiday name', () => {
    const slots = expandSchedule({
      schedule: schedule({ holidayRule: 'flag' }),
      subgroup: SUBGROUP,
      calendar,
    });
    const jan7 = findSlot(slots, '2027-01-07', '17:00');

    expect(jan7?.holiday).toBe('Рождество Христово');
    expect(slots.length).toBe(countTueThu('2026-09-01', '2027-05-31').length + 4);
  });

  it('[SCH3] a transferred working Saturday is a normal day; a weekday holiday is dropped', () => {
    const cal = loadCalendar({
      about: 'test',
      days: [{ date: '2026-09-08', kind: 'holiday', name: 'Праздник', status: 'confirmed' }],
      workingWeekends: [{ date: '2026-09-12', name: 'Рабочая суббота', status: 'confirmed' }],
    });
    const sat = rule({
      id: 'r-sat',
      weekdays: [6],
      start: '10:00',
      end: '11:00',
      academicHours: 1,
    });
    const slots = expandSchedule({
      schedule: schedule({ rules: [rule(), sat] }),
      subgroup: SUBGROUP,
      calendar: cal,
      to: '2026-09-13',
    });

    expect(cal.isTransferredWorkday('2026-09-12')).toBe(true);
    expect(slots.map((s) => `${s.date} ${s.start}`)).toEqual([
      '2026-09-01 17:00',
      '2026-09-03 17:00',
      '2026-09-05 10:00',
      '2026-09-10 17:00',
      '2026-09-12 10:00',
    ]);
  });

  it('[SCH2] the same slots and ids when expanded twice', () => {
    const a = year();
    const b = year();

    expect(b).toEqual(a);
    expect(a[0]?.lessonId).toBe(lessonId(SUBGROUP.id, '2026-09-01', '17:00'));
    expect(new Set(a.map((s) => s.lessonId)).size).toBe(a.length);
  });

  it('[SCH2][DT3] the same slots and ids under TZ=UTC, Asia/Yekaterinburg and America/New_York', () => {
    const script = fileURLToPath(new URL('./fixtures/expand-year.ts', import.meta.url));
    const run = (tz: string) =>
      JSON.parse(
        execFileSync(process.execPath, ['--import', 'tsx', script], {
          env: { ...process.env, TZ: tz },
          encoding: 'utf8',
        }),
      );
    const results = ['UTC', YEKATERINBURG, 'America/New_York'].map(run);

    expect(results.map((r) => r.processZone)).toEqual(['UTC', YEKATERINBURG, 'America/New_York']);
    expect(results[0].slots.length).toBeGreaterThan(100);
    expect(results[1]).toEqual({ ...results[0], processZone: YEKATERINBURG });
    expect(results[2]).toEqual({ ...results[0], processZone: 'America/New_York' });
    expect(results[0].today).toBe('2026-09-08');
    expect(results[0].now).toBe('00:30');
  }, 60_000);

  it('[SCH2][DT2] a lesson near midnight keeps its local date; today at 00:30 local is found', () => {
    const late = rule({
      id: 'r-late',
      weekdays: [2],
      start: '23:30',
      end: '23:59',
      academicHours: 0.5,
    });
    const slots = expandSchedule({
      schedule: schedule({ rules: [late] }),
      subgroup: SUBGROUP,
      calendar,
    });
    // 19:30 UTC on Monday 7 Sep is 00:30 on Tuesday 8 Sep in Yekaterinburg.
    const today = todayIn(YEKATERINBURG, new Date('2026-09-07T19:30:00Z'));

    expect(slots[0]).toMatchObject({ date: '2026-09-01', start: '23:30' });
    expect(slots.every((s) => s.lessonId.endsWith(`${s.date}:2330`))).toBe(true);
    expect(today).toBe('2026-09-08');
    expect(findSlot(slots, today, '23:30')?.lessonId).toBe(
      lessonId(SUBGROUP.id, '2026-09-08', '23:30'),
    );
  });

  it('[SCH1] from/to cut the window, clipped to the study period', () => {
    const slots = expandSchedule({
      schedule: schedule(),
      subgroup: SUBGROUP,
      calendar,
      from: '2026-08-01',
      to: '2026-09-10',
    });
    expect(slots.map((s) => s.date)).toEqual([
      '2026-09-01',
      '2026-09-03',
      '2026-09-08',
      '2026-09-10',
    ]);
  });

  it('[SCH1] expanding a year for 20 subgroups stays in milliseconds territory (smoke, no timing asserted)', () => {
    const all = Array.from({ length: 20 }, (_, i) =>
      expandSchedule({
        schedule: { ...schedule(), subgroupId: `sg-${i}` },
        subgroup: { ...SUBGROUP, id: `sg-${i}` },
        calendar,
      }),
    );
    expect(new Set(all.flat().map((s) => s.lessonId)).size).toBe(all[0]!.length * 20);
  });
});

/** A cancelled Tuesday, a Thursday moved to Saturday, a one-off Sunday lesson. */
const SEPTEMBER_CHANGES: Schedule['exceptions'] = [
  { kind: 'cancel', date: '2026-09-01', start: '17:00', reason: 'ремонт' },
  {
    kind: 'move',
    date: '2026-09-03',
    start: '17:00',
    toDate: '2026-09-05',
    toStart: '11:00',
    toEnd: '12:30',
    reason: 'болезнь педагога',
  },
  {
    kind: 'add',
    date: '2026-09-06',
    start: '12:00',
    end: '13:00',
    academicHours: 1,
    reason: 'отработка',
  },
];

describe('exceptions', () => {
  it('[SCH4] cancel removes a slot, move re-places it with movedFrom, add creates a one-off', () => {
    const slots = expandSchedule({
      schedule: schedule({ exceptions: SEPTEMBER_CHANGES }),
      subgroup: SUBGROUP,
      calendar,
      to: '2026-09-10',
    });

    expect(slots.map((s) => `${s.date} ${s.start}-${s.end}`)).toEqual([
      '2026-09-05 11:00-12:30',
      '2026-09-06 12:00-13:00',
      '2026-09-08 17:00-18:30',
      '2026-09-10 17:00-18:30',
    ]);
    expect(slots[0]).toMatchObject({
      movedFrom: { date: '2026-09-03', start: '17:00' },
      ruleId: 'r1',
      academicHours: 2,
    });
    expect(slots[1]).toMatchObject({ ruleId: null, movedFrom: null, academicHours: 1 });
  });

  it('[SCH14] the lessons taken off their dates: cancelled and moved ones as the rule gave them; an add, or a cancel of a holiday lesson skip drops, takes none', () => {
    const exceptions: Schedule['exceptions'] = [
      ...SEPTEMBER_CHANGES,
      { kind: 'cancel', date: '2026-12-31', start: '17:00', reason: 'праздник' },
    ];
    const taken = takenSlots({ schedule: schedule({ exceptions }), subgroup: SUBGROUP, calendar });

    expect(taken).toEqual([
      {
        lessonId: lessonId(SUBGROUP.id, '2026-09-01', '17:00'),
        subgroupId: SUBGROUP.id,
        date: '2026-09-01',
        start: '17:00',
        end: '18:30',
        academicHours: 2,
        holiday: null,
        ruleId: 'r1',
        movedFrom: null,
        kind: 'cancel',
        reason: 'ремонт',
        movedTo: null,
      },
      expect.objectContaining({
        lessonId: lessonId(SUBGROUP.id, '2026-09-03', '17:00'),
        kind: 'move',
        reason: 'болезнь педагога',
        movedTo: { date: '2026-09-05', start: '11:00' },
      }),
    ]);
    const flagged = schedule({ exceptions, holidayRule: 'flag' });
    expect(takenSlots({ schedule: flagged, subgroup: SUBGROUP, calendar }).at(-1)).toMatchObject({
      date: '2026-12-31',
      holiday: expect.stringMatching(/.+/),
      kind: 'cancel',
    });
  });

  it('[SCH14] a place freed by one exception and taken by a lesson moved in is not told as taken', () => {
    const move = (date: string, toDate: string) => ({
      kind: 'move' as const,
      date,
      start: '17:00',
      toDate,
      toStart: '17:00',
      toEnd: '18:30',
      reason: 'зал занят',
    });
    // Thursday 03.09 goes to Friday 04.09, and Tuesday 01.09 takes its place on Thursday.
    const shifted = schedule({
      exceptions: [move('2026-09-03', '2026-09-04'), move('2026-09-01', '2026-09-03')],
    });
    expect(takenSlots({ schedule: shifted, subgroup: SUBGROUP, calendar })).toEqual([
      expect.objectContaining({
        date: '2026-09-01',
        movedTo: { date: '2026-09-03', start: '17:00' },
      }),
    ]);
    // Thursday is cancelled, and Tuesday is moved onto it: a lesson takes place on Thursday.
    const replaced = schedule({
      exceptions: [
        { kind: 'cancel', date: '2026-09-03', start: '17:00', reason: 'ремонт' },
        move('2026-09-01', '2026-09-03'),
      ],
    });
    expect(
      takenSlots({ schedule: replaced, subgroup: SUBGROUP, calendar }).map((s) => s.date),
    ).toEqual(['2026-09-01']);
  });

  it('[SCH4] a lesson moved onto a holiday stays, flagged, even with holidayRule skip', () => {
    const slots = expandSchedule({
      schedule: schedule({
        exceptions: [
          {
            kind: 'move',
            date: '2026-11-03',
            start: '17:00',
            toDate: '2026-11-04',
            toStart: '10:00',
            toEnd: '11:30',
            reason: '',
          },
        ],
      }),
      subgroup: SUBGROUP,
      calendar,
    });
    expect(findSlot(slots, '2026-11-04', '10:00')?.holiday).toBe('День народного единства');
  });

  it('[SCH4] a moved window still sees a lesson moved in from outside it', () => {
    const slots = expandSchedule({
      schedule: schedule({
        exceptions: [
          {
            kind: 'move',
            date: '2026-10-01',
            start: '17:00',
            toDate: '2026-09-05',
            toStart: '10:00',
            toEnd: '11:30',
            reason: '',
          },
        ],
      }),
      subgroup: SUBGROUP,
      calendar,
      from: '2026-09-05',
      to: '2026-09-05',
    });
    expect(slots.map((s) => s.lessonId)).toEqual([lessonId(SUBGROUP.id, '2026-09-05', '10:00')]);
  });

  it('[SCH4] two exceptions on one slot, an add over a lesson, or one naming no slot: OVERLAPPING_EXCEPTION', () => {
    const cancel = { kind: 'cancel' as const, date: '2026-09-01', start: '17:00', reason: '' };
    expectDomainError(
      () => validateSchedule(schedule({ exceptions: [cancel, cancel] }), SUBGROUP),
      'OVERLAPPING_EXCEPTION',
      'exceptions[1]',
    );
    expectDomainError(
      () =>
        validateSchedule(schedule({ exceptions: [{ ...cancel, date: '2026-09-02' }] }), SUBGROUP),
      'OVERLAPPING_EXCEPTION',
      'exceptions[0]',
    );
    expectDomainError(
      () =>
        validateSchedule(
          schedule({
            exceptions: [
              {
                kind: 'add',
                date: '2026-09-01',
                start: '17:00',
                end: '18:00',
                academicHours: 1,
                reason: '',
              },
            ],
          }),
          SUBGROUP,
        ),
      'OVERLAPPING_EXCEPTION',
      'exceptions[0]',
    );
    expectDomainError(
      () =>
        validateSchedule(
          schedule({
            exceptions: [
              {
                kind: 'move',
                date: '2026-09-01',
                start: '17:00',
                toDate: '2026-09-03',
                toStart: '17:00',
                toEnd: '18:00',
                reason: '',
              },
            ],
          }),
          SUBGROUP,
        ),
      'OVERLAPPING_EXCEPTION',
      'exceptions[0].toDate',
    );
  });

  it('[SCH9] an error names its dates as DD.MM.YYYY', () => {
    const cancel = { kind: 'cancel' as const, date: '2026-09-02', start: '17:00', reason: '' };
    const noSlot = expectDomainError(
      () => validateSchedule(schedule({ exceptions: [cancel] }), SUBGROUP),
      'OVERLAPPING_EXCEPTION',
      'exceptions[0]',
    );
    expect(noSlot.message).toContain('нет занятия 02.09.2026 в 17:00');
    expect(noSlot.message).not.toMatch(/\d{4}-\d{2}-\d{2}/);

    const late = {
      ...cancel,
      kind: 'add' as const,
      date: '2027-08-01',
      end: '18:00',
      academicHours: 1,
    };
    const outside = expectDomainError(
      () => validateSchedule(schedule({ exceptions: [late] }), SUBGROUP),
      'INVALID_SCHEDULE',
      'exceptions[0].date',
    );
    expect(outside.message).toMatch(/дата 01\.08\.2027 вне периода обучения \d\d\.\d\d\.\d{4}/);
  });

  it('[SCH6] an add overlapping a lesson in time is INVALID_SCHEDULE naming the exception', () => {
    const add = {
      kind: 'add' as const,
      date: '2026-09-01',
      start: '18:00',
      end: '19:00',
      academicHours: 1,
      reason: '',
    };
    expectDomainError(
      () => validateSchedule(schedule({ exceptions: [add] }), SUBGROUP),
      'INVALID_SCHEDULE',
      'exceptions[0]',
    );
  });
});

describe('schedule validation', () => {
  it('[SCH5] a rule ending before it starts names rules[i].to', () => {
    const bad = schedule({
      rules: [rule(), rule({ id: 'r2', weekdays: [1], from: '2026-10-01', to: '2026-09-30' })],
    });
    expectDomainError(() => validateSchedule(bad, SUBGROUP), 'INVALID_SCHEDULE', 'rules[1].to');
  });

  it('[SCH12] a lesson moved to a time too short for its hours names exceptions[i].toEnd', () => {
    // The rule's lessons: 17:00–18:30, 2 academic hours of 45 minutes.
    const move = (toEnd: string) =>
      schedule({
        exceptions: [
          {
            kind: 'move',
            date: '2026-09-03',
            start: '17:00',
            toDate: '2026-09-05',
            toStart: '07:00',
            toEnd,
            reason: 'зал занят',
          },
        ],
      });
    const error = expectDomainError(
      () => validateSchedule(move('07:45'), SUBGROUP),
      'INVALID_SCHEDULE',
      'exceptions[0].toEnd',
    );
    expect(error.message).toContain(
      'занятие 03.09.2026 в 17:00 (2 ак. ч по 45 мин) не умещается в 07:00–07:45',
    );
    expect(() => validateSchedule(move('08:30'), SUBGROUP)).not.toThrow();
    // A schedule saved before the check still expands: journals open and pushes are judged.
    const stored = expandSchedule({ schedule: move('07:45'), subgroup: SUBGROUP, calendar });
    expect(findSlot(stored, '2026-09-05', '07:00')?.end).toBe('07:45');
  });

  it('[SCH5] an end time not after the start names rules[i].end', () => {
    expectDomainError(
      () => validateSchedule(schedule({ rules: [rule({ end: '16:00' })] }), SUBGROUP),
      'INVALID_SCHEDULE',
      'rules[0].end',
    );
    expectDomainError(
      () => validateSchedule(schedule({ rules: [rule({ end: '17:00' })] }), SUBGROUP),
      'INVALID_SCHEDULE',
      'rules[0].end',
    );
  });

  it('[SCH5] an unknown weekday names rules[i].weekdays[j]', () => {
    expectDomainError(
      () => validateSchedule(schedule({ rules: [rule({ weekdays: [2, 8] })] }), SUBGROUP),
      'INVALID_SCHEDULE',
      'rules[0].weekdays[1]',
    );
    expectDomainError(
      () => validateSchedule(schedule({ rules: [rule({ weekdays: [0] })] }), SUBGROUP),
      'INVALID_SCHEDULE',
      'rules[0].weekdays[0]',
    );
  });

  it('[SCH5] a rule outside the study period, a malformed date or time', () => {
    expectDomainError(
      () => validateSchedule(schedule({ rules: [rule({ to: '2027-06-30' })] }), SUBGROUP),
      'INVALID_SCHEDULE',
      'rules[0].to',
    );
    expectDomainError(
      () => validateSchedule(schedule({ rules: [rule({ from: '2026-02-30' })] }), SUBGROUP),
      'INVALID_DATE',
      'rules[0].from',
    );
    expectDomainError(
      () => validateSchedule(schedule({ rules: [rule({ start: '7pm' })] }), SUBGROUP),
      'INVALID_TIME',
      'rules[0].start',
    );
    expectDomainError(
      () => validateSchedule(schedule(), { ...SUBGROUP, periodTo: '2026-08-01' }),
      'INVALID_SCHEDULE',
      'subgroup.periodTo',
    );
  });

  it('[SCH6] two rules whose lessons overlap on a date are refused', () => {
    const clash = rule({ id: 'r2', weekdays: [4], start: '18:00', end: '19:00', academicHours: 1 });
    expectDomainError(
      () => validateSchedule(schedule({ rules: [rule(), clash] }), SUBGROUP),
      'INVALID_SCHEDULE',
      'rules[1]',
    );
    const twin = rule({ id: 'r2', weekdays: [2] });
    expectDomainError(
      () => validateSchedule(schedule({ rules: [rule(), twin] }), SUBGROUP),
      'INVALID_SCHEDULE',
      'rules[1]',
    );
  });

  it('[SCH5] expandSchedule refuses a window ending before it starts and a missing calendar', () => {
    expectDomainError(
      () =>
        expandSchedule({
          schedule: schedule(),
          subgroup: SUBGROUP,
          calendar,
          from: '2026-10-01',
          to: '2026-09-01',
        }),
      'INVALID_SCHEDULE',
      'to',
    );
    expectDomainError(
      () =>
        expandSchedule({ schedule: schedule(), subgroup: SUBGROUP, calendar, from: '01.09.2026' }),
      'INVALID_DATE',
      'from',
    );
    expectDomainError(
      () =>
        expandSchedule({ schedule: schedule(), subgroup: SUBGROUP, calendar: undefined as never }),
      'INVALID_SCHEDULE',
      'calendar',
    );
  });
});

describe('a new study period against the schedule', () => {
  const twoRules = schedule({
    rules: [rule(), rule({ id: 'r2', weekdays: [6], start: '10:00', end: '11:30' })],
  });

  it('[SCH10] a schedule inside the new period has no conflicts', () => {
    expect(periodScheduleConflicts(twoRules, SUBGROUP)).toEqual([]);
    expect(
      periodScheduleConflicts(schedule({ rules: [rule({ to: '2027-03-31' })] }), {
        periodFrom: '2026-09-01',
        periodTo: '2027-03-31',
      }),
    ).toEqual([]);
  });

  it('[SCH10] an earlier end names periodTo, every rule that goes past it and what to do', () => {
    const conflicts = periodScheduleConflicts(twoRules, { ...SUBGROUP, periodTo: '2027-03-31' });

    expect(conflicts.map((c) => c.field)).toEqual(['periodTo']);
    expect(conflicts[0]!.message).toBe(
      'Расписание идёт дольше: правило «Вт, Чт 17:00–18:30» идёт до 31.05.2027; правило ' +
        '«Сб 10:00–11:30» идёт до 31.05.2027. Сначала измените расписание во вкладке ' +
        '«Расписание», чтобы оно кончалось не позже 31.03.2027, затем сохраните новое окончание.',
    );
  });

  it('[SCH10] a later start names periodFrom; a period cut at both ends names both fields', () => {
    const later = periodScheduleConflicts(twoRules, { ...SUBGROUP, periodFrom: '2026-10-01' });
    expect(later.map((c) => c.field)).toEqual(['periodFrom']);
    expect(later[0]!.message).toContain('правило «Вт, Чт 17:00–18:30» начинается 01.09.2026');
    expect(later[0]!.message).toContain('чтобы оно начиналось не раньше 01.10.2026');

    const both = periodScheduleConflicts(twoRules, {
      periodFrom: '2026-10-01',
      periodTo: '2027-03-31',
    });
    expect(both.map((c) => c.field)).toEqual(['periodFrom', 'periodTo']);
  });

  it('[SCH10] exceptions outside the new period are named by their dates', () => {
    const withExceptions = schedule({
      rules: [rule({ to: '2027-03-31' })],
      exceptions: [
        { kind: 'cancel', date: '2027-03-30', start: '17:00', reason: 'Каникулы' },
        {
          kind: 'add',
          date: '2027-04-10',
          start: '12:00',
          end: '13:30',
          academicHours: 2,
          reason: 'Отработка',
        },
        {
          kind: 'move',
          date: '2027-03-25',
          start: '17:00',
          toDate: '2027-04-03',
          toStart: '12:00',
          toEnd: '13:30',
          reason: 'Выставка',
        },
      ],
    });
    const [conflict] = periodScheduleConflicts(withExceptions, {
      ...SUBGROUP,
      periodTo: '2027-03-31',
    });
    expect(conflict?.field).toBe('periodTo');
    expect(conflict?.message).toContain(
      'разовое занятие 10.04.2027 в 12:00; перенос занятия 25.03.2027 в 17:00 на 03.04.2027.',
    );
    expect(conflict?.message).not.toContain('30.03.2027');
  });
});

describe('mid-year changes', () => {
  it('[SCH7] a weekday change from 11 Jan 2027 moves only future slots; past slots keep their ids', () => {
    const before = expandSchedule({ schedule: schedule(), subgroup: SUBGROUP, calendar });
    const changed = splitRule(schedule(), 'r1', '2027-01-11', { weekdays: [1, 3] }, 'r1-b');
    const after = expandSchedule({ schedule: changed, subgroup: SUBGROUP, calendar });

    const past = (slots: LessonSlot[]) => slots.filter((s) => s.date < '2027-01-11');
    expect(past(after)).toEqual(past(before));
    const future = after.filter((s) => s.date >= '2027-01-11');
    expect(future.length).toBeGreaterThan(30);
    expect(future.every((s) => s.ruleId === 'r1-b')).toBe(true);
    expect(new Set(future.map((s) => new Date(`${s.date}T00:00:00Z`).getUTCDay()))).toEqual(
      new Set([1, 3]),
    );
  });

  it('[SCH8] the impact lists removed and added slots and keeps removed lessons with marks', () => {
    const before = expandSchedule({ schedule: schedule(), subgroup: SUBGROUP, calendar });
    const after = expandSchedule({
      schedule: splitRule(schedule(), 'r1', '2027-01-11', { weekdays: [1, 3] }, 'r1-b'),
      subgroup: SUBGROUP,
      calendar,
    });
    const marked = lessonId(SUBGROUP.id, '2027-01-12', '17:00');
    const impact = scheduleChangeImpact(
      before,
      after,
      new Set([marked, lessonId(SUBGROUP.id, '2026-09-01', '17:00')]),
    );

    expect(impact.removed.every((s) => s.date >= '2027-01-11')).toBe(true);
    expect(impact.removed.length).toBe(before.filter((s) => s.date >= '2027-01-11').length);
    expect(impact.added.length).toBe(after.filter((s) => s.date >= '2027-01-11').length);
    expect(impact.keptWithMarks.map((s) => s.lessonId)).toEqual([marked]);
    expect(impact.changed).toEqual([]);
  });

  it('[SCH5] a rule whose academic hours do not fit its slot is refused naming academicHours', () => {
    expect(() =>
      expandSchedule({
        schedule: schedule({ rules: [rule({ start: '15:00', end: '15:30', academicHours: 2 })] }),
        subgroup: SUBGROUP,
        calendar: EMPTY_CALENDAR,
      }),
    ).toThrow(/academicHours/);
  });

  it('[SCH8] a changed end time with the same start is reported as changed, not removed', () => {
    const before = expandSchedule({
      schedule: schedule(),
      subgroup: SUBGROUP,
      calendar: EMPTY_CALENDAR,
      to: '2026-09-03',
    });
    const after = expandSchedule({
      schedule: schedule({ rules: [rule({ end: '18:15', academicHours: 1 })] }),
      subgroup: SUBGROUP,
      calendar: EMPTY_CALENDAR,
      to: '2026-09-03',
    });
    const impact = scheduleChangeImpact(before, after, new Set());
    expect(impact.removed).toEqual([]);
    expect(impact.changed.map((s) => s.end)).toEqual(['18:15', '18:15']);
  });

  it('[SCH7] splitRule refuses a date outside the rule and an unknown rule', () => {
    expectDomainError(
      () => splitRule(schedule(), 'r1', '2026-09-01', {}, 'r2'),
      'INVALID_SCHEDULE',
      'fromDate',
    );
    expectDomainError(
      () => splitRule(schedule(), 'nope', '2026-10-01', {}, 'r2'),
      'INVALID_SCHEDULE',
      'ruleId',
    );
  });
});

describe('slot lookup', () => {
  it('[PR2] findSlot and isOnSchedule answer by (date, start) and refuse malformed input', () => {
    const slots = year();
    expect(isOnSchedule(slots, '2026-09-01', '17:00')).toBe(true);
    expect(isOnSchedule(slots, '2026-09-01', '17:30')).toBe(false);
    expect(isOnSchedule(slots, '2026-09-02', '17:00')).toBe(false);
    expectDomainError(() => findSlot(slots, '2026-9-1', '17:00'), 'INVALID_DATE', 'date');
    expectDomainError(() => findSlot(slots, '2026-09-01', '25:00'), 'INVALID_TIME', 'start');
    expectDomainError(
      () => scheduleChangeImpact(slots, slots, [] as never),
      'INVALID_SCHEDULE',
      'lessonIdsWithMarks',
    );
  });
});
