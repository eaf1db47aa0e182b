import {
  type Application,
  type Lesson,
  type MonthLock,
  type Org,
  type RosterEntry,
  rosterId,
  type Schedule,
  scheduleId,
} from '@otmetka/shared';
import type { SchedulePreviewResponse, TeacherRecordView } from '@otmetka/shared/api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Doc, orgDbName, privateDbName, subgroupDbName } from '../src/db/store.ts';
import {
  call,
  createFixture,
  type Fixture,
  fixtureSchedule,
  lessonDoc,
  login,
  ORG_ID,
  PASSWORD,
  startServer,
  type TestServer,
} from './helpers.ts';

/**
 * Admin changes that would rewrite a locked month (LK3, LK4) and teacher logins that differ
 * only in case (AC1), over real HTTP on the embedded database. Subgroup sg-a of the fixture
 * meets on Mondays and Wednesdays 15:00–16:30 from 1 September 2026; each test starts with no
 * lock documents, no automatic lock day, the fixture's schedule and the server's clock on
 * 10 October 2026.
 */

let server: TestServer;
let fixture: Fixture;
let admin: string;
/** The server's clock (config.now), moved by the automatic-lock tests. */
let clock = Date.parse('2026-10-10T06:00:00Z');

const orgDb = orgDbName(ORG_ID);
const sgDb = subgroupDbName('sg-a');

const RULE = fixtureSchedule('sg-a').rules[0]!;

type ErrorJson = { error: { code: string; message: string; details?: Record<string, unknown> } };

function learner(id: string, lastName: string, parentUserId = 'parent') {
  return {
    id,
    type: 'learner',
    orgId: ORG_ID,
    parentUserId,
    lastName,
    firstName: 'Тест',
    middleName: '',
    birthDate: '2016-04-01',
    createdAt: 0,
  };
}

function application(id: string, learnerId: string, status: string): Application {
  return {
    id,
    type: 'application',
    orgId: ORG_ID,
    subgroupId: 'sg-a',
    learnerId,
    parentUserId: 'parent',
    status,
    history: [],
    createdAt: 0,
  };
}

beforeAll(async () => {
  server = await startServer({ config: { now: () => clock } });
  fixture = await createFixture(server.store);
  await server.store.putMany(privateDbName(ORG_ID), [
    learner('learner-kid', 'Смирнов'),
    learner('learner-other', 'Орлова', 'other-parent'),
    learner('learner-late', 'Зайцев'),
    learner('learner-new', 'Новиков'),
  ]);
  await server.store.putMany(orgDb, [
    application('app-late', 'learner-late', 'обучается'),
    application('app-new', 'learner-new', 'новая'),
  ] as (Application & Doc)[]);
  admin = (await login(server.url, fixture.users.admin.login)).accessToken;
});

afterAll(async () => {
  await server?.stop();
});

beforeEach(async () => {
  clock = Date.parse('2026-10-10T06:00:00Z');
  const locks = await server.store.listByType<MonthLock & Doc>(orgDb, 'lock');
  for (const l of locks) await server.store.remove(orgDb, l.id);
  await setLockDay(null);
  // The fixture's schedule again: a save in one test must not decide what the next one touches.
  await server.store.put(orgDb, fixtureSchedule('sg-a') as Schedule & Doc);
});

async function setLockDay(lockDay: number | null) {
  await server.store.update<Org & Doc>(orgDb, ORG_ID, (org) =>
    org ? { ...org, lockDay } : undefined,
  );
}

async function lock(subgroupId: string | null, month: string, locked = true) {
  const res = await call(server.url, 'POST', '/api/admin/locks', {
    token: admin,
    body: { subgroupId, month, locked, reason: locked ? '' : 'Исправление' },
  });
  expect(res.status).toBe(200);
}

function setStatus(applicationId: string, status: string, date: string) {
  return call(server.url, 'POST', `/api/admin/applications/${applicationId}/status`, {
    token: admin,
    body: { status, date, comment: '' },
  });
}

