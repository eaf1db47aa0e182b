import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createFixture, login, startServer, type TestServer } from './helpers.ts';

/**
 * What a browser may keep of the API's answers. Without a Cache-Control header a browser's HTTP
 * cache may write an answer to disk (it only cannot reuse it unchecked): a registry entry with
 * a passport, a child's diary or a sign-in's tokens would then stay on a shared computer after
 * sign-out, where no sign-out of the app reaches them.
 */

describe('what API answers leave behind and give away', () => {
  let server: TestServer;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    server = await startServer();
    await createFixture(server.store);
    tokens.admin = (await login(server.url, 'admin')).accessToken;
    tokens.teacher = (await login(server.url, 'teacher-a-user')).accessToken;
  });
  afterAll(() => server.stop());

  it('[SC4] sign-in, personal data, journal, reports and errors answer Cache-Control: no-store', async () => {
    const answers = [
      await call(server.url, 'POST', '/api/auth/login', {
        body: { login: 'parent', password: 'test-password-1' },
      }),
      await call(server.url, 'GET', '/api/admin/teachers/teacher-a', { token: tokens.admin }),
      await call(server.url, 'GET', '/api/sync/roster/pull?limit=10', { token: tokens.teacher }),
      await call(server.url, 'GET', '/api/reports/tabel.xlsx?subgroupId=sg-a&month=2026-09', {
        token: tokens.teacher,
      }),
      await call(server.url, 'GET', '/api/admin/teachers/teacher-a', { token: tokens.teacher }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 403]);
    for (const answer of answers) expect(answer.headers.get('cache-control')).toBe('no-store');
  });

  it('[SC7] /api/health names the database and its version to an admin only', async () => {
    const stranger = await call(server.url, 'GET', '/api/health');
    const teacher = await call(server.url, 'GET', '/api/health', { token: tokens.teacher });
    const forged = await call(server.url, 'GET', '/api/health', { token: 'not.a.jwt' });
    for (const answer of [stranger, teacher, forged]) {
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ ok: true, protocol: 1, database: { reachable: true } });
    }
    const admin = await call(server.url, 'GET', '/api/health', { token: tokens.admin });
    expect(admin.body).toMatchObject({
      database: { reachable: true, vendor: expect.any(String), version: expect.any(String) },
    });
  });
});
