import { type Calendar, lessonId, loadCalendar, type Schedule, scheduleId } from '@otmetka/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrgData } from '../src/admin/data.ts';
import { changeCalendar } from '../src/admin/schedule.ts';
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

const calendarNow = async () => {
  const res = await call(server.url, 'GET', '/api/admin/calendar', { token: admin });
  return (res.body as CalendarBody).calendar;
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
    expect(error.message).toContain('подгруппы «Робототехника, Группа sg-a»');
    expect(await calendarDates()).toEqual(before);
    expect(await storedLesson('2026-10-12')).toMatchObject({ flag: null });
  });

  it('[SCH15] under holidayRule «flag» a new holiday in a locked month is refused too: it would star a lesson of a closed табель', async () => {
    const stored = await server.store.get<Schedule & { id: string }>(
      orgDbName(ORG_ID),
      scheduleId('sg-b'),
    );
    await server.store.put(orgDbName(ORG_ID), { ...stored!, holidayRule: 'flag' });
    await server.store.putMany(subgroupDbName('sg-b'), [
      lessonDoc('sg-b', '2026-11-18'),
      markDoc('sg-b', '2026-11-18', 'learner-kid-b', 'Н'),
    ]);
    // November is open for sg-a, whose holidays skip the lesson: only sg-b's lock can refuse.
    await server.store.put(orgDbName(ORG_ID), monthLock('sg-b', '2026-11', 'табель сдан'));

    const res = await putCalendarWith('2026-11-18');

    expect(res.status).toBe(409);
    const error = (res.body as { error: { code: string; message: string } }).error;
    expect(error).toMatchObject({ code: 'MONTH_LOCKED' });
    expect(error.message).toContain('ноябрь 2026');
    expect(error.message).toContain('подгруппы «Робототехника, Группа sg-b»');
    const lesson = await server.store.get<{ id: string; flag: string | null }>(
      subgroupDbName('sg-b'),
      lessonId('sg-b', '2026-11-18', '15:00'),
    );
    expect(lesson).toMatchObject({ flag: null });
  });

  it('[SCH15] a change whose sweep was cut short after the calendar was stored is completed by sending it again', async () => {
    await server.store.putMany(subgroupDbName('sg-a'), [
      lessonDoc('sg-a', '2026-12-07'),
      markDoc('sg-a', '2026-12-07', 'learner-kid', 'Н'),
    ]);
    const calendar = await calendarNow();
    const next = { ...calendar, days: [...calendar.days, holiday('2026-12-07')] };
    const data = new OrgData(server.store, ORG_ID);
    const cut = changeCalendar(
      data,
      loadCalendar(next as Calendar),
      'admin',
      Date.now(),
      async () => {
        await server.store.put(orgDbName(ORG_ID), { ...next, id: 'calendar-ru', type: 'calendar' });
        throw new Error('the process stopped here');
      },
    );
    await expect(cut).rejects.toThrow('the process stopped here');
    expect(await storedLesson('2026-12-07')).toMatchObject({ flag: null });

    const again = await call(server.url, 'PUT', '/api/admin/calendar', {
      token: admin,
      body: next,
    });

    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(await storedLesson('2026-12-07')).toMatchObject({ flag: 'off-schedule' });
  });
});
