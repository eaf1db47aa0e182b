import {
  DEFAULT_ATTENDANCE_CODES,
  defaultCalendar,
  expandSchedule,
  type Lesson,
  type Mark,
  markId,
  readXlsx,
  type Schedule,
  type Subgroup,
  takenSlots,
} from '@otmetka/shared';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { buildHours } from '../src/reports/hours.ts';
import { buildTabel, tabelXlsx } from '../src/reports/tabel.ts';

/** The табель and hours builders on a small subgroup: Tuesdays 16:00–17:40, 2 academic hours. */

const subgroup: Subgroup = {
  id: 'sg-t',
  type: 'subgroup',
  orgId: 'org-t',
  programmeId: 'p-t',
  name: 'Группа 1',
  teacherIds: [],
  capacity: 10,
  periodFrom: '2026-09-01',
  periodTo: '2026-12-31',
  hoursPerYear: 34,
};
const schedule: Schedule = {
  id: 'schedule:sg-t',
  type: 'schedule',
  orgId: 'org-t',
  subgroupId: 'sg-t',
  rules: [
    {
      id: 'r1',
      from: '2026-09-01',
      to: '2026-12-31',
      weekdays: [2],
      start: '16:00',
      end: '17:40',
      academicHours: 2,
      minutesPerHour: 45,
      breakMinutes: 10,
    },
  ],
  exceptions: [],
  holidayRule: 'skip',
};
const slots = expandSchedule({ schedule, subgroup, calendar: defaultCalendar() });
const slotOn = (date: string) => slots.find((s) => s.date === date)!;

function lesson(date: string, status: Lesson['status']): Lesson {
  const slot = slotOn(date);
  return {
    id: slot.lessonId,
    type: 'lesson',
    orgId: 'org-t',
    subgroupId: 'sg-t',
    stamps: {},
    date,
    start: slot.start,
    end: slot.end,
    academicHours: 2,
    status,
    statusReason: '',
    topicId: null,
    topicTitle: status === 'held' ? '+7 способов смешать краски' : '',
    homework: '',
    remark: '@всем принести кисти',
    flag: null,
  };
}

function mark(date: string, learnerId: string, code: string): Mark {
  const lessonDocId = slotOn(date).lessonId;
  return {
    id: markId(lessonDocId, learnerId),
    type: 'mark',
    orgId: 'org-t',
    subgroupId: 'sg-t',
    stamps: {},
    lessonId: lessonDocId,
    learnerId,
    date,
    code,
    grade: null,
    note: '',
  };
}

const roster = [
  { learnerId: 'l-b', name: 'Борисова Ева', from: '2026-10-13' },
  { learnerId: 'l-a', name: 'Андреев Марк', from: '2026-09-01' },
].map((r) => ({
  id: `roster:sg-t:${r.learnerId}`,
  type: 'roster' as const,
  orgId: 'org-t',
  subgroupId: 'sg-t',
  stamps: {},
  learnerId: r.learnerId,
  name: r.name,
  intervals: [{ from: r.from, to: null }],
}));

const lessons = [
  lesson('2026-10-06', 'held'),
  lesson('2026-10-13', 'held'),
  lesson('2026-10-20', 'cancelled'),
];
const marks = [
  mark('2026-10-06', 'l-a', 'Б'),
  mark('2026-10-13', 'l-a', 'Н'),
  mark('2026-10-13', 'l-b', ''),
];
const tabel = buildTabel({
  subgroup,
  programmeName: 'Изостудия',
  month: '2026-10',
  codes: DEFAULT_ATTENDANCE_CODES,
  slots,
  taken: [],
  lessons,
  marks,
  roster,
});

