import type { Mark, SessionUser, Topic } from '@otmetka/shared';
import { markId } from '@otmetka/shared';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { REPLICATION_STATE_BY_COLLECTION } from 'rxdb/plugins/replication';
import { filter, firstValueFrom } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { OtmetkaDb } from '../client/src/db/database.ts';
import { closeDb, openDb } from '../client/src/db/database.ts';
import {
  addTopic,
  deleteTopic,
  markAllPresent,
  redoNotice,
  setMark,
  updateLesson,
  updateTopic,
} from '../client/src/db/repo.ts';
import type { Notice } from '../client/src/db/schemas.ts';
import { startSync } from '../client/src/sync/replication.ts';
import { memoryStore, Session } from '../client/src/sync/session.ts';
import { slotOf } from '../client/test/slot-of.ts';
import { subgroupDbName } from '../sync-server/src/db/store.ts';
import {
  call,
  createFixture,
  login,
  PASSWORD,
  startServer,
  type TestServer,
} from '../sync-server/test/helpers.ts';

/**
 * Two devices of one teacher against the real sync server (Fastify + embedded CouchDB) with
 * the client's own db and sync modules. Each device has its own IndexedDB (a separate
 * fake-indexeddb factory), its own session and device id. "Offline" means the device edits
 * without any replication running; a sync round runs the replication once to completion.
 */

interface Device {
  label: string;
  db: OtmetkaDb;
  session: Session;
  user: SessionUser;
  offline: boolean;
}

let server: TestServer;
const open: Device[] = [];

beforeAll(async () => {
  server = await startServer();
  await createFixture(server.store);
});

afterAll(async () => {
  await server.stop();
});

afterEach(async () => {
  // RxDB's free edition allows 13 open collections per process: close every device.
  for (const device of open.splice(0)) await closeDb(device.db);
});

let counter = 0;

async function newDevice(
  label: string,
  now?: () => number,
  fetcher: typeof fetch = fetch,
): Promise<Device> {
  const session = new Session({ baseUrl: server.url, fetch: fetcher }, memoryStore());
  const user = await session.signIn('teacher-a-user', PASSWORD);
  const device: Device = { label, session, user, offline: false, db: undefined as never };
  device.db = await openDb({
    name: `device-${label}-${++counter}`,
    user: { id: user.id, orgId: user.orgId },
    indexedDB: new IDBFactory(),
    IDBKeyRange,
    multiInstance: false,
    isOffline: () => device.offline,
    now,
  });
  open.push(device);
  return device;
}

/** One full replication cycle of every collection (pull and push), then stop. */
async function syncRound(device: Device): Promise<void> {
  const engine = startSync({ db: device.db, session: device.session, live: false });
  await engine.awaitInSync();
  await engine.stop();
}

async function localMark(device: Device, id: string): Promise<Mark | undefined> {
  const doc = await device.db.rx.collections.marks.findOne(id).exec();
  return doc ? (doc.toJSON() as Mark) : undefined;
}

async function noticesOf(device: Device): Promise<Notice[]> {
  const docs = await device.db.rx.collections.notices.find().exec();
  return docs.map((d) => d.toJSON() as Notice);
}

async function serverDoc(id: string) {
  return (await server.store.getMany(subgroupDbName('sg-a'), [id])).get(id);
}

const TOPIC = {
  section: '',
  title: 'Сборка модели',
  hours: 2,
  form: '',
  control: '',
  plannedDate: null,
};

/** Makes `later`'s next stamp later than everything `earlier` wrote (no sleeping on clocks). */
function orderClocks(earlier: Device, later: Device): void {
  later.db.clock.last = Math.max(later.db.clock.last, earlier.db.clock.last);
}

