import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_LIMIT_BYTES } from '../src/shared.ts';
import {
  call,
  createFixture,
  JWT_SECRET,
  login,
  markDoc,
  pushRows,
  startServer,
  type TestServer,
} from './helpers.ts';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function jwt(payload: Record<string, unknown>, secret: string, alg = 'HS256'): string {
  const head = `${b64({ alg, typ: 'JWT' })}.${b64(payload)}`;
  if (alg === 'none') return `${head}.`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

const claims = (expOffset: number) => {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: 'teacher-a-user',
    org: 'org-test',
    role: 'admin',
    tid: 'teacher-a',
    iat: now - 100,
    exp: now + expOffset,
  };
};

describe('bad input gets a clear 4xx and the server keeps serving', () => {
  let server: TestServer;
  let token: string;

  beforeAll(async () => {
    server = await startServer();
    await createFixture(server.store);
    token = (await login(server.url, 'teacher-a-user')).accessToken;
  });
  afterAll(() => server.stop());

  const expectError = (res: { status: number; body: unknown }, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ error: { code, message: expect.any(String) } });
  };

  it('malformed JSON → 400 MALFORMED_JSON', async () => {
    const res = await call(server.url, 'POST', '/api/sync/marks/push', {
      token,
      rawBody: '{"rows": [',
    });
    expectError(res, 400, 'MALFORMED_JSON');
  });

  it('wrong types → 400 VALIDATION_FAILED naming the field', async () => {
    const res = await call(server.url, 'POST', '/api/sync/marks/push', {
      token,
      body: { rows: 'many' },
    });
    expectError(res, 400, 'VALIDATION_FAILED');
    expect(res.body).toMatchObject({ error: { details: { field: 'rows' } } });

    const login = await call(server.url, 'POST', '/api/auth/login', {
      body: { login: 5, password: 'x' },
    });
    expect(login.body).toMatchObject({
      error: { code: 'VALIDATION_FAILED', details: { field: 'login' } },
    });

    const pull = await call(server.url, 'GET', '/api/sync/marks/pull?limit=-3', { token });
    expect(pull.body).toMatchObject({
      error: { code: 'VALIDATION_FAILED', details: { field: 'limit' } },
    });

    const cp = await call(server.url, 'GET', '/api/sync/marks/pull?checkpoint=%%%garbage', {
      token,
    });
    expect(cp.body).toMatchObject({
      error: { code: 'VALIDATION_FAILED', details: { field: 'checkpoint' } },
    });
  });

  it('a push row without an id → 400 naming the row, since its answer could not be matched', async () => {
    const res = await call(server.url, 'POST', '/api/sync/marks/push', {
      token,
      body: { rows: [{ newDocumentState: { type: 'mark', code: 'Н' } }] },
    });
    expectError(res, 400, 'VALIDATION_FAILED');
    expect(res.body).toMatchObject({
      error: { details: { field: 'rows.0.newDocumentState.id' } },
    });
  });

  it('an oversized body → 413 BODY_TOO_LARGE', async () => {
    const big = 'x'.repeat(BODY_LIMIT_BYTES + 10);
    const res = await call(server.url, 'POST', '/api/sync/marks/push', {
      token,
      body: pushRows([{ id: 'a', note: big }]),
    });
    expectError(res, 413, 'BODY_TOO_LARGE');
  });

  it('a request without a valid token is refused before its body is read', async () => {
    const garbled = await call(server.url, 'POST', '/api/sync/marks/push', {
      rawBody: '{"rows": [',
    });
    expectError(garbled, 401, 'UNAUTHENTICATED');
    const big = 'x'.repeat(BODY_LIMIT_BYTES + 10);
    const oversized = await call(server.url, 'POST', '/api/sync/marks/push', {
      token: jwt(claims(600), 'not-the-secret'),
      body: pushRows([{ id: 'a', note: big }]),
    });
    expectError(oversized, 401, 'TOKEN_INVALID');
  });

  it('an unknown collection → 404 UNKNOWN_COLLECTION', async () => {
    expectError(
      await call(server.url, 'GET', '/api/sync/passports/pull', { token }),
      404,
      'UNKNOWN_COLLECTION',
    );
    const push = await call(server.url, 'POST', '/api/sync/passports/push', {
      token,
      body: pushRows([{}]),
    });
    expectError(push, 404, 'UNKNOWN_COLLECTION');
  });

  it('missing, expired, forged and alg-none tokens → 401 with their own codes', async () => {
    const url = '/api/sync/marks/pull';
    expectError(await call(server.url, 'GET', url), 401, 'UNAUTHENTICATED');
    expectError(
      await call(server.url, 'GET', url, { token: jwt(claims(-60), JWT_SECRET) }),
      401,
      'TOKEN_EXPIRED',
    );
    expectError(
      await call(server.url, 'GET', url, { token: jwt(claims(600), 'another-secret') }),
      401,
      'TOKEN_INVALID',
    );
    expectError(
      await call(server.url, 'GET', url, { token: jwt(claims(600), '', 'none') }),
      401,
      'TOKEN_INVALID',
    );
    expectError(await call(server.url, 'GET', url, { token: 'not.a.jwt' }), 401, 'TOKEN_INVALID');
    // A correctly signed token still works: the secret is what it was.
    expect(
      (await call(server.url, 'GET', url, { token: jwt(claims(600), JWT_SECRET) })).status,
    ).toBe(200);
  });

  it('another protocol version → 426 PROTOCOL_MISMATCH; unknown route → 404 NOT_FOUND', async () => {
    const res = await call(server.url, 'GET', '/api/health', {
      headers: { 'x-otmetka-protocol': '99' },
    });
    expectError(res, 426, 'PROTOCOL_MISMATCH');
    expectError(await call(server.url, 'GET', '/api/nothing-here'), 404, 'NOT_FOUND');
  });

  it('[SC2] a parent cannot push journal rows: 403 before the rows are read', async () => {
    const parent = (await login(server.url, 'parent')).accessToken;
    const res = await call(server.url, 'POST', '/api/sync/marks/push', {
      token: parent,
      body: pushRows([markDoc('sg-a', '2026-09-02', 'learner-kid', '')]),
    });
    expectError(res, 403, 'FORBIDDEN');
  });

  it('keeps serving after all of that', async () => {
    const health = await call(server.url, 'GET', '/api/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ ok: true, database: { reachable: true } });
    expect(server.log()).not.toContain('"level":50');
  });

  it('serves the OpenAPI document with the collections as the enum of `collection`', async () => {
    const res = await call(server.url, 'GET', '/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body as {
      paths: Record<
        string,
        Record<string, { parameters: { name: string; schema: { enum?: string[] } }[] }>
      >;
    };
    const param = doc.paths['/api/sync/{collection}/pull']?.get?.parameters.find(
      (p) => p.name === 'collection',
    );
    expect(param?.schema.enum).toEqual(['catalog', 'lessons', 'topics', 'roster', 'marks']);
    expect(doc.paths['/api/auth/login']).toBeDefined();
  });

  it('sets security headers and keeps CORS closed', async () => {
    const res = await fetch(`${server.url}/api/health`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers a navigation with a Russian page while the client is not built', async () => {
    const res = await fetch(`${server.url}/journal/today`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('npm run build');
  });

  it('[PW2] a missing file of the build is a 404, even asked with Accept */*, never the app shell', async () => {
    for (const url of ['/assets/TopicsScreen-old1234.js', '/icon-missing.png']) {
      const res = await fetch(`${server.url}${url}`, { headers: { accept: '*/*' } });
      expect(res.status, url).toBe(404);
      expect(await res.text(), url).not.toContain('<html');
    }
  });
});
