import {
  type HolidayCalendar,
  type Lesson,
  type LessonSlot,
  markIdPrefix,
  type Schedule,
  SERVER_DEVICE,
  type Stamp,
  type Subgroup,
  scheduleChangeImpact,
  scheduleId,
  type TakenSlot,
  validateSchedule,
} from '@otmetka/shared';
import {
  idParamsSchema,
  type ScheduleImpact,
  type ScheduleInput,
  scheduleInputSchema,
  schedulePreviewResponseSchema,
  scheduleResponseSchema,
  scheduleSaveResponseSchema,
} from '@otmetka/shared/api';
import type { FastifyInstance } from 'fastify';
import type { Doc } from '../db/store.ts';
import { route } from '../http/route.ts';
import { journal, OrgData, slotsOf, takenOf } from './data.ts';
import { type LockedMonthOf, lockedMonthChecker, monthLocked } from './month-locks.ts';

/**
 * The schedule of a subgroup: weekly rules, exceptions and the holiday rule, validated by the
 * shared rules (errors name the field, `rules[1].to`). Saving never loses a teacher's input: a
 * lesson whose slot disappears is kept and flagged 'off-schedule' when it holds anything the
 * teacher entered (marks, a held status, a topic, homework or a remark); an empty one is
 * deleted as a full-body tombstone so devices drop it too.
 */

const ADMIN = ['admin'] as const;
const TAGS = ['admin: schedule'];

function scheduleDoc(orgId: string, subgroupId: string, input: ScheduleInput): Schedule {
  return { id: scheduleId(subgroupId), type: 'schedule', orgId, subgroupId, ...input };
}

function hasTeacherInput(lesson: Lesson, withMarks: Set<string>): boolean {
  return (
    withMarks.has(lesson.id) ||
    lesson.status !== 'planned' ||
    lesson.topicId !== null ||
    lesson.topicTitle !== '' ||
    lesson.homework !== '' ||
    lesson.remark !== ''
  );
}

interface Plan {
  schedule: Schedule;
  subgroup: Subgroup;
  calendar: HolidayCalendar;
  oldSlots: LessonSlot[];
  newSlots: LessonSlot[];
  lessons: Lesson[];
  withMarks: Set<string>;
  impact: ScheduleImpact;
  /** The dates whose cancellation or move the change sets, alters or takes back (SCH14). */
  takenChanged: string[];
}

/** Validates the new schedule and works out what it does to the stored lessons. */
async function plan(data: OrgData, subgroupId: string, input: ScheduleInput): Promise<Plan> {
  const subgroup = await data.subgroup(subgroupId);
  const schedule = scheduleDoc(data.orgId, subgroupId, input);
  validateSchedule(schedule, subgroup);

  const [calendar, old] = await Promise.all([data.calendar(), data.schedule(subgroupId)]);
  return planChange(data, { subgroup, old, schedule, oldCalendar: calendar, calendar });
}

/** A change of a subgroup's dates: of its schedule, of the organisation's calendar, or both. */
interface DatesChange {
  subgroup: Subgroup;
  old: Schedule | undefined;
  schedule: Schedule;
  oldCalendar: HolidayCalendar;
  calendar: HolidayCalendar;
}

/** What a change of the subgroup's dates does to its stored lessons. */
async function planChange(data: OrgData, c: DatesChange): Promise<Plan> {
  const [lessons, marks] = await Promise.all([
    journal(data.store, c.subgroup.id).lessons(),
    journal(data.store, c.subgroup.id).marks(),
  ]);
  const withMarks = new Set(marks.map((m) => m.lessonId));
  const withInput = new Set(lessons.filter((l) => hasTeacherInput(l, withMarks)).map((l) => l.id));
  const oldSlots = slotsOf(c.subgroup, c.old, c.oldCalendar);
  const newSlots = slotsOf(c.subgroup, c.schedule, c.calendar);

  return {
    schedule: c.schedule,
    subgroup: c.subgroup,
    calendar: c.calendar,
    oldSlots,
    newSlots,
    lessons,
    withMarks,
    impact: scheduleChangeImpact(oldSlots, newSlots, withInput),
    takenChanged: takenChanges(
      takenOf(c.subgroup, c.old, c.oldCalendar),
      takenOf(c.subgroup, c.schedule, c.calendar),
    ),
  };
}

