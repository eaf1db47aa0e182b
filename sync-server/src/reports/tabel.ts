import {
  type AttendanceCode,
  codeInfo,
  compareSlots,
  formatRuDate,
  formatRuMonth,
  isEnrolledOn,
  isNotHeld,
  LESSON_STATUS_LABELS,
  type Lesson,
  type LessonSlot,
  type Mark,
  monthOf,
  type RosterEntry,
  TABEL_FLAG_LABELS,
  type TakenSlot,
  writeXlsx,
} from '@otmetka/shared';
import type { TabelResponse } from '@otmetka/shared/api';

/**
 * The monthly attendance sheet (табель) of a subgroup: learners × lessons, built from the
 * month's schedule slots merged with the stored lesson documents, and written as XLSX. Pure:
 * the route loads the documents and passes them in.
 */

export interface TabelInput {
  subgroup: { id: string; name: string };
  programmeName: string;
  month: string;
  codes: AttendanceCode[];
  /** The expanded schedule (any range; only the month's slots are used). */
  slots: LessonSlot[];
  /** The rules' lessons the admin cancelled or moved away (any range, SCH14). */
  taken: TakenSlot[];
  lessons: Lesson[];
  marks: Mark[];
  roster: RosterEntry[];
}

type TabelLesson = TabelResponse['lessons'][number];
type NotHeldLesson = NonNullable<TabelResponse['notHeld']>[number];

/** A lesson that was cancelled or moved away is not a column: nobody could attend it. */
function countsAsLesson(lesson: TabelLesson): boolean {
  return !isNotHeld(lesson.status);
}

function lessonFromSlot(slot: LessonSlot): TabelLesson {
  return {
    lessonId: slot.lessonId,
    date: slot.date,
    start: slot.start,
    end: slot.end,
    status: 'planned',
    topicTitle: '',
    homework: '',
    remark: '',
    flag: slot.holiday ? 'holiday' : null,
    academicHours: slot.academicHours,
    movedFrom: slot.movedFrom,
  };
}

function lessonFromDoc(doc: Lesson): TabelLesson {
  return {
    lessonId: doc.id,
    date: doc.date,
    start: doc.start,
    end: doc.end,
    status: doc.status,
    topicTitle: doc.topicTitle,
    homework: doc.homework,
    remark: doc.remark,
    flag: doc.flag,
    academicHours: doc.academicHours,
  };
}

/**
 * The month's lessons: every slot, replaced by its stored lesson, plus kept off-schedule
 * lessons; cancelled and moved ones included. Sorted by (date, start).
 */
export function mergeLessons(month: string, slots: LessonSlot[], lessons: Lesson[]): TabelLesson[] {
  const byId = new Map<string, TabelLesson>();
  for (const slot of slots) {
    if (monthOf(slot.date) === month) byId.set(slot.lessonId, lessonFromSlot(slot));
  }
  for (const doc of lessons) {
    if (doc._deleted || monthOf(doc.date) !== month) continue;
    // RP4: the document keeps the end its slot had when it was written (`end` is part of its
    // identity, so the schedule save leaves it); the sheet shows the schedule's end, as the
    // teacher's device does.
    const slot = byId.get(doc.id);
    const fromSlot = slot
      ? { end: slot.end, academicHours: slot.academicHours, movedFrom: slot.movedFrom }
      : {};
    byId.set(doc.id, { ...lessonFromDoc(doc), ...fromSlot });
  }
  return [...byId.values()].sort(compareSlots);
}

/** The табель's columns: the month's lessons that could be attended. */
export function monthLessons(month: string, slots: LessonSlot[], lessons: Lesson[]): TabelLesson[] {
  return mergeLessons(month, slots, lessons).filter(countsAsLesson);
}

