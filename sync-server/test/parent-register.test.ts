import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createFixture, ORG_ID, startServer, type TestServer } from './helpers.ts';

/**
 * AC2: a parent's own account, made through the organisation's registration link, against the
 * real server on the embedded database.
 */

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
  await createFixture(server.store);
});
afterAll(() => server.stop());

const register = (body: Record<string, unknown>) =>
  call(server.url, 'POST', '/api/auth/register', { body });

const person = (login: string) => ({
  orgId: ORG_ID,
  displayName: 'Соколова Мария Игоревна',
  login,
  password: 'sokolova-2026',
});

const errorOf = (body: unknown) =>
  (body as { error: { code: string; message: string; details?: { field?: string } } }).error;

describe('parent registration', () => {
  it('[AC2] a parent registers, is signed in as a parent of that organisation and can sign in again', async () => {
    const org = await call(server.url, 'GET', `/api/public/orgs/${ORG_ID}`);
    expect(org.status).toBe(200);
    expect(Object.keys(org.body as object).sort()).toEqual(['city', 'id', 'name']);

    const res = await register(person('  Sokolova.M '));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const session = res.body as { accessToken: string; user: { role: string; orgId: string } };
    expect(session.user).toMatchObject({ role: 'parent', orgId: ORG_ID, teacherId: null });

    const children = await call(server.url, 'GET', '/api/parent/children', {
      token: session.accessToken,
    });
    expect(children.status).toBe(200);
    // Only what a parent may do: the admin's and the teacher's routes stay closed.
    const admin = await call(server.url, 'GET', '/api/admin/teachers', {
      token: session.accessToken,
    });
    expect(admin.status).toBe(403);

    const again = await call(server.url, 'POST', '/api/auth/login', {
      body: { login: 'SOKOLOVA.M', password: 'sokolova-2026' },
    });
    expect(again.status).toBe(200);
  });

  it('[AC2][AC4] a taken login (of anyone), an unknown organisation, a bad login, a short or blank password are refused, naming the field', async () => {
    const taken = await register(person('teacher-a-user'));
    expect(taken.status).toBe(409);
    expect(errorOf(taken.body)).toMatchObject({ code: 'CONFLICT', details: { field: 'login' } });

    const unknown = await register({ ...person('new-parent-1'), orgId: 'org-nowhere' });
    expect(unknown.status).toBe(404);
    expect(errorOf(unknown.body)).toMatchObject({ code: 'NOT_FOUND', details: { field: 'orgId' } });
    expect((await call(server.url, 'GET', '/api/public/orgs/org-nowhere')).status).toBe(404);

    const cyrillic = await register(person('мария'));
    expect(cyrillic.status).toBe(400);
    expect(errorOf(cyrillic.body).details?.field).toBe('login');

    const short = await register({ ...person('new-parent-2'), password: 'short' });
    expect(short.status).toBe(400);
    expect(errorOf(short.body).details?.field).toBe('password');
    // AC4: eight spaces are no password.
    const blank = await register({ ...person('new-parent-2'), password: '        ' });
    expect(blank.status).toBe(400);
    expect(errorOf(blank.body)).toMatchObject({
      message: 'password: пароль не может состоять из одних пробелов',
      details: { field: 'password' },
    });
    // Nothing of the refused attempts was stored: the logins are still free.
    expect((await register(person('new-parent-1'))).status).toBe(201);
    expect((await register(person('new-parent-2'))).status).toBe(201);
  });

  it('[AC2] two sign-ups racing for one login: exactly one gets it', async () => {
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        register({ ...person('race-login'), displayName: `Родитель Номер ${i}` }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    const signIn = await call(server.url, 'POST', '/api/auth/login', {
      body: { login: 'race-login', password: 'sokolova-2026' },
    });
    const winner = results.find((r) => r.status === 201)!.body as { user: { id: string } };
    expect((signIn.body as { user: { id: string } }).user.id).toBe(winner.user.id);

    // The store's own guarantee, with no password hashing to spread the attempts out.
    const account = (i: number) => ({
      id: `u-race-${i}`,
      type: 'user' as const,
      orgId: ORG_ID,
      login: 'race-store',
      role: 'parent' as const,
      displayName: `Родитель ${i}`,
      teacherId: null,
      passwordHash: 'x',
      createdAt: 0,
    });
    const created = await Promise.all(
      [0, 1, 2, 3, 4].map((i) => server.store.createUser(account(i))),
    );
    expect(created.filter(Boolean)).toHaveLength(1);
  });

  it('[AC2] sign-ups are limited per address, whatever login each one tries', async () => {
    const limited = await startServer({ config: { loginRateLimit: 2 } });
    try {
      await createFixture(limited.store);
      const statuses: number[] = [];
      for (const login of ['limit-a', 'limit-b', 'limit-c']) {
        const res = await call(limited.url, 'POST', '/api/auth/register', { body: person(login) });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([201, 201, 429]);
    } finally {
      await limited.stop();
    }
  });
});
