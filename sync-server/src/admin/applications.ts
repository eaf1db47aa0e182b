import {
  APPLICATION_STUDYING,
  APPLICATION_WITHDRAWN,
  type Application,
  addDays,
  applyStatusChange,
  type EnrolmentChange,
  type EnrolmentInterval,
  formatRuDate,
  isEnrolledOn,
  isOpenStatus,
  type Learner,
  monthsWithEnrolmentChange,
  type Programme,
  type RosterEntry,
  rosterId,
  type Subgroup,
  type User,
} from '@otmetka/shared';
import {
  type ApplicationStatusRequest,
  type ApplicationView,
  applicationListQuerySchema,
  applicationListResponseSchema,
  applicationStatusRequestSchema,
  applicationStatusResponseSchema,
  idParamsSchema,
  type RosterItem,
  rosterResponseSchema,
} from '@otmetka/shared/api';
import type { FastifyInstance } from 'fastify';
import { type Doc, type Store, USERS_DB } from '../db/store.ts';
import { HttpError, notFound } from '../http/errors.ts';
import { route } from '../http/route.ts';
import { journal, learnerDisplayName, OrgData } from './data.ts';
import { type LockedMonthOf, lockedMonthChecker, monthLocked } from './month-locks.ts';
import { withOverlaps } from './overlaps.ts';

/**
 * Applications and the roster. The status set is the organisation's (org.applicationStatuses);
 * «обучается» puts the learner into the subgroup's roster from the given date, «отчислен» (or
 * leaving «обучается» for any other status) takes them out from that date. The roster entry is
 * server-owned and replicates to the teacher's devices with the display name and intervals only.
 */

const ADMIN = ['admin'] as const;
const TAGS = ['admin: applications'];

type AsDoc<T> = T & Doc;

/** Names for application views, loaded once per request. */
export interface Names {
  subgroups: Map<string, Subgroup>;
  programmes: Map<string, Programme>;
  learners: Map<string, Learner>;
  parents: Map<string, string>;
}

export async function loadNames(data: OrgData, parentIds?: string[]): Promise<Names> {
  const [subgroups, programmes, learners, parents] = await Promise.all([
    data.subgroups(),
    data.programmes(),
    data.learners(parentIds ? { parentUserId: { $in: parentIds } } : {}),
    data.store.find<AsDoc<User>>(USERS_DB, {
      type: 'user',
      orgId: data.orgId,
      role: 'parent',
      ...(parentIds ? { id: { $in: parentIds } } : {}),
    }),
  ]);
  return {
    subgroups: new Map(subgroups.map((s) => [s.id, s])),
    programmes: new Map(programmes.map((p) => [p.id, p])),
    learners: new Map(learners.map((l) => [l.id, l])),
    parents: new Map(parents.map((u) => [u.id, u.displayName])),
  };
}

export function applicationView(a: Application, names: Names): ApplicationView {
  const subgroup = names.subgroups.get(a.subgroupId);
  const learner = names.learners.get(a.learnerId);
  return {
    id: a.id,
    subgroupId: a.subgroupId,
    subgroupName: subgroup?.name ?? '',
    programmeId: subgroup?.programmeId ?? a.subgroupId,
    programmeName: (subgroup && names.programmes.get(subgroup.programmeId)?.name) ?? '',
    learnerId: a.learnerId,
    learnerName: learner ? learnerDisplayName(learner) : '',
    parentUserId: a.parentUserId,
    parentName: names.parents.get(a.parentUserId) ?? '',
    status: a.status,
    history: a.history,
    createdAt: a.createdAt,
  };
}

export function rosterItem(entry: RosterEntry, today: string): RosterItem {
  return {
    id: entry.id,
    learnerId: entry.learnerId,
    name: entry.name,
    intervals: entry.intervals,
    enrolledToday: isEnrolledOn(entry.intervals, today),
  };
}

function statusError(field: string, message: string) {
  return new HttpError(400, 'INVALID_STATUS_CHANGE', `${field}: ${message}`, { field });
}

type RosterChange = EnrolmentChange | null;

/**
 * AP7: the change the application's last one already made (a double tap, a request repeated
 * after a lost answer) changes nothing: a second history line told the parent the same twice.
 */
function isRepeat(application: Application, body: ApplicationStatusRequest): boolean {
  const last = application.history.at(-1);
  return (
    application.status === body.status &&
    last?.status === body.status &&
    last.date === body.date &&
    last.comment === body.comment
  );
}

