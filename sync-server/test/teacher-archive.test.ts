import type { TeacherListItem, TeacherListResponse } from '@otmetka/shared/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createFixture,
  type Fixture,
  login,
  PERSONAL,
  startServer,
  type TestServer,
} from './helpers.ts';

/**
 * RG5: a teacher who left the organisation goes to the registry's archive. Against the real
 * server and embedded database: the entry stays (and keeps its СНИЛС unique), it cannot be
 * archived while a subgroup has it nor assigned while archived, and its sign-in is blocked.
 */

describe('admin: the registry’s archive', () => {
  let server: TestServer;
  let fixture: Fixture;
  let admin: string;

  beforeAll(async () => {
    server = await startServer();
    fixture = await createFixture(server.store);
    admin = (await login(server.url, 'admin')).accessToken;
  });
  afterAll(() => server.stop());

  const asAdmin = (method: string, url: string, body?: unknown) =>
    call(server.url, method, url, { token: admin, body });
  const archive = (archived: boolean) =>
    asAdmin('PUT', '/api/admin/teachers/teacher-a/archive', { archived });
  const subgroupA = (teacherIds: string[]) => {
    const { id: _i, type: _t, orgId: _o, ...input } = fixture.subgroupA;
    return asAdmin('PUT', '/api/admin/subgroups/sg-a', { ...input, teacherIds });
  };
  const errorOf = (res: { body: unknown }) =>
    (res.body as { error: { code: string; message: string; details?: { field?: string } } }).error;
  const listed = async (id: string) =>
    ((await asAdmin('GET', '/api/admin/teachers')).body as TeacherListResponse).teachers.find(
      (t) => t.id === id,
    );

  it('[RG5] a teacher a subgroup still has is not archived: the answer names the subgroup with its programme', async () => {
    const res = await archive(true);
    expect(res.status).toBe(409);
    expect(errorOf(res).code).toBe('CONFLICT');
    expect(errorOf(res).message).toContain(
      `ведёт подгруппы «${fixture.programme.name}, ${fixture.subgroupA.name}»`,
    );
    expect((await listed('teacher-a'))?.archived).toBe(false);
  });

  it('[RG5][AC3] once off the subgroup, archived: out of the active list, sign-in blocked, sessions ended', async () => {
    const tablet = await login(server.url, 'teacher-a-user');
    expect((await subgroupA([])).status).toBe(200);

    const res = await archive(true);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: 'teacher-a',
      archived: true,
      account: { userId: 'teacher-a-user', login: 'teacher-a-user', disabled: true },
    } satisfies Partial<TeacherListItem>);
    expect((await listed('teacher-a'))?.archived).toBe(true);

    const refreshed = await call(server.url, 'POST', '/api/auth/refresh', {
      body: { refreshToken: tablet.refreshToken },
    });
    expect(refreshed.status).toBe(401);
  });

  it('[RG5] an archived teacher is not assigned to a subgroup; the error names the field', async () => {
    const res = await subgroupA(['teacher-a']);
    expect(res.status).toBe(400);
    expect(errorOf(res).details?.field).toBe('teacherIds[0]');
    expect(errorOf(res).message).toContain('в архиве');
  });

  it('[RG5] the same person cannot be added again: the СНИЛС conflict says the entry is in the archive', async () => {
    const res = await asAdmin('POST', '/api/admin/teachers', {
      lastName: 'Иванова',
      firstName: 'Анна',
      middleName: 'Андреевна',
      birthDate: PERSONAL.birthDate,
      passport: { series: '5310', number: '111222', issuedBy: 'УМВД', issuedOn: '2010-01-01' },
      snils: PERSONAL.snils,
      experienceTotalYears: 10,
      experienceTeachingYears: 8,
      category: 'first',
    });
    expect(errorOf(res).message).toContain('(в архиве)');
    expect(res.status).toBe(409);
    expect(errorOf(res).details?.field).toBe('snils');
  });

  it('[RG5] brought back, the entry is active and can teach again; sign-in stays blocked until allowed', async () => {
    const res = await archive(false);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ archived: false, account: { disabled: true } });
    expect((await subgroupA(['teacher-a'])).status).toBe(200);

    // An edit of the entry keeps it where it is (in the archive or not).
    const card = (await asAdmin('GET', '/api/admin/teachers/teacher-a')).body as Record<
      string,
      unknown
    >;
    const { id: _i, displayName: _d, account: _a, createdAt: _c, updatedAt: _u, ...input } = card;
    expect((await archive(true)).status).toBe(409);
    expect((await subgroupA([])).status).toBe(200);
    expect((await archive(true)).status).toBe(200);
    const { archivedAt: _x, ...fields } = input;
    expect((await asAdmin('PUT', '/api/admin/teachers/teacher-a', fields)).status).toBe(200);
    expect((await listed('teacher-a'))?.archived).toBe(true);
  });
});
