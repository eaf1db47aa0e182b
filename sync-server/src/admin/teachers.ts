import {
  maskSnils,
  newEntityId,
  type TeacherProfile,
  type TeacherRecord,
  teacherProblems,
  type User,
  validateSnils,
} from '@otmetka/shared';
import {
  accountAccessRequestSchema,
  accountPasswordRequestSchema,
  idParamsSchema,
  type TeacherInput,
  type TeacherListItem,
  type TeacherRecordView,
  teacherAccountRequestSchema,
  teacherAccountSchema,
  teacherArchiveRequestSchema,
  teacherInputSchema,
  teacherListItemSchema,
  teacherListResponseSchema,
  teacherRecordViewSchema,
} from '@otmetka/shared/api';
import type { FastifyInstance } from 'fastify';
import { hashPassword } from '../auth/password.ts';
import { RefreshTokens } from '../auth/refresh.ts';
import { type Doc, type Store, USERS_DB } from '../db/store.ts';
import { HttpError, notFound } from '../http/errors.ts';
import { route } from '../http/route.ts';
import { fullName, OrgData } from './data.ts';

/**
 * The teacher registry (реестр педагогов). Entries hold personal data (passport, СНИЛС, birth
 * date) and live in the organisation's private database; only the entry route below returns
 * them, to an admin of the same organisation. The org catalog gets a `teacher` profile with the
 * display name only, which is all a device ever learns about a teacher.
 */

const ADMIN = ['admin'] as const;
const TAGS = ['admin: teachers'];

type Account = { userId: string; login: string; disabled: boolean };

/** The 400 a field error of the registry gives; the value itself is never echoed. */
function fieldError(code: 'INVALID_SNILS' | 'INVALID_DATE', field: string, message: string) {
  const text = message.startsWith(`${field}:`) ? message : `${field}: ${message}`;
  return new HttpError(400, code, text, { field });
}

/**
 * Checks what zod cannot: the СНИЛС checksum, then every other problem at once (RG2), each
 * named by its field in `details.issues`, so the form marks them all in one answer.
 */
export function checkTeacherInput(input: TeacherInput, today: string): string {
  const snils = validateSnils(input.snils);
  if (!snils.ok) throw fieldError('INVALID_SNILS', 'snils', snils.message);
  const problems = teacherProblems(input, today);
  const first = problems[0];
  if (first) {
    throw new HttpError(400, first.code, `${first.field}: ${first.message}`, {
      field: first.field,
      issues: problems.map(({ field, message }) => ({ field, message })),
    });
  }
  return snils.digits;
}

/** One person, one registry entry: the СНИЛС and the passport are unique in the organisation. */
async function checkUnique(data: OrgData, snils: string, input: TeacherInput, selfId?: string) {
  const records = await data.store.find<TeacherRecord & Doc>(data.privateDb, {
    type: 'teacherRecord',
  });
  for (const other of records) {
    if (other.id === selfId) continue;
    // RG5: an archived entry is the same person; the admin brings it back instead.
    const where = other.archivedAt != null ? ' (в архиве)' : '';
    if (other.snils === snils) {
      throw new HttpError(
        409,
        'CONFLICT',
        `snils: педагог с таким СНИЛС уже есть в реестре${where}`,
        { field: 'snils' },
      );
    }
    const p = other.passport;
    if (p.series === input.passport.series && p.number === input.passport.number) {
      throw new HttpError(
        409,
        'CONFLICT',
        `passport: педагог с таким паспортом уже есть в реестре${where}`,
        { field: 'passport.number' },
      );
    }
  }
}

async function teacherAccounts(store: Store, orgId: string): Promise<Map<string, Account>> {
  const users = await store.find<User & Doc>(USERS_DB, { type: 'user', orgId, role: 'teacher' });
  const out = new Map<string, Account>();
  for (const user of users) {
    if (user.teacherId) {
      out.set(user.teacherId, {
        userId: user.id,
        login: user.login,
        disabled: user.disabled === true,
      });
    }
  }
  return out;
}