describe('two devices of one teacher', () => {
  it('[CR1] offline edits of one mark: the later stamp wins everywhere, the loser is told (loser pushes first)', async () => {
    const a = await newDevice('a');
    const b = await newDevice('b');
    await syncRound(a);
    await syncRound(b);
    const slot = await slotOf(a, '2026-09-02');
    const id = markId(slot.lessonId, 'learner-kid');

    a.offline = true;
    b.offline = true;
    await setMark(a.db, slot, 'learner-kid', { code: 'Н' });
    orderClocks(a, b);
    await setMark(b.db, slot, 'learner-kid', { code: 'Б' });
    expect(a.db.pendingCount.value).toBeGreaterThan(0);
    expect(b.db.pendingCount.value).toBeGreaterThan(0);

    a.offline = false;
    b.offline = false;
    await syncRound(a);
    await syncRound(b);
    await syncRound(a);

    expect((await serverDoc(id))?.doc).toMatchObject({ code: 'Б' });
    expect(await localMark(a, id)).toMatchObject({ code: 'Б' });
    expect(await localMark(b, id)).toMatchObject({ code: 'Б' });
    expect(a.db.pendingCount.value).toBe(0);
    expect(b.db.pendingCount.value).toBe(0);

    const lost = (await noticesOf(a)).filter((n) => n.kind === 'lost' && n.docId === id);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.lostFields).toEqual([{ field: 'code', mine: 'Н', theirs: 'Б' }]);
    expect(lost[0]?.attempted).toMatchObject({ code: 'Н' });
    expect(await noticesOf(b)).toEqual([]);
  });

  it('[CR1][CR4] the loser pushing last gets a conflict notice, and revisions stop growing', async () => {
    const a = await newDevice('a');
    const b = await newDevice('b');
    await syncRound(a);
    await syncRound(b);
    const slot = await slotOf(a, '2026-09-07');
    const id = markId(slot.lessonId, 'learner-other');

    a.offline = true;
    b.offline = true;
    await setMark(a.db, slot, 'learner-other', { code: 'УП' });
    orderClocks(a, b);
    await setMark(b.db, slot, 'learner-other', { code: 'Н', note: 'позвонить маме' });

    a.offline = false;
    b.offline = false;
    await syncRound(b);
    await syncRound(a);
    await syncRound(b);

    expect((await serverDoc(id))?.doc).toMatchObject({ code: 'Н', note: 'позвонить маме' });
    expect(await localMark(a, id)).toMatchObject({ code: 'Н', note: 'позвонить маме' });
    expect(await localMark(b, id)).toMatchObject({ code: 'Н', note: 'позвонить маме' });
    const lost = (await noticesOf(a)).filter((n) => n.kind === 'lost');
    expect(lost.map((n) => [n.docId, n.code, n.lostFields])).toEqual([
      [id, 'CONFLICT', [{ field: 'code', mine: 'УП', theirs: 'Н' }]],
    ]);
    expect(await noticesOf(b)).toEqual([]);

    // CR4: another round on both devices writes nothing more to the server.
    const markRev = (await serverDoc(id))?.rev;
    const lessonRev = (await serverDoc(slot.lessonId))?.rev;
    await syncRound(a);
    await syncRound(b);
    await syncRound(a);
    expect((await serverDoc(id))?.rev).toBe(markRev);
    expect((await serverDoc(slot.lessonId))?.rev).toBe(lessonRev);
  });

  it('[PR3][PR5] a mark for a learner not yet enrolled is refused and kept in the notices', async () => {
    const a = await newDevice('a');
    await syncRound(a);
    const slot = await slotOf(a, '2026-09-09');
    const id = markId(slot.lessonId, 'learner-late');

    a.offline = true;
    await setMark(a.db, slot, 'learner-late', { code: 'Н' });
    a.offline = false;
    await syncRound(a);

    const refused = (await noticesOf(a)).filter((n) => n.kind === 'refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({
      docId: id,
      code: 'LEARNER_NOT_ENROLLED',
      source: 'marks',
      dismissed: false,
    });
    expect(refused[0]?.attempted).toMatchObject({ code: 'Н', learnerId: 'learner-late' });
    expect(refused[0]?.message.length).toBeGreaterThan(0);
    // The journal shows the server's state (no such mark); the attempt lives in the notice.
    expect(await localMark(a, id)).toBeUndefined();
    expect(await serverDoc(id)).toBeUndefined();
    expect(a.db.pendingCount.value).toBe(0);

    // A further round neither repeats the push nor duplicates the notice.
    await syncRound(a);
    expect((await noticesOf(a)).filter((n) => n.kind === 'refused')).toHaveLength(1);
  });

  it('[CR5] an acknowledged edit overwritten later by a device that had not seen it is reported', async () => {
    // One wall clock for both devices, moved by the test: B's edit is later in every sense.
    let time = Date.now();
    const a = await newDevice('a', () => time);
    const b = await newDevice('b', () => time);
    await syncRound(a);
    await syncRound(b);
    const slot = await slotOf(a, '2026-09-21');
    const id = markId(slot.lessonId, 'learner-kid');

    await setMark(a.db, slot, 'learner-kid', { code: 'Н' });
    await syncRound(a);
    expect(a.db.pendingCount.value).toBe(0);
    expect((await serverDoc(id))?.doc).toMatchObject({ code: 'Н' });

    // B never pulled A's mark: its edit, a minute after A's was acknowledged, is made blind.
    time += 60_000;
    await setMark(b.db, slot, 'learner-kid', { code: 'Б' });
    expect((await localMark(b, id))?.stamps.code?.at).toBe(time);
    await syncRound(b);
    await syncRound(a);

    expect(await localMark(a, id)).toMatchObject({ code: 'Б' });
    const lost = (await noticesOf(a)).filter((n) => n.kind === 'lost' && n.docId === id);
    expect(lost.map((n) => n.lostFields)).toEqual([[{ field: 'code', mine: 'Н', theirs: 'Б' }]]);
    expect(await noticesOf(b)).toEqual([]);
  });

  it('[CR5] a later change made after seeing the edit is not reported', async () => {
    let time = Date.now();
    const a = await newDevice('a', () => time);
    const b = await newDevice('b', () => time);
    await syncRound(a);
    const slot = await slotOf(a, '2026-09-23');
    const id = markId(slot.lessonId, 'learner-kid');

    await setMark(a.db, slot, 'learner-kid', { code: 'Н' });
    await syncRound(a);
    // B pulls A's mark, then changes it knowingly.
    time += 60_000;
    await syncRound(b);
    expect(await localMark(b, id)).toMatchObject({ code: 'Н' });
    await setMark(b.db, slot, 'learner-kid', { code: 'УП' });
    expect((await localMark(b, id))?.stamps.code?.prev).toEqual({
      at: (await localMark(a, id))?.stamps.code?.at,
      dev: a.db.deviceId,
    });
    await syncRound(b);
    await syncRound(a);

    expect(await localMark(a, id)).toMatchObject({ code: 'УП' });
    expect(await noticesOf(a)).toEqual([]);
    expect(await noticesOf(b)).toEqual([]);
  });

  it('[CR2][CR5] a topic deleted on a device that had not seen the other device’s later edit is reported', async () => {
    let time = Date.now();
    const a = await newDevice('a', () => time);
    const b = await newDevice('b', () => time);
    const topic = await addTopic(a.db, 'sg-a', TOPIC, 1);
    await syncRound(a);
    await syncRound(b);

    // A renames the topic and the server has it; B never pulls the new title...
    time += 60_000;
    await updateTopic(a.db, topic, { title: 'Сборка модели: мост' });
    await syncRound(a);
    // ...and deletes the topic a minute later, blind to the rename.
    time += 60_000;
    const seenByB = (await b.db.rx.collections.topics.findOne(topic.id).exec())!.toJSON() as Topic;
    expect(seenByB.title).toBe('Сборка модели');
    await deleteTopic(b.db, seenByB);
    await syncRound(b);
    await syncRound(a);

    expect((await serverDoc(topic.id))?.deleted).toBe(true);
    const lost = (await noticesOf(a)).filter((n) => n.docId === topic.id);
    expect(lost.map((n) => n.lostFields.map((f) => f.field))).toEqual([['_deleted']]);
    expect(await noticesOf(b)).toEqual([]);
  });

  it('[CR2][CR5] a deletion after a newer-stamped edit of another field still reports an unseen edit (clock skew)', async () => {
    // Found by a 10-minute soak: a deletion named only the newest stamp its device had seen, so
    // an edit stamped hours ahead by a fast clock hid an older-stamped edit it never saw.
    let time = Date.now();
    const a = await newDevice('a', () => time);
    const b = await newDevice('b', () => time + 3 * 3_600_000);
    const topic = await addTopic(a.db, 'sg-a', TOPIC, 3);
    await syncRound(a);
    await syncRound(b);

    // B, its clock three hours fast, changes the hours and then deletes the topic...
    const seenByB = (await b.db.rx.collections.topics.findOne(topic.id).exec())!.toJSON() as Topic;
    const changed = await updateTopic(b.db, seenByB, { hours: 4 });
    // ...while A, blind to both, renames it a minute later (a stamp hours older than B's).
    time += 60_000;
    await updateTopic(a.db, topic, { title: 'Сборка модели: кран' });
    await deleteTopic(b.db, changed);
    await syncRound(b);
    await syncRound(a);

    expect((await serverDoc(topic.id))?.deleted).toBe(true);
    const lost = (await noticesOf(a)).filter((n) => n.docId === topic.id);
    expect(lost.map((n) => n.lostFields.map((f) => f.field))).toEqual([['_deleted']]);
    expect(await noticesOf(b)).toEqual([]);
  });

  it('[CR2][CR5] a topic deleted after seeing the other device’s edit is not reported', async () => {
    let time = Date.now();
    const a = await newDevice('a', () => time);
    const b = await newDevice('b', () => time);
    const topic = await addTopic(a.db, 'sg-a', TOPIC, 2);
    await syncRound(a);
    time += 60_000;
    await updateTopic(a.db, topic, { title: 'Сборка модели: башня' });
    await syncRound(a);

    time += 60_000;
    await syncRound(b);
    const seenByB = (await b.db.rx.collections.topics.findOne(topic.id).exec())!.toJSON() as Topic;
    expect(seenByB.title).toBe('Сборка модели: башня');
    await deleteTopic(b.db, seenByB);
    await syncRound(b);
    await syncRound(a);

    expect((await serverDoc(topic.id))?.deleted).toBe(true);
    expect(await noticesOf(a)).toEqual([]);
  });

  it('[CR5] a device knows whether it holds its own edits: none on a first sync, kept across a reopen', async () => {
    const writer = await newDevice('w');
    await syncRound(writer);
    await setMark(writer.db, await slotOf(writer, '2026-09-30'), 'learner-kid', { code: 'Б' });
    await syncRound(writer);
    // RxDB's free edition allows 13 open collections: at most two devices at a time.
    open.splice(open.indexOf(writer), 1);
    await closeDb(writer.db);

    const indexedDB = new IDBFactory();
    const session = new Session({ baseUrl: server.url }, memoryStore());
    const user = await session.signIn('teacher-a-user', PASSWORD);
    const options = {
      name: `device-reopen-${++counter}`,
      user: { id: user.id, orgId: user.orgId },
      indexedDB,
      IDBKeyRange,
      multiInstance: false,
    };
    const first = await openDb(options);
    const device: Device = { label: 'r', db: first, session, user, offline: false };
    expect(first.editedHere).toBe(false);
    await syncRound(device);
    // A first sync stores the server's journal but no edit of this device.
    expect(await first.rx.collections.marks.count().exec()).toBeGreaterThan(0);
    expect(first.editedHere).toBe(false);
    await setMark(first, await slotOf(device, '2026-09-28'), 'learner-kid', { code: 'Н' });
    expect(first.editedHere).toBe(true);
    await closeDb(first);

    // Reopened, it cannot tell whose documents it holds without reading them: it assumes edits.
    const again = await openDb(options);
    open.push({ ...device, db: again });
    expect(again.editedHere).toBe(true);

    // A deleted document counts too: it keeps the stamps of its edits (CR2).
    const other = { ...options, name: `device-tombstone-${++counter}` };
    const lone = await openDb(other);
    const topic = await addTopic(lone, 'sg-a', TOPIC, 1);
    await deleteTopic(lone, topic);
    expect(await lone.rx.collections.topics.count().exec()).toBe(0);
    await closeDb(lone);
    const reopened = await openDb(other);
    open.push({ ...device, db: reopened });
    expect(reopened.editedHere).toBe(true);
  });

  it('a mark written on one device reaches the other through the live stream, no manual pull', async () => {
    const a = await newDevice('a');
    const b = await newDevice('b');
    const liveA = startSync({ db: a.db, session: a.session });
    const liveB = startSync({ db: b.db, session: b.session });
    try {
      await liveA.awaitInSync();
      await liveB.awaitInSync();
      const slot = await slotOf(a, '2026-09-16');
      const id = markId(slot.lessonId, 'learner-kid');

      await setMark(a.db, slot, 'learner-kid', { code: 'О' });
      const arrived = await firstValueFrom(
        b.db.rx.collections.marks.findOne(id).$.pipe(filter((doc) => doc?.code === 'О')),
      );
      expect(arrived?.learnerId).toBe('learner-kid');
      await liveA.awaitInSync();
      expect(a.db.pendingCount.value).toBe(0);
      expect(liveB.status.streamConnected.value).toBe(true);
    } finally {
      await liveA.stop();
      await liveB.stop();
    }
  });
});