/** LK4: a cancellation or move whose kind, reason or new place differs, by its lesson's date. */
function takenChanges(before: TakenSlot[], after: TakenSlot[]): string[] {
  const key = (t: TakenSlot) =>
    JSON.stringify([t.lessonId, t.kind, t.reason, t.movedTo?.date, t.movedTo?.start]);
  const beforeKeys = new Set(before.map(key));
  const afterKeys = new Set(after.map(key));
  return [
    ...before.filter((t) => !afterKeys.has(key(t))),
    ...after.filter((t) => !beforeKeys.has(key(t))),
  ].map((t) => t.date);
}

/**
 * LK4: the first locked month in which the new schedule adds, removes or changes a slot, or
 * sets, alters or takes back a cancellation or a move: the closed month's табель would gain
 * empty lessons, lose or flag its lessons, or tell its cancelled ones otherwise. None when it
 * touches only open months, or for a subgroup's first schedule.
 */
function lockedMonthHit(p: Plan, lockedMonthOf: LockedMonthOf): string | undefined {
  // A subgroup's first schedule rewrites nothing: it had no lessons and no табель, and a group
  // entered in the middle of the year needs its whole year's dates.
  if (p.oldSlots.length === 0 && p.lessons.length === 0) return undefined;
  const touched = [...p.impact.removed, ...p.impact.added, ...p.impact.changed].map((s) => s.date);
  // A closed табель also lists its cancelled and moved lessons with their reason (RP9).
  return lockedMonthOf([...touched, ...p.takenChanged].map((date) => date.slice(0, 7)));
}

function scheduleLocked(month: string) {
  return monthLocked(month, 'новое расписание добавило бы, убрало или изменило в нём занятия');
}

type Outcome = 'kept' | 'flagged' | 'deleted';

/**
 * What the new schedule does to one stored lesson: back on a slot (the holiday flag follows the
 * slot), off the schedule with teacher input (flagged), or off the schedule and empty (deleted,
 * stamped so the conflict rules order the delete against later device edits, CR2).
 */
function nextLesson(
  lesson: Lesson,
  slot: LessonSlot | undefined,
  withMarks: Set<string>,
  stamp: Stamp,
): { doc: Lesson; outcome: Outcome } {
  if (slot) {
    const flag = slot.holiday ? 'holiday' : null;
    return { doc: lesson.flag === flag ? lesson : { ...lesson, flag }, outcome: 'kept' };
  }
  if (hasTeacherInput(lesson, withMarks)) {
    return { doc: { ...lesson, flag: 'off-schedule' }, outcome: 'flagged' };
  }
  const stamps = { ...lesson.stamps, _deleted: stamp };
  return { doc: { ...lesson, stamps, _deleted: true }, outcome: 'deleted' };
}

/**
 * Applies nextLesson to each stored lesson as a read-modify-write, so a device edit that lands
 * between the plan and the write is re-judged instead of overwritten. PR12: a lesson is deleted
 * only when it has no marks as read after the lesson itself. A push that writes a mark on it
 * then writes the lesson (push.ts), so either this read sees the mark, or the deletion's
 * revision is stale and the retry reads the mark, or the push finds the lesson deleted and
 * brings it back.
 */