function listItem(
  record: TeacherRecord,
  account: Account | undefined,
  subgroupIds: string[],
): TeacherListItem {
  return {
    id: record.id,
    lastName: record.lastName,
    firstName: record.firstName,
    middleName: record.middleName,
    displayName: fullName(record),
    snilsMasked: maskSnils(record.snils),
    category: record.category,
    experienceTotalYears: record.experienceTotalYears,
    experienceTeachingYears: record.experienceTeachingYears,
    qualification: record.qualification,
    account: account ?? null,
    subgroupIds,
    archived: record.archivedAt != null,
  };
}

function recordView(record: TeacherRecord, account: Account | undefined): TeacherRecordView {
  const { type: _t, orgId: _o, ...rest } = record;
  return { ...rest, displayName: fullName(record), account: account ?? null };
}

async function loadRecord(data: OrgData, id: string): Promise<TeacherRecord> {
  const record = await data.store.get<TeacherRecord & Doc>(data.privateDb, id);
  if (record?.type !== 'teacherRecord') throw notFound(`Педагог ${id} не найден`);
  return record;
}

/** Writes the registry entry and its public profile (display name only). */
async function saveTeacher(data: OrgData, record: TeacherRecord): Promise<void> {
  const profile: TeacherProfile = {
    id: record.id,
    type: 'teacher',
    orgId: data.orgId,
    displayName: fullName(record),
  };
  await data.store.put(data.privateDb, record as TeacherRecord & Doc);
  await data.store.put(data.orgDb, profile as TeacherProfile & Doc);
}

export function buildTeacherRecord(
  orgId: string,
  id: string,
  input: TeacherInput,
  snilsDigits: string,
  createdAt: number,
  now: number,
): TeacherRecord {
  return {
    id,
    type: 'teacherRecord',
    orgId,
    lastName: input.lastName,
    firstName: input.firstName,
    middleName: input.middleName,
    birthDate: input.birthDate,
    passport: input.passport,
    snils: snilsDigits,
    experienceTotalYears: input.experienceTotalYears,
    experienceTeachingYears: input.experienceTeachingYears,
    category: input.category,
    qualification: input.qualification,
    createdAt,
    updatedAt: now,
  };
}

function listRoute(app: FastifyInstance) {
  route(
    app,
    {
      method: 'GET',
      url: '/api/admin/teachers',
      summary: 'Реестр педагогов: список (СНИЛС скрыт, без паспорта и даты рождения)',
      tags: TAGS,
      response: teacherListResponseSchema,
      roles: ADMIN,
    },
    async ({ user }) => {
      const data = new OrgData(app.store, user.org);
      const [records, accounts, subgroups] = await Promise.all([
        app.store.listByType<TeacherRecord & Doc>(data.privateDb, 'teacherRecord'),
        teacherAccounts(app.store, user.org),
        data.subgroups(),
      ]);
      const teachers = records
        .map((r) =>
          listItem(
            r,
            accounts.get(r.id),
            subgroups.filter((s) => s.teacherIds.includes(r.id)).map((s) => s.id),
          ),
        )
        .sort((a, b) => a.displayName.localeCompare(b.displayName, 'ru'));
      return { teachers };
    },
  );
}

function getRoute(app: FastifyInstance) {
  route(
    app,
    {
      method: 'GET',
      url: '/api/admin/teachers/:id',
      summary: 'Запись реестра педагогов с персональными данными (только администратор)',
      tags: TAGS,
      params: idParamsSchema,
      response: teacherRecordViewSchema,
      roles: ADMIN,
    },
    async ({ user, params }) => {
      const data = new OrgData(app.store, user.org);
      const record = await loadRecord(data, params.id);
      const accounts = await teacherAccounts(app.store, user.org);
      return recordView(record, accounts.get(record.id));
    },
  );
}

