import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RATE_LIMIT_DB } from '../src/db/store.ts';
import { call, createFixture, startServer, type TestServer } from './helpers.ts';

/**
 * Two server processes on one database, as behind a load balancer: the sign-in limit is the
 * deployment's, not each process's.
 */

describe('sign-in limits across server processes', () => {
  let first: TestServer;
  let second: TestServer;

  beforeAll(async () => {
    first = await startServer({ config: { loginRateLimit: 3 } });
    second = await startServer({ couchUrl: first.couch!.url, config: { loginRateLimit: 3 } });
    await createFixture(first.store);
  });
  afterAll(async () => {
    await second.stop();
    await first.stop();
  });

  const attempt = (server: TestServer) =>
    call(server.url, 'POST', '/api/auth/login', {
      body: { login: 'teacher-a-user', password: 'not-the-password' },
    });

  it('[SC9] attempts through either process count against one limit', async () => {
    const statuses: number[] = [];
    for (const server of [first, second, first, second, first, second]) {
      statuses.push((await attempt(server)).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
  });

  it('[SC9] the counters name neither the login nor the address', async () => {
    const { rows } = await first.store.db(RATE_LIMIT_DB).list({ include_docs: true });
    expect(rows.length).toBeGreaterThan(0);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain('teacher-a-user');
    expect(stored).not.toContain('127.0.0.1');
  });
});