describe('табель', () => {
  it('columns are the month’s lessons by date, without the cancelled one; rows sorted by name', () => {
    expect(tabel.lessons.map((l) => l.date)).toEqual(['2026-10-06', '2026-10-13', '2026-10-27']);
    expect(tabel.rows.map((r) => r.name)).toEqual(['Андреев Марк', 'Борисова Ева']);
  });

  it('counts absences and the excused part; a learner is not enrolled before the enrolment date', () => {
    const [andreev, borisova] = tabel.rows;
    expect(andreev).toMatchObject({ cells: ['Б', 'Н', null], absences: 2, excused: 1 });
    expect(borisova).toMatchObject({
      enrolled: [false, true, true],
      cells: [null, '', null],
      absences: 0,
    });
  });

  it('[RP1] totals count only the cells shown: marks left on days after a back-dated withdrawal are — and not absences', () => {
    // Андреев was marked absent on 06.10 and 13.10, then withdrawn from 13.10 (ends 12.10).
    const withdrawn = roster.map((r) =>
      r.learnerId === 'l-a' ? { ...r, intervals: [{ from: '2026-09-01', to: '2026-10-12' }] } : r,
    );
    const after = buildTabel({
      subgroup,
      programmeName: 'Изостудия',
      month: '2026-10',
      codes: DEFAULT_ATTENDANCE_CODES,
      slots,
      taken: [],
      lessons,
      marks,
      roster: withdrawn,
    });
    const andreev = after.rows.find((r) => r.learnerId === 'l-a')!;
    expect(andreev).toMatchObject({ enrolled: [true, false, false], absences: 1, excused: 1 });
    const rows = readXlsx(tabelXlsx(after, 'ДДТ')).sheets[0]!.rows;
    const line = rows.find((r) => r[1] === 'Андреев Марк')!;
    expect(line.slice(2)).toEqual(['Б', '·', '·', 1, 1]);
  });

  it('[RP10] the XLSX prints landscape on A4 with its columns on one page’s width', () => {
    const xml = strFromU8(unzipSync(tabelXlsx(tabel, 'ДДТ'))['xl/worksheets/sheet1.xml']!);
    expect(xml).toContain('<pageSetUpPr fitToPage="1"/>');
    expect(xml).toContain('orientation="landscape" fitToWidth="1" fitToHeight="0"');
  });

  it('[RP11] the XLSX has each lesson’s date and start–end time, ✓ for present, · when not enrolled; text stays text', () => {
    const rows = readXlsx(tabelXlsx(tabel, 'ДДТ')).sheets[0]!.rows;
    const header = rows.findIndex((r) => r[0] === '№');
    expect(rows[header]!.slice(2, 5)).toEqual(['06.10.2026', '13.10.2026', '27.10.2026']);
    expect(rows[header + 1]!.slice(2, 5)).toEqual(['16:00–17:40', '16:00–17:40', '16:00–17:40']);
    expect(rows[header + 3]!.slice(1, 5)).toEqual(['Борисова Ева', '·', '✓', null]);
    // RP11: «·» as on the screen; «—» is «не отмечено» elsewhere in the app.
    const legend = rows.flat().find((c) => typeof c === 'string' && c.startsWith('Обозначения'));
    expect(legend).toMatch(/; · — не зачислен\(а\)$/);
    const cells = rows.flat();
    expect(cells).toContain('+7 способов смешать краски');
    expect(cells).toContain('@всем принести кисти');
  });

  it('[RP8] the XLSX totals the grid (present per lesson, absences), the lessons held and their hours, and has the signature lines', () => {
    const rows = readXlsx(tabelXlsx(tabel, 'ДДТ', ['Иванова А. А.'])).sheets[0]!.rows;
    const header = rows.findIndex((r) => r[0] === '№');
    // Two learners, then «Итого»: 06.10 nobody present (Б; Борисова not yet enrolled), 13.10
    // one (✓ against Н), 27.10 none marked; absences 2, excused 1.
    const totals = rows[header + 4]!;
    expect(totals.slice(1)).toEqual(['Итого присутствовало', 0, 1, 0, 2, 1]);
    // Two lessons held (the cancelled one is no column, 27.10 still planned), 2 hours each.
    expect(rows[header + 5]![0]).toBe('Проведено занятий: 2; академических часов: 4');
    const texts = rows.map((r) => r[0]);
    expect(texts).toContain('Педагог ____________ / Иванова А. А. /');
    expect(texts.at(-1)).toBe('Дата «____» ______________ 20____ г.');
  });

  it('[RP7] the XLSX lists the cancelled lesson among the month’s lessons, in date order, with its reason', () => {
    const withReason = lessons.map((l) =>
      l.status === 'cancelled' ? { ...l, statusReason: 'педагог на курсах' } : l,
    );
    const sheet = buildTabel({
      subgroup,
      programmeName: 'Изостудия',
      month: '2026-10',
      codes: DEFAULT_ATTENDANCE_CODES,
      slots,
      taken: [],
      lessons: withReason,
      marks,
      roster,
    });
    // Still no column: nobody could attend it.
    expect(sheet.lessons.map((l) => l.date)).not.toContain('2026-10-20');
    const rows = readXlsx(tabelXlsx(sheet, 'ДДТ')).sheets[0]!.rows;
    const list = rows.slice(rows.findIndex((r) => r[0] === 'Занятия месяца') + 2);
    const dated = list.filter((r) => /^\d\d\.\d\d\.\d{4}$/.test(String(r[0])));
    expect(dated.map((r) => r[0])).toEqual([
      '06.10.2026',
      '13.10.2026',
      '20.10.2026',
      '27.10.2026',
    ]);
    const cancelled = dated[2]!;
    expect(cancelled.slice(1, 3)).toEqual(['16:00–17:40', 'отменено']);
    expect(cancelled).toContain('Причина: педагог на курсах');
  });
});

