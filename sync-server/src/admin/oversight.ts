import {
  type Calendar,
  loadCalendar,
  lockId,
  type MonthLock,
  newEntityId,
  type Refusal,
  type User,
} from '@otmetka/shared';
import {
  auditQuerySchema,
  auditResponseSchema,
  calendarInputSchema,
  calendarResponseSchema,
  lockListQuerySchema,
  lockListResponseSchema,
  lockRequestSchema,
  lockResponseSchema,
  refusalQuerySchema,
  refusalResponseSchema,
} from '@otmetka/shared/api';
import type { FastifyInstance } from 'fastify';
import { auditDbName, type Doc, type Store, USERS_DB } from '../db/store.ts';
import { route } from '../http/route.ts';
import { readAudit } from '../sync/audit.ts';
import { CALENDAR_DOC_ID, journal, OrgData } from './data.ts';
import { changeCalendar } from './schedule.ts';

/**
 * What an admin oversees: month locks (an unlock needs a reason), the audit trail of marks and
 * lessons, the edits the server refused, and the holiday calendar (a catalog document, so
 * devices receive a new decree without a release).
 */

const ADMIN = ['admin'] as const;

type AsDoc<T> = T & Doc;

/**
 * LK5: one lock or unlock as the admin made it. The lock document holds only the last word
 * (a month locked again drops the unlock's reason), so each change is also kept here, in the
 * audit database, which never replicates.
 */
interface LockEvent {
  id: string;
  type: 'lock-event';
  subgroupId: string | null;
  lock: MonthLock;
}

const LOCK_EVENT_PREFIX = 'lock-event:';

/**
 * Read by id range: the audit database holds every push's audit batch too, which a query by
 * type would have to walk past.
 */
async function lockHistory(store: Store, orgId: string, subgroupId: string | undefined) {
  const events: LockEvent[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.scanPrefix(auditDbName(orgId), LOCK_EVENT_PREFIX, after, 1000);
    events.push(...(page.docs as unknown as LockEvent[]));
    if (page.docs.length < 1000) break;
    after = page.docs.at(-1)!.id;
  }
  return events
    .map((e) => e.lock)
    .filter((l) => !subgroupId || l.subgroupId === subgroupId || l.subgroupId === null)
    .sort((a, b) => b.at - a.at);
}

async function userNames(store: Store, orgId: string): Promise<Map<string, string>> {
  const users = await store.find<AsDoc<User>>(USERS_DB, { type: 'user', orgId });
  return new Map(users.map((u) => [u.id, u.displayName]));
}

function lockRoutes(app: FastifyInstance) {
  const tags = ['admin: locks'];
  route(
    app,
    {
      method: 'GET',
      url: '/api/admin/locks',
      summary: 'Закрытые и открытые месяцы (и день автоматического закрытия)',
      tags,
      query: lockListQuerySchema,
      response: lockListResponseSchema,
      roles: ADMIN,
    },
    async ({ user, query }) => {
      const data = new OrgData(app.store, user.org);
      const [org, locks, history, names] = await Promise.all([
        data.org(),
        data.list<MonthLock>('lock'),
        lockHistory(app.store, user.org, query.subgroupId),
        userNames(app.store, user.org),
      ]);
      const shown = locks
        .filter(
          (l) => !query.subgroupId || l.subgroupId === query.subgroupId || l.subgroupId === null,
        )
        .sort(
          (a, b) =>
            b.month.localeCompare(a.month) ||
            (a.subgroupId ?? '').localeCompare(b.subgroupId ?? ''),
        );
      return {
        locks: shown,
        lockDay: org.lockDay,
        history: history.map((l) => ({ ...l, byName: names.get(l.by) ?? l.by })),
      };
    },
  );
  route(
    app,
    {
      method: 'POST',
      url: '/api/admin/locks',
      summary: 'Закрыть или открыть месяц (подгруппы или всей организации; открытие — с причиной)',
      tags,
      body: lockRequestSchema,
      response: lockResponseSchema,
      roles: ADMIN,
    },
    async ({ user, body }) => {
      const data = new OrgData(app.store, user.org);
      if (body.subgroupId !== null) await data.subgroup(body.subgroupId);

      const lock: MonthLock = {
        id: lockId(body.subgroupId, body.month),
        type: 'lock',
        orgId: user.org,
        subgroupId: body.subgroupId,
        month: body.month,
        locked: body.locked,
        reason: body.reason,
        at: app.config.now(),
        by: user.sub,
      };
      await app.store.put(data.orgDb, lock as AsDoc<MonthLock>);
      const event: LockEvent = {
        id: `${LOCK_EVENT_PREFIX}${lock.id}:${lock.at}:${newEntityId('e')}`,
        type: 'lock-event',
        subgroupId: lock.subgroupId,
        lock,
      };
      await app.store.put(auditDbName(user.org), event as AsDoc<LockEvent>);
      return { lock };
    },
  );
}

/** The lesson date inside a lesson or mark id (`lesson:<sg>:<date>:<hhmm>`, `mark:<sg>:<date>:…`). */
function monthOfDocId(docId: string): string | undefined {
  return /:(\d{4}-\d{2})-\d{2}:/.exec(docId)?.[1];
}

