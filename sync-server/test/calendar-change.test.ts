import { lessonId } from '@otmetka/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orgDbName, subgroupDbName } from '../src/db/store.ts';
import {
  call,
  createFixture,
  lessonDoc,
  login,
  markDoc,
  monthLock,
  ORG_ID,
  startServer,
  type TestServer,
} from './helpers.ts';

/**
 * SCH15: the admin replaces the organisation's holiday calendar. The fixture's subgroups meet on
 * Mondays and Wednesdays at 15:00 and skip holidays; the server's «today» is 20 November 2026.
 */

let server: TestServer;
let admin: string;

beforeAll(async () => {
  server = await startServer({ config: { now: () => Date.parse('2026-11-20T11:00:00+05:00') } });
  await createFixture(server.store);
  admin = (await login(server.url, 'admin')).accessToken;
});
afterAll(() => server.stop());

interface CalendarBody {
  calendar: { days: { date: string; name: string | null }[] } & Record<string, unknown>;
}

const holiday = (date: string) => ({
  date,
  kind: 'holiday',
  name: 'Региональный выходной',
  status: 'expected',
});

async function putCalendarWith(...dates: string[]) {
  const got = await call(server.url, 'GET', '/api/admin/calendar', { token: admin });
  const { calendar } = got.body as CalendarBody;
  return call(server.url, 'PUT', '/api/admin/calendar', {
    token: admin,
    body: { ...calendar, days: [...calendar.days, ...dates.map(holiday)] },
  });
}

const storedLesson = (date: string) =>
  server.store.get<{ id: string; flag: string | null }>(
    subgroupDbName('sg-a'),
    lessonId('sg-a', date, '15:00'),
  );

const calendarDates = async () => {
  const res = await call(server.url, 'GET', '/api/admin/calendar', { token: admin });
  return (res.body as CalendarBody).calendar.days.map((d) => d.date);
};

describe('a new holiday calendar', () => {
  it('[SCH15] a lesson on a new holiday keeps its mark and is flagged, an empty one leaves, a day without lessons changes nothing', async () => {
    await server.store.putMany(subgroupDbName('sg-a'), [
      lessonDoc('sg-a', '2026-11-23'),
      markDoc('sg-a', '2026-11-23', 'learner-kid', 'Н'),
      lessonDoc('sg-a', '2026-11-25', 1000, { status: 'planned', topicTitle: '' }),
      lessonDoc('sg-a', '2026-11-30'),
    ]);

    // 24 November is a Tuesday: no subgroup meets.
    const res = await putCalendarWith('2026-11-23', '2026-11-24', '2026-11-25');

    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await storedLesson('2026-11-23')).toMatchObject({ flag: 'off-schedule' });
    expect(await storedLesson('2026-11-25')).toBeUndefined();
    expect(await storedLesson('2026-11-30')).toMatchObject({ flag: null });
    expect(await calendarDates()).toEqual(
      expect.arrayContaining(['2026-11-23', '2026-11-24', '2026-11-25']),
    );
  });

  it('[SCH15] a new holiday in a locked month is refused naming the month and the subgroup; nothing changes', async () => {
    await server.store.putMany(subgroupDbName('sg-a'), [
      lessonDoc('sg-a', '2026-10-12'),
      markDoc('sg-a', '2026-10-12', 'learner-kid', 'Н'),
    ]);
    await server.store.put(orgDbName(ORG_ID), monthLock('sg-a', '2026-10', 'табель сдан'));
    const before = await calendarDates();

    const res = await putCalendarWith('2026-10-12');

    expect(res.status).toBe(409);
    const error = (res.body as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('MONTH_LOCKED');
    expect(error.message).toContain('октябрь 2026');
    expect(error.message).toContain('«Группа sg-a»');
    expect(await calendarDates()).toEqual(before);
    expect(await storedLesson('2026-10-12')).toMatchObject({ flag: null });
  });
});
