import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, readXlsx } from '../sync-server/src/shared.ts';
import {
  call,
  createFixture,
  type Http,
  lessonDoc,
  login,
  pushRows,
  startServer,
  type TestServer,
} from '../sync-server/test/helpers.ts';
import {
  badTokens,
  createOtherOrg,
  OTHER_PASSWORD,
  sampleFrom,
  snapshot,
  wrongTypes,
} from './hostile/setup.ts';

/**
 * Hostile input against EVERY endpoint of /api/openapi.json on a real server over a real
 * embedded database: malformed and truncated JSON, wrong types, huge strings and arrays, deep
 * nesting, prototype keys, Cyrillic/emoji/script text, formulas in the табель export, bad
 * tokens and another organisation's ids. Each answer is a 4xx with the shared ErrorBody (or a
 * harmless success); the server keeps serving; a refused request changes nothing stored.
 */

type Schema = Record<string, unknown>;
interface Operation {
  method: string;
  path: string;
  roles: string[] | undefined;
  auth: boolean;
  body: Schema | undefined;
  query: { name: string; schema: Schema }[];
}

let server: TestServer;
const tokens: Record<string, string> = {};
let operations: Operation[] = [];

const OWN_IDS: Record<string, string> = {
  collection: 'marks',
  learnerId: 'learner-kid',
  teachers: 'teacher-a',
  programmes: 'prog-robots',
  subgroups: 'sg-a',
  applications: 'app-kid',
};
const OTHER_IDS: Record<string, string> = {
  collection: 'marks',
  learnerId: 'learner-x',
  teachers: 'teacher-x',
  programmes: 'prog-x',
  subgroups: 'sg-x',
  applications: 'app-x',
};

/** Fills `{param}` with an id of the organisation given (the id kind follows the path). */
function fill(path: string, ids: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (name !== 'id') return ids[name] ?? 'x';
    const kind = /\/api\/admin\/(\w+)\/\{id\}/.exec(path)?.[1] ?? '';
    return ids[kind] ?? 'x';
  });
}

function queryFor(op: Operation, ids: Record<string, string>): string {
  const parts = op.query
    .filter((q) => ['subgroupId', 'month', 'learnerId'].includes(q.name))
    .map((q) => {
      if (q.name === 'month') return 'month=2026-09';
      return `${q.name}=${q.name === 'subgroupId' ? ids.subgroups : ids.learnerId}`;
    });
  return parts.length ? `?${parts.join('&')}` : '';
}

function tokenFor(op: Operation): string | undefined {
  if (!op.auth) return undefined;
  const role = op.roles?.[0] ?? 'teacher';
  return tokens[role];
}

const isStream = (op: Operation) => op.path === '/api/sync/stream';
const hasBody = (op: Operation) => ['POST', 'PUT', 'PATCH'].includes(op.method);

/** A body whose only text is a password (AC3's new password): it is never answered back. */
const isSecretOnly = (body: unknown) =>
  typeof body === 'object' &&
  body !== null &&
  Object.keys(body).length > 0 &&
  Object.keys(body).every((key) => key === 'password');

function expectClearError(res: Http, what: string) {
  expect(res.status, `${what}: ${JSON.stringify(res.body).slice(0, 300)}`).toBeGreaterThanOrEqual(
    400,
  );
  expect(res.status, `${what}: ${JSON.stringify(res.body).slice(0, 300)}`).toBeLessThan(500);
  const error = (res.body as { error?: { code?: string; message?: string } }).error;
  expect(ERROR_CODES, what).toContain(error?.code);
  expect(error?.message?.length ?? 0, what).toBeGreaterThan(3);
}