/** Which roster change a status change makes, checking the status and the date. */
function rosterChangeOf(
  statuses: string[],
  application: Application,
  body: ApplicationStatusRequest,
  subgroup: Subgroup,
): RosterChange {
  if (!statuses.includes(body.status)) {
    throw statusError('status', `статуса «${body.status}» нет в списке статусов организации`);
  }
  const enrol = body.status === APPLICATION_STUDYING;
  const leaves =
    body.status === APPLICATION_WITHDRAWN ||
    (application.status === APPLICATION_STUDYING && !enrol);
  if (!enrol && !leaves) return null;

  if (body.date === null) {
    throw statusError('date', enrol ? 'нужна дата зачисления' : 'нужна дата отчисления');
  }
  if (enrol && (body.date < subgroup.periodFrom || body.date > subgroup.periodTo)) {
    throw statusError(
      'date',
      `дата зачисления вне периода обучения подгруппы (${formatRuDate(subgroup.periodFrom)}–${formatRuDate(subgroup.periodTo)})`,
    );
  }
  // EN3: «обучается» again, with another date, corrects the date the learner studies from;
  // as an enrolment it changed nothing while the history told the parent the new date.
  if (enrol && application.status === APPLICATION_STUDYING) {
    return { kind: 'correct', date: body.date };
  }
  return { kind: enrol ? 'enrol' : 'withdraw', date: body.date };
}

/** CAPACITY_EXCEEDED when the subgroup is full on the date (others enrolled then or later). */
function checkCapacity(roster: RosterEntry[], subgroup: Subgroup, learnerId: string, date: string) {
  const counted = roster.filter(
    (e) =>
      !e._deleted &&
      e.learnerId !== learnerId &&
      (isEnrolledOn(e.intervals, date) || e.intervals.some((iv) => iv.from > date)),
  );
  if (counted.length < subgroup.capacity) return;
  const frees = placeFreesOn(counted, subgroup.capacity);
  // A day past the study period frees nothing one could enrol on.
  const shown = frees && frees <= subgroup.periodTo ? frees : null;
  throw new HttpError(
    409,
    'CAPACITY_EXCEEDED',
    `В подгруппе нет свободных мест на ${formatRuDate(date)}: ${counted.length} из ${subgroup.capacity}` +
      (shown ? `; место освободится с ${formatRuDate(shown)}` : ''),
    { field: 'status', capacity: subgroup.capacity },
  );
}

/**
 * AP11: the first day a place is free, when withdrawals already dated free one: the parents'
 * catalogue counted such a place as free while an enrolment before that day was refused
 * without a word of when.
 */
function placeFreesOn(counted: RosterEntry[], capacity: number): string | null {
  const leaves = counted
    .map((e) => e.intervals.reduce((a, b) => (b.from > a.from ? b : a)).to)
    .filter((to): to is string => to !== null)
    .sort();
  const last = leaves[counted.length - capacity];
  return last === undefined ? null : addDays(last, 1);
}

/**
 * EN4: a child's roster entry in a subgroup follows the latest of the child's applications
 * there that enrolled the child (its history holds «обучается»). A change of an older one that
 * would move the entry is refused: setting an old, closed card to «отчислен» ended the
 * enrolment the newer one had made, and to «обучается» left two cards «обучается» for one
 * child. An older card still «обучается» (such a duplicate) may leave it, as a status only: the
 * entry is the newer card's. A newer card that never enrolled (новая, отклонена) takes nothing
 * over. Returns the change to make.
 */
async function ownChange(
  data: OrgData,
  application: Application,
  change: RosterChange,
  same: Application[],
): Promise<RosterChange> {
  if (!change) return change;
  const later = (a: Application) =>
    a.createdAt > application.createdAt ||
    (a.createdAt === application.createdAt && a.id > application.id);
  const enrolled = (a: Application) => a.history.some((h) => h.status === APPLICATION_STUDYING);
  const newer = same
    .filter((a) => a.id !== application.id && later(a) && enrolled(a))
    .sort((a, b) => b.createdAt - a.createdAt)[0];
  if (!newer) return change;
  if (change.kind === 'withdraw' && application.status === APPLICATION_STUDYING) return null;
  throw await otherApplication(
    data,
    newer,
    'есть более поздняя',
    'зачисление и отчисление меняются в ней',
  );
}

