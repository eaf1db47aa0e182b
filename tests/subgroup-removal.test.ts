import type { JournalDoc, LessonSlot, Mark, SessionUser, Subgroup } from '@otmetka/shared';
import { findSlot, isContentFree, lockId, markId, monthOf, scheduleId } from '@otmetka/shared';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import type { RxCollection } from 'rxdb';
import { normalizeMangoQuery, prepareQuery } from 'rxdb';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OtmetkaDb } from '../client/src/db/database.ts';
import { closeDb, openDb } from '../client/src/db/database.ts';
import { catalog$, slotsOfMonth } from '../client/src/db/queries.ts';
import { addTopic, deleteTopic, setMark } from '../client/src/db/repo.ts';
import type { Notice } from '../client/src/db/schemas.ts';
import { startSync } from '../client/src/sync/replication.ts';
import { memoryStore, Session } from '../client/src/sync/session.ts';
import { orgDbName, subgroupDbName } from '../sync-server/src/db/store.ts';
import {
  call,
  createFixture,
  type Fixture,
  login,
  monthLock,
  ORG_ID,
  PASSWORD,
  rosterEntry,
  startServer,
  type TestServer,
} from '../sync-server/test/helpers.ts';

/**
 * RM2/RM3 end to end: a teacher's device (the client's own db and sync modules on
 * fake-indexeddb) against the real server, when the admin takes the teacher off one of their
 * two subgroups through the admin API. After the next sync the subgroup's journal has left the
 * device's IndexedDB (only content-free tombstones remain), the other subgroup is untouched, and
 * an edit of the removed subgroup that had not been sent yet is in the notices.
 */

const JOURNAL = ['lessons', 'topics', 'roster', 'marks'] as const;

/** What only subgroup C's journal and catalog entry hold. */
const SECRETS = [
  'Кузнецова Ева',
  'Белов Иван',
  'Звонила бабушка',
  'Тема только группы C',
  'Группа sg-c',
  'Сверка табеля группы C',
];

let server: TestServer;
let fixture: Fixture;
let adminToken: string;
let factory: IDBFactory;
let db: OtmetkaDb;
let session: Session;
let user: SessionUser;
let offline = false;

beforeAll(async () => {
  server = await startServer();
  fixture = await createFixture(server.store);
  adminToken = (await login(server.url, 'admin')).accessToken;

  // Teacher A teaches subgroup A (the fixture's) and subgroup C, on the same weekly schedule.
  const schedule = await server.store.get(orgDbName(ORG_ID), scheduleId('sg-a'));
  await server.store.ensureSubgroupDb('sg-c');
  await server.store.putMany(orgDbName(ORG_ID), [
    { ...fixture.subgroupA, id: 'sg-c', name: 'Группа sg-c' },
    { ...schedule!, id: scheduleId('sg-c'), subgroupId: 'sg-c' },
    // A closed month: its lock leaves the device only through the scope the server sealed (SC10).
    monthLock('sg-c', '2026-10', 'Сверка табеля группы C'),
  ]);
  await server.store.putMany(subgroupDbName('sg-c'), [
    rosterEntry('sg-c', 'learner-c1', 'Кузнецова Ева', '2026-09-01'),
    rosterEntry('sg-c', 'learner-c2', 'Белов Иван', '2026-09-01'),
  ]);

  session = new Session({ baseUrl: server.url }, memoryStore());
  user = await session.signIn('teacher-a-user', PASSWORD);
  factory = new IDBFactory();
  db = await openDb({
    name: 'removal-device',
    user: { id: user.id, orgId: user.orgId },
    indexedDB: factory,
    IDBKeyRange,
    multiInstance: false,
    isOffline: () => offline,
  });
});

afterAll(async () => {
  await closeDb(db);
  await server.stop();
});

/** One full replication cycle of every collection (pull and push), then stop. */
async function syncRound(): Promise<void> {
  const engine = startSync({ db, session, live: false });
  await engine.awaitInSync();
  await engine.stop();
}

async function setTeachers(subgroupId: string, teacherIds: string[]) {
  const { id: _id, type: _type, orgId: _org, ...input } = fixture.subgroupA;
  const res = await call(server.url, 'PUT', `/api/admin/subgroups/${subgroupId}`, {
    token: adminToken,
    body: { ...input, name: `Группа ${subgroupId}`, teacherIds },
  });
  expect(res.status).toBe(200);
}

async function slotIn(subgroupId: string, date: string): Promise<LessonSlot> {
  const view = await firstValueFrom(catalog$(db, user.teacherId));
  const subgroup = view.subgroups.find((s) => s.id === subgroupId);
  if (!subgroup) throw new Error(`subgroup ${subgroupId} is not on the device`);
  const slot = findSlot(slotsOfMonth(view, subgroup, monthOf(date)), date, '15:00');
  if (!slot) throw new Error(`no slot on ${date}`);
  return slot;
}

