import { formatRuMonth, monthDays, type Subgroup } from '@otmetka/shared';
import {
  hoursQuerySchema,
  hoursResponseSchema,
  type TabelQuery,
  type TabelResponse,
  tabelQuerySchema,
  tabelResponseSchema,
} from '@otmetka/shared/api';
import type { FastifyInstance } from 'fastify';
import { journal, OrgData, slotsOf, takenOf } from '../admin/data.ts';
import type { AccessUser } from '../auth/claims.ts';
import { forbidden } from '../http/errors.ts';
import { route } from '../http/route.ts';
import { buildHours, hoursXlsx } from './hours.ts';
import { buildTabel, tabelXlsx } from './tabel.ts';

/**
 * Reports under /api/reports, for an admin of the organisation or a teacher of the subgroup:
 * the monthly attendance sheet (табель) and the hours delivered against the plan, each as JSON
 * (for the screen) and as XLSX.
 * Each export is logged with ids only (who, which subgroup, which month), never names.
 */

const ROLES = ['admin', 'teacher'] as const;
const TAGS = ['reports'];
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The subgroup, if the caller may see its reports (404 for another org, 403 for another teacher). */
async function reportSubgroup(
  data: OrgData,
  user: AccessUser,
  subgroupId: string,
): Promise<Subgroup> {
  const subgroup = await data.subgroup(subgroupId);
  if (user.role === 'teacher' && !(user.tid && subgroup.teacherIds.includes(user.tid))) {
    throw forbidden('Отчёты доступны администратору и педагогам этой подгруппы');
  }
  return subgroup;
}

async function loadTabel(app: FastifyInstance, user: AccessUser, query: TabelQuery) {
  const data = new OrgData(app.store, user.org);
  const subgroup = await reportSubgroup(data, user, query.subgroupId);
  const days = monthDays(query.month);
  const from = days[0]!;
  const to = days.at(-1)!;
  const sg = journal(app.store, subgroup.id);

  const [org, programme, schedule, calendar, lessons, marks, roster, profiles] = await Promise.all([
    data.org(),
    data.programme(subgroup.programmeId).catch(() => undefined),
    data.schedule(subgroup.id),
    data.calendar(),
    sg.lessonsBetween(from, to),
    sg.marksBetween(from, to),
    sg.roster(),
    data.teacherProfiles(),
  ]);
  const tabel = buildTabel({
    subgroup,
    programmeName: programme?.name ?? '',
    month: query.month,
    codes: org.attendanceCodes,
    slots: slotsOf(subgroup, schedule, calendar).filter((s) => s.date >= from && s.date <= to),
    taken: takenOf(subgroup, schedule, calendar),
    lessons,
    marks,
    roster,
  });
  // RP8: the sheet is signed by the subgroup's teachers, named as the journal names them.
  const names = new Map(profiles.map((t) => [t.id, t.displayName]));
  const teachers = subgroup.teacherIds.flatMap((id) => names.get(id) ?? []);
  return { tabel, orgName: org.name, teachers };
}

/**
 * A download named for people («Табель Робототехника Группа 1 октябрь 2026.xlsx», RFC 5987),
 * with ids as the plain name for clients that do not read the UTF-8 one. Characters file
 * systems refuse become spaces.
 */
function attachment(asciiName: string, title: string): string {
  const name = title
    .replace(/[\\/:*?"<>|]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return `attachment; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(`${name}.xlsx`)}`;
}

function tabelDisposition(tabel: TabelResponse): string {
  return attachment(
    `tabel-${tabel.subgroupId}-${tabel.month}.xlsx`,
    `Табель ${tabel.programmeName} ${tabel.subgroupName} ${formatRuMonth(tabel.month)}`,
  );
}

function tabelRoutes(app: FastifyInstance) {
  route(
    app,
    {
      method: 'GET',
      url: '/api/reports/tabel.xlsx',
      summary:
        'Табель посещаемости подгруппы за месяц (XLSX: даты и время начала–окончания занятий)',
      tags: TAGS,
      query: tabelQuerySchema,
      produces: XLSX_TYPE,
      roles: ROLES,
    },
    async ({ user, query, request, reply }) => {
      const { tabel, orgName, teachers } = await loadTabel(app, user, query);
      const bytes = tabelXlsx(tabel, orgName, teachers);
      request.log.info(
        { report: 'tabel', subgroupId: tabel.subgroupId, month: tabel.month, userId: user.sub },
        'report exported',
      );
      return reply
        .header('content-type', XLSX_TYPE)
        .header('content-disposition', tabelDisposition(tabel))
        .send(Buffer.from(bytes));
    },
  );
  route(
    app,
    {
      method: 'GET',
      url: '/api/reports/tabel',
      summary: 'Табель посещаемости подгруппы за месяц (JSON, для просмотра на экране)',
      tags: TAGS,
      query: tabelQuerySchema,
      response: tabelResponseSchema,
      roles: ROLES,
    },
    async ({ user, query }) => (await loadTabel(app, user, query)).tabel,
  );
}

async function loadHours(app: FastifyInstance, user: AccessUser, subgroupId: string) {
  const data = new OrgData(app.store, user.org);
  const subgroup = await reportSubgroup(data, user, subgroupId);
  const [schedule, calendar, lessons] = await Promise.all([
    data.schedule(subgroup.id),
    data.calendar(),
    journal(app.store, subgroup.id).lessons(),
  ]);
  const report = buildHours(
    subgroup,
    slotsOf(subgroup, schedule, calendar),
    lessons,
    takenOf(subgroup, schedule, calendar),
  );
  return { report, subgroup, data };
}

function hoursRoutes(app: FastifyInstance) {
  route(
    app,
    {
      method: 'GET',
      url: '/api/reports/hours',
      summary: 'Часы: план (учебный план и расписание) и факт (проведённые занятия) по месяцам',
      tags: TAGS,
      query: hoursQuerySchema,
      response: hoursResponseSchema,
      roles: ROLES,
    },
    async ({ user, query }) => (await loadHours(app, user, query.subgroupId)).report,
  );
  route(
    app,
    {
      method: 'GET',
      url: '/api/reports/hours.xlsx',
      summary: 'Часы по месяцам: по расписанию, проведено, отменено; итог и учебный план (XLSX)',
      tags: TAGS,
      query: hoursQuerySchema,
      produces: XLSX_TYPE,
      roles: ROLES,
    },
    async ({ user, query, request, reply }) => {
      const { report, subgroup, data } = await loadHours(app, user, query.subgroupId);
      const [org, programme] = await Promise.all([
        data.org(),
        data.programme(subgroup.programmeId).catch(() => undefined),
      ]);
      const programmeName = programme?.name ?? '';
      const bytes = hoursXlsx(report, org.name, programmeName);
      request.log.info(
        { report: 'hours', subgroupId: subgroup.id, userId: user.sub },
        'report exported',
      );
      return reply
        .header('content-type', XLSX_TYPE)
        .header(
          'content-disposition',
          attachment(`hours-${subgroup.id}.xlsx`, `Часы ${programmeName} ${subgroup.name}`),
        )
        .send(Buffer.from(bytes));
    },
  );
}

export async function reportsPlugin(app: FastifyInstance): Promise<void> {
  tabelRoutes(app);
  hoursRoutes(app);
}

export default reportsPlugin;
