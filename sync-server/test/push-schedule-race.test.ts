import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AccessUser } from '../src/auth/claims.ts';
import { type Doc, orgDbName, type Store, subgroupDbName } from '../src/db/store.ts';
import { markIdPrefix, type Schedule } from '../src/shared.ts';
import { push } from '../src/sync/push.ts';
import {
  call,
  createFixture,
  fixtureSchedule,
  lessonDoc,
  login,
  markDoc,
  ORG_ID,
  pushRows,
  stamp,
  startServer,
  type TestServer,
} from './helpers.ts';

/**
 * A push judged by the schedule it read when it arrived, racing a schedule save that stored a
 * new schedule and swept the lessons it had read: the sweep never saw the push's new lesson. The
 * race is set up exactly by handing push() the org sequence of before the save.
 */

const TEACHER: AccessUser = {
  sub: 'teacher-a-user',
  org: ORG_ID,
  role: 'teacher',
  tid: 'teacher-a',
};
const ORG_DB = orgDbName(ORG_ID);
const SG_DB = subgroupDbName('sg-a');

/** The teacher's push of `docs`, judged by the org database as of `seq` (the race, exactly). */
function pushJudgedAt(
  server: TestServer,
  collection: 'lessons' | 'marks',
  docs: Record<string, unknown>[],
  seq: string,
  now: string,
) {
  return push(server.store, {
    user: TEACHER,
    collection,
    rows: pushRows(docs).rows,
    device: 'tablet-1',
    now: Date.parse(now),
    orgSeq: Promise.resolve(seq),
  });
}

async function storedIn(server: TestServer, id: string) {
  return (await server.store.getMany(SG_DB, [id])).get(id)?.doc;
}

/** The admin saves sg-a's schedule with its rule on Mondays only, as the schedule screen does. */
async function saveMondaysOnly(server: TestServer) {
  const admin = (await login(server.url, 'admin')).accessToken;
  const { id: _, type: __, orgId: ___, subgroupId: ____, ...input } = fixtureSchedule('sg-a');
  input.rules[0]!.weekdays = [1];
  return call(server.url, 'PUT', '/api/admin/subgroups/sg-a/schedule', {
    token: admin,
    body: input,
  });
}

describe('push racing a schedule save', () => {
  let server: TestServer;
  const pushLessons = (docs: Record<string, unknown>[], seq: string) =>
    pushJudgedAt(server, 'lessons', docs, seq, '2026-09-20T10:00:00Z');
  const storedLesson = (id: string) => storedIn(server, id);

  beforeAll(async () => {
    server = await startServer();
    await createFixture(server.store);
  });
  afterAll(() => server.stop());

  it('[PR11] a lesson written under a schedule replaced meanwhile is flagged off-schedule', async () => {
    // A push on Monday's slot reads the schedule of Mondays and Wednesdays at this sequence.
    const before = await server.store.updateSeq(ORG_DB);
    await pushLessons([lessonDoc('sg-a', '2026-09-21')], before);

    // The admin saves a schedule of Mondays only; its sweep finds no Wednesday lesson.
    const mondays: Schedule = fixtureSchedule('sg-a');
    mondays.rules[0]!.weekdays = [1];
    await server.store.put(ORG_DB, mondays as Schedule & { id: string });

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
    const friday = lessonDoc('sg-a', '2026-10-02');
    // Rules of Mondays, Wednesdays and Fridays, so that Friday's lesson is on a slot...
    const three = fixtureSchedule('sg-a');
    three.rules[0]!.weekdays = [1, 3, 5];
    await server.store.put(ORG_DB, three as Schedule & Doc);

    // ...then a save of Mondays only, and a push's Friday lesson written just before the save
    // stores its schedule, after the save has read the lessons it plans for.
    const store = server.store as Store & { put: Store['put'] };
    const put = store.put.bind(store);
    store.put = async (db, doc) => {
      if (doc.id === 'schedule:sg-a') {
        await server.store.bulkWrite(SG_DB, [{ doc: friday, rev: undefined }]);
      }
      return put(db, doc);
    };
    const res = await saveMondaysOnly(server).finally(() => {
      store.put = put;
    });

    expect(res.status).toBe(200);
    expect(await storedLesson(friday.id)).toMatchObject({ flag: 'off-schedule' });
  });

  it('[PR11] a lesson still on a slot of the new schedule keeps its flag, and its answer is empty', async () => {
    const before = await server.store.updateSeq(ORG_DB);
    const mondays = await server.store.get<Schedule & { id: string }>(ORG_DB, 'schedule:sg-a');
    await server.store.put(ORG_DB, { ...mondays!, exceptions: [] });

    const monday = lessonDoc('sg-a', '2026-09-28');
    const res = await pushLessons([monday], before);

    expect(res).toEqual({ conflicts: [], refused: [] });
    expect(await storedLesson(monday.id)).toMatchObject({ flag: null });
  });
});

