import {
  addDays,
  expandSchedule,
  type HolidayCalendar,
  type LessonSlot,
  minutesOf,
  type Schedule,
  type ScheduleException,
  type ScheduleRule,
  type Subgroup,
  scheduleId,
  validateSchedule,
} from '@otmetka/shared';
import { type ProgrammeSpec, START_TIMES, WEEKDAY_PATTERNS } from './data.ts';

/**
 * Subgroups and their schedules for 2026/27: weekly rules (one, or two when the timetable
 * changes after the winter holidays), a few exceptions (a cancelled day, a moved lesson, an
 * extra open lesson) and the holiday rule. One teacher's subgroups start two hours apart, so a
 * teacher never has two lessons at once.
 */

export const YEAR_FROM = '2026-09-01';
export const YEAR_TO = '2027-05-31';
const BREAK_MINUTES = 10;

/** Teachers (by registry index) of each programme's subgroups, in order. */
export const TEACHERS_BY_PROGRAMME: Record<string, number[]> = {
  robot: [0, 0, 0],
  lego: [0, 1],
  eco: [2, 2],
  chess: [3, 3, 4],
  art: [5, 5, 6],
  dance: [7, 7, 8],
  local: [9, 10],
  media: [11, 11],
};

function timeAfter(start: string, minutes: number): string {
  const total = minutesOf(start) + minutes;
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

/** Academic hours plus the breaks between them. */
export function lessonEnd(start: string, hours: number, minutesPerHour: number): string {
  const minutes = Math.round(hours * minutesPerHour) + (Math.ceil(hours) - 1) * BREAK_MINUTES;
  return timeAfter(start, minutes);
}

export interface SubgroupPlan {
  subgroup: Subgroup;
  spec: ProgrammeSpec;
  /** Global position, used to vary patterns. */
  index: number;
  start: string;
}

export function planSubgroups(
  orgId: string,
  programmes: ProgrammeSpec[],
  teacherIds: string[],
): SubgroupPlan[] {
  const teacherLoad = new Map<string, number>();
  const plans: SubgroupPlan[] = [];
  for (const spec of programmes) {
    for (let j = 0; j < spec.subgroups; j++) {
      const teacherId = teacherIds[TEACHERS_BY_PROGRAMME[spec.key]![j]!]!;
      const k = teacherLoad.get(teacherId) ?? 0;
      teacherLoad.set(teacherId, k + 1);
      // The second Lego group is a new one: new groups may start up to 15 September.
      const periodFrom = spec.key === 'lego' && j === 1 ? '2026-09-15' : YEAR_FROM;
      plans.push({
        index: plans.length,
        spec,
        start: START_TIMES[k % START_TIMES.length]!,
        subgroup: {
          id: `sg-${spec.key}-${j + 1}`,
          type: 'subgroup',
          orgId,
          programmeId: `p-${spec.key}`,
          name: `Группа ${j + 1}`,
          teacherIds: [teacherId],
          capacity: spec.key === 'lego' ? 12 : 15,
          periodFrom,
          periodTo: YEAR_TO,
          hoursPerYear: spec.hoursPerYear,
        },
      });
    }
  }
  return plans;
}

function rule(
  plan: SubgroupPlan,
  id: string,
  from: string,
  to: string,
  weekdays: number[],
): ScheduleRule {
  const { spec } = plan;
  return {
    id,
    from,
    to,
    weekdays,
    start: plan.start,
    end: lessonEnd(plan.start, spec.lessonHours, spec.minutesPerHour),
    academicHours: spec.lessonHours,
    minutesPerHour: spec.minutesPerHour,
    breakMinutes: BREAK_MINUTES,
  };
}

function rulesOf(plan: SubgroupPlan): ScheduleRule[] {
  const patterns = WEEKDAY_PATTERNS[plan.spec.perWeek]!;
  const first = patterns[plan.index % patterns.length]!;
  const { periodFrom, periodTo } = plan.subgroup;
  if (plan.index % 5 !== 2) return [rule(plan, 'r1', periodFrom, periodTo, first)];

  // A timetable change after the winter holidays: other weekdays from 11 January.
  const second = patterns[(plan.index + 1) % patterns.length]!;
  return [
    rule(plan, 'r1', periodFrom, '2027-01-10', first),
    rule(plan, 'r2', '2027-01-11', periodTo, second),
  ];
}

/** A cancelled day, a lesson moved to the next free day and an open lesson, on some subgroups. */
function exceptionsOf(plan: SubgroupPlan, slots: LessonSlot[]): ScheduleException[] {
  if (plan.index % 4 !== 1 || slots.length < 40) return [];
  const dates = new Set(slots.map((s) => s.date));
  const free = (date: string) => !dates.has(date) && date <= plan.subgroup.periodTo;
  const out: ScheduleException[] = [];

  const cancelled = slots[12]!;
  out.push({
    kind: 'cancel',
    date: cancelled.date,
    start: cancelled.start,
    reason: 'Методический день',
  });

  const moved = slots[24]!;
  const toDate = addDays(moved.date, 1);
  if (free(toDate)) {
    out.push({
      kind: 'move',
      date: moved.date,
      start: moved.start,
      toDate,
      toStart: moved.start,
      toEnd: moved.end,
      reason: 'Участие в городском конкурсе',
    });
  }
  const open = slots[36]!;
  const openDate = addDays(open.date, 2);
  if (free(openDate) && openDate !== toDate) {
    out.push({
      kind: 'add',
      date: openDate,
      start: open.start,
      end: open.end,
      academicHours: open.academicHours,
      reason: 'Открытое занятие для родителей',
    });
  }
  return out;
}

export function makeSchedule(plan: SubgroupPlan, calendar: HolidayCalendar): Schedule {
  const base: Schedule = {
    id: scheduleId(plan.subgroup.id),
    type: 'schedule',
    orgId: plan.subgroup.orgId,
    subgroupId: plan.subgroup.id,
    rules: rulesOf(plan),
    exceptions: [],
    holidayRule: plan.index % 7 === 3 ? 'flag' : 'skip',
  };
  const slots = expandSchedule({ schedule: base, subgroup: plan.subgroup, calendar });
  const withExceptions = { ...base, exceptions: exceptionsOf(plan, slots) };
  // The shared rules judge the demo schedule like any admin's (SCH4–SCH6).
  validateSchedule(withExceptions, plan.subgroup);
  return withExceptions;
}