/** A promise with its resolve function outside. */
function latch() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/**
 * A device's network where the test holds, once each, a mark pull before it is sent and a mark
 * push's answer after the server took it: the interleavings of a slow network, made exact.
 */
function gatedNetwork() {
  const gates = {
    pull: latch(),
    push: latch(),
    pullWaiting: latch(),
    pushLanded: latch(),
    holdPull: false,
    holdPush: false,
  };
  const fetcher: typeof fetch = async (input, init) => {
    const url = String(input);
    if (url.includes('/api/sync/marks/pull') && gates.holdPull) {
      gates.holdPull = false;
      gates.pullWaiting.open();
      await gates.pull.opened;
    }
    const res = await fetch(input, init);
    if (url.includes('/api/sync/marks/push') && gates.holdPush) {
      gates.holdPush = false;
      gates.pushLanded.open();
      await gates.push.opened;
    }
    const queued = url.includes('/api/sync/marks/push') ? held.shift() : undefined;
    if (queued) {
      queued.landed.open();
      await queued.release.opened;
    }
    return res;
  };
  // More than one push answer held, in order: each call holds the next push that lands.
  const held: { landed: ReturnType<typeof latch>; release: ReturnType<typeof latch> }[] = [];
  const holdNextPush = () => {
    const hold = { landed: latch(), release: latch() };
    held.push(hold);
    return hold;
  };
  return Object.assign(gates, { fetcher, holdNextPush });
}

