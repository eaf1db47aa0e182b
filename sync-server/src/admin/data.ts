import {
  type Application,
  type Calendar,
  DEFAULT_CALENDAR_DOC,
  expandSchedule,
  type HolidayCalendar,
  type Learner,
  type Lesson,
  type LessonSlot,
  loadCalendar,
  type Mark,
  type Org,
  type Programme,
  type RosterEntry,
  type Schedule,
  type Subgroup,
  scheduleId,
  type TakenSlot,
  type TeacherProfile,
  takenSlots,
  todayIn,
} from '@otmetka/shared';
import { exclusive } from '../db/lease.ts';
import { type Doc, orgDbName, privateDbName, type Store, subgroupDbName } from '../db/store.ts';
import { notFound } from '../http/errors.ts';

/**
 * Reads of an organisation's data shared by the admin, parent and report routes and the seed.
 * Where each kind lives (see db/store.ts):
 * - `otm_org_<orgId>`: org, programmes, subgroups, schedules, teacher profiles (display names),
 *   locks, the calendar, applications (ids and statuses only, no personal data);
 * - `otm_private_<orgId>`: teacher registry entries and learners (they carry birth dates);
 * - `otm_sg_<subgroupId>`: lessons, topics, marks and roster entries of one subgroup.
 * Each organisation has its own databases, so an id of another organisation is simply absent:
 * the routes answer 404 for it.
 */

export const CALENDAR_DOC_ID = 'calendar-ru';

type AsDoc<T> = T & Doc;

export class OrgData {
  readonly orgDb: string;
  readonly privateDb: string;

  constructor(
    readonly store: Store,
    readonly orgId: string,
  ) {
    this.orgDb = orgDbName(orgId);
    this.privateDb = privateDbName(orgId);
  }

  /**
   * AP13: runs `work` as the only change at a time, over every server process, of what `key`
   * names: `subgroup:<id>` for a subgroup's applications, roster and places, `parent:<id>` for
   * a family's children and applications, `dates` for the schedules and the calendar (SCH15).
   * Nested, they are taken in that order. The lease lives in the private database, which no
   * device replicates.
   */
  exclusive<T>(
    key: `subgroup:${string}` | `parent:${string}` | 'dates',
    work: () => Promise<T>,
  ): Promise<T> {
    return exclusive(this.store, this.privateDb, key, work);
  }

  /** A live catalog document of the given type, or undefined (another type counts as absent). */
  async catalogDoc<T extends { type: string }>(
    id: string,
    type: T['type'],
  ): Promise<T | undefined> {
    const doc = await this.store.get<AsDoc<T>>(this.orgDb, id);
    return doc && doc.type === type ? doc : undefined;
  }

  async org(): Promise<Org> {
    const org = await this.catalogDoc<Org>(this.orgId, 'org');
    if (!org) throw notFound('Организация не найдена');
    return org;
  }

  async programme(id: string): Promise<Programme> {
    const programme = await this.catalogDoc<Programme>(id, 'programme');
    if (!programme) throw notFound(`Программа ${id} не найдена`);
    return programme;
  }

  async subgroup(id: string): Promise<Subgroup> {
    const subgroup = await this.catalogDoc<Subgroup>(id, 'subgroup');
    if (!subgroup) throw notFound(`Подгруппа ${id} не найдена`);
    return subgroup;
  }

  async schedule(subgroupId: string): Promise<Schedule | undefined> {
    return this.catalogDoc<Schedule>(scheduleId(subgroupId), 'schedule');
  }

  list<T>(type: string): Promise<T[]> {
    return this.store.listByType<AsDoc<T>>(this.orgDb, type);
  }

  programmes = () => this.list<Programme>('programme');
  subgroups = () => this.list<Subgroup>('subgroup');
  schedules = () => this.list<Schedule>('schedule');
  teacherProfiles = () => this.list<TeacherProfile>('teacher');

  applications(selector: Record<string, unknown> = {}): Promise<Application[]> {
    return this.store.find<AsDoc<Application>>(this.orgDb, { type: 'application', ...selector });
  }

  async calendarDoc(): Promise<Calendar> {
    return (await this.catalogDoc<Calendar>(CALENDAR_DOC_ID, 'calendar')) ?? DEFAULT_CALENDAR_DOC;
  }

  async calendar(): Promise<HolidayCalendar> {
    return loadCalendar(await this.calendarDoc());
  }

  async learner(id: string): Promise<Learner | undefined> {
    const doc = await this.store.get<AsDoc<Learner>>(this.privateDb, id);
    return doc && doc.type === 'learner' ? doc : undefined;
  }

  async learners(selector: Record<string, unknown> = {}): Promise<Learner[]> {
    return this.store.find<AsDoc<Learner>>(this.privateDb, { type: 'learner', ...selector });
  }

  /** Today in the organisation's time zone (DT2). */
  async today(now: Date): Promise<string> {
    return todayIn((await this.org()).timeZone, now);
  }
}

/** Journal reads of one subgroup database. */
export function journal(store: Store, subgroupId: string) {
  const db = subgroupDbName(subgroupId);
  return {
    db,
    roster: () => store.listByType<AsDoc<RosterEntry>>(db, 'roster'),
    lessons: () => store.listByType<AsDoc<Lesson>>(db, 'lesson'),
    marks: (selector: Record<string, unknown> = {}) =>
      store.find<AsDoc<Mark>>(db, { type: 'mark', ...selector }),
    lessonsBetween: (from: string, to: string) =>
      store.find<AsDoc<Lesson>>(db, { type: 'lesson', date: { $gte: from, $lte: to } }),
    marksBetween: (from: string, to: string) =>
      store.find<AsDoc<Mark>>(db, { type: 'mark', date: { $gte: from, $lte: to } }),
  };
}

/** The subgroup's slots over its whole study period ([] without a schedule). */
export function slotsOf(
  subgroup: Subgroup,
  schedule: Schedule | undefined,
  calendar: HolidayCalendar,
): LessonSlot[] {
  if (!schedule) return [];
  return expandSchedule({ schedule, subgroup, calendar });
}

/** SCH14: the rules' lessons the schedule's exceptions cancelled or moved away. */
export function takenOf(
  subgroup: Subgroup,
  schedule: Schedule | undefined,
  calendar: HolidayCalendar,
): TakenSlot[] {
  if (!schedule) return [];
  return takenSlots({ schedule, subgroup, calendar });
}

/** "Фамилия Имя Отчество" for teachers, "Фамилия Имя" for learners (what devices may show). */
export function fullName(p: { lastName: string; firstName: string; middleName: string }): string {
  return [p.lastName, p.firstName, p.middleName].filter(Boolean).join(' ');
}

export function learnerDisplayName(p: { lastName: string; firstName: string }): string {
  return `${p.lastName} ${p.firstName}`;
}
