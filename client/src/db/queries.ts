import type {
  AttendanceCode,
  CatalogDoc,
  HolidayCalendar,
  Lesson,
  LessonSlot,
  Mark,
  MonthLock,
  Org,
  Programme,
  RosterEntry,
  Schedule,
  Subgroup,
  TakenSlot,
  Topic,
} from '@otmetka/shared';
import {
  buildCalendar,
  type Calendar,
  DEFAULT_ATTENDANCE_CODES,
  defaultCalendar,
  expandSchedule,
  markIdDayPrefix,
  markIdPrefix,
  monthDays,
  monthOf,
  takenSlots,
} from '@otmetka/shared';
import { map, type Observable } from 'rxjs';
import type { OtmetkaDb } from './database.ts';
import type { Notice } from './schemas.ts';

/**
 * Live queries the screens read, as observables of plain documents. Reading is all a screen
 * does with the database directly; writes go through repo.ts.
 */

type Plain<T> = { toJSON(): T };

function plain<T>(docs: Plain<unknown>[]): T[] {
  return docs.map((d) => d.toJSON() as T);
}

export interface CatalogView {
  org: Org | null;
  programmes: Map<string, Programme>;
  /** The subgroups this teacher teaches (all of them for a user without a teacher id). */
  subgroups: Subgroup[];
  schedules: Map<string, Schedule>;
  locks: MonthLock[];
  calendar: HolidayCalendar;
  codes: AttendanceCode[];
  loaded: boolean;
}

export const EMPTY_CATALOG: CatalogView = {
  org: null,
  programmes: new Map(),
  subgroups: [],
  schedules: new Map(),
  locks: [],
  calendar: defaultCalendar(),
  codes: DEFAULT_ATTENDANCE_CODES,
  loaded: false,
};

export function catalog$(db: OtmetkaDb, teacherId: string | null): Observable<CatalogView> {
  return db.rx.collections.catalog
    .find()
    .$.pipe(map((docs) => buildCatalog(plain<CatalogDoc>(docs), teacherId)));
}

function buildCatalog(docs: CatalogDoc[], teacherId: string | null): CatalogView {
  const view: CatalogView = { ...EMPTY_CATALOG, programmes: new Map(), schedules: new Map() };
  view.loaded = docs.length > 0;
  const subgroups: Subgroup[] = [];
  for (const doc of docs) {
    if (doc._deleted) continue;
    if (doc.type === 'org') view.org = doc;
    else if (doc.type === 'programme') view.programmes.set(doc.id, doc);
    else if (doc.type === 'subgroup') subgroups.push(doc);
    else if (doc.type === 'schedule') view.schedules.set(doc.subgroupId, doc);
    else if (doc.type === 'lock') view.locks.push(doc);
    else if (doc.type === 'calendar') view.calendar = safeCalendar(doc);
  }
  view.subgroups = subgroups
    .filter((s) => !teacherId || s.teacherIds.includes(teacherId))
    .sort((a, b) => a.name.localeCompare(b.name, 'ru'));
  view.codes = view.org?.attendanceCodes ?? DEFAULT_ATTENDANCE_CODES;
  return view;
}

/** The calendar document was parsed with catalogDocSchema when it was pulled. */
function safeCalendar(doc: unknown): HolidayCalendar {
  try {
    return buildCalendar(doc as Calendar);
  } catch {
    return defaultCalendar();
  }
}

/**
 * What `expand` makes of the subgroup's schedule, or [] when it has none or it cannot be
 * expanded (a schedule the device cannot read must not take the journal down).
 */
function fromSchedule<T>(
  view: CatalogView,
  subgroup: Subgroup,
  expand: (input: { schedule: Schedule; subgroup: Subgroup; calendar: HolidayCalendar }) => T[],
): T[] {
  const schedule = view.schedules.get(subgroup.id);
  if (!schedule) return [];
  try {
    return expand({ schedule, subgroup, calendar: view.calendar });
  } catch (err) {
    console.warn('schedule cannot be expanded', err);
    return [];
  }
}

/** The lesson slots of a subgroup in a month (empty when it has no valid schedule). */
export function slotsOfMonth(view: CatalogView, subgroup: Subgroup, month: string): LessonSlot[] {
  const days = monthDays(month);
  return fromSchedule(view, subgroup, (input) =>
    expandSchedule({ ...input, from: days[0], to: days[days.length - 1] }),
  );
}

/** Every slot of a subgroup's study year (empty without a valid schedule). */
export function yearSlots(view: CatalogView, subgroup: Subgroup): LessonSlot[] {
  return fromSchedule(view, subgroup, expandSchedule);
}