/** Resolves at the next write of the marks replication's pull checkpoint on the device. */
function nextPullCheckpoint(device: Device): Promise<void> {
  const state = REPLICATION_STATE_BY_COLLECTION.get(device.db.rx.collections.marks as never)?.[0];
  const meta = state?.metaInstance;
  if (!meta) throw new Error('the marks replication has not started');
  return new Promise((resolve) => {
    const sub = meta.changeStream().subscribe((bulk) => {
      const written = bulk.events.some((e) => {
        const doc = e.documentData as { isCheckpoint?: string; itemId?: string };
        return doc.isCheckpoint === '1' && doc.itemId === 'down';
      });
      if (!written) return;
      sub.unsubscribe();
      resolve();
    });
  });
}

/**
 * Device A on `fetcher` with its replication running (no stream) and in sync, device B synced:
 * both see `learner`'s mark of the lesson on `date`.
 */
async function runningBeside(fetcher: typeof fetch, date: string, learner: string) {
  const a = await newDevice('a', undefined, fetcher);
  const b = await newDevice('b');
  await syncRound(b);
  const engine = startSync({ db: a.db, session: a.session, live: false });
  try {
    await engine.awaitInSync();
  } catch (err) {
    await engine.stop();
    throw err;
  }
  const slot = await slotOf(a, date);
  return { a, b, engine, slot, id: markId(slot.lessonId, learner) };
}

describe('a push answered after a newer version was pulled', () => {
  it('[CR8] the device takes the newer version its push had not met on the server', async () => {
    const net = gatedNetwork();
    const { a, b, engine, slot, id } = await runningBeside(
      net.fetcher,
      '2026-09-23',
      'learner-kid',
    );
    try {
      // A starts a pull, which waits on the way; A's push of «Н» reaches the server, and its
      // answer waits on the way back.
      net.holdPull = true;
      engine.syncNow();
      await net.pullWaiting.opened;
      net.holdPush = true;
      await setMark(a.db, slot, 'learner-kid', { code: 'Н' });
      await net.pushLanded.opened;
      expect((await serverDoc(id))?.doc).toMatchObject({ code: 'Н' });

      // B, offline since before «Н», sets «Б» later; the server takes it over «Н».
      orderClocks(a, b);
      await setMark(b.db, slot, 'learner-kid', { code: 'Б' });
      await syncRound(b);
      expect((await serverDoc(id))?.doc).toMatchObject({ code: 'Б' });

      // A's pull reaches the server now and brings «Б»; then A's push is answered: no conflict.
      const pulled = nextPullCheckpoint(a);
      net.pull.open();
      await pulled;
      net.push.open();
      await engine.awaitInSync();
    } finally {
      net.pull.open();
      net.push.open();
      await engine.stop();
    }
    await syncRound(a);

    expect(await localMark(a, id)).toMatchObject({ code: 'Б' });
    expect((await serverDoc(id))?.doc).toMatchObject({ code: 'Б' });
    expect(a.db.pendingCount.value).toBe(0);
    // B had not seen «Н»: A's teacher is told her edit was overwritten.
    const lost = (await noticesOf(a)).filter((n) => n.kind === 'lost' && n.docId === id);
    expect(lost.map((n) => n.lostFields)).toEqual([[{ field: 'code', mine: 'Н', theirs: 'Б' }]]);
  });

  it('[CR11] a push the server answers with its merge is followed by a pull, which ends on the merge', async () => {
    const events: string[] = [];
    const recording: typeof fetch = async (input, init) => {
      const url = String(input);
      const kind = url.includes('/api/sync/marks/pull')
        ? 'pull'
        : url.includes('/api/sync/marks/push')
          ? 'push'
          : null;
      if (kind === 'pull') events.push('pull');
      const res = await fetch(input, init);
      if (kind === 'push') {
        const body = (await res.clone().json()) as { conflicts: unknown[] };
        events.push(body.conflicts.length > 0 ? 'push answered with a merge' : 'push taken');
      }
      return res;
    };
    const { a, b, engine, slot, id } = await runningBeside(
      recording,
      '2026-10-21',
      'learner-other',
    );
    try {
      // B's note reaches the server; A, without a stream, has no reason to pull it. A's «Н»
      // then meets it on the server, which stores and answers the merge of the two.
      await setMark(b.db, slot, 'learner-other', { note: 'болела' });
      await syncRound(b);
      events.length = 0;
      await setMark(a.db, slot, 'learner-other', { code: 'Н' });
      await vi.waitFor(() => expect(events).toContain('push answered with a merge'));
      await engine.awaitInSync();
    } finally {
      await engine.stop();
    }

    expect(events).toEqual(['push answered with a merge', 'pull']);
    expect((await serverDoc(id))?.doc).toMatchObject({ code: 'Н', note: 'болела' });
    expect(await localMark(a, id)).toMatchObject({ code: 'Н', note: 'болела' });
  });
});

/**
 * CR8's race with a refusal (CR9), on learner-kid's mark of `date` in November: A's «Б» is
 * refused (the month closed) while A's pull, held since before, brings B's note, which A merges
 * under «Б». The month opens, `beforeAnswer` runs, and only then does the refusal reach A.
 */