async function intervalsOf(learnerId: string) {
  const entry = await server.store.get<RosterEntry & Doc>(sgDb, rosterId('sg-a', learnerId));
  return entry?.intervals;
}

async function applicationOf(id: string) {
  return server.store.get<Application & Doc>(orgDb, id);
}

function expectMonthLocked(res: { status: number; body: unknown }, monthName: string) {
  expect(res.status).toBe(409);
  const { error } = res.body as ErrorJson;
  expect(error.code).toBe('MONTH_LOCKED');
  expect(error.message).toContain(`«${monthName}»`);
  expect(error.message).toContain('откройте');
  return error;
}

describe('status changes and locked months', () => {
  it('[LK3] a withdrawal dated in a locked month of the subgroup is 409 MONTH_LOCKED naming it; nothing stored changes', async () => {
    await lock('sg-a', '2026-09');
    const before = await applicationOf('app-kid');

    const res = await setStatus('app-kid', 'отчислен', '2026-09-15');

    const error = expectMonthLocked(res, 'сентябрь 2026');
    expect(error.message).toContain('15.09.2026');
    expect(error.details).toMatchObject({ field: 'date', month: '2026-09' });
    expect(await intervalsOf('learner-kid')).toEqual([{ from: '2026-09-01', to: null }]);
    const after = await applicationOf('app-kid');
    expect(after?.status).toBe('обучается');
    expect(after?.history).toEqual(before?.history);
  });

  it('[LK3] an enrolment dated in a locked month is refused; dated in an open month it passes', async () => {
    await lock('sg-a', '2026-09');

    expectMonthLocked(await setStatus('app-new', 'обучается', '2026-09-09'), 'сентябрь 2026');
    expect(await intervalsOf('learner-new')).toBeUndefined();
    expect((await applicationOf('app-new'))?.status).toBe('новая');

    const open = await setStatus('app-new', 'обучается', '2026-10-05');
    expect(open.status).toBe(200);
    expect(await intervalsOf('learner-new')).toEqual([{ from: '2026-10-05', to: null }]);
  });

  it('[LK3] the org-wide lock and the automatic lock day count; the subgroup’s own unlock lets it through', async () => {
    await lock(null, '2026-10');
    expectMonthLocked(await setStatus('app-other', 'отчислен', '2026-10-20'), 'октябрь 2026');

    // With lock day 5, on 6 December November is locked automatically (October by the org).
    await setLockDay(5);
    clock = Date.parse('2026-12-06T06:00:00Z');
    expectMonthLocked(await setStatus('app-other', 'отчислен', '2026-11-20'), 'ноябрь 2026');
    expect(await intervalsOf('learner-other')).toEqual([{ from: '2026-09-01', to: null }]);

    await lock('sg-a', '2026-11', false);
    const res = await setStatus('app-other', 'отчислен', '2026-11-20');
    expect(res.status).toBe(200);
    expect(await intervalsOf('learner-other')).toEqual([{ from: '2026-09-01', to: '2026-11-19' }]);
  });

  it('[LK3] a withdrawal dated in a locked month before the learner started changes nothing there and passes', async () => {
    // learner-late studies from 1 October: withdrawn «from 20 September», the interval goes.
    await lock('sg-a', '2026-09');
    const res = await setStatus('app-late', 'отчислен', '2026-09-20');
    expect(res.status).toBe(200);
    expect(await intervalsOf('learner-late')).toEqual([]);
  });
});

/** The fixture's rule until the day before `from`, then the same days at 16:00–17:30. */
function laterFrom(from: string, dayBefore: string) {
  return {
    rules: [
      { ...RULE, to: dayBefore },
      { ...RULE, id: 'rule-2', from, start: '16:00', end: '17:30' },
    ],
    exceptions: [],
    holidayRule: 'skip',
  };
}

function saveSchedule(body: unknown) {
  return call(server.url, 'PUT', '/api/admin/subgroups/sg-a/schedule', { token: admin, body });
}

async function storedSchedule() {
  return server.store.get<Schedule & Doc>(orgDb, scheduleId('sg-a'));
}