/**
 * LS17: the rules' lessons the admin cancelled or moved away (SCH14) in a month, or in the
 * whole year without `month` (empty without a valid schedule).
 */
export function takenOfSubgroup(
  view: CatalogView,
  subgroup: Subgroup,
  month?: string,
): TakenSlot[] {
  const taken = fromSchedule(view, subgroup, takenSlots);
  return month === undefined ? taken : taken.filter((t) => monthOf(t.date) === month);
}

/** The slot a `move` exception of the schedule took the lesson of (date, start) to. */
export function movedSlot(
  slots: LessonSlot[],
  date: string,
  start: string,
): LessonSlot | undefined {
  return slots.find((s) => s.movedFrom?.date === date && s.movedFrom?.start === start);
}

/** A lesson kept off the schedule (its slot left it after marks were taken) opens from its own document. */
export function slotOfLesson(lesson: Lesson): LessonSlot {
  return {
    lessonId: lesson.id,
    subgroupId: lesson.subgroupId,
    date: lesson.date,
    start: lesson.start,
    end: lesson.end,
    academicHours: lesson.academicHours,
    holiday: null,
    ruleId: null,
    movedFrom: null,
  };
}

/**
 * LS5: the lessons a month shows, in (date, start) order: the schedule's slots, plus every
 * lesson of the month stored off them. The server keeps such a lesson (flagged
 * 'off-schedule') when a schedule edit removes a slot that holds the teacher's marks, and the
 * табель lists it; the teacher must find those marks in the month too.
 */
export function monthColumns(slots: LessonSlot[], lessons: Lesson[]): LessonSlot[] {
  const onSlot = new Set(slots.map((s) => s.lessonId));
  const kept = lessons.filter((l) => !l._deleted && !onSlot.has(l.id)).map(slotOfLesson);
  if (kept.length === 0) return slots;
  return [...slots, ...kept].sort(
    (a, b) => a.date.localeCompare(b.date) || a.start.localeCompare(b.start),
  );
}

export function roster$(db: OtmetkaDb, subgroupId: string): Observable<RosterEntry[]> {
  return db.rx.collections.roster
    .find({ selector: { subgroupId } })
    .$.pipe(map((docs) => plain<RosterEntry>(docs)));
}

/** Display names of every learner on the device's rosters, by learner id (for notices). */
export function learnerNames$(db: OtmetkaDb): Observable<Map<string, string>> {
  return db.rx.collections.roster
    .find()
    .$.pipe(map((docs) => new Map(plain<RosterEntry>(docs).map((r) => [r.learnerId, r.name]))));
}

export function lessons$(db: OtmetkaDb, subgroupId: string, from?: string, to?: string) {
  const date = from && to ? { $gte: from, $lte: to } : { $gte: '' };
  return db.rx.collections.lessons
    .find({ selector: { subgroupId, date } })
    .$.pipe(map((docs) => plain<Lesson>(docs)));
}

export function lesson$(db: OtmetkaDb, id: string): Observable<Lesson | null> {
  return db.rx.collections.lessons
    .findOne(id)
    .$.pipe(map((doc) => (doc ? (doc.toJSON() as Lesson) : null)));
}

/** Ids from `from` up to the last that starts with `through` (ids are ASCII). */
const idRange = (from: string, through: string) => ({ $gte: from, $lt: `${through}\uffff` });

/** A month's marks of a subgroup: from the first day's ids through the last day's, one range. */
export function marksOfMonth$(db: OtmetkaDb, subgroupId: string, from: string, to: string) {
  const range = idRange(markIdDayPrefix(subgroupId, from), markIdDayPrefix(subgroupId, to));
  return db.rx.collections.marks
    .find({ selector: { id: range } })
    .$.pipe(map((docs) => plain<Mark>(docs)));
}

export function marksOfLesson$(db: OtmetkaDb, lessonId: string): Observable<Mark[]> {
  const prefix = markIdPrefix(lessonId);
  return db.rx.collections.marks
    .find({ selector: { id: idRange(prefix, prefix) } })
    .$.pipe(map((docs) => plain<Mark>(docs)));
}

export function topics$(db: OtmetkaDb, subgroupId: string): Observable<Topic[]> {
  return db.rx.collections.topics
    .find({ selector: { subgroupId }, sort: [{ order: 'asc' }] })
    .$.pipe(map((docs) => plain<Topic>(docs)));
}

export function notices$(db: OtmetkaDb): Observable<Notice[]> {
  return db.rx.collections.notices
    .find({ selector: { dismissed: false } })
    .$.pipe(map((docs) => plain<Notice>(docs).sort((a, b) => b.at - a.at)));
}