async function refusalMeetsPull(
  date: string,
  beforeAnswer: (a: Device, b: Device, slot: Awaited<ReturnType<typeof slotOf>>) => Promise<void>,
) {
  const net = gatedNetwork();
  const a = await newDevice('a', undefined, net.fetcher);
  const b = await newDevice('b');
  await syncRound(a);
  const slot = await slotOf(a, date);
  const id = markId(slot.lessonId, 'learner-kid');
  await setMark(a.db, slot, 'learner-kid', { code: 'Н' });
  await syncRound(a);
  await syncRound(b);

  const engine = startSync({ db: a.db, session: a.session, live: false });
  try {
    await engine.awaitInSync();
    net.holdPull = true;
    engine.syncNow();
    await net.pullWaiting.opened;
    await setMark(b.db, slot, 'learner-kid', { note: 'Опоздал' });
    await syncRound(b);
    await setMonthLock('2026-11', true);

    net.holdPush = true;
    await setMark(a.db, slot, 'learner-kid', { code: 'Б' });
    await net.pushLanded.opened;
    const pulled = nextPullCheckpoint(a);
    net.pull.open();
    await pulled;
    expect(await localMark(a, id)).toMatchObject({ code: 'Б', note: 'Опоздал' });

    await setMonthLock('2026-11', false);
    await beforeAnswer(a, b, slot);
    net.push.open();
    await engine.awaitInSync();
  } finally {
    net.pull.open();
    net.push.open();
    await engine.stop();
    await setMonthLock('2026-11', false);
  }
  await syncRound(a);
  return { a, id };
}

/** The admin closes or opens a month of `sg-a` (LK1), as the locks screen does. */
async function setMonthLock(month: string, locked: boolean): Promise<void> {
  const { accessToken } = await login(server.url, 'admin');
  const res = await call(server.url, 'POST', '/api/admin/locks', {
    token: accessToken,
    body: { subgroupId: 'sg-a', month, locked, reason: locked ? '' : 'Исправление' },
  });
  expect(res.status).toBe(200);
}

/** «Повторить» on every open notice, top to bottom as the list shows them (newest first). */
async function redoAll(device: Device): Promise<void> {
  const shown = (await noticesOf(device)).filter((n) => !n.dismissed).sort((x, y) => y.at - x.at);
  for (const notice of shown) await redoNotice(device.db, notice);
}