function expectHarmless(res: Http, what: string) {
  expect(res.status, `${what}: ${JSON.stringify(res.body).slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400) expectClearError(res, what);
}

async function expectServing() {
  const health = await call(server.url, 'GET', '/api/health');
  expect(health.status).toBe(200);
}

/** Sends the requests; when every one was refused, no database may have changed. */
async function batch(what: string, requests: (() => Promise<Http>)[], check = expectClearError) {
  const before = await snapshot(server.store);
  const answers: Http[] = [];
  for (const send of requests) answers.push(await send());
  for (const [i, res] of answers.entries()) check(res, `${what} #${i}`);
  if (answers.every((a) => a.status >= 400))
    expect(await snapshot(server.store), what).toEqual(before);
  await expectServing();
}

beforeAll(async () => {
  server = await startServer();
  await createFixture(server.store);
  await createOtherOrg(server.store);
  tokens.admin = (await login(server.url, 'admin')).accessToken;
  tokens.teacher = (await login(server.url, 'teacher-a-user')).accessToken;
  tokens.parent = (await login(server.url, 'parent')).accessToken;
  tokens.otherAdmin = (await login(server.url, 'other-org-admin', OTHER_PASSWORD)).accessToken;

  const doc = (await call(server.url, 'GET', '/api/openapi.json')).body as {
    paths: Record<string, Record<string, Schema>>;
  };
  operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => {
      const params = (op.parameters ?? []) as { name: string; in: string; schema: Schema }[];
      const content = (op.requestBody as { content?: Record<string, { schema: Schema }> })?.content;
      return {
        method: method.toUpperCase(),
        path,
        roles: op['x-roles'] as string[] | undefined,
        auth: Array.isArray(op.security),
        body: content?.['application/json']?.schema,
        query: params.filter((p) => p.in === 'query'),
      };
    }),
  );
});

afterAll(async () => {
  await server.stop();
});