function createRoute(app: FastifyInstance) {
  route(
    app,
    {
      method: 'POST',
      url: '/api/admin/teachers',
      summary: 'Добавить педагога в реестр',
      tags: TAGS,
      body: teacherInputSchema,
      response: teacherRecordViewSchema,
      status: 201,
      roles: ADMIN,
    },
    async ({ user, body }) => {
      const data = new OrgData(app.store, user.org);
      const snils = checkTeacherInput(body, await data.today(new Date(app.config.now())));
      await checkUnique(data, snils, body);

      const now = app.config.now();
      const record = buildTeacherRecord(user.org, newEntityId('t'), body, snils, now, now);
      await saveTeacher(data, record);
      return recordView(record, undefined);
    },
  );
}

function updateRoute(app: FastifyInstance) {
  route(
    app,
    {
      method: 'PUT',
      url: '/api/admin/teachers/:id',
      summary: 'Изменить запись реестра педагогов',
      tags: TAGS,
      params: idParamsSchema,
      body: teacherInputSchema,
      response: teacherRecordViewSchema,
      roles: ADMIN,
    },
    async ({ user, params, body }) => {
      const data = new OrgData(app.store, user.org);
      const stored = await loadRecord(data, params.id);
      const snils = checkTeacherInput(body, await data.today(new Date(app.config.now())));
      await checkUnique(data, snils, body, stored.id);

      const record = {
        ...buildTeacherRecord(user.org, stored.id, body, snils, stored.createdAt, app.config.now()),
        archivedAt: stored.archivedAt ?? null,
      };
      await saveTeacher(data, record);
      await renameAccount(app.store, record);
      const accounts = await teacherAccounts(app.store, user.org);
      return recordView(record, accounts.get(record.id));
    },
  );
}

/** A renamed teacher keeps the account; its display name follows the registry. */
async function renameAccount(store: Store, record: TeacherRecord): Promise<void> {
  const users = await store.find<User & Doc>(USERS_DB, { type: 'user', teacherId: record.id });
  for (const account of users) {
    if (account.orgId === record.orgId && account.displayName !== fullName(record)) {
      await store.putUser({ ...account, displayName: fullName(record) });
    }
  }
}

function accountRoute(app: FastifyInstance) {
  route(
    app,
    {
      method: 'POST',
      url: '/api/admin/teachers/:id/account',
      summary: 'Создать учётную запись педагога (логин и пароль)',
      tags: TAGS,
      params: idParamsSchema,
      body: teacherAccountRequestSchema,
      response: teacherAccountSchema,
      status: 201,
      roles: ADMIN,
    },
    async ({ user, params, body }) => {
      const data = new OrgData(app.store, user.org);
      const record = await loadRecord(data, params.id);
      if ((await teacherAccounts(app.store, user.org)).has(record.id)) {
        throw new HttpError(409, 'CONFLICT', 'У педагога уже есть учётная запись', {
          field: 'login',
        });
      }
      // AC1: the schema has trimmed and lower-cased the login already; normalised again here,
      // as sign-in does, so no account is ever stored under a login nobody can sign in with.
      const login = body.login.trim().toLowerCase();

      const account: User = {
        id: newEntityId('u'),
        type: 'user',
        orgId: user.org,
        login,
        role: 'teacher',
        displayName: fullName(record),
        teacherId: record.id,
        passwordHash: await hashPassword(body.password),
        createdAt: app.config.now(),
      };
      if (!(await app.store.createUser(account))) {
        throw new HttpError(409, 'CONFLICT', `login: логин «${login}» занят`, {
          field: 'login',
        });
      }
      return { userId: account.id, login: account.login, disabled: false };
    },
  );
}

/** The account of the organisation's registry entry `teacherId` (404 when it has none). */
async function accountOf(app: FastifyInstance, orgId: string, teacherId: string) {
  const record = await loadRecord(new OrgData(app.store, orgId), teacherId);
  const users = await app.store.find<User & Doc>(USERS_DB, {
    type: 'user',
    orgId,
    role: 'teacher',
  });
  const account = users.find((u) => u.teacherId === record.id);
  if (!account) throw notFound('У педагога нет учётной записи');
  return account;
}

/**
 * AC3: the account is changed first, then its sessions end, so a refresh in between already
 * meets the new state (a blocked account's refresh is refused by the account itself).
 */