describe('schedule edits and locked months', () => {
  it('[LK4] a change of time from a date in a locked month is 409 MONTH_LOCKED naming it; schedule and lessons unchanged', async () => {
    // A lesson of 21 September with a remark: saved, it would be flagged off-schedule.
    const lesson = lessonDoc('sg-a', '2026-09-21', 1000, { remark: 'Принесли конструкторы' });
    await server.store.putMany(sgDb, [lesson as unknown as Lesson & Doc]);
    await lock('sg-a', '2026-09');
    const before = await storedSchedule();

    const res = await saveSchedule(laterFrom('2026-09-16', '2026-09-15'));

    const error = expectMonthLocked(res, 'сентябрь 2026');
    expect(error.details).toMatchObject({ month: '2026-09' });
    expect((await storedSchedule())?.rules).toEqual(before?.rules);
    const stored = await server.store.get<Lesson & Doc>(sgDb, lesson.id);
    expect(stored?.flag).toBeNull();
  });

  it('[LK9] the preview of that change shows its dates and names the locked month with the save’s message; an open one has none', async () => {
    await lock('sg-a', '2026-09');
    const preview = (body: unknown) =>
      call(server.url, 'POST', '/api/admin/subgroups/sg-a/schedule/preview', {
        token: admin,
        body,
      });

    const res = await preview(laterFrom('2026-09-16', '2026-09-15'));
    expect(res.status).toBe(200);
    const body = res.body as SchedulePreviewResponse;
    expect(body.slots.length).toBeGreaterThan(0);
    const saved = await saveSchedule(laterFrom('2026-09-16', '2026-09-15'));
    expect(body.locked).toEqual({
      month: '2026-09',
      message: (saved.body as { error: { message: string } }).error.message,
    });

    const open = (await preview(laterFrom('2026-10-01', '2026-09-30'))).body;
    expect((open as SchedulePreviewResponse).locked).toBeNull();
  });

  it('[LK4] a closed month’s cancellation cannot get another reason or be taken back; a cancellation in an open month passes', async () => {
    const cancel = (date: string, reason: string) => ({
      kind: 'cancel',
      date,
      start: '15:00',
      reason,
    });
    const body = (exceptions: unknown[]) => ({ rules: [RULE], exceptions, holidayRule: 'skip' });
    expect((await saveSchedule(body([cancel('2026-09-28', 'карантин')]))).status).toBe(200);
    await lock('sg-a', '2026-09');

    expectMonthLocked(await saveSchedule(body([cancel('2026-09-28', 'ремонт')])), 'сентябрь 2026');
    expectMonthLocked(await saveSchedule(body([])), 'сентябрь 2026');
    const preview = await call(server.url, 'POST', '/api/admin/subgroups/sg-a/schedule/preview', {
      token: admin,
      body: body([cancel('2026-09-28', 'ремонт')]),
    });
    expect((preview.body as SchedulePreviewResponse).locked?.month).toBe('2026-09');

    const october = body([cancel('2026-09-28', 'карантин'), cancel('2026-10-12', 'выставка')]);
    expect((await saveSchedule(october)).status).toBe(200);
    expect((await storedSchedule())?.exceptions).toHaveLength(2);
  });

  it('[LK4] the same change from the first day of an open month passes while September stays locked', async () => {
    await lock('sg-a', '2026-09');
    const res = await saveSchedule(laterFrom('2026-10-01', '2026-09-30'));
    expect(res.status).toBe(200);
    expect((await storedSchedule())?.rules.map((r) => r.start)).toEqual(['15:00', '16:00']);
  });

  it('[LK4] the automatic lock day counts: on 10 November with lock day 5, a change from 15 October names October', async () => {
    await setLockDay(5);
    clock = Date.parse('2026-11-10T06:00:00Z');
    const before = await storedSchedule();
    expectMonthLocked(await saveSchedule(laterFrom('2026-10-15', '2026-10-14')), 'октябрь 2026');
    expect((await storedSchedule())?.rules).toEqual(before?.rules);

    const res = await saveSchedule(laterFrom('2026-11-02', '2026-11-01'));
    expect(res.status).toBe(200);
  });
});