describe('hostile input against every endpoint of /api/openapi.json', () => {
  it('the OpenAPI document lists the sync, auth, admin, parent and report endpoints', () => {
    const paths = operations.map((o) => `${o.method} ${o.path}`);
    expect(paths).toContain('POST /api/sync/{collection}/push');
    expect(paths).toContain('POST /api/auth/login');
    expect(paths).toContain('PUT /api/admin/subgroups/{id}/schedule');
    expect(paths).toContain('GET /api/parent/diary/{learnerId}');
    expect(paths).toContain('GET /api/reports/tabel.xlsx');
    expect(operations.length).toBeGreaterThan(30);
  });

  it('malformed, truncated and empty JSON bodies get 400 with a code, nothing stored', async () => {
    for (const op of operations.filter(hasBody)) {
      const url = fill(op.path, OWN_IDS);
      const token = tokenFor(op);
      const valid = JSON.stringify(sampleFrom(op.body));
      await batch(
        `${op.method} ${op.path} malformed`,
        [
          '{"a":',
          valid.slice(0, Math.max(1, Math.floor(valid.length / 2))),
          '{,}',
          "{'a':1}",
          '[1,2,',
          '\u0000',
        ].map((raw) => () => call(server.url, op.method, url, { token, rawBody: raw })),
      );
    }
  });

  it('wrong types, and bodies that are arrays, numbers or strings, get 400 naming a field', async () => {
    for (const op of operations.filter(hasBody)) {
      const url = fill(op.path, OWN_IDS);
      const token = tokenFor(op);
      await batch(
        `${op.method} ${op.path} wrong types`,
        [wrongTypes(op.body), [], 42, 'текст', null].map(
          (body) => () =>
            call(server.url, op.method, url, { token, rawBody: JSON.stringify(body) }),
        ),
      );
    }
  });

  it('huge strings, huge arrays and deeply nested objects are refused, and the server keeps serving', async () => {
    const huge = 'Ж'.repeat(5_000_000);
    const deep = `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`;
    const manyItems = JSON.stringify({ rows: Array.from({ length: 200_000 }, () => ({})) });
    for (const op of operations.filter(hasBody)) {
      const url = fill(op.path, OWN_IDS);
      const token = tokenFor(op);
      const sample = sampleFrom(op.body) as Record<string, unknown>;
      const longFields =
        sample && typeof sample === 'object' && !Array.isArray(sample)
          ? Object.fromEntries(Object.keys(sample).map((k) => [k, 'Ё'.repeat(100_000)]))
          : {};
      await batch(
        `${op.method} ${op.path} huge`,
        [
          JSON.stringify({ ...sample, text: huge }),
          JSON.stringify({ ...sample, ...longFields }),
          manyItems,
          deep,
        ].map((raw) => () => call(server.url, op.method, url, { token, rawBody: raw })),
      );
    }
  });

  it('__proto__ and constructor keys are refused or ignored, never change a role or an object', async () => {
    for (const op of operations.filter(hasBody)) {
      const url = fill(op.path, OWN_IDS);
      const token = tokenFor(op);
      const sample = JSON.stringify(sampleFrom(op.body)).slice(1, -1);
      const bodies = [
        `{"__proto__":{"role":"admin","isAdmin":true}${sample ? `,${sample}` : ''}}`,
        `{"constructor":{"prototype":{"role":"admin"}}${sample ? `,${sample}` : ''}}`,
        '{"a":{"__proto__":{"polluted":true}}}',
      ];
      await batch(
        `${op.method} ${op.path} prototype keys`,
        bodies.map((raw) => () => call(server.url, op.method, url, { token, rawBody: raw })),
      );
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).role).toBeUndefined();
  });

  it('Cyrillic, emoji and script tags in every text field: a clear 4xx or stored harmlessly', async () => {
    let stored = 0;
    for (const op of operations.filter((o) => hasBody(o) && !o.path.startsWith('/api/auth/'))) {
      const url = fill(op.path, OWN_IDS);
      const body = sampleFrom(op.body);
      const res = await call(server.url, op.method, url, { token: tokenFor(op), body });
      expectHarmless(res, `${op.method} ${op.path} text`);
      if (res.status < 300) {
        stored++;
        expect(res.headers.get('content-type') ?? '').toContain('application/json');
        const answer = JSON.stringify(res.body);
        if (isSecretOnly(body)) {
          // A password is stored (hashed) and never comes back.
          expect(answer, `${op.method} ${op.path}`).not.toContain('🦔');
        } else if (JSON.stringify(body).includes('🦔') && !op.path.startsWith('/api/sync/')) {
          // Stored as written: the text comes back unchanged, as JSON (never as HTML).
          expect(answer, `${op.method} ${op.path}`).toContain('🦔');
        }
      }
    }
    console.info(`hostile: ${stored} text bodies stored`);
    expect(stored).toBeGreaterThan(3);
    await expectServing();
  });

  it('forged, expired, alg:none, other-algorithm and garbage tokens get 401 with a token code', async () => {
    const bad = badTokens({ sub: 'admin', org: 'org-test', role: 'admin', tid: null });
    for (const op of operations.filter((o) => o.auth)) {
      const url = fill(op.path, OWN_IDS) + queryFor(op, OWN_IDS);
      await batch(
        `${op.method} ${op.path} bad tokens`,
        Object.values(bad).map(
          (token) => () =>
            call(server.url, op.method, url, {
              headers: { authorization: `Bearer ${token}` },
              ...(hasBody(op) ? { body: sampleFrom(op.body) } : {}),
            }),
        ),
        (res, what) => {
          expectClearError(res, what);
          expect(res.status, what).toBe(401);
        },
      );
    }
  });

  it("another organisation's ids are refused (4xx) and reveal none of its data", async () => {
    for (const op of operations.filter((o) => o.auth && !isStream(o))) {
      if (!/\{(id|learnerId)\}/.test(op.path) && !op.query.some((q) => q.name === 'subgroupId'))
        continue;
      const url = fill(op.path, OTHER_IDS) + queryFor(op, OTHER_IDS);
      const noLeak = (res: Http, what: string) => {
        expect(JSON.stringify(res.body), what).not.toMatch(/Чуж|Шахматы|org-other/);
        // A filtered list may answer 200 with nothing in it; anything else must be refused.
        if (res.status < 300) expect(op.method, what).toBe('GET');
        else expectClearError(res, what);
      };
      await batch(
        `${op.method} ${op.path} other org`,
        [
          () =>
            call(server.url, op.method, url, {
              token: tokenFor(op),
              ...(hasBody(op) ? { body: sampleFrom(op.body) } : {}),
            }),
        ],
        noLeak,
      );
    }
    // And a journal row of the other organisation's subgroup pushed by our teacher is refused.
    const push = await call(server.url, 'POST', '/api/sync/lessons/push', {
      token: tokens.teacher,
      body: pushRows([{ ...lessonDoc('sg-x', '2026-09-01'), orgId: 'org-other' }]),
    });
    expect(push.status).toBe(200);
    expect((push.body as { refused: { code: string }[] }).refused[0]?.code).toBe(
      'NOT_TEACHER_OF_SUBGROUP',
    );
    expect(JSON.stringify(push.body)).not.toContain('Чужой');
  });
});

