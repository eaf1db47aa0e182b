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
import {
  type LockedMonthOf,
  lockedMonthChecker,
  lockedMonthCheckers,
  monthLocked,
} from './month-locks.ts';

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

/** What a change does to a subgroup's dates, before any lesson is read. */
interface Dates {
  oldSlots: LessonSlot[];
  newSlots: LessonSlot[];
  impact: ScheduleImpact;
  /** The dates whose cancellation or move the change sets, alters or takes back (SCH14). */
  takenChanged: string[];
  /** SCH15: the dates of slots kept whose holiday mark the change sets, renames or takes off. */
  holidayChanged: string[];
}

interface Plan extends Dates {
  schedule: Schedule;
  subgroup: Subgroup;
  calendar: HolidayCalendar;
  lessons: Lesson[];
  withMarks: Set<string>;
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
  return {
    ...datesOf(c, withInput),
    schedule: c.schedule,
    subgroup: c.subgroup,
    calendar: c.calendar,
    lessons,
    withMarks,
  };
}

/** `withInput`: the lessons with teacher input, which the impact lists apart (SCH8). */
function datesOf(c: DatesChange, withInput = new Set<string>()): Dates {
  const oldSlots = slotsOf(c.subgroup, c.old, c.oldCalendar);
  const newSlots = slotsOf(c.subgroup, c.schedule, c.calendar);
  const holidayBefore = new Map(oldSlots.map((slot) => [slot.lessonId, slot.holiday]));
  return {
    oldSlots,
    newSlots,
    impact: scheduleChangeImpact(oldSlots, newSlots, withInput),
    takenChanged: takenChanges(
      takenOf(c.subgroup, c.old, c.oldCalendar),
      takenOf(c.subgroup, c.schedule, c.calendar),
    ),
    holidayChanged: newSlots
      .filter((slot) => holidayBefore.has(slot.lessonId))
      .filter((slot) => holidayBefore.get(slot.lessonId) !== slot.holiday)
      .map((slot) => slot.date),
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
  return firstLockedTouch(p, lockedMonthOf);
}

function firstLockedTouch(d: Dates, lockedMonthOf: LockedMonthOf): string | undefined {
  const touched = [...d.impact.removed, ...d.impact.added, ...d.impact.changed].map((s) => s.date);
  // A closed табель also lists its cancelled and moved lessons with their reason (RP9), and
  // stars its lessons on holidays.
  const dates = [...touched, ...d.takenChanged, ...d.holidayChanged];
  return lockedMonthOf(dates.map((date) => date.slice(0, 7)));
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

async function saveSchedule(
  app: FastifyInstance,
  data: OrgData,
  by: string,
  subgroupId: string,
  input: ScheduleInput,
) {
  const p = await plan(data, subgroupId, input);
  const hit = lockedMonthHit(p, await lockedMonthChecker(data, p.subgroup.id, app.config.now()));
  if (hit) throw scheduleLocked(hit);
  const stamp: Stamp = { at: app.config.now(), dev: SERVER_DEVICE, by, off: false };

  // The schedule first, then the lessons read again: a push judged by the old schedule that
  // wrote a lesson before this read is swept with the rest, and one that wrote after it sees
  // the new schedule once written (PR11).
  await app.store.put(data.orgDb, p.schedule as Schedule & Doc);
  const changes = await applyToLessons(data, await withLessonsNow(data, p), stamp);
  return {
    schedule: p.schedule,
    impact: p.impact,
    lessonsFlagged: changes.flagged,
    lessonsDeleted: changes.deleted,
  };
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
      // SCH15: one change of dates at a time, a calendar's or a schedule's.
      return data.exclusive('dates', () => saveSchedule(app, data, user.sub, params.id, body));
    },
  );
}

/**
 * SCH15: a new holiday calendar changes the dates of every subgroup whose schedule meets a day
 * it adds, removes or renames, as a schedule save of each would: refused (MONTH_LOCKED, naming
 * the subgroup) when it touches a locked month of any, and otherwise each subgroup's lessons
 * off the new dates kept and flagged when they hold teacher input, deleted when empty.
 * Replacing the calendar used to rewrite closed months' hours silently and leave such lessons
 * unflagged. `save` stores the calendar, between the checks and the lessons' sweep (PR11's
 * order). Under the `dates` lease, so no schedule save plans on the calendar being replaced.
 * Returns the lessons flagged and deleted.
 */
export function changeCalendar(
  data: OrgData,
  calendar: HolidayCalendar,
  by: string,
  now: number,
  save: () => Promise<void>,
): Promise<{ lessonsFlagged: number; lessonsDeleted: number }> {
  return data.exclusive('dates', async () => {
    const [oldCalendar, subgroups, schedules, programmes, lockedFor] = await Promise.all([
      data.calendar(),
      data.subgroups(),
      data.schedules(),
      data.programmes(),
      lockedMonthCheckers(data, now),
    ]);
    const scheduleOf = new Map(schedules.map((s) => [s.subgroupId, s]));
    const scheduled = subgroups.filter((sg) => scheduleOf.has(sg.id));
    const programmeName = new Map(programmes.map((p) => [p.id, p.name]));

    for (const subgroup of scheduled) {
      const schedule = scheduleOf.get(subgroup.id)!;
      const dates = datesOf({ subgroup, old: schedule, schedule, oldCalendar, calendar });
      const hit = firstLockedTouch(dates, lockedFor(subgroup.id));
      if (!hit) continue;
      const name = [programmeName.get(subgroup.programmeId), subgroup.name].filter(Boolean);
      throw monthLocked(
        hit,
        `новый календарь добавил бы, убрал или изменил в нём занятия подгруппы «${name.join(', ')}»`,
      );
    }

    await save();
    // Every scheduled subgroup is swept, its dates changed or not: a change whose sweep was cut
    // short (a restart, the database away) is completed by sending the calendar again.
    const stamp: Stamp = { at: now, dev: SERVER_DEVICE, by, off: false };
    const totals = { lessonsFlagged: 0, lessonsDeleted: 0 };
    await inParallel(scheduled, SWEEP_PARALLEL, async (subgroup) => {
      const swept = await sweepOnCalendar(data, subgroup, scheduleOf.get(subgroup.id)!, calendar);
      const changes = await applyToLessons(data, swept, stamp);
      totals.lessonsFlagged += changes.flagged;
      totals.lessonsDeleted += changes.deleted;
    });
    return totals;
  });
}

/** How many subgroups a calendar change sweeps at once. */
const SWEEP_PARALLEL = 8;

/**
 * A plan that settles the subgroup's stored lessons on its dates under `calendar`. Only the
 * lessons are read: a lesson off the new dates is deleted only after its marks are read
 * (applyToLessons, hasMarks), so the marks of the lessons that stay need no reading.
 */
async function sweepOnCalendar(
  data: OrgData,
  subgroup: Subgroup,
  schedule: Schedule,
  calendar: HolidayCalendar,
): Promise<Plan> {
  const lessons = await journal(data.store, subgroup.id).lessons();
  const change = { subgroup, old: schedule, schedule, oldCalendar: calendar, calendar };
  return { ...datesOf(change), schedule, subgroup, calendar, lessons, withMarks: new Set() };
}

async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export function scheduleRoutes(app: FastifyInstance): void {
  getRoute(app);
  previewRoute(app);
  saveRoute(app);
}
