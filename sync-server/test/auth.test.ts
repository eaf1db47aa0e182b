import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createFixture, login, PASSWORD, startServer, type TestServer } from './helpers.ts';

describe('auth', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({ config: { loginRateLimit: 5 } });
    await createFixture(server.store);
  });
  afterAll(() => server.stop());

  it('logs in with login and password and answers the session user', async () => {
    const session = await login(server.url, 'teacher-a-user');
    expect(session.accessToken.split('.')).toHaveLength(3);
    expect(session.user).toMatchObject({
      id: 'teacher-a-user',
      role: 'teacher',
      teacherId: 'teacher-a',
    });

    const health = await call(server.url, 'GET', '/api/health', { token: session.accessToken });
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ ok: true, database: { reachable: true } });
  });

  it('refuses a wrong password without saying which part was wrong', async () => {
    const res = await call(server.url, 'POST', '/api/auth/login', {
      body: { login: 'teacher-a-user', password: 'nope' },
    });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: { code: 'INVALID_CREDENTIALS' } });
  });

  it('rotates the refresh token; a reused token revokes its whole family', async () => {
    const first = await login(server.url, 'teacher-b-user');
    const second = await call(server.url, 'POST', '/api/auth/refresh', {
      body: { refreshToken: first.refreshToken },
    });
    expect(second.status).toBe(200);
    const next = (second.body as { refreshToken: string }).refreshToken;
    expect(next).not.toBe(first.refreshToken);

    const reuse = await call(server.url, 'POST', '/api/auth/refresh', {
      body: { refreshToken: first.refreshToken },
    });
    expect(reuse.status).toBe(401);
    expect(reuse.body).toMatchObject({ error: { code: 'TOKEN_INVALID' } });

    // The stolen token's family is gone: the legitimate next token no longer works either.
    const after = await call(server.url, 'POST', '/api/auth/refresh', {
      body: { refreshToken: next },
    });
    expect(after.status).toBe(401);
  });

  it('logout revokes the refresh token', async () => {
    const session = await login(server.url, 'parent');
    const out = await call(server.url, 'POST', '/api/auth/logout', {
      body: { refreshToken: session.refreshToken },
    });
    expect(out.status).toBe(200);
    const res = await call(server.url, 'POST', '/api/auth/refresh', {
      body: { refreshToken: session.refreshToken },
    });
    expect(res.status).toBe(401);
  });

  it('rate-limits login attempts per IP and login', async () => {
    const attempt = () =>
      call(server.url, 'POST', '/api/auth/login', { body: { login: 'admin', password: 'wrong' } });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await attempt()).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses[5]).toBe(429);
    const limited = await attempt();
    expect(limited.body).toMatchObject({ error: { code: 'RATE_LIMITED' } });

    // Another login from the same IP is not locked out.
    const other = await call(server.url, 'POST', '/api/auth/login', {
      body: { login: 'other-parent', password: PASSWORD },
    });
    expect(other.status).toBe(200);
  });
});
