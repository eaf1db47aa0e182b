import {
  isoWeekday,
  minutesOf,
  newEntityId,
  type Schedule,
  type ScheduleException,
} from '@otmetka/shared';
import type { ScheduleInput, SubgroupView } from '@otmetka/shared/api';

/**
 * The schedule editor's draft: the schedule's rules and exceptions as the form's strings, and
 * the conversion to the request body. The rules themselves (overlaps, study period, holidays)
 * are checked by the server with the shared schedule.ts, which names the field that is wrong.
 */

export interface RuleDraft {
  id: string;
  from: string;
  to: string;
  weekdays: number[];
  start: string;
  end: string;
  academicHours: string;
  minutesPerHour: string;
  breakMinutes: string;
}

export type ExceptionKind = ScheduleException['kind'];

export interface ExceptionDraft {
  key: string;
  kind: ExceptionKind;
  date: string;
  start: string;
  toDate: string;
  toStart: string;
  /** The end of an 'add' slot, or of the moved slot. */
  end: string;
  academicHours: string;
  reason: string;
}

export interface ScheduleDraft {
  rules: RuleDraft[];
  exceptions: ExceptionDraft[];
  holidayRule: 'skip' | 'flag';
}

export function newRule(
  subgroup: Pick<SubgroupView, 'periodFrom' | 'periodTo'> | undefined,
): RuleDraft {
  return {
    id: newEntityId('r'),
    from: subgroup?.periodFrom ?? '',
    to: subgroup?.periodTo ?? '',
    weekdays: [],
    start: '15:00',
    end: '15:45',
    academicHours: '1',
    minutesPerHour: '45',
    breakMinutes: '10',
  };
}

/**
 * AS14: a new exception starts at the lessons' time when the rules have one time only: a
 * cancellation or a move of «the lesson on the 21st» then needs just the date (the empty
 * «Начало» answered «Ожидается время ЧЧ:ММ» on a group that meets at 15:00 only).
 */
export function newException(kind: ExceptionKind, rules: RuleDraft[] = []): ExceptionDraft {
  const starts = new Set(rules.map((r) => r.start).filter(Boolean));
  const start = kind !== 'add' && starts.size === 1 ? [...starts][0]! : '';
  return {
    key: newEntityId('x'),
    kind,
    date: '',
    start,
    toDate: '',
    toStart: '',
    end: '',
    academicHours: '1',
    reason: '',
  };
}

export function draftOf(
  schedule: Schedule | null | undefined,
  subgroup?: SubgroupView,
): ScheduleDraft {
  if (!schedule) return { rules: [newRule(subgroup)], exceptions: [], holidayRule: 'skip' };
  return {
    holidayRule: schedule.holidayRule,
    rules: schedule.rules.map((r) => ({
      ...r,
      academicHours: String(r.academicHours),
      minutesPerHour: String(r.minutesPerHour),
      breakMinutes: String(r.breakMinutes),
    })),
    exceptions: schedule.exceptions.map(exceptionDraftOf),
  };
}

function exceptionDraftOf(x: ScheduleException): ExceptionDraft {
  const base = { ...newException(x.kind), date: x.date, start: x.start, reason: x.reason };
  switch (x.kind) {
    case 'cancel':
      return base;
    case 'move':
      return { ...base, toDate: x.toDate, toStart: x.toStart, end: x.toEnd };
    case 'add':
      return { ...base, end: x.end, academicHours: String(x.academicHours) };
  }
}

function num(text: string): number {
  return Number(text.replace(',', '.'));
}

/** The request body. Numbers that do not parse stay NaN, and the server names the field. */
export function inputOf(draft: ScheduleDraft): ScheduleInput {
  return {
    holidayRule: draft.holidayRule,
    rules: draft.rules.map((r) => ({
      id: r.id,
      from: r.from,
      to: r.to,
      weekdays: [...r.weekdays].sort((a, b) => a - b),
      start: r.start,
      end: r.end,
      academicHours: num(r.academicHours),
      minutesPerHour: num(r.minutesPerHour),
      breakMinutes: num(r.breakMinutes),
    })),
    exceptions: draft.exceptions.map(exceptionOf),
  };
}

function exceptionOf(x: ExceptionDraft): ScheduleException {
  switch (x.kind) {
    case 'cancel':
      return { kind: 'cancel', date: x.date, start: x.start, reason: x.reason };
    case 'move':
      return {
        kind: 'move',
        date: x.date,
        start: x.start,
        toDate: x.toDate,
        toStart: x.toStart,
        toEnd: x.end,
        reason: x.reason,
      };
    case 'add':
      return {
        kind: 'add',
        date: x.date,
        start: x.start,
        end: x.end,
        academicHours: num(x.academicHours),
        reason: x.reason,
      };
  }
}

/**
 * The end time of a lesson of `hours` academic hours of `minutesPerHour`, with a break between
 * hours: 15:00, 2 × 45 min + 10 → 16:40. Null when an input does not parse or passes midnight.
 */
export function endTimeOf(
  start: string,
  hours: string,
  minutesPerHour: string,
  breaks: string,
): string | null {
  let startMinutes: number;
  try {
    startMinutes = minutesOf(start);
  } catch {
    return null;
  }
  const h = num(hours);
  const m = num(minutesPerHour);
  const b = num(breaks);
  if (![h, m, b].every(Number.isFinite) || h <= 0) return null;

  const total = startMinutes + Math.round(h * m) + Math.max(0, Math.ceil(h) - 1) * b;
  if (total >= 24 * 60) return null;
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

/** A time `minutes` after `time`, or null when it does not parse or passes midnight. */
function later(time: string, minutes: number): string | null {
  let total: number;
  try {
    total = minutesOf(time) + minutes;
  } catch {
    return null;
  }
  if (total >= 24 * 60) return null;
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

/** The weekly rule whose lesson is on `date` at `start` (the lesson a cancel or move names). */
export function ruleOfLesson(rules: RuleDraft[], date: string, start: string): RuleDraft | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return null;
  const day = isoWeekday(date);
  const covers = (r: RuleDraft) => r.from <= date && date <= r.to && r.weekdays.includes(day);
  return rules.find((r) => r.start === start && covers(r)) ?? null;
}

/**
 * AS8: the end of a moved or added lesson as the admin would type it: a move keeps its lesson's
 * length (its rule's start–end, SCH12), an added lesson takes its hours as the first rule counts
 * them (minutes per hour, breaks). Null when the inputs do not say it yet.
 */
export function exceptionEndOf(x: ExceptionDraft, rules: RuleDraft[]): string | null {
  if (x.kind === 'move') {
    const rule = ruleOfLesson(rules, x.date, x.start);
    const length = rule ? lengthOf(rule) : null;
    return length === null ? null : later(x.toStart, length);
  }
  if (x.kind === 'add') {
    const rule = rules[0];
    return endTimeOf(
      x.start,
      x.academicHours,
      rule?.minutesPerHour ?? '45',
      rule?.breakMinutes ?? '10',
    );
  }
  return null;
}

function lengthOf(rule: RuleDraft): number | null {
  try {
    const length = minutesOf(rule.end) - minutesOf(rule.start);
    return length > 0 ? length : null;
  } catch {
    return null;
  }
}