/** Every stored document of a collection, tombstones too (a storage query). */
async function stored(name: (typeof JOURNAL)[number] | 'catalog') {
  const collection = db.rx.collections[name] as unknown as RxCollection<Record<string, unknown>>;
  const schema = collection.storageInstance.schema;
  const query = prepareQuery(schema, normalizeMangoQuery(schema, { selector: {} }));
  return (await collection.storageInstance.query(query)).documents as Record<string, unknown>[];
}

async function liveOf(subgroupId: string) {
  const out: Record<string, unknown>[] = [];
  for (const name of JOURNAL) {
    out.push(...(await stored(name)).filter((d) => d.subgroupId === subgroupId && !d._deleted));
  }
  return out;
}

async function notices(): Promise<Notice[]> {
  return (await db.rx.collections.notices.find().exec()).map((d) => d.toJSON() as Notice);
}

/** Every record of every store of every IndexedDB database of the device, as text. */
async function wholeIndexedDb(): Promise<string> {
  const parts: string[] = [];
  for (const info of await factory.databases()) {
    const idb = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = factory.open(info.name!);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    for (const store of Array.from(idb.objectStoreNames)) {
      const records = await new Promise<unknown[]>((resolve, reject) => {
        const request = idb.transaction(store, 'readonly').objectStore(store).getAll();
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      parts.push(JSON.stringify(records));
    }
    idb.close();
  }
  return parts.join('\n');
}

describe('[RM2] a teacher taken off a subgroup', () => {
  let unsent: Mark;

  it('[RM2][RM3][SC10] the device loses the subgroup’s journal after the next sync, keeps the other one, and an unsent edit becomes a notice', async () => {
    await syncRound();
    const slotC = await slotIn('sg-c', '2026-09-02');
    const slotA = await slotIn('sg-a', '2026-09-02');
    const laterSlotC = await slotIn('sg-c', '2026-09-07');
    await setMark(db, slotC, 'learner-c1', { code: 'Н', note: 'Звонила бабушка' });
    await addTopic(
      db,
      'sg-c',
      {
        section: '',
        title: 'Тема только группы C',
        hours: 2,
        form: '',
        control: '',
        plannedDate: null,
      },
      1,
    );
    await setMark(db, slotA, 'learner-kid', { code: 'Б' });
    await syncRound();
    expect(db.pendingCount.value).toBe(0);
    expect((await liveOf('sg-c')).length).toBe(5); // two roster entries, a lesson, a mark, a topic
    expect(await wholeIndexedDb()).toContain('Кузнецова Ева');

    // Offline: one more mark in each subgroup, not sent.
    offline = true;
    unsent = await setMark(db, slotC, 'learner-c2', { code: 'Б' });
    const keptA = await setMark(db, slotA, 'learner-other', { code: 'УП' });
    expect(db.pendingCount.value).toBe(2);

    await setTeachers('sg-c', ['teacher-b']);
    offline = false;
    await syncRound();

    // Subgroup C is gone from the catalog and from every journal collection...
    const view = await firstValueFrom(catalog$(db, user.teacherId));
    expect(view.subgroups.map((s) => s.id)).toEqual(['sg-a']);
    expect(view.schedules.has('sg-c')).toBe(false);
    expect(await liveOf('sg-c')).toEqual([]);
    for (const name of JOURNAL) {
      for (const doc of (await stored(name)).filter((d) => d.subgroupId === 'sg-c')) {
        expect(isContentFree(doc as unknown as JournalDoc), JSON.stringify(doc)).toBe(true);
      }
    }
    const catalogC = (await stored('catalog')).filter(
      (d) => d.id === 'sg-c' || d.id === scheduleId('sg-c') || d.id === lockId('sg-c', '2026-10'),
    );
    expect(catalogC.map((d) => [d.id, d._deleted, d.name, d.teacherIds])).toEqual(
      expect.arrayContaining([
        ['sg-c', true, undefined, undefined],
        [scheduleId('sg-c'), true, undefined, undefined],
        [lockId('sg-c', '2026-10'), true, undefined, undefined],
      ]),
    );
    // ...down to the last record of the device's IndexedDB (replication metadata included).
    const text = await wholeIndexedDb();
    for (const secret of SECRETS) expect(text).not.toContain(secret);

    // Subgroup A is untouched, and its unsent mark went out as usual.
    const liveA = await liveOf('sg-a');
    expect(liveA.filter((d) => d.type === 'roster').length).toBe(3);
    expect(liveA.filter((d) => d.type === 'mark').map((d) => d.code)).toEqual(
      expect.arrayContaining(['Б', 'УП']),
    );
    expect(
      (await server.store.getMany(subgroupDbName('sg-a'), [keptA.id])).get(keptA.id)?.doc,
    ).toMatchObject({ code: 'УП' });
    expect(text).toContain('Смирнов Кирилл');

    // The unsent edit of subgroup C is not lost without a word: it is a refused notice.
    const refused = (await notices()).filter((n) => n.kind === 'refused');
    const byDoc = new Map(refused.map((n) => [n.docId, n]));
    expect(byDoc.get(unsent.id)).toMatchObject({
      code: 'NOT_TEACHER_OF_SUBGROUP',
      source: 'marks',
      dismissed: false,
      attempted: { code: 'Б', learnerId: 'learner-c2' },
    });
    // Its lesson had been sent before: nothing else was refused.
    expect([...byDoc.keys()]).toEqual([unsent.id]);
    expect((await notices()).filter((n) => n.kind === 'lost')).toEqual([]);
    expect(db.pendingCount.value).toBe(0);
    expect(await server.store.getMany(subgroupDbName('sg-c'), [unsent.id])).toEqual(new Map());

    // Another round changes nothing: no new notice, nothing comes back.
    await syncRound();
    expect((await notices()).length).toBe(refused.length);
    expect(await liveOf('sg-c')).toEqual([]);

    // A screen still open on subgroup C: an edit made there after the purge is refused the
    // same way, and the device keeps a content-free tombstone of it, not the attempt.
    const late = await setMark(db, laterSlotC, 'learner-c1', { note: 'Звонила бабушка' });
    await syncRound();
    expect((await notices()).filter((n) => n.docId === late.id)).toMatchObject([
      { kind: 'refused', code: 'NOT_TEACHER_OF_SUBGROUP', attempted: { note: 'Звонила бабушка' } },
    ]);
    expect(await liveOf('sg-c')).toEqual([]);
    const lateStored = (await stored('marks')).find((d) => d.id === late.id);
    expect(isContentFree(lateStored as unknown as JournalDoc)).toBe(true);
  });

  it('[RM4] once in sync, old tombstones leave the device, a deletion only after it was sent; nothing comes back', async () => {
    const ofC = async () => {
      const out: Record<string, unknown>[] = [];
      for (const name of JOURNAL)
        out.push(...(await stored(name)).filter((d) => d.subgroupId === 'sg-c'));
      return out;
    };
    const engine = startSync({ db, session, live: false });
    await engine.awaitInSync();
    const tombstones = (await ofC()).length;
    expect(tombstones).toBeGreaterThan(0);

    // Younger than the age limit: kept.
    expect(await engine.cleanupTombstones()).toBe(0);
    expect((await ofC()).length).toBe(tombstones);

    // A deletion made here and not sent yet: the cleanup waits until the server has it.
    const topic = await addTopic(db, 'sg-a', { title: 'Удаляемая тема', hours: 1 } as never, 90);
    await deleteTopic(db, topic);
    const removed = await engine.cleanupTombstones(0);
    await engine.stop();
    const onServer = (await server.store.getMany(subgroupDbName('sg-a'), [topic.id])).get(topic.id);
    expect(onServer?.doc).toMatchObject({ _deleted: true });
    expect((await stored('topics')).some((d) => d.id === topic.id)).toBe(false);
    expect(await ofC()).toEqual([]);
    expect(removed).toBeGreaterThanOrEqual(tombstones + 1);

    // The server's echo of that deletion may still come down once (it was pulled before the
    // push in this tight round); it is a tombstone too, and the next cleanup takes it.
    await syncRound();
    const again = startSync({ db, session, live: false });
    await again.cleanupTombstones(0);
    await again.stop();
    const noticesBefore = (await notices()).length;

    // From then on a sync brings none of it back and tells the teacher nothing new.
    await syncRound();
    expect(await ofC()).toEqual([]);
    expect((await stored('topics')).some((d) => d.id === topic.id)).toBe(false);
    expect((await notices()).length).toBe(noticesBefore);
  });

  it('[RM2] a subgroup given back is pulled whole again', async () => {
    await setTeachers('sg-c', ['teacher-a']);
    await syncRound();

    const view = await firstValueFrom(catalog$(db, user.teacherId));
    expect(view.subgroups.map((s: Subgroup) => s.id).sort()).toEqual(['sg-a', 'sg-c']);
    const liveC = await liveOf('sg-c');
    expect(liveC.filter((d) => d.type === 'roster').map((d) => d.name)).toEqual(
      expect.arrayContaining(['Кузнецова Ева', 'Белов Иван']),
    );
    const sent = markId((await slotIn('sg-c', '2026-09-02')).lessonId, 'learner-c1');
    expect(liveC.find((d) => d.id === sent)).toMatchObject({ code: 'Н', note: 'Звонила бабушка' });
    expect(liveC.some((d) => d.title === 'Тема только группы C')).toBe(true);
    // The refused mark never reached the server, so it does not come back.
    expect(liveC.some((d) => d.id === unsent.id)).toBe(false);

    // And the teacher can write into it again, even where a purged document was.
    await setMark(db, await slotIn('sg-c', '2026-09-02'), 'learner-c2', { code: 'О' });
    await syncRound();
    expect(
      (await server.store.getMany(subgroupDbName('sg-c'), [unsent.id])).get(unsent.id)?.doc,
    ).toMatchObject({ code: 'О', grade: null, note: '' });
  });
});
