import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createFixture, login, startServer, type TestServer } from './helpers.ts';

/**
 * The live stream outlives neither its token nor the session behind it: access tokens last two
 * seconds here, so the stream a device opened ends on its own, and after a sign-out the device
 * cannot open another.
 */

describe('the live stream and the session', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({ config: { accessTokenTtlSeconds: 2 } });
    await createFixture(server.store);
  });
  afterAll(() => server.stop());

  /** Reads the stream to its end; the text it carried, or null if it was still open at `ms`. */
  async function readToEnd(token: string, ms: number): Promise<string | null> {
    const res = await fetch(`${server.url}/api/sync/stream`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    let timedOut = false;
    const deadline = setTimeout(() => {
      timedOut = true;
      void reader.cancel();
    }, ms);
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return timedOut ? null : text;
        text += value;
      }
    } finally {
      clearTimeout(deadline);
    }
  }

  it('[SC8] a stream ends when the access token that opened it expires; signed out, none opens again', async () => {
    const session = await login(server.url, 'teacher-a-user');
    const text = await readToEnd(session.accessToken, 10_000);
    expect(text, 'the stream was still open 10 s after its 2-second token').not.toBeNull();
    expect(text).toContain('event: resync');

    await call(server.url, 'POST', '/api/auth/logout', {
      body: { refreshToken: session.refreshToken },
    });
    const refreshed = await call(server.url, 'POST', '/api/auth/refresh', {
      body: { refreshToken: session.refreshToken },
    });
    expect(refreshed.status).toBe(401);
    const again = await call(server.url, 'GET', '/api/sync/stream', {
      token: session.accessToken,
    });
    expect(again.status).toBe(401);
    expect((again.body as { error: { code: string } }).error.code).toBe('TOKEN_EXPIRED');
  });
});