async function changeAccount(app: FastifyInstance, userId: string, change: Partial<User>) {
  const next = await app.store.update<User & Doc>(USERS_DB, userId, (current) =>
    current ? { ...current, ...change } : undefined,
  );
  if (!next) throw notFound('У педагога нет учётной записи');
  await new RefreshTokens(app.store, app.config.now, app.config.jwtSecret).revokeUser(next.id);
  return { userId: next.id, login: next.login, disabled: next.disabled === true };
}

function passwordRoute(app: FastifyInstance) {
  route(
    app,
    {
      method: 'POST',
      url: '/api/admin/teachers/:id/account/password',
      summary: 'Задать педагогу новый пароль (все его сеансы завершаются)',
      tags: TAGS,
      params: idParamsSchema,
      body: accountPasswordRequestSchema,
      response: teacherAccountSchema,
      roles: ADMIN,
    },
    async ({ user, params, body }) => {
      const account = await accountOf(app, user.org, params.id);
      return changeAccount(app, account.id, { passwordHash: await hashPassword(body.password) });
    },
  );
}

function accessRoute(app: FastifyInstance) {
  route(
    app,
    {
      method: 'PUT',
      url: '/api/admin/teachers/:id/account/access',
      summary: 'Заблокировать или разрешить вход педагога (блокировка завершает все сеансы)',
      tags: TAGS,
      params: idParamsSchema,
      body: accountAccessRequestSchema,
      response: teacherAccountSchema,
      roles: ADMIN,
    },
    async ({ user, params, body }) => {
      const account = await accountOf(app, user.org, params.id);
      return changeAccount(app, account.id, { disabled: body.disabled });
    },
  );
}

/**
 * RG5: a teacher who left goes to the archive, out of the list and of the subgroup forms, with
 * the entry kept (the journals they signed name them, the СНИЛС stays unique). Not while a
 * subgroup has them: its journal would lose its teacher. Their sign-in is blocked and every
 * session ends; brought back, the entry is active again and sign-in stays blocked until the
 * admin allows it.
 */
function archiveRoute(app: FastifyInstance) {
  route(
    app,
    {
      method: 'PUT',
      url: '/api/admin/teachers/:id/archive',
      summary: 'Перенести педагога в архив или вернуть из архива (архив блокирует вход)',
      tags: TAGS,
      params: idParamsSchema,
      body: teacherArchiveRequestSchema,
      response: teacherListItemSchema,
      roles: ADMIN,
    },
    async ({ user, params, body }) => {
      const data = new OrgData(app.store, user.org);
      const stored = await loadRecord(data, params.id);
      const taught = (await data.subgroups()).filter((s) => s.teacherIds.includes(stored.id));
      if (body.archived && taught.length > 0) {
        // RG5: with its programme, as many programmes have a «Группа 2».
        const programmes = new Map((await data.programmes()).map((p) => [p.id, p.name]));
        const names = taught
          .map((s) => `«${[programmes.get(s.programmeId), s.name].filter(Boolean).join(', ')}»`)
          .join(', ');
        throw new HttpError(
          409,
          'CONFLICT',
          `Педагог ведёт подгруппы ${names}: сначала назначьте им другого педагога`,
          { field: 'subgroupIds' },
        );
      }

      const now = app.config.now();
      const record = { ...stored, archivedAt: body.archived ? now : null, updatedAt: now };
      await data.store.put(data.privateDb, record as TeacherRecord & Doc);
      let account = (await teacherAccounts(app.store, user.org)).get(record.id);
      if (body.archived && account && !account.disabled) {
        account = await changeAccount(app, account.userId, { disabled: true });
      }
      return listItem(
        record,
        account,
        taught.map((s) => s.id),
      );
    },
  );
}

export function teacherRoutes(app: FastifyInstance): void {
  listRoute(app);
  getRoute(app);
  createRoute(app);
  updateRoute(app);
  accountRoute(app);
  passwordRoute(app);
  accessRoute(app);
  archiveRoute(app);
}