function auditRoute(app: FastifyInstance) {
  route(
    app,
    {
      method: 'GET',
      url: '/api/admin/audit',
      summary: 'История изменений: одной отметки (docId) или подгруппы за месяц',
      tags: ['admin: audit'],
      query: auditQuerySchema,
      response: auditResponseSchema,
      roles: ADMIN,
    },
    async ({ user, query }) => {
      if (query.subgroupId) await new OrgData(app.store, user.org).subgroup(query.subgroupId);
      const [entries, names] = await Promise.all([
        readAudit(app.store, user.org, query.docId ? { docId: query.docId } : query),
        userNames(app.store, user.org),
      ]);
      const shown = entries
        .filter((e) => !query.month || query.docId || monthOfDocId(e.docId) === query.month)
        .filter((e) => !query.subgroupId || e.subgroupId === query.subgroupId);
      return {
        entries: shown.map(({ type: _t, ...e }) => ({ ...e, byName: names.get(e.by) ?? e.by })),
      };
    },
  );
}

/**
 * The names of the learners refused marks were for, from the rosters of their subgroups (the
 * admin reads «Смирнов Кирилл», not `learner-kid`). Keyed by subgroup and learner.
 */
async function learnerNames(store: Store, refusals: Refusal[]): Promise<Map<string, string>> {
  const subgroupIds = [
    ...new Set(
      refusals.flatMap((r) => (r.subgroupId && r.attempted.learnerId ? [r.subgroupId] : [])),
    ),
  ];
  const rosters = await Promise.all(
    subgroupIds.map((id) =>
      journal(store, id)
        .roster()
        .catch(() => []),
    ),
  );
  return new Map(rosters.flat().map((e) => [`${e.subgroupId}|${e.learnerId}`, e.name]));
}

function refusalRoute(app: FastifyInstance) {
  route(
    app,
    {
      method: 'GET',
      url: '/api/admin/refusals',
      summary: 'Отклонённые сервером правки (кто, что, почему)',
      tags: ['admin: audit'],
      query: refusalQuerySchema,
      response: refusalResponseSchema,
      roles: ADMIN,
    },
    async ({ user, query }) => {
      const selector: Record<string, string> = { type: 'refusal' };
      if (query.subgroupId) selector.subgroupId = query.subgroupId;
      const data = new OrgData(app.store, user.org);
      const [refusals, names, subgroups, programmes] = await Promise.all([
        app.store.find<AsDoc<Refusal>>(auditDbName(user.org), selector),
        userNames(app.store, user.org),
        data.subgroups(),
        data.programmes(),
      ]);
      refusals.sort((a, b) => b.at - a.at);
      const learners = await learnerNames(app.store, refusals);
      // As the subgroup picker names them (AS1): the programme first.
      const programmeNames = new Map(programmes.map((p) => [p.id, p.name]));
      const subgroupNames = new Map(
        subgroups.map((g) => [g.id, `${programmeNames.get(g.programmeId) ?? ''} — ${g.name}`]),
      );
      return {
        refusals: refusals.map(({ type: _t, ...r }) => ({
          ...r,
          byName: names.get(r.userId) ?? r.userId,
          subgroupName: (r.subgroupId && subgroupNames.get(r.subgroupId)) || null,
          learnerName: learners.get(`${r.subgroupId}|${r.attempted.learnerId}`) ?? null,
        })),
      };
    },
  );
}

function calendarRoutes(app: FastifyInstance) {
  const tags = ['admin: calendar'];
  route(
    app,
    {
      method: 'GET',
      url: '/api/admin/calendar',
      summary: 'Производственный календарь организации',
      tags,
      response: calendarResponseSchema,
      roles: ADMIN,
    },
    async ({ user }) => {
      const { _deleted: _d, ...calendar } = await new OrgData(app.store, user.org).calendarDoc();
      return { calendar };
    },
  );
  route(
    app,
    {
      method: 'PUT',
      url: '/api/admin/calendar',
      summary:
        'Заменить производственный календарь: занятия подгрупп в новые праздники помечаются или убираются, как при смене расписания',
      tags,
      body: calendarInputSchema,
      response: calendarResponseSchema,
      roles: ADMIN,
    },
    async ({ user, body }) => {
      // loadCalendar also refuses a date listed twice or both off and working (field named).
      const holidays = loadCalendar(body);
      const calendar: Calendar = { ...body, id: CALENDAR_DOC_ID, type: 'calendar' };
      const data = new OrgData(app.store, user.org);
      // SCH15: the subgroups' lessons follow the new dates, as after a schedule save.
      await changeCalendar(data, holidays, user.sub, app.config.now(), async () => {
        await app.store.put(data.orgDb, calendar as AsDoc<Calendar>);
      });
      return { calendar };
    },
  );
}

export function oversightRoutes(app: FastifyInstance): void {
  lockRoutes(app);
  auditRoute(app);
  refusalRoute(app);
  calendarRoutes(app);
}
