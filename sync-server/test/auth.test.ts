import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createFixture, login, PASSWORD, startServer, type TestServer } from './helpers.ts';

describe('auth', () => {
  let server: TestServer;
  /** The server's clock runs this far ahead of the real one. */
  let skew = 0;

  const refresh = async (refreshToken: string) => {
    const res = await call(server.url, 'POST', '/api/auth/refresh', { body: { refreshToken } });
    return { status: res.status, token: (res.body as { refreshToken?: string }).refreshToken };
  };

  beforeAll(async () => {
    server = await startServer({ config: { loginRateLimit: 5, now: () => Date.now() + skew } });
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
    const second = await refresh(first.refreshToken);
    expect(second.status).toBe(200);
    expect(second.token).not.toBe(first.refreshToken);
    // The device goes on refreshing.
    const third = await refresh(second.token!);
    expect(third.status).toBe(200);

    // Someone replays the first token: it was stolen.
    const reuse = await call(server.url, 'POST', '/api/auth/refresh', {
      body: { refreshToken: first.refreshToken },
    });
    expect(reuse.status).toBe(401);
    expect(reuse.body).toMatchObject({ error: { code: 'TOKEN_INVALID' } });

    // The stolen token's family is gone: the legitimate latest token no longer works either.
    expect((await refresh(third.token!)).status).toBe(401);
  });

  it('a refresh whose answer was lost can be repeated for a minute and gets the same next token', async () => {
    const first = await login(server.url, 'teacher-a-user');
    const lost = await refresh(first.refreshToken);
    const again = await refresh(first.refreshToken);
    expect(again).toEqual({ status: 200, token: lost.token });
    expect((await refresh(again.token!)).status).toBe(200);
  });

  it('after that minute, or once the next token was used, a replay revokes the family', async () => {
    const late = await login(server.url, 'teacher-b-user');
    const next = await refresh(late.refreshToken);
    skew = 61_000;
    try {
      expect((await refresh(late.refreshToken)).status).toBe(401);
      expect((await refresh(next.token!)).status).toBe(401);
    } finally {
      skew = 0;
    }

    const used = await login(server.url, 'teacher-b-user');
    const second = await refresh(used.refreshToken);
    const third = await refresh(second.token!);
    expect((await refresh(used.refreshToken)).status).toBe(401);
    expect((await refresh(third.token!)).status).toBe(401);
  });

  it('two refreshes racing with one token both get the same next token', async () => {
    const session = await login(server.url, 'teacher-a-user');
    const [a, b] = await Promise.all([
      refresh(session.refreshToken),
      refresh(session.refreshToken),
    ]);
    expect(a).toEqual({ status: 200, token: expect.any(String) });
    expect(b).toEqual(a);
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

describe('auth: sign-in attempts per address', () => {
  let server: TestServer;

  beforeAll(async () => {
    // Two attempts per login and address; ten per address whatever the logins.
    server = await startServer({ config: { loginRateLimit: 2 } });
    await createFixture(server.store);
  });
  afterAll(() => server.stop());

  it('[SC5] one address may not try a password against every login', async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 11; i++) {
      const res = await call(server.url, 'POST', '/api/auth/login', {
        body: { login: `guess-${i}`, password: 'Summer2026!' },
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses[10]).toBe(429);

    // A right password from that address waits too: the guesser cannot tell it from a wrong one.
    const right = await call(server.url, 'POST', '/api/auth/login', {
      body: { login: 'teacher-a-user', password: PASSWORD },
    });
    expect(right.status).toBe(429);
    expect(right.body).toMatchObject({ error: { code: 'RATE_LIMITED' } });
  });
});