/** 409 on `status` naming the child's other application to the subgroup, and what to do. */
async function otherApplication(
  data: OrgData,
  other: Application,
  which: string,
  then: string,
): Promise<HttpError> {
  const on = formatRuDate(await data.today(new Date(other.createdAt)));
  return new HttpError(
    409,
    'CONFLICT',
    `У ребёнка ${which} заявка в эту подгруппу (от ${on}, «${other.status}»): ${then}`,
    { field: 'status' },
  );
}

/**
 * AP12: a closed application (отклонена, отчислен, …) is not opened again while another of the
 * child's applications to the subgroup is open: one child, one open card per subgroup, as AP3
 * keeps it for the parent. The admin goes on with the open one.
 */
async function checkReopen(
  data: OrgData,
  statuses: readonly string[],
  application: Application,
  status: string,
  same: Application[],
): Promise<void> {
  if (isOpenStatus(application.status, statuses) || !isOpenStatus(status, statuses)) return;
  const open = same.find((a) => a.id !== application.id && isOpenStatus(a.status, statuses));
  if (!open) return;
  throw await otherApplication(
    data,
    open,
    'уже есть открытая',
    'продолжайте работу с ней, эту заявку нельзя открыть снова',
  );
}

/**
 * LK3: MONTH_LOCKED when the change alters who is in the journal (of the subgroup's study
 * period) in a locked month: a back-dated withdrawal would take the learner and their marks
 * out of a closed табель, a back-dated enrolment would add a row to it.
 */
function checkLockedMonths(
  lockedMonthOf: LockedMonthOf,
  subgroup: Subgroup,
  change: EnrolmentChange,
  before: EnrolmentInterval[],
  after: EnrolmentInterval[],
): void {
  const period = { from: subgroup.periodFrom, to: subgroup.periodTo };
  const month = lockedMonthOf(monthsWithEnrolmentChange(before, after, period));
  if (month === undefined) return;
  const what = change.kind === 'withdraw' ? 'отчисление' : 'зачисление';
  throw monthLocked(
    month,
    `${what} с ${formatRuDate(change.date)} изменило бы список обучающихся в его табеле`,
    'date',
  );
}

/**
 * Writes the roster entry after the change (read-modify-write on the subgroup database). With
 * `lockedMonthOf`, a change that alters a locked month is refused inside the write (LK3), so
 * the check sees the entry it replaces.
 */
export async function writeRoster(
  store: Store,
  subgroup: Subgroup,
  learner: Pick<Learner, 'id' | 'lastName' | 'firstName'>,
  change: EnrolmentChange,
  lockedMonthOf?: LockedMonthOf,
): Promise<RosterEntry | undefined> {
  const db = journal(store, subgroup.id).db;
  return store.update<AsDoc<RosterEntry>>(db, rosterId(subgroup.id, learner.id), (current) => {
    if (!current && change.kind === 'withdraw') {
      throw statusError('status', 'обучающийся не зачислен в подгруппу');
    }
    const before = current?.intervals ?? [];
    const intervals: EnrolmentInterval[] = applyStatusChange(before, change);
    if (lockedMonthOf) checkLockedMonths(lockedMonthOf, subgroup, change, before, intervals);
    return {
      id: rosterId(subgroup.id, learner.id),
      type: 'roster',
      orgId: subgroup.orgId,
      subgroupId: subgroup.id,
      learnerId: learner.id,
      name: learnerDisplayName(learner),
      intervals,
      stamps: current?.stamps ?? {},
    };
  });
}

/**
 * AP13: one change at a time per subgroup, across server processes: the checks (places, AP3,
 * AP7, AP12, EN4) read what the change then writes, and two admins enrolling at once into the
 * last place both found it free. The application is read again once the lease is held.
 */
async function changeStatus(
  app: FastifyInstance,
  data: OrgData,
  user: { sub: string },
  id: string,
  body: ApplicationStatusRequest,
) {
  const found = await data.catalogDoc<Application>(id, 'application');
  if (!found) throw notFound(`Заявка ${id} не найдена`);
  const { application, roster } = await data.exclusive(`subgroup:${found.subgroupId}`, () =>
    changeStatusHeld(app, data, user, id, body),
  );
  // The answer is built after the lease: an enrolment day's next change need not wait for it.
  const [names, today] = await Promise.all([
    loadNames(data, [application.parentUserId]),
    data.today(new Date(app.config.now())),
  ]);
  return {
    application: applicationView(application, names),
    roster: roster ? rosterItem(roster, today) : null,
  };
}