describe('lessons the admin cancelled or moved away', () => {
  // The admin moved 20.10 to Thursday 22.10, cancelled 27.10, and moved 13.10, which the teacher
  // had already held (the lesson is kept with its marks).
  const changed: Schedule = {
    ...schedule,
    exceptions: [
      { kind: 'cancel', date: '2026-10-27', start: '16:00', reason: 'карантин' },
      ...(['2026-10-20', '2026-10-13'] as const).map((date, i) => ({
        kind: 'move' as const,
        date,
        start: '16:00',
        toDate: `2026-10-${22 - 7 * i}`,
        toStart: '16:00',
        toEnd: '17:40',
        reason: 'выборы',
      })),
    ],
  };
  const calendar = defaultCalendar();
  const held = lessons.filter((l) => l.status === 'held');
  const sheet = buildTabel({
    subgroup,
    programmeName: 'Изостудия',
    month: '2026-10',
    codes: DEFAULT_ATTENDANCE_CODES,
    slots: expandSchedule({ schedule: changed, subgroup, calendar }),
    taken: takenSlots({ schedule: changed, subgroup, calendar }),
    lessons: held,
    marks,
    roster,
  });

  it('[RP9][SCH14] the табель lists them with the admin’s reason and where a moved one went; a held lesson on a moved slot stays a column', () => {
    expect(sheet.lessons.map((l) => l.date)).toEqual([
      '2026-10-06',
      '2026-10-13',
      '2026-10-15',
      '2026-10-22',
    ]);
    expect(sheet.notHeld).toEqual([
      expect.objectContaining({
        date: '2026-10-20',
        status: 'moved',
        reason: 'выборы',
        movedTo: { date: '2026-10-22', start: '16:00' },
      }),
      expect.objectContaining({ date: '2026-10-27', status: 'cancelled', reason: 'карантин' }),
    ]);

    const rows = readXlsx(tabelXlsx(sheet, 'ДДТ')).sheets[0]!.rows;
    const row = (date: string) => rows.find((r) => r[0] === date && r[2] !== 'проведено')!;
    expect(row('20.10.2026')).toContain('Перенесено на 22.10.2026 в 16:00. Причина: выборы');
    expect(row('27.10.2026').slice(1, 3)).toEqual(['16:00–17:40', 'отменено']);
    expect(row('27.10.2026')).toContain('Причина: карантин');
  });

  it('[RP12] the lesson a move brought names where it came from, on the sheet and in the XLSX', () => {
    expect(sheet.lessons.find((l) => l.date === '2026-10-22')?.movedFrom).toEqual({
      date: '2026-10-20',
      start: '16:00',
    });
    expect(sheet.lessons.find((l) => l.date === '2026-10-06')?.movedFrom ?? null).toBeNull();
    const rows = readXlsx(tabelXlsx(sheet, 'ДДТ')).sheets[0]!.rows;
    const lessonRow = (date: string) => rows.find((r) => r[0] === date && r.length > 2)!;
    expect(lessonRow('22.10.2026')).toContain('Перенесено с 20.10.2026 16:00');
    expect(lessonRow('06.10.2026')).not.toContain('Перенесено с 20.10.2026 16:00');
  });

  it('[RP9] the hours report counts the admin’s cancellation as cancelled, not as planned', () => {
    const taken = takenSlots({ schedule: changed, subgroup, calendar });
    const slotsNow = expandSchedule({ schedule: changed, subgroup, calendar });
    const oct = buildHours(subgroup, slotsNow, held, taken).months[1]!;
    expect(oct).toMatchObject({ plannedLessons: 3, heldLessons: 2, cancelledLessons: 1 });

    // The teacher had cancelled it too: counted once.
    const cancel = taken.find((s) => s.kind === 'cancel')!;
    const teacherCancelled = { ...lesson('2026-10-06', 'cancelled'), id: cancel.lessonId };
    const once = buildHours(subgroup, slotsNow, [...held, teacherCancelled], taken).months[1]!;
    expect(once.cancelledLessons).toBe(1);
    // The teacher had moved it: the табель lists it as moved, and nothing counts as cancelled.
    const teacherMoved = { ...teacherCancelled, status: 'moved' as const };
    const moved = buildHours(subgroup, slotsNow, [...held, teacherMoved], taken).months[1]!;
    expect(moved.cancelledLessons).toBe(0);
  });
});