async function applyToLessons(data: OrgData, p: Plan, stamp: Stamp) {
  const slots = new Map(p.newSlots.map((s) => [s.lessonId, s]));
  const db = journal(data.store, p.subgroup.id).db;
  const counts = { flagged: 0, deleted: 0 };

  for (const lesson of p.lessons) {
    const first = nextLesson(lesson, slots.get(lesson.id), p.withMarks, stamp);
    if (first.doc === lesson) continue;

    let outcome: Outcome = first.outcome;
    await data.store.update<Lesson & Doc>(db, lesson.id, async (current) => {
      if (!current) return undefined;
      const slot = slots.get(current.id);
      let next = nextLesson(current, slot, p.withMarks, stamp);
      if (next.outcome === 'deleted' && (await hasMarks(data, db, current.id))) {
        next = nextLesson(current, slot, new Set([current.id]), stamp);
      }
      outcome = next.outcome;
      return next.doc === current ? undefined : (next.doc as Lesson & Doc);
    });
    if (outcome === 'flagged') counts.flagged += 1;
    if (outcome === 'deleted') counts.deleted += 1;
  }
  return counts;
}

/** Whether a live mark of the lesson is stored (a journal keeps its deleted marks as tombstones). */
async function hasMarks(data: OrgData, db: string, lessonId: string): Promise<boolean> {
  const { docs } = await data.store.scanPrefix(db, markIdPrefix(lessonId), undefined, 1000);
  return docs.some((mark) => !mark._deleted);
}

/** The plan with the subgroup's lessons and marks as stored now. */
async function withLessonsNow(data: OrgData, p: Plan): Promise<Plan> {
  const [lessons, marks] = await Promise.all([
    journal(data.store, p.subgroup.id).lessons(),
    journal(data.store, p.subgroup.id).marks(),
  ]);
  return { ...p, lessons, withMarks: new Set(marks.map((m) => m.lessonId)) };
}

function holidaysIn(calendar: HolidayCalendar, subgroup: Subgroup) {
  return calendar.days
    .filter((d) => d.date >= subgroup.periodFrom && d.date <= subgroup.periodTo)
    .map((d) => ({ date: d.date, name: d.name }));
}

function getRoute(app: FastifyInstance) {
  route(
    app,
    {
      method: 'GET',
      url: '/api/admin/subgroups/:id/schedule',
      summary: 'Расписание подгруппы (null, если его ещё нет)',
      tags: TAGS,
      params: idParamsSchema,
      response: scheduleResponseSchema,
      roles: ADMIN,
    },
    async ({ user, params }) => {
      const data = new OrgData(app.store, user.org);
      await data.subgroup(params.id);
      const schedule = await data.schedule(params.id);
      return { schedule: schedule ? { ...schedule, _deleted: undefined } : null };
    },
  );
}

function previewRoute(app: FastifyInstance) {
  route(
    app,
    {
      method: 'POST',
      url: '/api/admin/subgroups/:id/schedule/preview',
      summary: 'Предпросмотр расписания: даты учебного года, праздники, последствия изменения',
      tags: TAGS,
      params: idParamsSchema,
      body: scheduleInputSchema,
      response: schedulePreviewResponseSchema,
      roles: ADMIN,
    },
    async ({ user, params, body }) => {
      const data = new OrgData(app.store, user.org);
      const p = await plan(data, params.id, body);
      // LK9: the preview says what the save would refuse, and still shows the dates.
      const hit = lockedMonthHit(
        p,
        await lockedMonthChecker(data, p.subgroup.id, app.config.now()),
      );
      const hours = p.newSlots.reduce((sum, s) => sum + s.academicHours, 0);
      return {
        slots: p.newSlots,
        holidays: holidaysIn(p.calendar, p.subgroup),
        totals: {
          lessons: p.newSlots.length,
          academicHours: Math.round(hours * 100) / 100,
          onHolidays: p.newSlots.filter((s) => s.holiday !== null).length,
          hoursPerYear: p.subgroup.hoursPerYear,
        },
        impact: p.impact,
        locked: hit ? { month: hit, message: scheduleLocked(hit).message } : null,
      };
    },
  );
}