async function changeStatusHeld(
  app: FastifyInstance,
  data: OrgData,
  user: { sub: string },
  id: string,
  body: ApplicationStatusRequest,
) {
  const application = await data.catalogDoc<Application>(id, 'application');
  if (!application) throw notFound(`Заявка ${id} не найдена`);
  if (isRepeat(application, body)) return { application, roster: undefined };
  const [org, subgroup, learner] = await Promise.all([
    data.org(),
    data.subgroup(application.subgroupId),
    data.learner(application.learnerId),
  ]);
  if (!learner) throw notFound(`Обучающийся заявки ${id} не найден`);

  const same = await data.applications({
    learnerId: application.learnerId,
    subgroupId: application.subgroupId,
  });
  await checkReopen(data, org.applicationStatuses, application, body.status, same);
  const change = await ownChange(
    data,
    application,
    rosterChangeOf(org.applicationStatuses, application, body, subgroup),
    same,
  );
  if (change && change.kind !== 'withdraw') {
    if (!(await data.schedule(subgroup.id))) {
      throw new HttpError(409, 'SCHEDULE_REQUIRED', 'У подгруппы нет расписания', {
        field: 'subgroupId',
      });
    }
    checkCapacity(
      await journal(app.store, subgroup.id).roster(),
      subgroup,
      learner.id,
      change.date,
    );
  }
  const roster = change
    ? await writeRoster(
        app.store,
        subgroup,
        learner,
        change,
        await lockedMonthChecker(data, subgroup.id, app.config.now()),
      )
    : undefined;
  // The application is written after the roster, never before: pushes keep a subgroup's roster
  // under the org database's sequence (sync/push.ts, rosterOf), which this write moves on.

  const event = {
    status: body.status,
    at: app.config.now(),
    by: user.sub,
    date: body.date,
    comment: body.comment,
  };
  const updated = await app.store.update<AsDoc<Application>>(data.orgDb, id, (current) =>
    current ? { ...current, status: body.status, history: [...current.history, event] } : undefined,
  );
  return { application: updated ?? application, roster };
}

export function applicationRoutes(app: FastifyInstance): void {
  route(
    app,
    {
      method: 'GET',
      url: '/api/admin/applications',
      summary: 'Заявки (фильтры: статус, подгруппа) и набор статусов организации',
      tags: TAGS,
      query: applicationListQuerySchema,
      response: applicationListResponseSchema,
      roles: ADMIN,
    },
    async ({ user, query }) => {
      const data = new OrgData(app.store, user.org);
      const selector: Record<string, unknown> = {};
      if (query.status) selector.status = query.status;
      if (query.subgroupId) selector.subgroupId = query.subgroupId;
      const [org, applications, names] = await Promise.all([
        data.org(),
        data.applications(selector),
        loadNames(data),
      ]);
      applications.sort((a, b) => b.createdAt - a.createdAt);
      const views = applications.map((a) => applicationView(a, names));
      return {
        applications: await withOverlaps(data, views, names, org, app.config.now()),
        statuses: org.applicationStatuses,
      };
    },
  );
  route(
    app,
    {
      method: 'POST',
      url: '/api/admin/applications/:id/status',
      summary: 'Сменить статус заявки («обучается» зачисляет с даты, «отчислен» отчисляет с даты)',
      tags: TAGS,
      params: idParamsSchema,
      body: applicationStatusRequestSchema,
      response: applicationStatusResponseSchema,
      roles: ADMIN,
    },
    async ({ user, params, body }) =>
      changeStatus(app, new OrgData(app.store, user.org), user, params.id, body),
  );
  route(
    app,
    {
      method: 'GET',
      url: '/api/admin/subgroups/:id/roster',
      summary: 'Список обучающихся подгруппы с периодами обучения',
      tags: TAGS,
      params: idParamsSchema,
      response: rosterResponseSchema,
      roles: ADMIN,
    },
    async ({ user, params }) => {
      const data = new OrgData(app.store, user.org);
      const subgroup = await data.subgroup(params.id);
      const [roster, today] = await Promise.all([
        journal(app.store, subgroup.id).roster(),
        data.today(new Date(app.config.now())),
      ]);
      roster.sort((a, b) => a.name.localeCompare(b.name, 'ru'));
      return {
        subgroupId: subgroup.id,
        capacity: subgroup.capacity,
        entries: roster.map((e) => rosterItem(e, today)),
      };
    },
  );
}
