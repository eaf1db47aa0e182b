import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createFixture, login, startServer, type TestServer } from './helpers.ts';

/**
 * A stream the device drops (a killed browser, a tablet out of range) leaves nothing behind in
 * the server: each database follower it started stops with the last stream that needs it. A
 * tester who killed Chromium over and over saw the embedded database warn of piling listeners.
 */

describe('streams that end', () => {
  let server: TestServer;
  let adminToken: string;

  beforeAll(async () => {
    server = await startServer();
    await createFixture(server.store);
    adminToken = (await login(server.url, 'admin')).accessToken;
  });
  afterAll(() => server.stop());

  async function followed(): Promise<number> {
    const res = await call(server.url, 'GET', '/api/health', { token: adminToken });
    return (res.body as { followedDatabases: number }).followedDatabases;
  }

  async function waitForNoneFollowed(): Promise<number> {
    let count = await followed();
    for (let i = 0; i < 50 && count > 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      count = await followed();
    }
    return count;
  }

  it('[LV1] a stream read and closed leaves no database followed', async () => {
    const { accessToken } = await login(server.url, 'teacher-a-user');
    const abort = new AbortController();
    const res = await fetch(`${server.url}/api/sync/stream`, {
      headers: { authorization: `Bearer ${accessToken}` },
      signal: abort.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    expect(await followed()).toBeGreaterThan(0);
    abort.abort();

    expect(await waitForNoneFollowed()).toBe(0);
  });

  it('[LV1] streams dropped while they open leave no database followed', async () => {
    const { accessToken } = await login(server.url, 'teacher-a-user');
    const attempts = Array.from({ length: 30 }, async (_, i) => {
      const abort = new AbortController();
      // Dropped at every moment of the opening: before, during and after the visibility read.
      setTimeout(() => abort.abort(), i % 15);
      await fetch(`${server.url}/api/sync/stream`, {
        headers: { authorization: `Bearer ${accessToken}` },
        signal: abort.signal,
      })
        .then((res) => res.body?.cancel())
        .catch(() => undefined);
    });
    await Promise.all(attempts);

    expect(await waitForNoneFollowed()).toBe(0);
  });
});