/**
 * PR12: a mark written in the same race. The sweep deletes a lesson without marks; a push that
 * read the old schedule writes a mark on it just after the sweep read the marks. Each side is
 * set up exactly: the push's by handing push() the sequence of before the save, the save's by
 * writing the mark at the point of the save named in each test.
 */
describe('a mark pushed while a schedule save sweeps its lesson', () => {
  let server: TestServer;
  const pushAt = (collection: 'lessons' | 'marks', docs: Record<string, unknown>[], seq: string) =>
    pushJudgedAt(server, collection, docs, seq, '2026-10-20T10:00:00Z');
  const stored = (id: string) => storedIn(server, id);
  /** A lesson on the schedule with nothing of the teacher's in it: the sweep deletes it. */
  const emptyLesson = (date: string) =>
    lessonDoc('sg-a', date, 1000, { status: 'planned', topicTitle: '' });
  /** An empty Wednesday lesson stored, and the mark a racing push will write on it. */
  const storedEmptyWithMarkToCome = async (date: string) => {
    const wednesday = emptyLesson(date);
    await server.store.bulkWrite(SG_DB, [{ doc: wednesday, rev: undefined }]);
    return { wednesday, mark: markDoc('sg-a', date, 'learner-kid', 'Н') };
  };
  beforeAll(async () => {
    server = await startServer();
    await createFixture(server.store);
  });
  beforeEach(async () => {
    await server.store.put(ORG_DB, fixtureSchedule('sg-a') as Schedule & Doc);
  });
  afterAll(() => server.stop());

  it('[PR12] a mark written after the sweep deleted its lesson brings the lesson back, flagged', async () => {
    const before = await server.store.updateSeq(ORG_DB);
    const wednesday = emptyLesson('2026-10-14');
    await pushAt('lessons', [wednesday], before);
    expect((await saveMondaysOnly(server)).status).toBe(200);
    const swept = await stored(wednesday.id);
    expect(swept).toMatchObject({ _deleted: true });

    // A push that read the schedule of Mondays and Wednesdays writes a mark on it now.
    const mark = markDoc('sg-a', '2026-10-14', 'learner-kid', 'Н');
    const res = await pushAt('marks', [mark], before);

    expect(res.refused).toEqual([]);
    expect(await stored(mark.id)).toMatchObject({ code: 'Н' });
    const back = await stored(wednesday.id);
    expect(back?._deleted).toBeUndefined();
    expect(back).toMatchObject({ flag: 'off-schedule', status: 'planned' });
    // Its return is newer than the deletion: a device that pulled the deletion and sends it
    // back does not delete it again.
    await pushAt('lessons', [swept!], await server.store.updateSeq(ORG_DB));
    expect((await stored(wednesday.id))?._deleted).toBeUndefined();
  });

  it('[PR12] a mark written after the save read the marks keeps the lesson, flagged', async () => {
    const { wednesday, mark } = await storedEmptyWithMarkToCome('2026-10-21');
    // The mark lands once the save has read the lessons and marks, as it comes to this lesson.
    const store = server.store as Store;
    const update = store.update.bind(store);
    store.update = (async (...args: Parameters<Store['update']>) => {
      if (args[1] === wednesday.id) await store.bulkWrite(SG_DB, [{ doc: mark, rev: undefined }]);
      return update(...args);
    }) as Store['update'];
    const res = await saveMondaysOnly(server).finally(() => {
      store.update = update;
    });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ lessonsDeleted: 0 });
    expect(await stored(wednesday.id)).toMatchObject({ flag: 'off-schedule' });
    expect((await stored(wednesday.id))?._deleted).toBeUndefined();
  });

  it('[PR12] a deletion outdated by the push’s write of the lesson is judged again, with the mark', async () => {
    const { wednesday, mark } = await storedEmptyWithMarkToCome('2026-10-28');
    // Between the save's reads of the lesson and its marks and its deletion: the push writes
    // the mark, then the lesson (keepLessonOfMark), so the deletion's revision is stale.
    const store = server.store as Store;
    const bulkWrite = store.bulkWrite.bind(store);
    let raced = false;
    store.bulkWrite = (async (db, rows, ...rest) => {
      if (!raced && rows.some((r) => r.doc.id === wednesday.id && r.doc._deleted)) {
        raced = true;
        await bulkWrite(SG_DB, [{ doc: mark, rev: undefined }]);
        await store.update(SG_DB, wednesday.id, (l) => ({ ...l!, flag: 'off-schedule' }));
      }
      return bulkWrite(db, rows, ...rest);
    }) as Store['bulkWrite'];
    const res = await saveMondaysOnly(server).finally(() => {
      store.bulkWrite = bulkWrite;
    });

    expect(raced).toBe(true);
    expect(res.status).toBe(200);
    expect((await stored(wednesday.id))?._deleted).toBeUndefined();
    expect(await stored(mark.id)).toMatchObject({ code: 'Н' });
  });

  it('[PR12] a push that read the new schedule, writing a mark as the sweep reads the marks, keeps the lesson', async () => {
    const { wednesday, mark } = await storedEmptyWithMarkToCome('2026-11-04');
    // The push arrives once the new schedule is stored, while the sweep reads this lesson's
    // marks: it takes the mark because the lesson is still stored.
    const store = server.store as Store;
    const scanPrefix = store.scanPrefix.bind(store);
    let pushed: Awaited<ReturnType<typeof push>> | undefined;
    store.scanPrefix = (async (...args: Parameters<Store['scanPrefix']>) => {
      const read = await scanPrefix(...args);
      if (!pushed && args[1] === markIdPrefix(wednesday.id)) {
        pushed = await pushAt('marks', [mark], await store.updateSeq(ORG_DB));
      }
      return read;
    }) as Store['scanPrefix'];
    const res = await saveMondaysOnly(server).finally(() => {
      store.scanPrefix = scanPrefix;
    });

    expect(pushed?.refused).toEqual([]);
    expect(res.status).toBe(200);
    expect(await stored(mark.id)).toMatchObject({ code: 'Н' });
    expect(await stored(wednesday.id)).toMatchObject({ flag: 'off-schedule' });
    expect((await stored(wednesday.id))?._deleted).toBeUndefined();
  });

  it('[PR12][SCH8] a lesson whose only marks were deleted is empty: the sweep deletes it', async () => {
    const { wednesday, mark } = await storedEmptyWithMarkToCome('2026-11-11');
    await server.store.bulkWrite(SG_DB, [{ doc: { ...mark, _deleted: true }, rev: undefined }]);

    const res = await saveMondaysOnly(server);

    expect(res.status).toBe(200);
    expect((await stored(wednesday.id))?._deleted).toBe(true);
  });

  it('[PR12] a lesson the teacher deleted stays deleted when a mark on it lands after a save', async () => {
    const before = await server.store.updateSeq(ORG_DB);
    const deleted = {
      ...emptyLesson('2026-11-18'),
      _deleted: true,
      stamps: { ...emptyLesson('2026-11-18').stamps, _deleted: stamp(2000) },
    };
    await pushAt('lessons', [deleted], before);
    expect((await saveMondaysOnly(server)).status).toBe(200);

    const mark = markDoc('sg-a', '2026-11-18', 'learner-kid', 'Н');
    expect((await pushAt('marks', [mark], before)).refused).toEqual([]);

    expect(await stored(deleted.id)).toMatchObject({ _deleted: true });
  });
});
