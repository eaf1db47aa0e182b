import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessUser } from '../src/auth/claims.ts';
import { type Doc, orgDbName, type Store, subgroupDbName } from '../src/db/store.ts';
import type { Schedule } from '../src/shared.ts';
import { push } from '../src/sync/push.ts';
import {
  call,
  createFixture,
  fixtureSchedule,
  lessonDoc,
  login,
  ORG_ID,
  pushRows,
  startServer,
  type TestServer,
} from './helpers.ts';

/**
 * A push judged by the schedule it read when it arrived, racing a schedule save that stored a
 * new schedule and swept the lessons it had read: the sweep never saw the push's new lesson. The
 * race is set up exactly by handing push() the org sequence of before the save.
 */

describe('push racing a schedule save', () => {
  let server: TestServer;
  const teacher: AccessUser = {
    sub: 'teacher-a-user',
    org: ORG_ID,
    role: 'teacher',
    tid: 'teacher-a',
  };
  const orgDb = orgDbName(ORG_ID);
  const pushLessons = (docs: Record<string, unknown>[], seq: string) =>
    push(server.store, {
      user: teacher,
      collection: 'lessons',
      rows: pushRows(docs).rows,
      device: 'tablet-1',
      now: Date.parse('2026-09-20T10:00:00Z'),
      orgSeq: Promise.resolve(seq),
    });
  const storedLesson = async (id: string) =>
    (await server.store.getMany(subgroupDbName('sg-a'), [id])).get(id)?.doc;

  beforeAll(async () => {
    server = await startServer();
    await createFixture(server.store);
  });
  afterAll(() => server.stop());

  it('[PR11] a lesson written under a schedule replaced meanwhile is flagged off-schedule', async () => {
    // A push on Monday's slot reads the schedule of Mondays and Wednesdays at this sequence.
    const before = await server.store.updateSeq(orgDb);
    await pushLessons([lessonDoc('sg-a', '2026-09-21')], before);

    // The admin saves a schedule of Mondays only; its sweep finds no Wednesday lesson.
    const mondays: Schedule = fixtureSchedule('sg-a');
    mondays.rules[0]!.weekdays = [1];
    await server.store.put(orgDb, mondays as Schedule & { id: string });

    // A push that arrived before the save writes Wednesday's lesson after it.
    const wednesday = lessonDoc('sg-a', '2026-09-23');
    const res = await pushLessons([wednesday], before);

    expect(res.refused).toEqual([]);
    expect(await storedLesson(wednesday.id)).toMatchObject({
      flag: 'off-schedule',
      topicTitle: 'Введение',
    });
    // The device is sent the flag.
    expect(res.conflicts).toEqual([
      expect.objectContaining({ id: wednesday.id, flag: 'off-schedule' }),
    ]);
  });

  it('[PR11] a lesson a push wrote while the save was being planned is swept by the save', async () => {
    const admin = (await login(server.url, 'admin')).accessToken;
    const friday = lessonDoc('sg-a', '2026-10-02');
    // Rules of Mondays, Wednesdays and Fridays, so that Friday's lesson is on a slot...
    const three = fixtureSchedule('sg-a');
    three.rules[0]!.weekdays = [1, 3, 5];
    await server.store.put(orgDb, three as Schedule & Doc);

    // ...then a save of Mondays only, and a push's Friday lesson written just before the save
    // stores its schedule, after the save has read the lessons it plans for.
    const store = server.store as Store & { put: Store['put'] };
    const put = store.put.bind(store);
    store.put = async (db, doc) => {
      if (doc.id === 'schedule:sg-a') {
        await server.store.bulkWrite(subgroupDbName('sg-a'), [{ doc: friday, rev: undefined }]);
      }
      return put(db, doc);
    };
    const { id: _, type: __, orgId: ___, subgroupId: ____, ...input } = fixtureSchedule('sg-a');
    input.rules[0]!.weekdays = [1];
    const res = await call(server.url, 'PUT', '/api/admin/subgroups/sg-a/schedule', {
      token: admin,
      body: input,
    }).finally(() => {
      store.put = put;
    });

    expect(res.status).toBe(200);
    expect(await storedLesson(friday.id)).toMatchObject({ flag: 'off-schedule' });
  });

  it('[PR11] a lesson still on a slot of the new schedule keeps its flag, and its answer is empty', async () => {
    const before = await server.store.updateSeq(orgDb);
    const mondays = await server.store.get<Schedule & { id: string }>(orgDb, 'schedule:sg-a');
    await server.store.put(orgDb, { ...mondays!, exceptions: [] });

    const monday = lessonDoc('sg-a', '2026-09-28');
    const res = await pushLessons([monday], before);

    expect(res).toEqual({ conflicts: [], refused: [] });
    expect(await storedLesson(monday.id)).toMatchObject({ flag: null });
  });
});