function saveRoute(app: FastifyInstance) {
  route(
    app,
    {
      method: 'PUT',
      url: '/api/admin/subgroups/:id/schedule',
      summary: 'Сохранить расписание (занятия с отметками сохраняются и помечаются)',
      tags: TAGS,
      params: idParamsSchema,
      body: scheduleInputSchema,
      response: scheduleSaveResponseSchema,
      roles: ADMIN,
    },
    async ({ user, params, body }) => {
      const data = new OrgData(app.store, user.org);
      const p = await plan(data, params.id, body);
      const hit = lockedMonthHit(
        p,
        await lockedMonthChecker(data, p.subgroup.id, app.config.now()),
      );
      if (hit) throw scheduleLocked(hit);
      const stamp: Stamp = { at: app.config.now(), dev: SERVER_DEVICE, by: user.sub, off: false };

      // The schedule first, then the lessons read again: a push judged by the old schedule
      // that wrote a lesson before this read is swept with the rest, and one that wrote after it
      // sees the new schedule once written (PR11).
      await app.store.put(data.orgDb, p.schedule as Schedule & Doc);
      const changes = await applyToLessons(data, await withLessonsNow(data, p), stamp);
      return {
        schedule: p.schedule,
        impact: p.impact,
        lessonsFlagged: changes.flagged,
        lessonsDeleted: changes.deleted,
      };
    },
  );
}

/** Whether the schedule gives the same lessons, holiday flags and takings under both calendars. */
function sameDates(
  subgroup: Subgroup,
  schedule: Schedule,
  before: HolidayCalendar,
  after: HolidayCalendar,
): boolean {
  const dates = (calendar: HolidayCalendar) =>
    JSON.stringify([slotsOf(subgroup, schedule, calendar), takenOf(subgroup, schedule, calendar)]);
  return dates(before) === dates(after);
}

/**
 * SCH15: a new holiday calendar changes the dates of every subgroup whose schedule meets a day
 * it adds, removes or renames, as a schedule save of each would: refused (MONTH_LOCKED, naming
 * the subgroup) when it touches a locked month of any, and otherwise each subgroup's lessons
 * off the new dates kept and flagged when they hold teacher input, deleted when empty.
 * Replacing the calendar used to rewrite closed months' hours silently and leave such lessons
 * unflagged. `save` stores the calendar, between the checks and the lessons' sweep (PR11's
 * order). Returns the lessons flagged and deleted.
 */
export async function changeCalendar(
  data: OrgData,
  calendar: HolidayCalendar,
  by: string,
  now: number,
  save: () => Promise<void>,
): Promise<{ lessonsFlagged: number; lessonsDeleted: number }> {
  const [oldCalendar, subgroups, schedules] = await Promise.all([
    data.calendar(),
    data.subgroups(),
    data.schedules(),
  ]);
  const scheduleOf = new Map(schedules.map((s) => [s.subgroupId, s]));
  const plans: Plan[] = [];
  for (const subgroup of subgroups) {
    const schedule = scheduleOf.get(subgroup.id);
    if (!schedule || sameDates(subgroup, schedule, oldCalendar, calendar)) continue;
    const change = { subgroup, old: schedule, schedule, oldCalendar, calendar };
    const p = await planChange(data, change);
    const hit = lockedMonthHit(p, await lockedMonthChecker(data, subgroup.id, now));
    if (hit) {
      throw monthLocked(
        hit,
        `новый календарь добавил бы, убрал или изменил в нём занятия подгруппы «${subgroup.name}»`,
      );
    }
    plans.push(p);
  }

  await save();
  const stamp: Stamp = { at: now, dev: SERVER_DEVICE, by, off: false };
  const totals = { lessonsFlagged: 0, lessonsDeleted: 0 };
  for (const p of plans) {
    const changes = await applyToLessons(data, await withLessonsNow(data, p), stamp);
    totals.lessonsFlagged += changes.flagged;
    totals.lessonsDeleted += changes.deleted;
  }
  return totals;
}

export function scheduleRoutes(app: FastifyInstance): void {
  getRoute(app);
  previewRoute(app);
  saveRoute(app);
}