describe('«Повторить» after the admin opens a locked month again', () => {
  // November is used by no other test here, so its lock leaves them alone.
  const month = '2026-11';

  it('[PR5][CR7] after a refused new mark, the mark set later on a device with a slower clock reaches the device', async () => {
    const a = await newDevice('a');
    // B's clock is an hour behind: its later mark carries an older stamp than A's attempt.
    const b = await newDevice('b', () => Date.now() - 3_600_000);
    await syncRound(a);
    await syncRound(b);
    const slot = await slotOf(a, '2026-11-23');
    const id = markId(slot.lessonId, 'learner-kid');
    await setMonthLock(month, true);
    try {
      await setMark(a.db, slot, 'learner-kid', { code: 'Б' });
      await syncRound(a);
      const refused = (await noticesOf(a)).filter((n) => n.docId === id);
      expect(refused.map((n) => n.code)).toEqual(['MONTH_LOCKED']);
      expect(await localMark(a, id)).toBeUndefined();
    } finally {
      await setMonthLock(month, false);
    }

    await setMark(b.db, slot, 'learner-kid', { code: 'Н' });
    await syncRound(b);
    await syncRound(a);

    expect((await serverDoc(id))?.doc).toMatchObject({ code: 'Н' });
    expect(await localMark(a, id)).toMatchObject({ code: 'Н' });
  });

  it('[CR8][CR9] a refused edit merged under a pulled version is not sent again once the month opens', async () => {
    const { a, id } = await refusalMeetsPull('2026-11-25', async () => {});

    // The refused «Б» went only through «Повторить», never by itself: the server and A keep «Н».
    expect((await serverDoc(id))?.doc).toMatchObject({ code: 'Н', note: 'Опоздал' });
    expect(await localMark(a, id)).toMatchObject({ code: 'Н', note: 'Опоздал' });
    expect(a.db.pendingCount.value).toBe(0);
    const notices = (await noticesOf(a)).filter((n) => n.docId === id);
    expect(notices.map((n) => [n.kind, n.code])).toEqual([['refused', 'MONTH_LOCKED']]);

    await redoAll(a);
    await syncRound(a);
    expect((await serverDoc(id))?.doc).toMatchObject({ code: 'Б', note: 'Опоздал' });
  });

  it('[CR9][CR5] the rest of a row sent without its refused edit can still lose, and is told', async () => {
    // A rewrites the note while B, who has not seen it, writes another later.
    const { a, id } = await refusalMeetsPull('2026-11-30', async (a, b, slot) => {
      await setMark(a.db, slot, 'learner-kid', { note: 'Болел' });
      orderClocks(a, b);
      await setMark(b.db, slot, 'learner-kid', { note: 'Пришёл ко второму уроку' });
      await syncRound(b);
    });

    const expected = { code: 'Н', note: 'Пришёл ко второму уроку' };
    expect((await serverDoc(id))?.doc).toMatchObject(expected);
    expect(await localMark(a, id)).toMatchObject(expected);
    const notices = (await noticesOf(a)).filter((n) => n.docId === id);
    expect(notices.map((n) => [n.kind, n.code]).sort()).toEqual([
      ['lost', 'CONFLICT'],
      ['refused', 'MONTH_LOCKED'],
    ]);
    const lost = notices.find((n) => n.kind === 'lost');
    expect(lost?.lostFields).toEqual([
      { field: 'note', mine: 'Болел', theirs: 'Пришёл ко второму уроку' },
    ]);
  });

  it('[CR9][PR5] a tap made while a re-created mark’s refusal is on its way is sent, with the mark', async () => {
    const net = gatedNetwork();
    const a = await newDevice('a', undefined, net.fetcher);
    await syncRound(a);
    const slot = await slotOf(a, '2026-11-02');
    const id = markId(slot.lessonId, 'learner-kid');
    await setMonthLock(month, true);
    const engine = startSync({ db: a.db, session: a.session, live: false });
    try {
      await engine.awaitInSync();
      // «Н» is refused: the device holds the server's tombstone of it (PR5).
      await setMark(a.db, slot, 'learner-kid', { code: 'Н' });
      await engine.awaitInSync();
      expect(await localMark(a, id)).toBeUndefined();
      // «Б» creates the mark again and is refused too; before that answer arrives: «УП».
      net.holdPush = true;
      await setMark(a.db, slot, 'learner-kid', { code: 'Б' });
      await net.pushLanded.opened;
      await setMark(a.db, slot, 'learner-kid', { code: 'УП' });
      await setMonthLock(month, false);
      net.push.open();
      await engine.awaitInSync();
    } finally {
      net.push.open();
      await engine.stop();
      await setMonthLock(month, false);
    }
    await syncRound(a);

    // «УП» was made on the mark «Б» created again: it goes with it; the month is open by then.
    const stored = await serverDoc(id);
    expect(stored?.deleted).toBe(false);
    expect(stored?.doc).toMatchObject({ code: 'УП' });
    expect(await localMark(a, id)).toMatchObject({ code: 'УП' });
    // The two refusals are told (nothing was lost in a conflict).
    const notices = (await noticesOf(a)).filter((n) => n.docId === id);
    expect(notices.map((n) => [n.kind, n.code])).toEqual([
      ['refused', 'MONTH_LOCKED'],
      ['refused', 'MONTH_LOCKED'],
    ]);
  });

  it('[NT7][PR5] a refused new mark that the next edit carries to the server closes its notice', async () => {
    const a = await newDevice('a');
    await syncRound(a);
    const slot = await slotOf(a, '2026-11-09');
    const id = markId(slot.lessonId, 'learner-late');
    await setMonthLock(month, true);
    try {
      a.offline = true;
      await setMark(a.db, slot, 'learner-late', { code: 'Н' });
      a.offline = false;
      await syncRound(a);
    } finally {
      await setMonthLock(month, false);
    }
    const refusal = (await noticesOf(a)).find((n) => n.docId === id);
    expect(refusal).toMatchObject({ kind: 'refused', code: 'MONTH_LOCKED', dismissed: false });

    // The month is open again; the teacher adds a note to the mark, which shows «Н» (NT3).
    a.offline = true;
    expect(
      await setMark(a.db, slot, 'learner-late', { note: 'Предупредил заранее' }),
    ).toMatchObject({ code: 'Н' });
    a.offline = false;
    await syncRound(a);

    // «Н» went with the note and the server took both: the refusal is no longer open.
    expect((await serverDoc(id))?.doc).toMatchObject({ code: 'Н', note: 'Предупредил заранее' });
    const notices = (await noticesOf(a)).filter((n) => n.docId === id);
    expect(notices.map((n) => [n.kind, n.dismissed])).toEqual([['refused', true]]);
  });

  it('[NT7] a refused edit the teacher makes again after the unlock closes its notice', async () => {
    const a = await newDevice('a');
    await syncRound(a);
    const slot = await slotOf(a, '2026-11-23');
    const id = markId(slot.lessonId, 'learner-late');
    await setMark(a.db, slot, 'learner-late', { code: 'О' });
    await syncRound(a);
    await setMonthLock(month, true);
    try {
      await setMark(a.db, slot, 'learner-late', { code: 'Н' });
      await syncRound(a);
    } finally {
      await setMonthLock(month, false);
    }
    expect(await localMark(a, id)).toMatchObject({ code: 'О' });
    expect((await noticesOf(a)).filter((n) => n.docId === id && !n.dismissed)).toHaveLength(1);

    // A tap, not «Повторить»: the server takes «Н» under a newer stamp of this device.
    await setMark(a.db, slot, 'learner-late', { code: 'Н' });
    await syncRound(a);
    expect((await serverDoc(id))?.doc).toMatchObject({ code: 'Н' });
    expect((await noticesOf(a)).filter((n) => n.docId === id && !n.dismissed)).toEqual([]);
  });

  it('[NT7] a refusal stays open while another device’s later edit holds its field', async () => {
    const a = await newDevice('a');
    const b = await newDevice('b');
    await syncRound(a);
    await syncRound(b);
    const slot = await slotOf(a, '2026-11-16');
    const id = markId(slot.lessonId, 'learner-late');
    await setMonthLock(month, true);
    try {
      a.offline = true;
      await setMark(a.db, slot, 'learner-late', { code: 'Н', note: 'Позвонить родителям' });
      a.offline = false;
      await syncRound(a);
    } finally {
      await setMonthLock(month, false);
    }
    // After the unlock the other device marks «Б»; this one then edits the note only.
    orderClocks(a, b);
    await setMark(b.db, slot, 'learner-late', { code: 'Б' });
    await syncRound(b);
    orderClocks(b, a);
    await syncRound(a);
    await setMark(a.db, slot, 'learner-late', { note: 'Справка будет' });
    await syncRound(a);

    // The refused «Н» is not on the server (the colleague's «Б» is): the notice stays open.
    expect((await serverDoc(id))?.doc).toMatchObject({ code: 'Б', note: 'Справка будет' });
    const open = (await noticesOf(a)).filter((n) => n.docId === id && !n.dismissed);
    expect(open.map((n) => [n.kind, n.code])).toEqual([['refused', 'MONTH_LOCKED']]);
  });

  it('[CR9][NT2] «Повторить» while the copy still shows the refused value sends it again', async () => {
    const net = gatedNetwork();
    const a = await newDevice('a', undefined, net.fetcher);
    await syncRound(a);
    const slot = await slotOf(a, '2026-11-25');
    const id = markId(slot.lessonId, 'learner-other');
    await setMark(a.db, slot, 'learner-other', { code: 'Н' });
    await syncRound(a);
    await setMonthLock(month, true);

    const engine = startSync({ db: a.db, session: a.session, live: false });
    const refusal = net.holdNextPush();
    const note = net.holdNextPush();
    try {
      await engine.awaitInSync();
      // «Б» is refused; a note written before the answer keeps «Б» in the copy (its write 409s).
      await setMark(a.db, slot, 'learner-other', { code: 'Б' });
      await refusal.landed.opened;
      await setMark(a.db, slot, 'learner-other', { note: 'Опоздал' });
      await setMonthLock(month, false);
      // The note goes out without «Б» (CR9); while its answer is on the way, «Повторить».
      refusal.release.open();
      await note.landed.opened;
      expect(await localMark(a, id)).toMatchObject({ code: 'Б', note: 'Опоздал' });
      const refused = (await noticesOf(a)).filter((n) => n.docId === id && n.kind === 'refused');
      expect(refused.map((n) => n.code)).toEqual(['MONTH_LOCKED']);
      await redoNotice(a.db, refused[0]!);
      note.release.open();
      await engine.awaitInSync();
    } finally {
      refusal.release.open();
      note.release.open();
      await engine.stop();
      await setMonthLock(month, false);
    }
    await syncRound(a);

    expect((await serverDoc(id))?.doc).toMatchObject({ code: 'Б', note: 'Опоздал' });
    expect(await localMark(a, id)).toMatchObject({ code: 'Б', note: 'Опоздал' });
    expect((await noticesOf(a)).filter((n) => n.docId === id && !n.dismissed)).toEqual([]);
  });

  it('[CR9][NT2] «Повторить все» newest first while syncing: each refused edit reaches the server', async () => {
    const a = await newDevice('a');
    await syncRound(a);
    const slot = await slotOf(a, '2026-11-09');
    const id = markId(slot.lessonId, 'learner-other');
    await setMark(a.db, slot, 'learner-other', { code: 'Н' });
    await syncRound(a);
    // While the month is closed «Б» is refused (the copy shows «Н» again), then a note is: the
    // note's attempt carries the code «Н» the server already has.
    await setMonthLock(month, true);
    await setMark(a.db, slot, 'learner-other', { code: 'Б' });
    await syncRound(a);
    await setMark(a.db, slot, 'learner-other', { note: 'Справка' });
    await syncRound(a);
    await setMonthLock(month, false);
    expect((await noticesOf(a)).filter((n) => n.docId === id && !n.dismissed)).toHaveLength(2);

    const engine = startSync({ db: a.db, session: a.session, live: false });
    try {
      await engine.awaitInSync();
      await redoAll(a);
      engine.syncNow();
      await engine.awaitInSync();
    } finally {
      await engine.stop();
    }

    expect((await serverDoc(id))?.doc).toMatchObject({ code: 'Б', note: 'Справка' });
    expect(await localMark(a, id)).toMatchObject({ code: 'Б', note: 'Справка' });
  });

  it('[NT2] an older refusal of the lesson, redone after the newer one, does not undo its homework', async () => {
    const a = await newDevice('a');
    await syncRound(a);
    const slot = await slotOf(a, '2026-11-09');
    await setMark(a.db, slot, 'learner-kid', { code: 'Н' });
    await syncRound(a);
    await setMonthLock(month, true);
    try {
      // Two sync sessions while the month is closed; each refusal puts the stored lesson back.
      a.offline = true;
      await updateLesson(a.db, slot, { homework: 'Собрать робота', remark: 'Нет деталей' });
      a.offline = false;
      await syncRound(a);
      a.offline = true;
      await updateLesson(a.db, slot, { homework: 'Собрать робота и запрограммировать' });
      a.offline = false;
      await syncRound(a);
      const refused = (await noticesOf(a)).filter((n) => n.docId === slot.lessonId);
      expect(refused.map((n) => [n.code, n.dismissed])).toEqual([
        ['MONTH_LOCKED', false],
        ['MONTH_LOCKED', false],
      ]);
    } finally {
      await setMonthLock(month, false);
    }

    await redoAll(a);
    await syncRound(a);

    expect((await serverDoc(slot.lessonId))?.doc).toMatchObject({
      status: 'held',
      homework: 'Собрать робота и запрограммировать',
      remark: 'Нет деталей',
    });
    expect((await noticesOf(a)).filter((n) => !n.dismissed)).toEqual([]);
  });

  it('[NT2] a redo writes only the fields the teacher edited: a later edit of another field stays', async () => {
    const a = await newDevice('a');
    const b = await newDevice('b');
    await syncRound(a);
    const slot = await slotOf(a, '2026-11-11');
    await updateLesson(a.db, slot, { homework: 'Прочитать главу 1', remark: 'Шумно' });
    await syncRound(a);
    await syncRound(b);

    await setMonthLock(month, true);
    a.offline = true;
    await updateLesson(a.db, slot, { homework: 'Прочитать главу 2' });
    a.offline = false;
    await syncRound(a);
    await setMonthLock(month, false);
    expect((await noticesOf(a)).filter((n) => n.docId === slot.lessonId)).toHaveLength(1);

    // Once the month is open, the other device changes the remark; the first one pulls it.
    orderClocks(a, b);
    await updateLesson(b.db, slot, { remark: 'Все работали' });
    await syncRound(b);
    await syncRound(a);

    await redoAll(a);
    await syncRound(a);

    expect((await serverDoc(slot.lessonId))?.doc).toMatchObject({
      homework: 'Прочитать главу 2',
      remark: 'Все работали',
    });
  });

  it('[NT2] redoing a lost edit writes the lost field only: the winner’s other edits stay', async () => {
    const a = await newDevice('a');
    const b = await newDevice('b');
    await syncRound(a);
    await syncRound(b);
    const slot = await slotOf(a, '2026-11-16');

    a.offline = true;
    b.offline = true;
    await updateLesson(a.db, slot, { homework: 'Задание A' });
    orderClocks(a, b);
    await updateLesson(b.db, slot, { homework: 'Задание B', remark: 'Замечание B' });
    b.offline = false;
    await syncRound(b);
    a.offline = false;
    await syncRound(a);
    const lost = (await noticesOf(a)).filter((n) => n.kind === 'lost');
    expect(lost.map((n) => n.lostFields.map((f) => f.field))).toEqual([['homework']]);

    await redoAll(a);
    await syncRound(a);

    expect((await serverDoc(slot.lessonId))?.doc).toMatchObject({
      homework: 'Задание A',
      remark: 'Замечание B',
    });
  });

  it('[NT3] a lesson refused twice while its month is closed is one notice, and its redo sends both edits', async () => {
    const a = await newDevice('a');
    await syncRound(a);
    const slot = await slotOf(a, '2026-11-18');
    await setMonthLock(month, true);
    try {
      a.offline = true;
      await setMark(a.db, slot, 'learner-kid', { code: 'Б' });
      a.offline = false;
      await syncRound(a);
      // The refusal emptied the lesson on the device; the teacher fills in the homework.
      a.offline = true;
      await updateLesson(a.db, slot, { homework: 'Повторить правила' });
      a.offline = false;
      await syncRound(a);
    } finally {
      await setMonthLock(month, false);
    }
    const open = (await noticesOf(a)).filter((n) => !n.dismissed);
    const lessonNotices = open.filter((n) => n.docId === slot.lessonId);
    expect(lessonNotices).toHaveLength(1);
    expect(lessonNotices[0]?.attempted).toMatchObject({
      status: 'held',
      homework: 'Повторить правила',
    });
    expect(open.map((n) => n.docId).sort()).toEqual(
      [slot.lessonId, markId(slot.lessonId, 'learner-kid')].sort(),
    );

    await redoAll(a);
    await syncRound(a);
    expect((await serverDoc(slot.lessonId))?.doc).toMatchObject({
      status: 'held',
      homework: 'Повторить правила',
    });
    expect((await serverDoc(markId(slot.lessonId, 'learner-kid')))?.doc).toMatchObject({
      code: 'Б',
    });
  });
});

