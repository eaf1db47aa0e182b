import {
  APPLICATION_STUDYING,
  isEnrolledOn,
  newEntityId,
  type Programme,
  periodScheduleConflicts,
  type Schedule,
  type Subgroup,
  type TeacherProfile,
  type TeacherRecord,
  validateSchedule,
} from '@otmetka/shared';
import {
  idParamsSchema,
  type ProgrammeInput,
  programmeInputSchema,
  programmeListResponseSchema,
  programmeViewSchema,
  type SubgroupInput,
  type SubgroupView,
  subgroupInputSchema,
  subgroupListQuerySchema,
  subgroupListResponseSchema,
  subgroupViewSchema,
} from '@otmetka/shared/api';
import type { FastifyInstance } from 'fastify';
import type { Doc } from '../db/store.ts';
import { HttpError } from '../http/errors.ts';
import { route } from '../http/route.ts';
import { journal, OrgData } from './data.ts';

/**
 * Programmes and subgroups: catalog documents of the organisation, replicated to devices
 * through the pull-only catalog collection. A subgroup's teachers are registry entries of the
 * same organisation; creating a subgroup creates its journal database first, so a device that
 * pulls the new subgroup never meets a missing database.
 */

const ADMIN = ['admin'] as const;

function programmeDoc(orgId: string, id: string, input: ProgrammeInput): Programme {
  return { id, type: 'programme', orgId, ...input };
}

function programmeRoutes(app: FastifyInstance) {
  const tags = ['admin: programmes'];
  route(
    app,
    {
      method: 'GET',
      url: '/api/admin/programmes',
      summary: 'Программы организации',
      tags,
      response: programmeListResponseSchema,
      roles: ADMIN,
    },
    async ({ user }) => {
      const programmes = await new OrgData(app.store, user.org).programmes();
      programmes.sort((a, b) => a.name.localeCompare(b.name, 'ru'));
      return { programmes: programmes.map((p) => programmeViewSchema.parse(p)) };
    },
  );
  route(
    app,
    {
      method: 'POST',
      url: '/api/admin/programmes',
      summary: 'Создать программу',
      tags,
      body: programmeInputSchema,
      response: programmeViewSchema,
      status: 201,
      roles: ADMIN,
    },
    async ({ user, body }) => {
      const doc = programmeDoc(user.org, newEntityId('p'), body);
      await app.store.put(new OrgData(app.store, user.org).orgDb, doc as Programme & Doc);
      return doc;
    },
  );
  route(
    app,
    {
      method: 'PUT',
      url: '/api/admin/programmes/:id',
      summary: 'Изменить программу',
      tags,
      params: idParamsSchema,
      body: programmeInputSchema,
      response: programmeViewSchema,
      roles: ADMIN,
    },
    async ({ user, params, body }) => {
      const data = new OrgData(app.store, user.org);
      await data.programme(params.id);
      const doc = programmeDoc(user.org, params.id, body);
      await app.store.put(data.orgDb, doc as Programme & Doc);
      return doc;
    },
  );
}

/** Registry entries in the archive (RG5). */
async function archivedTeachers(data: OrgData): Promise<Set<string>> {
  const records = await data.store.listByType<TeacherRecord & Doc>(data.privateDb, 'teacherRecord');
  return new Set(records.filter((r) => r.archivedAt != null).map((r) => r.id));
}

/** Every teacher id must be a registry entry of this organisation (its public profile exists). */
async function checkSubgroupInput(data: OrgData, input: SubgroupInput): Promise<void> {
  await data.programme(input.programmeId).catch(() => {
    throw new HttpError(400, 'VALIDATION_FAILED', 'programmeId: нет такой программы', {
      field: 'programmeId',
    });
  });
  const profiles = new Set((await data.teacherProfiles()).map((t) => t.id));
  const archived = await archivedTeachers(data);
  input.teacherIds.forEach((id, i) => {
    if (input.teacherIds.indexOf(id) !== i) {
      throw new HttpError(400, 'VALIDATION_FAILED', `teacherIds[${i}]: педагог указан дважды`, {
        field: `teacherIds[${i}]`,
      });
    }
    if (!profiles.has(id)) {
      throw new HttpError(
        400,
        'VALIDATION_FAILED',
        `teacherIds[${i}]: нет такого педагога в реестре`,
        {
          field: `teacherIds[${i}]`,
        },
      );
    }
    // RG5: a teacher in the archive left the organisation.
    if (archived.has(id)) {
      throw new HttpError(
        400,
        'VALIDATION_FAILED',
        `teacherIds[${i}]: педагог в архиве — верните его из архива в реестре`,
        { field: `teacherIds[${i}]` },
      );
    }
  });
}

/**
 * CAPACITY_EXCEEDED when fewer places are asked than learners hold on the roster from today on
 * (the count the enrolment check uses): the subgroup would read «занято 10 из 5» and refuse
 * nobody until enough leave, which is not what the admin meant.
 */
async function checkCapacityHoldsRoster(
  app: FastifyInstance,
  data: OrgData,
  subgroupId: string,
  capacity: number,
): Promise<void> {
  const [roster, today] = await Promise.all([
    journal(app.store, subgroupId).roster(),
    data.today(new Date(app.config.now())),
  ]);
  const taken = roster.filter(
    (e) =>
      !e._deleted &&
      (isEnrolledOn(e.intervals, today) || e.intervals.some((iv) => iv.from > today)),
  ).length;
  if (capacity < taken) {
    throw new HttpError(
      409,
      'CAPACITY_EXCEEDED',
      `capacity: мест не может быть меньше, чем обучающихся в подгруппе (${taken})`,
      { field: 'capacity', taken },
    );
  }
}