export function buildTabel(input: TabelInput): TabelResponse {
  const markByKey = new Map<string, Mark>();
  const marked = new Set<string>();
  for (const mark of input.marks) {
    if (mark._deleted) continue;
    markByKey.set(`${mark.lessonId}|${mark.learnerId}`, mark);
    marked.add(mark.lessonId);
  }
  // RP5: a lesson kept off the schedule only for what the teacher planned on it ahead (a topic,
  // homework) never took place: it is no column beside the slot that replaced it.
  const lessons = monthLessons(input.month, input.slots, input.lessons).filter(
    (l) => l.flag !== 'off-schedule' || l.status !== 'planned' || marked.has(l.lessonId),
  );

  const rows = input.roster
    .filter((entry) => !entry._deleted)
    .filter((entry) => lessons.some((l) => isEnrolledOn(entry.intervals, l.date)))
    .sort((a, b) => a.name.localeCompare(b.name, 'ru'))
    .map((entry) => {
      const marks = lessons.map((l) => markByKey.get(`${l.lessonId}|${entry.learnerId}`) ?? null);
      const enrolled = lessons.map((l) => isEnrolledOn(entry.intervals, l.date));
      // RP1: a mark kept on a day the learner is no longer enrolled (a back-dated withdrawal)
      // shows as — in the sheet, so it counts in no total either.
      const absentCodes = marks.map((m, i) =>
        m && enrolled[i] ? codeInfo(input.codes, m.code) : undefined,
      );
      return {
        learnerId: entry.learnerId,
        name: entry.name,
        cells: marks.map((m) => (m ? m.code : null)),
        enrolled,
        markIds: marks.map((m) => (m ? m.id : null)),
        absences: absentCodes.filter((c) => c?.absent).length,
        excused: absentCodes.filter((c) => c?.absent && c.excused).length,
      };
    });

  return {
    subgroupId: input.subgroup.id,
    subgroupName: input.subgroup.name,
    programmeName: input.programmeName,
    month: input.month,
    lessons,
    rows,
    codes: input.codes,
    notHeld: notHeldLessons(input, lessons),
  };
}

/**
 * RP7: the month's cancelled and moved lessons with the reason. They are no column, but the
 * hours report counts them («Отменено: 1»), so the sheet says which dates they were. RP9: so
 * are the rules' lessons the admin cancelled or moved away (SCH14), unless the teacher's
 * lesson on that slot is listed already.
 */
function notHeldLessons(input: TabelInput, columns: TabelLesson[]): NotHeldLesson[] {
  const reasons = new Map(input.lessons.map((l) => [l.id, l.statusReason]));
  const byTeacher = mergeLessons(input.month, input.slots, input.lessons)
    .filter((l) => !countsAsLesson(l))
    .map((l) => ({ ...l, reason: reasons.get(l.lessonId) ?? '' }));

  const listed = new Set([...columns, ...byTeacher].map((l) => l.lessonId));
  const byAdmin = input.taken
    .filter((s) => monthOf(s.date) === input.month && !listed.has(s.lessonId))
    .map(notHeldFromTaken);
  return [...byTeacher, ...byAdmin].sort(compareSlots);
}

/** SCH14: a rule's lesson the admin cancelled or moved away, as a lesson that did not take place. */
export function notHeldFromTaken(slot: TakenSlot): NotHeldLesson {
  return {
    ...lessonFromSlot(slot),
    status: slot.kind === 'cancel' ? 'cancelled' : 'moved',
    reason: slot.reason,
    movedTo: slot.movedTo,
  };
}

/**
 * The XLSX's mark on a lesson that took place: its flag, and RP12 where the admin moved it from
 * (the date it left names its new place, so the pair reads both ways).
 */
function heldNote(lesson: TabelLesson): string | null {
  const flag = lesson.flag ? `* ${TABEL_FLAG_LABELS[lesson.flag]}` : '';
  const from = lesson.movedFrom
    ? `Перенесено с ${formatRuDate(lesson.movedFrom.date)} ${lesson.movedFrom.start}`
    : '';
  return [flag, from].filter(Boolean).join('. ') || null;
}

/** The XLSX's remark on a lesson that did not take place: where the admin moved it, and why. */
function notHeldRemark(lesson: NotHeldLesson): string {
  const where = lesson.movedTo
    ? `Перенесено на ${formatRuDate(lesson.movedTo.date)} в ${lesson.movedTo.start}`
    : '';
  const why = lesson.reason ? `Причина: ${lesson.reason}` : '';
  return [where, why].filter(Boolean).join('. ');
}

export function monthLabel(month: string): string {
  return formatRuMonth(month);
}

/**
 * What a cell shows: the code, ✓ for present, · when the learner was not enrolled that day (as
 * on the screen's табель; «—» means «не отмечено» elsewhere in the app, RP11).
 */
function cellText(code: string | null, enrolled: boolean): string {
  if (!enrolled) return '·';
  if (code === null) return '';
  return code === '' ? '✓' : code;
}

type Cell = string | number | null;

function gridRows(tabel: TabelResponse): Cell[][] {
  const dates = tabel.lessons.map((l) => `${formatRuDate(l.date)}${l.flag ? '*' : ''}`);
  const times = tabel.lessons.map((l) => `${l.start}–${l.end}`);
  const header1: Cell[] = ['№', 'Обучающийся', ...dates, 'Пропущено', 'Из них по уваж. причине'];
  const header2: Cell[] = [null, null, ...times, null, null];

  const body = tabel.rows.map((row, i): Cell[] => [
    i + 1,
    row.name,
    ...row.cells.map((code, j) => cellText(code, row.enrolled[j] ?? false)),
    row.absences,
    row.excused,
  ]);
  return [header1, header2, ...body, totalsRow(tabel)];
}

