import {
  addMonths,
  type CellValue,
  formatRuMonth,
  type Lesson,
  type LessonSlot,
  monthOf,
  type Subgroup,
  type TakenSlot,
  writeXlsx,
} from '@otmetka/shared';
import { type HoursResponse, planPercent } from '@otmetka/shared/api';

/**
 * Hours delivered against the plan, by month of the study period: planned from the expanded
 * schedule, delivered from the lessons the teacher marked as held, cancelled from the lessons
 * the teacher or the admin cancelled (RP9). Pure.
 */

type MonthRow = HoursResponse['months'][number];

function emptyMonth(month: string): MonthRow {
  return {
    month,
    plannedLessons: 0,
    plannedHours: 0,
    heldLessons: 0,
    deliveredHours: 0,
    cancelledLessons: 0,
  };
}

/** Months from the study period's first to its last, so empty months show as zeros. */
function periodMonths(subgroup: Pick<Subgroup, 'periodFrom' | 'periodTo'>): Map<string, MonthRow> {
  const rows = new Map<string, MonthRow>();
  const last = monthOf(subgroup.periodTo);
  for (let m = monthOf(subgroup.periodFrom); m <= last; m = addMonths(m, 1)) {
    rows.set(m, emptyMonth(m));
  }
  return rows;
}

function rowFor(rows: Map<string, MonthRow>, date: string): MonthRow {
  const month = monthOf(date);
  let row = rows.get(month);
  if (!row) {
    row = emptyMonth(month);
    rows.set(month, row);
  }
  return row;
}

/** Hours are summed in hundredths, so 0.5 + 0.25 + … never drifts in binary floating point. */
const round2 = (value: number) => Math.round(value * 100) / 100;

/**
 * RP9: a rule's lesson the admin cancelled is in no plan, but it was cancelled, as the табель
 * lists it; unless the teacher's lesson on that slot was kept and tells what became of it
 * (held, cancelled or moved by the teacher), as the табель then lists that one instead.
 */
function countAdminCancels(rows: Map<string, MonthRow>, taken: TakenSlot[], lessons: Lesson[]) {
  const counted = lessons.filter((l) => !l._deleted && l.status !== 'planned');
  const stored = new Set(counted.map((l) => l.id));
  for (const slot of taken) {
    if (slot.kind === 'cancel' && !stored.has(slot.lessonId)) {
      rowFor(rows, slot.date).cancelledLessons += 1;
    }
  }
}

export function buildHours(
  subgroup: Pick<Subgroup, 'id' | 'name' | 'hoursPerYear' | 'periodFrom' | 'periodTo'>,
  slots: LessonSlot[],
  lessons: Lesson[],
  taken: TakenSlot[],
): HoursResponse {
  const rows = periodMonths(subgroup);
  const slotById = new Map(slots.map((slot) => [slot.lessonId, slot]));
  for (const slot of slots) {
    const row = rowFor(rows, slot.date);
    row.plannedLessons += 1;
    row.plannedHours = round2(row.plannedHours + slot.academicHours);
  }
  for (const lesson of lessons) {
    if (lesson._deleted) continue;
    const row = rowFor(rows, lesson.date);
    if (lesson.status === 'held') {
      row.heldLessons += 1;
      // RP4: a lesson keeps the hours its slot had when it was written; an admin's later change
      // of the slot's hours (an open month) is what the plan counts, so delivery counts it too.
      const hours = slotById.get(lesson.id)?.academicHours ?? lesson.academicHours;
      row.deliveredHours = round2(row.deliveredHours + hours);
    } else if (lesson.status === 'cancelled') {
      row.cancelledLessons += 1;
    }
  }
  countAdminCancels(rows, taken, lessons);

  const months = [...rows.values()].sort((a, b) => a.month.localeCompare(b.month));
  return {
    subgroupId: subgroup.id,
    subgroupName: subgroup.name,
    hoursPerYear: subgroup.hoursPerYear,
    scheduledHours: round2(months.reduce((sum, m) => sum + m.plannedHours, 0)),
    deliveredHours: round2(months.reduce((sum, m) => sum + m.deliveredHours, 0)),
    months,
  };
}

/**
 * RP13: the hours report as XLSX, as the screen shows it: one row per month of the study
 * period (lessons and hours scheduled and delivered, lessons cancelled), the totals, and the
 * year's plan with the share delivered. Numbers are numbers, so the sheet sums and charts them.
 */
export function hoursXlsx(report: HoursResponse, orgName: string, programmeName: string) {
  const sum = (pick: (m: MonthRow) => number) => report.months.reduce((s, m) => s + pick(m), 0);
  const rows: CellValue[][] = [
    ['Часы: выполнение учебного плана'],
    [`${orgName}. ${programmeName}, ${report.subgroupName}`],
    [],
    HOURS_HEADER,
    ...report.months.map((m) => [
      formatRuMonth(m.month),
      m.plannedLessons,
      m.heldLessons,
      m.plannedHours,
      m.deliveredHours,
      m.cancelledLessons,
    ]),
    [
      'Итого',
      sum((m) => m.plannedLessons),
      sum((m) => m.heldLessons),
      report.scheduledHours,
      report.deliveredHours,
      sum((m) => m.cancelledLessons),
    ],
    [],
    ['Часов по учебному плану', report.hoursPerYear],
    ['Выполнено, %', planPercent(report)],
  ];
  return writeXlsx([{ name: 'Часы', rows, colWidths: [26, 14, 14, 14, 14, 14] }]);
}

const HOURS_HEADER = [
  'Месяц',
  'Занятий по расписанию',
  'Проведено занятий',
  'Часов по расписанию',
  'Проведено часов',
  'Отменено занятий',
];
