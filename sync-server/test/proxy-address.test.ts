import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { call, createFixture, startServer, type TestServer } from './helpers.ts';

/**
 * Behind the load balancer of the production layout the caller's address is the one the
 * balancer appends to X-Forwarded-For. The left-most entries are whatever the caller sent: an
 * address taken from there let anyone buy a fresh allowance of sign-in and sign-up attempts
 * per request by writing a new address into the header.
 */

describe('the caller’s address behind a proxy', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({
      config: { production: true, trustProxy: ['loopback'], loginRateLimit: 3 },
    });
    await createFixture(server.store);
  });
  afterAll(() => server.stop());

  /** A request as the balancer (here on 127.0.0.1) forwards it: what the caller wrote, then the caller's address. */
  const forwarded = (written: string, url: string, body: unknown) =>
    call(server.url, 'POST', url, {
      body,
      headers: { 'x-forwarded-for': `${written}, 203.0.113.7` },
    });

  it('[SC3] an address written into X-Forwarded-For buys no more sign-in attempts', async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 4; i++) {
      const res = await forwarded(`10.0.0.${i}`, '/api/auth/login', {
        login: 'admin',
        password: 'wrong',
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);

    // Another caller behind the same balancer is not locked out.
    const other = await call(server.url, 'POST', '/api/auth/login', {
      body: { login: 'admin', password: 'wrong' },
      headers: { 'x-forwarded-for': '198.51.100.9' },
    });
    expect(other.status).toBe(401);
  });

  it('[SC3] nor more sign-ups', async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 4; i++) {
      const res = await forwarded(`10.0.1.${i}`, '/api/auth/register', {
        orgId: 'org-test',
        displayName: 'Родитель Проверки Адреса',
        login: `proxy-parent-${i}`,
        password: 'parent-password-1',
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([201, 201, 201, 429]);
  });

  it('[SC3] production believes a proxy on the same machine unless TRUST_PROXY says otherwise', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'otmetka-proxy-'));
    try {
      const env = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(48), DATA_DIR: dataDir };
      expect((await loadConfig(env)).trustProxy).toEqual(['loopback']);
      expect((await loadConfig({ ...env, TRUST_PROXY: 'none' })).trustProxy).toBe(false);
      expect(
        (await loadConfig({ ...env, TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' })).trustProxy,
      ).toEqual(['10.0.0.0/8', '127.0.0.1']);
      // Development: nothing in front, the socket's address is the caller's.
      expect((await loadConfig({ DATA_DIR: dataDir })).trustProxy).toBe(false);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