/**
 * SCH10: a new study period must still hold the schedule. What it cuts off is refused naming
 * the period's field (the form shows it there) with what to change first, not the schedule's
 * own field path (`rules[0].to`), which the subgroup form has no field for.
 */
function checkPeriodHoldsSchedule(schedule: Schedule, subgroup: Subgroup): void {
  const conflicts = periodScheduleConflicts(schedule, subgroup);
  const first = conflicts[0];
  if (first) {
    const issues = conflicts.map((c) => ({ field: c.field, message: `${c.field}: ${c.message}` }));
    throw new HttpError(400, 'INVALID_SCHEDULE', issues[0]!.message, {
      field: first.field,
      issues,
    });
  }
  // Anything else the period breaks still names the schedule's field.
  validateSchedule(schedule, subgroup);
}

interface ViewContext {
  programmes: Map<string, string>;
  teachers: Map<string, string>;
  studying: Map<string, number>;
  scheduled: Set<string>;
}

async function viewContext(data: OrgData): Promise<ViewContext> {
  const [programmes, teachers, applications, schedules] = await Promise.all([
    data.programmes(),
    data.teacherProfiles(),
    data.applications({ status: APPLICATION_STUDYING }),
    data.schedules(),
  ]);
  const studying = new Map<string, number>();
  for (const a of applications) studying.set(a.subgroupId, (studying.get(a.subgroupId) ?? 0) + 1);
  return {
    programmes: new Map(programmes.map((p) => [p.id, p.name])),
    teachers: new Map(teachers.map((t: TeacherProfile) => [t.id, t.displayName])),
    studying,
    scheduled: new Set(schedules.map((s) => s.subgroupId)),
  };
}

function subgroupView(subgroup: Subgroup, ctx: ViewContext): SubgroupView {
  const { _deleted: _d, ...doc } = subgroup;
  return {
    ...doc,
    programmeName: ctx.programmes.get(subgroup.programmeId) ?? '',
    teachers: subgroup.teacherIds.map((id) => ({ id, displayName: ctx.teachers.get(id) ?? id })),
    enrolled: ctx.studying.get(subgroup.id) ?? 0,
    hasSchedule: ctx.scheduled.has(subgroup.id),
  };
}

function subgroupListRoute(app: FastifyInstance, tags: string[]) {
  route(
    app,
    {
      method: 'GET',
      url: '/api/admin/subgroups',
      summary: 'Подгруппы организации (с педагогами, числом обучающихся и наличием расписания)',
      tags,
      query: subgroupListQuerySchema,
      response: subgroupListResponseSchema,
      roles: ADMIN,
    },
    async ({ user, query }) => {
      const data = new OrgData(app.store, user.org);
      const [subgroups, ctx] = await Promise.all([data.subgroups(), viewContext(data)]);
      const subgroupsOut = subgroups
        .filter((s) => !query.programmeId || s.programmeId === query.programmeId)
        .map((s) => subgroupView(s, ctx))
        .sort(
          (a, b) =>
            a.programmeName.localeCompare(b.programmeName, 'ru') ||
            a.name.localeCompare(b.name, 'ru'),
        );
      return { subgroups: subgroupsOut };
    },
  );
}

function subgroupWriteRoutes(app: FastifyInstance, tags: string[]) {
  route(
    app,
    {
      method: 'POST',
      url: '/api/admin/subgroups',
      summary: 'Создать подгруппу (создаёт её журнал)',
      tags,
      body: subgroupInputSchema,
      response: subgroupViewSchema,
      status: 201,
      roles: ADMIN,
    },
    async ({ user, body }) => {
      const data = new OrgData(app.store, user.org);
      await checkSubgroupInput(data, body);

      const doc: Subgroup = { id: newEntityId('sg'), type: 'subgroup', orgId: user.org, ...body };
      await app.store.ensureSubgroupDb(doc.id);
      await app.store.put(data.orgDb, doc as Subgroup & Doc);
      return subgroupView(doc, await viewContext(data));
    },
  );
  route(
    app,
    {
      method: 'PUT',
      url: '/api/admin/subgroups/:id',
      summary: 'Изменить подгруппу (педагоги, вместимость, период, часы)',
      tags,
      params: idParamsSchema,
      body: subgroupInputSchema,
      response: subgroupViewSchema,
      roles: ADMIN,
    },
    async ({ user, params, body }) => {
      const data = new OrgData(app.store, user.org);
      await data.subgroup(params.id);
      await checkSubgroupInput(data, body);

      // AP13: the capacity is checked against a roster no enrolment changes meanwhile.
      const doc: Subgroup = { id: params.id, type: 'subgroup', orgId: user.org, ...body };
      await data.exclusive(`subgroup:${params.id}`, async () => {
        await checkCapacityHoldsRoster(app, data, params.id, body.capacity);
        const schedule = await data.schedule(params.id);
        if (schedule) checkPeriodHoldsSchedule(schedule, doc);
        await app.store.put(data.orgDb, doc as Subgroup & Doc);
      });
      return subgroupView(doc, await viewContext(data));
    },
  );
}

export function catalogRoutes(app: FastifyInstance): void {
  programmeRoutes(app);
  subgroupListRoute(app, ['admin: subgroups']);
  subgroupWriteRoutes(app, ['admin: subgroups']);
}