describe('hours against the plan', () => {
  it('plans from the schedule by month and counts held lessons as delivered', () => {
    const hours = buildHours(subgroup, slots, lessons, []);
    expect(hours.months.map((m) => m.month)).toEqual(['2026-09', '2026-10', '2026-11', '2026-12']);
    const oct = hours.months[1]!;
    expect(oct).toEqual({
      month: '2026-10',
      plannedLessons: 4,
      plannedHours: 8,
      heldLessons: 2,
      deliveredHours: 4,
      cancelledLessons: 1,
    });
    expect(hours.scheduledHours).toBe(slots.length * 2);
    expect(hours.deliveredHours).toBe(4);
  });
});

describe('a schedule change of a slot that already has its lesson document', () => {
  // The admin shortened Tuesdays to 16:00–16:45, 1 academic hour, after the lessons of October
  // were written with the old slot's 17:40 and 2 hours (both months still open, LK4).
  const shorter: Schedule = {
    ...schedule,
    rules: [{ ...schedule.rules[0]!, end: '16:45', academicHours: 1, breakMinutes: 0 }],
  };
  const newSlots = expandSchedule({ schedule: shorter, subgroup, calendar: defaultCalendar() });

  it('[RP4] hours delivered count a held lesson at its slot’s academic hours, as the plan does', () => {
    const oct = buildHours(subgroup, newSlots, lessons, []).months[1]!;
    expect(oct).toMatchObject({ plannedHours: 4, heldLessons: 2, deliveredHours: 2 });
  });

  it('[RP4] the табель shows a stored lesson with its slot’s end; a lesson off the schedule keeps its own', () => {
    const offSchedule = { ...lesson('2026-10-27', 'held'), flag: 'off-schedule' as const };
    const cancelled: Schedule = {
      ...shorter,
      exceptions: [{ kind: 'cancel', date: '2026-10-27', start: '16:00', reason: 'ремонт' }],
    };
    const sheet = buildTabel({
      subgroup,
      programmeName: 'Изостудия',
      month: '2026-10',
      codes: DEFAULT_ATTENDANCE_CODES,
      slots: expandSchedule({ schedule: cancelled, subgroup, calendar: defaultCalendar() }),
      taken: [],
      lessons: [...lessons, offSchedule],
      marks,
      roster,
    });
    expect(sheet.lessons.map((l) => `${l.date} ${l.start}–${l.end}`)).toEqual([
      '2026-10-06 16:00–16:45',
      '2026-10-13 16:00–16:45',
      '2026-10-27 16:00–17:40',
    ]);
    const rows = readXlsx(tabelXlsx(sheet, 'ДДТ')).sheets[0]!.rows;
    const header = rows.findIndex((r) => r[0] === '№');
    expect(rows[header + 1]!.slice(2, 5)).toEqual(['16:00–16:45', '16:00–16:45', '16:00–17:40']);
  });
});