describe('a first schedule and locked months', () => {
  it('[LK4] a subgroup without a schedule or lessons gets its whole year even with September locked', async () => {
    await lock(null, '2026-09');
    await server.store.remove(orgDb, scheduleId('sg-b'));
    const res = await call(server.url, 'PUT', '/api/admin/subgroups/sg-b/schedule', {
      token: admin,
      body: { rules: [RULE], exceptions: [], holidayRule: 'skip' },
    });
    expect(res.status).toBe(200);
    const saved = await server.store.get<Schedule & Doc>(orgDb, scheduleId('sg-b'));
    expect(saved?.rules.map((r) => r.from)).toEqual([RULE.from]);
  });
});

describe('lock history', () => {
  it('[LK5] every lock and unlock is kept with who, when and the reason; locking again does not erase the unlock', async () => {
    clock = Date.parse('2026-10-10T06:00:00Z');
    await lock('sg-a', '2027-03');
    clock += 60_000;
    await lock('sg-a', '2027-03', false);
    clock += 60_000;
    await lock('sg-a', '2027-03');
    clock += 60_000;
    await lock('sg-b', '2027-03');

    const res = await call(server.url, 'GET', '/api/admin/locks?subgroupId=sg-a', { token: admin });
    expect(res.status).toBe(200);
    const body = res.body as {
      locks: MonthLock[];
      history: (Omit<MonthLock, '_deleted'> & { byName: string })[];
    };
    // The current state is the last word only...
    const march = (l: { month: string }) => l.month === '2027-03';
    expect(body.locks.filter(march).map((l) => [l.locked, l.reason])).toEqual([[true, '']]);
    // ...the history keeps all three changes of sg-a, newest first, and none of sg-b.
    expect(body.history.filter(march).map((h) => [h.subgroupId, h.locked, h.reason, h.at])).toEqual(
      [
        ['sg-a', true, '', Date.parse('2026-10-10T06:02:00Z')],
        ['sg-a', false, 'Исправление', Date.parse('2026-10-10T06:01:00Z')],
        ['sg-a', true, '', Date.parse('2026-10-10T06:00:00Z')],
      ],
    );
    expect(body.history.filter(march)[1]).toMatchObject({
      month: '2027-03',
      by: fixture.users.admin.id,
      byName: fixture.users.admin.displayName,
    });
  });
});

describe('teacher logins', () => {
  it('[AC1] a login differing only in case from an existing one is 409 naming login; a new one is stored lower-cased and signs in', async () => {
    const created = await call(server.url, 'POST', '/api/admin/teachers', {
      token: admin,
      body: {
        lastName: 'Кузнецова',
        firstName: 'Ольга',
        middleName: 'Петровна',
        birthDate: '1984-05-17',
        passport: { series: '5304', number: '918273', issuedBy: 'УМВД', issuedOn: '2004-06-01' },
        snils: '112-233-445 95',
        experienceTotalYears: 18,
        experienceTeachingYears: 15,
        category: 'highest',
        qualification: '',
      },
    });
    expect(created.status).toBe(201);
    const teacherId = (created.body as TeacherRecordView).id;
    const account = (login: string) =>
      call(server.url, 'POST', `/api/admin/teachers/${teacherId}/account`, {
        token: admin,
        body: { login, password: PASSWORD },
      });

    const taken = await account(fixture.users.teacherA.login.toUpperCase());
    expect(taken.status).toBe(409);
    expect((taken.body as ErrorJson).error).toMatchObject({
      code: 'CONFLICT',
      details: { field: 'login' },
    });

    const res = await account('  Kuznetsova.O ');
    expect(res.status).toBe(201);
    expect((res.body as { login: string }).login).toBe('kuznetsova.o');
    const session = await login(server.url, 'Kuznetsova.O');
    expect(session.accessToken).toBeTruthy();
  });
});