/**
 * RP8: the grid's «Итого» row, as on a paper табель: learners present at each lesson (a mark
 * that is not an absence, on a day they were enrolled), then the month's absences and the
 * excused part.
 */
function totalsRow(tabel: TabelResponse): Cell[] {
  const absent = new Set(tabel.codes.filter((c) => c.absent).map((c) => c.code));
  const present = tabel.lessons.map(
    (_, j) =>
      tabel.rows.filter((r) => r.enrolled[j] && r.cells[j] != null && !absent.has(r.cells[j]!))
        .length,
  );
  const sum = (of: (r: TabelResponse['rows'][number]) => number) =>
    tabel.rows.reduce((n, r) => n + of(r), 0);
  return [null, 'Итого присутствовало', ...present, sum((r) => r.absences), sum((r) => r.excused)];
}

/** RP8: the lessons held in the month and the academic hours they delivered (RP4). */
function heldRow(tabel: TabelResponse): Cell[] {
  const held = tabel.lessons.filter((l) => l.status === 'held');
  const hours = held.reduce((n, l) => n + (l.academicHours ?? 0), 0);
  return [
    `Проведено занятий: ${held.length}; академических часов: ${Math.round(hours * 100) / 100}`,
  ];
}

/** RP8: the lines a paper табель is signed on: each teacher's signature and ФИО, the date. */
function signatureRows(teachers: readonly string[]): Cell[][] {
  const names = teachers.length > 0 ? teachers : ['____________________'];
  return [
    ...names.map((name): Cell[] => [`Педагог ____________ / ${name} /`]),
    ['Дата «____» ______________ 20____ г.'],
  ];
}

function lessonRows(tabel: TabelResponse): Cell[][] {
  const header: Cell[] = [
    'Дата',
    'Время',
    'Статус',
    'Тема',
    'Домашнее задание',
    'Примечание',
    'Пометка',
  ];
  const held = tabel.lessons.map((l): Cell[] => [
    formatRuDate(l.date),
    `${l.start}–${l.end}`,
    LESSON_STATUS_LABELS[l.status],
    l.topicTitle,
    l.homework,
    l.remark,
    heldNote(l),
  ]);
  // RP7: a cancelled or moved lesson is listed with its reason where a remark would be.
  const notHeld = (tabel.notHeld ?? []).map((l): Cell[] => [
    formatRuDate(l.date),
    `${l.start}–${l.end}`,
    LESSON_STATUS_LABELS[l.status],
    null,
    null,
    notHeldRemark(l) || null,
    null,
  ]);
  const byDate = (a: Cell[], b: Cell[]) =>
    dateKey(a).localeCompare(dateKey(b)) || String(a[1]).localeCompare(String(b[1]));
  return [['Занятия месяца'], header, ...[...held, ...notHeld].sort(byDate)];
}

/** `DD.MM.YYYY` of a lesson row as a sortable `YYYYMMDD`. */
function dateKey(row: Cell[]): string {
  return String(row[0]).split('.').reverse().join('');
}

function legendRow(codes: AttendanceCode[]): Cell[] {
  const parts = codes.filter((c) => c.code !== '').map((c) => `${c.code} — ${c.label}`);
  return [`Обозначения: ✓ — присутствовал(а); ${parts.join('; ')}; · — не зачислен(а)`];
}

/**
 * The XLSX file: a title, the grid with two header rows (dates, then start–end times of each
 * lesson) and its totals, the lessons with topics and remarks, the legend and the signature
 * lines of the subgroup's teachers. Text that looks like a formula
 * stays text: writeXlsx never writes formulas.
 */
export function tabelXlsx(
  tabel: TabelResponse,
  orgName: string,
  teachers: readonly string[] = [],
): Uint8Array {
  const width = tabel.lessons.length + 4;
  const headerTop = 4;
  const title: Cell[][] = [
    [`Табель учёта посещаемости — ${monthLabel(tabel.month)}`],
    [`${orgName}. ${tabel.programmeName}, ${tabel.subgroupName}`],
    [],
  ];
  const rows = [
    ...title,
    ...gridRows(tabel),
    heldRow(tabel),
    [],
    ...lessonRows(tabel),
    [],
    legendRow(tabel.codes),
    [],
    ...signatureRows(teachers),
  ];
  const merges = [`A${headerTop}:A${headerTop + 1}`, `B${headerTop}:B${headerTop + 1}`];

  return writeXlsx([
    {
      name: 'Табель',
      rows,
      merges,
      colWidths: [5, 28, ...Array.from({ length: Math.max(0, width - 4) }, () => 12), 11, 13],
      // RP10: a month of 13 lessons printed across several portrait pages.
      printLandscapeFitWidth: true,
    },
  ]);
}