describe('refusals the server took after all (NT7)', () => {
  // October is locked by no other test here.
  const month = '2026-10';
  const openRefusals = async (d: Device, id: string) =>
    (await noticesOf(d)).filter((n) => n.docId === id && n.kind === 'refused' && !n.dismissed);

  it('[NT9] a refusal names what it refused: the grade, not the attendance it carried; the homework', async () => {
    const a = await newDevice('a');
    await syncRound(a);
    const slot = await slotOf(a, '2026-10-14');
    const id = markId(slot.lessonId, 'learner-other');
    await setMark(a.db, slot, 'learner-other', { code: 'О' });
    await syncRound(a);
    await setMonthLock(month, true);
    try {
      await setMark(a.db, slot, 'learner-other', { grade: '5' });
      await updateLesson(a.db, slot, { homework: 'Выучить дебют' });
      await syncRound(a);
    } finally {
      await setMonthLock(month, false);
    }

    const refused = await noticesOf(a);
    expect(refused.find((n) => n.docId === id)?.lostFields).toEqual([
      { field: 'grade', mine: '5', theirs: null },
    ]);
    expect(refused.find((n) => n.docId === slot.lessonId)?.lostFields).toEqual([
      { field: 'homework', mine: 'Выучить дебют', theirs: '' },
    ]);
  });

  it('[NT9] a refused new mark names each field the teacher set', async () => {
    const a = await newDevice('a');
    await syncRound(a);
    const slot = await slotOf(a, '2026-10-19');
    await setMonthLock(month, true);
    try {
      await setMark(a.db, slot, 'learner-other', { code: 'Б' });
      await syncRound(a);
    } finally {
      await setMonthLock(month, false);
    }
    const notice = (await noticesOf(a)).find(
      (n) => n.docId === markId(slot.lessonId, 'learner-other'),
    );
    expect(notice?.lostFields).toEqual([{ field: 'code', mine: 'Б', theirs: null }]);
  });

  it('[NT7][LS8] «Все присутствуют» over a refused «Н» after the unlock leaves its refusal open', async () => {
    const a = await newDevice('a');
    await syncRound(a);
    const slot = await slotOf(a, '2026-10-05');
    const id = markId(slot.lessonId, 'learner-kid');
    await setMonthLock(month, true);
    try {
      await setMark(a.db, slot, 'learner-kid', { code: 'Н' });
      await syncRound(a);
    } finally {
      await setMonthLock(month, false);
    }
    expect(await openRefusals(a, id)).toHaveLength(1);
    // The register shows the refused mark as «—» (a tombstone): the teacher taps «Все присутствуют».
    await markAllPresent(a.db, slot, ['learner-kid', 'learner-other']);
    await syncRound(a);
    expect((await serverDoc(id))?.doc).toMatchObject({ code: '' });
    // The refused «Н» is not on the server; nobody changed that learner's mark on purpose.
    expect(await openRefusals(a, id)).toHaveLength(1);
  });

  it('[NT7] a tap that makes a lesson held leaves the refusal of its cancellation open', async () => {
    const a = await newDevice('a');
    await syncRound(a);
    const slot = await slotOf(a, '2026-10-07');
    await setMonthLock(month, true);
    try {
      await updateLesson(a.db, slot, { status: 'cancelled', statusReason: 'Болезнь педагога' });
      await syncRound(a);
    } finally {
      await setMonthLock(month, false);
    }
    expect(await openRefusals(a, slot.lessonId)).toHaveLength(1);
    await setMark(a.db, slot, 'learner-kid', { code: 'Н' });
    await syncRound(a);
    const lesson = (await serverDoc(slot.lessonId))?.doc as Record<string, unknown>;
    expect(lesson).toMatchObject({ status: 'held' });
    // The refused cancellation is not on the server (a status set by the mark tap is).
    expect(await openRefusals(a, slot.lessonId)).toHaveLength(1);
  });

  it('[NT7] a refusal closes once its field lands, though a field it carried was changed elsewhere', async () => {
    const a = await newDevice('a');
    const b = await newDevice('b');
    await syncRound(a);
    const slot = await slotOf(a, '2026-10-12');
    const id = markId(slot.lessonId, 'learner-kid');
    await setMark(a.db, slot, 'learner-kid', { code: 'Н', note: 'Первая заметка' });
    await syncRound(a);
    await syncRound(b);
    // The second device rewrites the note; A has not pulled it when it edits the code.
    orderClocks(a, b);
    await setMark(b.db, slot, 'learner-kid', { note: 'Заметка с планшета' });
    await syncRound(b);
    await setMonthLock(month, true);
    try {
      a.offline = true;
      orderClocks(b, a);
      await setMark(a.db, slot, 'learner-kid', { code: 'Б' });
      a.offline = false;
      await syncRound(a);
    } finally {
      await setMonthLock(month, false);
    }
    expect(await openRefusals(a, id)).toHaveLength(1);
    await syncRound(a);
    // After the unlock the teacher taps «Б» again: the server takes it.
    await setMark(a.db, slot, 'learner-kid', { code: 'Б' });
    await syncRound(a);
    expect((await serverDoc(id))?.doc).toMatchObject({ code: 'Б', note: 'Заметка с планшета' });
    // Everything the teacher did in the refused attempt (the code) is on the server.
    expect(await openRefusals(a, id)).toEqual([]);
  });
});