describe('a lesson kept off the schedule', () => {
  // The admin moved Tuesdays from 16:00 to 17:00 from 20.10; the teacher had planned the topic
  // of 20.10 16:00 ahead, so the server kept that lesson, flagged (no marks, never held).
  const later: Schedule = {
    ...schedule,
    rules: [
      { ...schedule.rules[0]!, to: '2026-10-19' },
      { ...schedule.rules[0]!, id: 'r2', from: '2026-10-20', start: '17:00', end: '18:40' },
    ],
  };
  const newSlots = expandSchedule({ schedule: later, subgroup, calendar: defaultCalendar() });
  const planned = {
    ...lesson('2026-10-20', 'planned'),
    topicTitle: 'Натюрморт',
    flag: 'off-schedule' as const,
  };
  const sheet = (extraMarks: Mark[]) =>
    buildTabel({
      subgroup,
      programmeName: 'Изостудия',
      month: '2026-10',
      codes: DEFAULT_ATTENDANCE_CODES,
      slots: newSlots,
      taken: [],
      lessons: [lessons[0]!, lessons[1]!, planned],
      marks: [...marks, ...extraMarks],
      roster,
    });

  it('[RP5] is no column when only a planned topic kept it: the табель has each date once', () => {
    expect(sheet([]).lessons.map((l) => `${l.date} ${l.start}`)).toEqual([
      '2026-10-06 16:00',
      '2026-10-13 16:00',
      '2026-10-20 17:00',
      '2026-10-27 17:00',
    ]);
  });

  it('[RP5] stays a column with the marks taken on it', () => {
    const onKept = {
      ...mark('2026-10-20', 'l-a', 'Н'),
      lessonId: planned.id,
      id: markId(planned.id, 'l-a'),
    };
    const columns = sheet([onKept]).lessons.map((l) => `${l.date} ${l.start}`);
    expect(columns).toContain('2026-10-20 16:00');
    expect(columns).toContain('2026-10-20 17:00');
  });
});

describe('the XLSX of a month with starred lessons', () => {
  it('[RP6] stars the date of a lesson on a holiday or kept off the schedule and says why, as the screen does', () => {
    const holiday = {
      ...lesson('2026-10-13', 'held'),
      flag: 'holiday' as const,
    };
    const kept = { ...lesson('2026-10-06', 'held'), flag: 'off-schedule' as const };
    const sheet = buildTabel({
      subgroup,
      programmeName: 'Изостудия',
      month: '2026-10',
      codes: DEFAULT_ATTENDANCE_CODES,
      slots,
      taken: [],
      lessons: [kept, holiday],
      marks,
      roster,
    });
    const rows = readXlsx(tabelXlsx(sheet, 'ДДТ')).sheets[0]!.rows;
    const header = rows.findIndex((r) => r[0] === '№');
    expect(rows[header]!.slice(2, 5)).toEqual(['06.10.2026*', '13.10.2026*', '20.10.2026']);
    const list = rows.findIndex((r) => r[0] === 'Дата');
    expect(rows[list]![6]).toBe('Пометка');
    expect(rows[list + 1]![6]).toMatch(/^\* вне расписания/);
    expect(rows[list + 2]![6]).toBe('* нерабочий праздничный день');
    expect(rows[list + 3]![6] ?? null).toBeNull();
  });
});
