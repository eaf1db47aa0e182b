import type { TeacherListResponse } from '@otmetka/shared/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createFixture, login, PASSWORD, startServer, type TestServer } from './helpers.ts';

/**
 * AC3: an admin can cut a teacher's access when a tablet is lost or the teacher leaves, and give
 * it back. Against the real server and embedded database: sessions are refresh tokens, so what
 * is checked is that every refresh token of the account stops working.
 */

describe('admin: a teacher account’s password and access', () => {
  let server: TestServer;
  let admin: string;

  beforeAll(async () => {
    server = await startServer();
    await createFixture(server.store);
    admin = (await login(server.url, 'admin')).accessToken;
  });
  afterAll(() => server.stop());

  const asAdmin = (method: string, url: string, body?: unknown) =>
    call(server.url, method, url, { token: admin, body });
  const refresh = (refreshToken: string) =>
    call(server.url, 'POST', '/api/auth/refresh', { body: { refreshToken } });
  const signIn = (password: string) =>
    call(server.url, 'POST', '/api/auth/login', { body: { login: 'teacher-a-user', password } });
  const errorCode = (res: { body: unknown }) =>
    (res.body as { error: { code: string } }).error.code;

  it('[AC3] a new password ends the sessions of every device; the old password stops working', async () => {
    const tablet = await login(server.url, 'teacher-a-user');
    const phone = await login(server.url, 'teacher-a-user');

    const reset = await asAdmin('POST', '/api/admin/teachers/teacher-a/account/password', {
      password: 'new-password-42',
    });
    expect(reset.status).toBe(200);
    expect(reset.body).toEqual({
      userId: 'teacher-a-user',
      login: 'teacher-a-user',
      disabled: false,
    });

    for (const device of [tablet, phone]) {
      const res = await refresh(device.refreshToken);
      expect(res.status).toBe(401);
      expect(errorCode(res)).toBe('TOKEN_INVALID');
    }
    expect(errorCode(await signIn(PASSWORD))).toBe('INVALID_CREDENTIALS');
    const fresh = await signIn('new-password-42');
    expect(fresh.status).toBe(200);

    // Back to the fixture's password for the other tests.
    await asAdmin('POST', '/api/admin/teachers/teacher-a/account/password', { password: PASSWORD });
  });

  it('[AC3] a blocked account cannot sign in or refresh; allowed again, it signs in', async () => {
    const tablet = await login(server.url, 'teacher-a-user');

    const blocked = await asAdmin('PUT', '/api/admin/teachers/teacher-a/account/access', {
      disabled: true,
    });
    expect(blocked.status).toBe(200);
    expect(blocked.body).toMatchObject({ disabled: true });
    expect((await refresh(tablet.refreshToken)).status).toBe(401);

    const rightPassword = await signIn(PASSWORD);
    expect(rightPassword.status).toBe(403);
    expect(rightPassword.body).toEqual({
      error: { code: 'ACCOUNT_DISABLED', message: 'Вход заблокирован администратором организации' },
    });
    // A wrong password learns nothing about the block.
    expect(errorCode(await signIn('wrong-password'))).toBe('INVALID_CREDENTIALS');

    const list = await asAdmin('GET', '/api/admin/teachers');
    const row = (list.body as TeacherListResponse).teachers.find((t) => t.id === 'teacher-a');
    expect(row?.account).toEqual({
      userId: 'teacher-a-user',
      login: 'teacher-a-user',
      disabled: true,
    });

    await asAdmin('PUT', '/api/admin/teachers/teacher-a/account/access', { disabled: false });
    expect((await signIn(PASSWORD)).status).toBe(200);
  });

  it('[AC3] only an admin of the organisation, and only for an entry with an account', async () => {
    const teacher = (await login(server.url, 'teacher-b-user')).accessToken;
    const byTeacher = await call(
      server.url,
      'PUT',
      '/api/admin/teachers/teacher-a/account/access',
      {
        token: teacher,
        body: { disabled: true },
      },
    );
    expect(byTeacher.status).toBe(403);

    const unknown = await asAdmin('PUT', '/api/admin/teachers/teacher-zz/account/access', {
      disabled: true,
    });
    expect(unknown.status).toBe(404);
    const short = await asAdmin('POST', '/api/admin/teachers/teacher-a/account/password', {
      password: 'short',
    });
    expect(short.status).toBe(400);
    expect((await signIn(PASSWORD)).status).toBe(200);
  });
});
