import type { Learner } from '@otmetka/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateDbName } from '../src/db/store.ts';
import { MAX_CHILDREN_PER_PARENT, MAX_OPEN_APPLICATIONS_PER_CHILD } from '../src/parent/index.ts';
import {
  call,
  createFixture,
  login,
  ORG_ID,
  startServer,
  storeOpenApplications,
  type TestServer,
} from './helpers.ts';

/**
 * A parent's child and application against the real server. The fixture's programme is for
 * ages 8–12 and subgroup sg-a studies from 01.09.2026; the server's clock is set per test, so
 * "today" (Asia/Yekaterinburg) is known.
 */

let server: TestServer;
let parent: string;
let clock = Date.UTC(2026, 9, 1, 6, 0);

/** 11:00 in Orenburg on a date. */
const at = (date: string) => Date.parse(`${date}T11:00:00+05:00`);

beforeAll(async () => {
  server = await startServer({ config: { now: () => clock } });
  await createFixture(server.store);
  parent = (await login(server.url, 'parent')).accessToken;
});
afterAll(() => server.stop());

const child = (birthDate: string) =>
  call(server.url, 'POST', '/api/parent/children', {
    token: parent,
    body: { lastName: 'Тестов', firstName: 'Тест', middleName: '', birthDate },
  });

const apply = (learnerId: string) =>
  call(server.url, 'POST', '/api/parent/applications', {
    token: parent,
    body: { learnerId, subgroupId: 'sg-a' },
  });

async function childId(birthDate: string): Promise<string> {
  const res = await child(birthDate);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return (res.body as { id: string }).id;
}

const errorOf = (body: unknown) =>
  (body as { error: { code: string; message: string; details: { field: string } } }).error;

