import {
  CLIENT_FIELDS,
  daysBetween,
  isEnrolledOn,
  type Lesson,
  type LessonSlot,
  type Mark,
  markId,
  type RosterEntry,
  type Stamp,
  type Stamps,
  type Topic,
} from '@otmetka/shared';
import { HOMEWORK, type ProgrammeSpec } from './data.ts';
import type { Random } from './random.ts';

/**
 * The journal of one demo subgroup: its study plan (one topic per scheduled lesson, with the
 * planned date), and every lesson up to `now` held with the roll taken: about 8 % absences
 * coded Н, Б or УП, a grade now and then where the programme has grades, and a rare lesson
 * cancelled for the teacher's illness.
 */

const DAY_MS = 86_400_000;
const FORMS = ['Практическое занятие', 'Беседа', 'Комбинированное занятие', 'Игра'];
const CONTROLS = ['Наблюдение', 'Опрос', 'Выставка работ', 'Практическая работа'];
const ABSENCE_CODES = ['Н', 'Н', 'Н', 'Н', 'Б', 'Б', 'Б', 'УП', 'УП', 'УП'];
const GRADES = ['5', '5', '5', '4', '4', '3'];

export interface JournalContext {
  rng: Random;
  spec: ProgrammeSpec;
  orgId: string;
  subgroupId: string;
  slots: LessonSlot[];
  roster: RosterEntry[];
  teacherUserId: string;
  today: string;
  nowTime: string;
  nowMs: number;
}

/** Stamps of every client field, as if the teacher's device had written them `daysAgo` ago. */
function stampsFor(type: keyof typeof CLIENT_FIELDS, stamp: Stamp): Stamps {
  const stamps: Stamps = {};
  for (const field of CLIENT_FIELDS[type]) stamps[field] = stamp;
  return stamps;
}

function stampOn(ctx: JournalContext, date: string, minute: number): Stamp {
  const at = ctx.nowMs - Math.max(0, daysBetween(date, ctx.today)) * DAY_MS + minute * 1000;
  return { at: Math.min(at, ctx.nowMs), dev: 'seed', by: ctx.teacherUserId, off: false };
}

/** The study plan: the programme's topics spread over the year's lessons. */
export function makeTopics(ctx: JournalContext): Topic[] {
  const plan = ctx.spec.plan.flatMap((s) =>
    s.topics.map((title) => ({ section: s.section, title })),
  );
  const seen = new Map<string, number>();
  return ctx.slots.map((slot, n) => {
    const base = plan[Math.floor((n * plan.length) / ctx.slots.length)]!;
    const part = (seen.get(base.title) ?? 0) + 1;
    seen.set(base.title, part);
    return {
      id: `topic:${ctx.subgroupId}:${String(n + 1).padStart(3, '0')}`,
      type: 'topic',
      orgId: ctx.orgId,
      subgroupId: ctx.subgroupId,
      stamps: stampsFor('topic', stampOn(ctx, '2026-08-28', n)),
      order: n + 1,
      section: base.section,
      title: part === 1 ? base.title : `${base.title}. Занятие ${part}`,
      hours: slot.academicHours,
      form: FORMS[n % FORMS.length]!,
      control: CONTROLS[n % CONTROLS.length]!,
      plannedDate: slot.date,
    };
  });
}

/** A slot is in the past once its end time has passed in the organisation's time zone. */
function isPast(ctx: JournalContext, slot: LessonSlot): boolean {
  return slot.date < ctx.today || (slot.date === ctx.today && slot.end <= ctx.nowTime);
}

function makeMark(ctx: JournalContext, lesson: Lesson, learnerId: string, stamp: Stamp): Mark {
  const absent = ctx.rng.chance(0.08);
  const graded = !absent && ctx.spec.gradesEnabled && ctx.rng.chance(0.2);
  return {
    id: markId(lesson.id, learnerId),
    type: 'mark',
    orgId: ctx.orgId,
    subgroupId: ctx.subgroupId,
    stamps: stampsFor('mark', stamp),
    lessonId: lesson.id,
    learnerId,
    date: lesson.date,
    code: absent ? ctx.rng.pick(ABSENCE_CODES) : '',
    grade: graded ? ctx.rng.pick(GRADES) : null,
    note: '',
  };
}

/** Held lessons up to now with their marks. */
export function makeLessons(
  ctx: JournalContext,
  topics: Topic[],
): { lessons: Lesson[]; marks: Mark[] } {
  const lessons: Lesson[] = [];
  const marks: Mark[] = [];
  ctx.slots.forEach((slot, n) => {
    if (!isPast(ctx, slot)) return;
    const cancelled = ctx.rng.chance(0.02);
    const topic = topics[n]!;
    const stamp = stampOn(ctx, slot.date, n);
    const lesson: Lesson = {
      id: slot.lessonId,
      type: 'lesson',
      orgId: ctx.orgId,
      subgroupId: ctx.subgroupId,
      stamps: stampsFor('lesson', stamp),
      date: slot.date,
      start: slot.start,
      end: slot.end,
      academicHours: slot.academicHours,
      status: cancelled ? 'cancelled' : 'held',
      statusReason: cancelled ? 'Болезнь педагога' : '',
      topicId: cancelled ? null : topic.id,
      topicTitle: cancelled ? '' : topic.title,
      homework: !cancelled && ctx.rng.chance(0.4) ? ctx.rng.pick(HOMEWORK) : '',
      remark: '',
      flag: slot.holiday ? 'holiday' : null,
    };
    lessons.push(lesson);
    if (cancelled) return;
    for (const entry of ctx.roster) {
      if (isEnrolledOn(entry.intervals, slot.date))
        marks.push(makeMark(ctx, lesson, entry.learnerId, stamp));
    }
  });
  return { lessons, marks };
}