describe('formulas stay text in the табель export', () => {
  it('a topic and remark starting with = + - @ and a script tag come back as string cells, never formulas', async () => {
    const texts = ['=HYPERLINK("http://127.0.0.1/x","Жми")', '+7 999 000', '-2+3', '@SUM(A1)'];
    const rows = texts.map((t, i) =>
      lessonDoc('sg-a', ['2026-09-02', '2026-09-07', '2026-09-09', '2026-09-14'][i]!, 5000 + i, {
        topicTitle: t,
        remark: `<script>alert(${i})</script> ${t}`,
        homework: `=1+${i}`,
      }),
    );
    // The endpoint sweep above may have locked this month with a well-formed sample request:
    // open it again, as an admin would, so the rows are judged on their text alone.
    for (const subgroupId of [null, 'sg-a']) {
      const unlock = await call(server.url, 'POST', '/api/admin/locks', {
        token: tokens.admin,
        body: { subgroupId, month: '2026-09', locked: false, reason: 'проверка экспорта' },
      });
      expect(unlock.status).toBeLessThan(300);
    }
    const push = await call(server.url, 'POST', '/api/sync/lessons/push', {
      token: tokens.teacher,
      body: pushRows(rows),
    });
    expect((push.body as { refused: unknown[] }).refused).toEqual([]);

    const res = await fetch(`${server.url}/api/reports/tabel.xlsx?subgroupId=sg-a&month=2026-09`, {
      headers: { authorization: `Bearer ${tokens.admin}` },
    });
    expect(res.status).toBe(200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const cells = readXlsx(bytes).sheets.flatMap((s) => s.rows.flat());
    for (const t of texts) {
      expect(cells).toContain(t);
      expect(cells).toContain(`<script>alert(${texts.indexOf(t)})</script> ${t}`);
    }
    // No formula element anywhere in the workbook: every such cell is an inline string.
    const parts = unzipSync(bytes);
    for (const [name, part] of Object.entries(parts)) {
      if (!name.startsWith('xl/worksheets/')) continue;
      const xml = new TextDecoder().decode(part);
      expect(xml).not.toMatch(/<f[ >]/);
      for (const t of texts) {
        const escaped = t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
        const at = xml.indexOf(`>${escaped}<`);
        expect(at, t).toBeGreaterThan(-1);
        const cellStart = xml.lastIndexOf('<c ', at);
        expect(xml.slice(cellStart, at)).toMatch(/t="(inlineStr|s|str)"/);
      }
    }
  });

  it('the same texts come back from the JSON report exactly as written (escaping is the screen’s job)', async () => {
    const res = await call(server.url, 'GET', '/api/reports/tabel?subgroupId=sg-a&month=2026-09', {
      token: tokens.admin,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    const titles = (res.body as { lessons: { topicTitle: string }[] }).lessons.map(
      (l) => l.topicTitle,
    );
    expect(titles).toContain('=HYPERLINK("http://127.0.0.1/x","Жми")');
  });
});