describe('a parent’s child and application', () => {
  it('[AP1] a birth date in the future, today, or more than 25 years back is refused naming birthDate', async () => {
    clock = at('2026-10-01');
    for (const birthDate of ['2027-01-01', '2026-10-01', '1950-05-05', '2000-09-30']) {
      const res = await child(birthDate);
      expect(res.status, birthDate).toBe(400);
      expect(errorOf(res.body), birthDate).toMatchObject({
        code: 'INVALID_DATE',
        details: { field: 'birthDate' },
      });
      expect(errorOf(res.body).message, birthDate).toMatch(/^birthDate: /);
    }
    expect(errorOf((await child('1950-05-05')).body).message).toBe(
      'birthDate: ребёнку не может быть больше 25 лет: проверьте дату рождения',
    );
    // 25 full years today is still plausible.
    expect((await child('2001-10-01')).status).toBe(201);
  });

  it('[AP2] once the study period has begun, the age on the application date must fit the programme', async () => {
    clock = at('2026-10-01');
    const tooYoung = await childId('2018-10-02'); // 7 today, 8 tomorrow
    const youngest = await childId('2018-10-01'); // 8 today
    const oldest = await childId('2013-10-02'); // 12 today, 13 tomorrow
    const tooOld = await childId('2013-10-01'); // 13 today

    const refused = await apply(tooYoung);
    expect(refused.status).toBe(400);
    expect(errorOf(refused.body)).toEqual({
      code: 'VALIDATION_FAILED',
      message:
        'learnerId: на 01.10.2026 ребёнку 7 лет, а программа «Робототехника» — для детей от 8 до 12 лет',
      details: { field: 'learnerId' },
    });
    expect(errorOf((await apply(tooOld)).body).message).toContain('ребёнку 13 лет');
    expect((await apply(youngest)).status).toBe(201);
    expect((await apply(oldest)).status).toBe(201);
  });

  it('[AP2] before the study period, the age on its first day counts', async () => {
    clock = at('2026-08-20');
    // 7 on 20 August, 8 on 1 September when the subgroup starts.
    const turnsEight = await childId('2018-08-25');
    expect((await apply(turnsEight)).status).toBe(201);
    // 12 on 20 August, 13 on 1 September.
    const turnsThirteen = await childId('2013-08-30');
    const res = await apply(turnsThirteen);
    expect(res.status).toBe(400);
    expect(errorOf(res.body).message).toContain('на 01.09.2026 ребёнку 13 лет');
  });

  it('[AP10] a child registered for a subgroup its programme’s ages leave out is refused naming birthDate and not kept', async () => {
    clock = at('2026-10-01');
    const count = async () =>
      (
        (await call(server.url, 'GET', '/api/parent/children', { token: parent })).body as {
          children: unknown[];
        }
      ).children.length;
    const before = await count();
    const register = (birthDate: string, forSubgroupId: string) =>
      call(server.url, 'POST', '/api/parent/children', {
        token: parent,
        body: {
          lastName: 'Малышев',
          firstName: 'Тимофей',
          middleName: '',
          birthDate,
          forSubgroupId,
        },
      });

    const refused = await register('2024-02-02', 'sg-a');
    expect(refused.status).toBe(400);
    expect(errorOf(refused.body)).toEqual({
      code: 'VALIDATION_FAILED',
      message:
        'birthDate: на 01.10.2026 ребёнку 2 года, а программа «Робототехника» — для детей от 8 до 12 лет',
      details: { field: 'birthDate' },
    });
    expect(await count()).toBe(before);
    expect((await register('2024-02-02', 'no-such-subgroup')).status).toBe(404);
    expect(await count()).toBe(before);

    // Of age: registered, and the stored child carries no trace of the subgroup.
    const taken = await register('2016-02-02', 'sg-a');
    expect(taken.status).toBe(201);
    const id = (taken.body as { id: string }).id;
    const stored = (await server.store.getMany(privateDbName(ORG_ID), [id])).get(id);
    expect(stored?.doc).not.toHaveProperty('forSubgroupId');
    expect(await count()).toBe(before + 1);
  });

  it('[AP2] a child stored with an implausible birth date (before AP1) cannot apply', async () => {
    clock = at('2026-10-01');
    const old: Learner = {
      id: 'learner-1950',
      type: 'learner',
      orgId: ORG_ID,
      parentUserId: 'parent',
      lastName: 'Старов',
      firstName: 'Пётр',
      middleName: '',
      birthDate: '1950-01-01',
      createdAt: 0,
    };
    await server.store.putMany(privateDbName(ORG_ID), [old]);
    const res = await apply(old.id);
    expect(res.status).toBe(400);
    expect(errorOf(res.body)).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'learnerId' },
    });
    expect(errorOf(res.body).message).toContain('ребёнку 76 лет');
  });

  it('[AP3] a second application for the same child and subgroup is refused while the first is confirmed or in reserve, accepted once it was rejected', async () => {
    clock = at('2026-10-01');
    const admin = (await login(server.url, 'admin')).accessToken;
    const setStatus = (id: string, status: string) =>
      call(server.url, 'POST', `/api/admin/applications/${id}/status`, {
        token: admin,
        body: { status, date: null, comment: '' },
      });
    const kid = await childId('2016-05-05');
    const first = await apply(kid);
    expect(first.status).toBe(201);
    const firstId = (first.body as { id: string }).id;

    for (const status of ['подтверждена', 'в резерве']) {
      expect((await setStatus(firstId, status)).status, status).toBe(200);
      const again = await apply(kid);
      expect(again.status, status).toBe(409);
      expect(errorOf(again.body)).toMatchObject({
        code: 'CONFLICT',
        details: { field: 'subgroupId' },
      });
    }
    expect((await setStatus(firstId, 'отклонена')).status).toBe(200);
    expect((await apply(kid)).status).toBe(201);
  });

  it('[AP7] the same status change sent twice is one change: the parent reads it once', async () => {
    clock = at('2026-10-01');
    const admin = (await login(server.url, 'admin')).accessToken;
    const id = ((await apply(await childId('2016-06-06'))).body as { id: string }).id;
    const confirm = (comment: string) =>
      call(server.url, 'POST', `/api/admin/applications/${id}/status`, {
        token: admin,
        body: { status: 'подтверждена', date: null, comment },
      });

    expect((await confirm('Ждём справку')).status).toBe(200);
    expect((await confirm('Ждём справку')).status).toBe(200);
    // Another comment is news for the parent: a line of its own.
    expect((await confirm('Справка получена')).status).toBe(200);

    const mine = await call(server.url, 'GET', '/api/parent/applications', { token: parent });
    const { applications } = mine.body as {
      applications: { id: string; history: { status: string; comment: string }[] }[];
    };
    const history = applications.find((a) => a.id === id)!.history;
    expect(history.map((h) => `${h.status}: ${h.comment}`)).toEqual([
      'новая: ',
      'подтверждена: Ждём справку',
      'подтверждена: Справка получена',
    ]);
  });

  it('[AP5] a child has at most MAX_OPEN_APPLICATIONS_PER_CHILD open applications; a closed one frees a place', async () => {
    clock = at('2026-10-01');
    const admin = (await login(server.url, 'admin')).accessToken;
    // One application to sg-a; open applications elsewhere fill up the rest.
    const kid = await childId('2016-05-07');
    const first = await apply(kid);
    expect(first.status).toBe(201);
    await storeOpenApplications(server.store, kid, 'flood', MAX_OPEN_APPLICATIONS_PER_CHILD - 1);
    const toSgB = () =>
      call(server.url, 'POST', '/api/parent/applications', {
        token: parent,
        body: { learnerId: kid, subgroupId: 'sg-b' },
      });

    const refused = await toSgB();
    expect(refused.status).toBe(409);
    expect(errorOf(refused.body)).toMatchObject({
      code: 'CONFLICT',
      details: { field: 'subgroupId' },
    });
    expect(errorOf(refused.body).message).toMatch(/уже 10 действующих заявок/);

    const rejected = await call(
      server.url,
      'POST',
      `/api/admin/applications/${(first.body as { id: string }).id}/status`,
      {
        token: admin,
        body: { status: 'отклонена', date: null, comment: '' },
      },
    );
    expect(rejected.status).toBe(200);
    expect((await toSgB()).status).toBe(201);
  });
  it('[AP5] one account holds at most MAX_CHILDREN_PER_PARENT children; the next is refused, nothing stored', async () => {
    clock = at('2026-10-01');
    const count = async () => {
      const res = await call(server.url, 'GET', '/api/parent/children', { token: parent });
      return (res.body as { children: unknown[] }).children.length;
    };
    // Children differ by birth date here: the same one sent again is no new child (AP14).
    for (let day = 10; (await count()) < MAX_CHILDREN_PER_PARENT; day++) {
      await childId(`2016-04-${day}`);
    }

    const extra = await child('2016-03-03');
    expect(extra.status).toBe(409);
    expect(errorOf(extra.body)).toMatchObject({ code: 'CONFLICT' });
    expect(errorOf(extra.body).message).toMatch(/не больше 12 детей/);
    expect(await count()).toBe(MAX_CHILDREN_PER_PARENT);
  });
});
