import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { errorHandler } from '../src/http/error-handler.ts';
import { route } from '../src/http/route.ts';
import {
  call,
  createFixture,
  login,
  markDoc,
  pushRows,
  startServer,
  type TestServer,
} from './helpers.ts';

/**
 * Every 4xx message made from a zod failure is Russian and starts with the field path. One
 * Fastify instance with the server's error handler and route helper serves a probe route whose
 * schema has each kind of zod issue; the real app is asked the same through its own endpoints.
 */

const probeSchema = z.object({
  name: z.string().min(1).max(5).optional(),
  tags: z.array(z.string()).min(2).max(3).optional(),
  count: z.number().int().min(1).max(10).optional(),
  code: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional(),
  email: z.email().optional(),
  kind: z.enum(['lesson', 'mark']).optional(),
  fixed: z.literal('one').optional(),
  strict: z.strictObject({ a: z.number() }).optional(),
  odd: z
    .number()
    .refine((n) => n % 2 === 1)
    .optional(),
  even: z
    .number()
    .refine((n) => n % 2 === 0, { message: 'нужно чётное число' })
    .optional(),
  needed: z.object({ inner: z.string() }).optional(),
});

function probeApp(): FastifyInstance {
  const app = Fastify({ logger: false });
  app.decorate('routeRegistry', []);
  app.register(errorHandler);
  app.register(async (scope) => {
    route(scope, { method: 'POST', url: '/probe', summary: 'probe', body: probeSchema }, () => ({
      ok: true,
    }));
  });
  return app;
}

const CYRILLIC = /[а-яё]/i;

describe('zod failures answer in Russian and name the field', () => {
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    app = probeApp();
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });
  afterAll(() => app.close());

  const cases: [string, Record<string, unknown>, string, string][] = [
    ['invalid_type', { name: 5 }, 'name', 'name: ожидается строка, получено число'],
    ['invalid_type (array)', { tags: 'a' }, 'tags', 'tags: ожидается массив, получена строка'],
    [
      'invalid_type (missing)',
      { needed: {} },
      'needed.inner',
      'needed.inner: обязательное поле: ожидается строка',
    ],
    ['invalid_type (int)', { count: 1.5 }, 'count', 'count: ожидается целое число'],
    ['too_small (string)', { name: '' }, 'name', 'name: не может быть пустым'],
    ['too_small (array)', { tags: ['a'] }, 'tags', 'tags: ожидается не меньше 2 элементов'],
    ['too_small (number)', { count: 0 }, 'count', 'count: должно быть не меньше 1'],
    ['too_big (string)', { name: 'abcdef' }, 'name', 'name: не длиннее 5 символов'],
    [
      'too_big (array)',
      { tags: ['a', 'b', 'c', 'd'] },
      'tags',
      'tags: ожидается не больше 3 элементов',
    ],
    ['too_big (number)', { count: 11 }, 'count', 'count: должно быть не больше 10'],
    ['invalid_format (regex)', { code: 'ab' }, 'code', 'code: неверный формат'],
    [
      'invalid_format (email)',
      { email: 'nobody' },
      'email',
      'email: неверный адрес электронной почты',
    ],
    [
      'invalid_value (enum)',
      { kind: 'topic' },
      'kind',
      'kind: ожидается одно из значений: «lesson», «mark»',
    ],
    ['invalid_value (literal)', { fixed: 'two' }, 'fixed', 'fixed: ожидается «one»'],
    [
      'unrecognized_keys',
      { strict: { a: 1, b: 2, c: 3 } },
      'strict',
      'strict: лишние поля «b», «c»',
    ],
    ['custom (zod default)', { odd: 2 }, 'odd', 'odd: недопустимое значение'],
    ['custom (already Russian)', { even: 3 }, 'even', 'even: нужно чётное число'],
  ];

  it.each(cases)('[ER1] %s', async (_code, body, field, message) => {
    const res = await call(url, 'POST', '/probe', { body });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'VALIDATION_FAILED', message, details: { field } } });
  });

  it('[ER1] a body that is not an object at all', async () => {
    const res = await call(url, 'POST', '/probe', { body: [1] });
    expect(res.body).toMatchObject({
      error: { message: 'body: ожидается объект, получен массив' },
    });
  });

  it('[ER1] a number too large to be finite is called what it is', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/probe',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": 1e999}',
    });
    expect(res.json().error.message).toBe(
      'name: ожидается строка, получено бесконечно большое число',
    );
  });
});

describe('the app’s own endpoints answer zod failures in Russian', () => {
  let server: TestServer;
  let token: string;

  beforeAll(async () => {
    server = await startServer();
    await createFixture(server.store);
    token = (await login(server.url, 'teacher-a-user')).accessToken;
  });
  afterAll(() => server.stop());

  it('[ER1] a request field of the wrong type, too long, or out of range', async () => {
    const typed = await call(server.url, 'POST', '/api/auth/login', {
      body: { login: 5, password: 'x' },
    });
    expect(typed.body).toMatchObject({
      error: { message: 'login: ожидается строка, получено число', details: { field: 'login' } },
    });

    const long = await call(server.url, 'POST', '/api/auth/login', {
      body: { login: 'x'.repeat(65), password: 'x' },
    });
    expect(long.body).toMatchObject({ error: { message: 'login: не длиннее 64 символов' } });

    const pull = await call(server.url, 'GET', '/api/sync/marks/pull?limit=-3', { token });
    const message = (pull.body as { error: { message: string } }).error.message;
    expect(message).toMatch(/^limit: /);
    expect(message).toMatch(CYRILLIC);
  });

  it('[ER1] a pushed row refused by its schema names the row’s field in Russian', async () => {
    const row = { ...markDoc('sg-a', '2026-09-02', 'learner-kid', ''), date: 20260902 };
    const res = await call(server.url, 'POST', '/api/sync/marks/push', {
      token,
      body: pushRows([row]),
    });
    expect(res.status).toBe(200);
    expect((res.body as { refused: { code: string; message: string }[] }).refused[0]).toMatchObject(
      {
        code: 'VALIDATION_FAILED',
        message: 'rows.0.newDocumentState.date: ожидается строка, получено число',
      },
    );
  });

  it('[ER1] a key the caller made up is named in the path, not echoed at length', async () => {
    const key = 'Паспорт 4510 123456 '.repeat(50);
    const row = markDoc('sg-a', '2026-09-02', 'learner-kid', '');
    const res = await call(server.url, 'POST', '/api/sync/marks/push', {
      token,
      body: pushRows([{ ...row, stamps: { ...row.stamps, [key]: { at: 1 } } }]),
    });
    const message = (res.body as { refused: { message: string }[] }).refused[0]!.message;
    expect(message.startsWith(`rows.0.newDocumentState.stamps.${key.slice(0, 40)}…`)).toBe(true);
    expect(message.length).toBeLessThan(200);
  });

  it('[ER1] a schema’s own message is Russian too (a month of a wrong form)', async () => {
    const admin = (await login(server.url, 'admin')).accessToken;
    const res = await call(server.url, 'GET', '/api/reports/tabel?subgroupId=sg-a&month=2026-13', {
      token: admin,
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      error: { message: 'month: ожидается месяц ГГГГ-ММ', details: { field: 'month' } },
    });
  });
});
