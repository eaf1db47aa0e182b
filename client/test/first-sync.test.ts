import type { Mark, SessionUser, SyncCollection } from '@otmetka/shared';
import { markId, SYNC_COLLECTIONS } from '@otmetka/shared';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import type { RxJsonSchema } from 'rxdb';
import { firstValueFrom } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { subgroupDbName } from '../../sync-server/src/db/store.ts';
import {
  createFixture,
  PASSWORD,
  startServer,
  type TestServer,
} from '../../sync-server/test/helpers.ts';
import type { OpenDbOptions, OtmetkaDb } from '../src/db/database.ts';
import { closeDb, openDb } from '../src/db/database.ts';
import { marksOfLesson$, marksOfMonth$ } from '../src/db/queries.ts';
import { addTopic, deleteTopic, setMark } from '../src/db/repo.ts';
import type { Notice } from '../src/db/schemas.ts';
import { firstSyncProgress, saveFirstSyncProgress } from '../src/sync/first-sync.ts';
import type { SyncEngine } from '../src/sync/replication.ts';
import { startSync } from '../src/sync/replication.ts';
import { memoryStore, Session } from '../src/sync/session.ts';
import { markRxSchemaV0 } from './mark-schema-v0.ts';
import { slotOf } from './slot-of.ts';

/**
 * The bulk first sync of an empty device (sync/first-sync.ts) against the real server: every
 * document arrives and none is pushed back; afterwards the replication pushes local edits,
 * pulls server changes and merges concurrent ones with the shared rules, reporting lost edits;
 * a first sync cut short (offline, page closed, even between a write and its progress record)
 * ends complete, with the edits made meanwhile kept. Small pull pages cross page ends.
 */

const PAGE = 3;
const DATES = ['2026-09-02', '2026-09-07', '2026-09-09', '2026-09-14', '2026-09-16'];
const LEARNERS = ['learner-kid', 'learner-other'];

interface Device {
  db: OtmetkaDb;
  session: Session;
  user: SessionUser;
  factory: IDBFactory;
  name: string;
  offline: boolean;
  /** Ids this device pushed, over all its engines. */
  pushed: string[];
  pulls: number;
  /** Set by a test: what the next pull request does instead of reaching the server. */
  interceptPull?: (n: number, url: string) => 'fail' | 'pass';
}

let server: TestServer;
let seeder: Device;
let deletedTopic = '';
const open: Device[] = [];
let counter = 0;

function countingFetch(device: () => Device): typeof fetch {
  return async (input, init) => {
    const url = String(input);
    const d = device();
    if (url.includes('/pull?')) {
      d.pulls++;
      if (d.interceptPull?.(d.pulls, url) === 'fail') throw new TypeError('fetch failed');
    }
    if (url.includes('/push') && typeof init?.body === 'string') {
      const body = JSON.parse(init.body) as { rows: { newDocumentState: { id: string } }[] };
      d.pushed.push(...body.rows.map((r) => r.newDocumentState.id));
    }
    return fetch(input, init);
  };
}

async function newDevice(label: string, markSchema?: RxJsonSchema<Mark>): Promise<Device> {
  const device = {
    factory: new IDBFactory(),
    name: `first-sync-${label}-${++counter}`,
    offline: false,
    pushed: [],
    pulls: 0,
  } as unknown as Device;
  device.session = new Session(
    { baseUrl: server.url, fetch: countingFetch(() => device) },
    memoryStore(),
  );
  device.user = await device.session.signIn('teacher-a-user', PASSWORD);
  await reopen(device, markSchema);
  return device;
}

async function reopen(
  device: Device,
  markSchema?: RxJsonSchema<Mark>,
  more: Partial<OpenDbOptions> = {},
): Promise<void> {
  device.db = await openDb({
    ...more,
    markSchema,
    name: device.name,
    user: { id: device.user.id, orgId: device.user.orgId },
    indexedDB: device.factory,
    IDBKeyRange,
    multiInstance: false,
    isOffline: () => device.offline,
  });
  if (!open.includes(device)) open.push(device);
}

function engineOf(device: Device): SyncEngine {
  return startSync({ db: device.db, session: device.session, live: false, pullBatchSize: PAGE });
}

async function syncRound(device: Device): Promise<void> {
  const engine = engineOf(device);
  await engine.awaitInSync();
  await engine.stop();
}

/** How many rows a collection's IndexedDB store holds, and how many each write-time index. */
async function writeTimeIndexSizes(device: Device, name: SyncCollection) {
  const version = device.db.rx.collections[name].schema.version;
  const request = device.factory.open(`rxdb-dexie-${device.name}--${version}--${name}`);
  const idb = await new Promise<IDBDatabase>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const store = idb.transaction('docs').objectStore('docs');
  const count = (source: IDBObjectStore | IDBIndex) =>
    new Promise<number>((resolve) => {
      const counted = source.count();
      counted.onsuccess = () => resolve(counted.result);
    });
  const sizes = {
    rows: await count(store),
    '[_meta.lwt+id]': await count(store.index('[_meta.lwt+id]')),
    '_meta.lwt': await count(store.index('_meta.lwt')),
  };
  idb.close();
  return sizes;
}

/** Every live id the server gives this teacher, per collection, read from the pull API. */
async function serverIds(session: Session): Promise<Record<SyncCollection, string[]>> {
  const out = {} as Record<SyncCollection, string[]>;
  for (const name of SYNC_COLLECTIONS) {
    const body = (await session.getJson(`/api/sync/${name}/pull?limit=1000`)) as {
      documents: { id: string; _deleted?: boolean }[];
    };
    out[name] = body.documents
      .filter((d) => !d._deleted)
      .map((d) => d.id)
      .sort();
  }
  return out;
}

async function localIds(device: Device): Promise<Record<SyncCollection, string[]>> {
  const out = {} as Record<SyncCollection, string[]>;
  for (const name of SYNC_COLLECTIONS) {
    const docs = await device.db.rx.collections[name].find().exec();
    out[name] = docs.map((d) => d.primary).sort();
  }
  return out;
}

async function localMark(device: Device, id: string): Promise<Mark | undefined> {
  const doc = await device.db.rx.collections.marks.findOne(id).exec();
  return doc ? (doc.toJSON() as Mark) : undefined;
}

async function serverDoc(id: string) {
  return (await server.store.getMany(subgroupDbName('sg-a'), [id])).get(id);
}

async function lostNotices(device: Device): Promise<Notice[]> {
  const docs = await device.db.rx.collections.notices.find().exec();
  return docs.map((d) => d.toJSON() as Notice).filter((n) => n.kind === 'lost');
}

/** Makes `later`'s next stamp later than everything `earlier` wrote (no sleeping on clocks). */
function orderClocks(earlier: Device, later: Device): void {
  later.db.clock.last = Math.max(later.db.clock.last, earlier.db.clock.last);
}

beforeAll(async () => {
  server = await startServer();
  await createFixture(server.store);
  // Another device of the teacher writes a few weeks of the journal: several pages of each kind.
  seeder = await newDevice('seeder');
  await syncRound(seeder);
  for (const date of DATES) {
    const slot = await slotOf(seeder, date);
    for (const learner of LEARNERS) await setMark(seeder.db, slot, learner, { code: '' });
  }
  const titles = ['Введение', 'Сборка', 'Датчики', 'Моторы'];
  for (const [order, title] of titles.entries()) {
    const fields = { section: '', title, hours: 2, form: '', control: '', plannedDate: null };
    const topic = await addTopic(seeder.db, 'sg-a', fields, order + 1);
    // A deleted topic reaches a new device as a tombstone.
    if (title === 'Датчики') deletedTopic = (await deleteTopic(seeder.db, topic)).id;
  }
  await syncRound(seeder);
}, 60_000);

afterEach(async () => {
  // RxDB's free edition allows 13 open collections per process: only the seeder stays open.
  for (const device of open.splice(0)) {
    if (device === seeder) open.push(device);
    else await closeDb(device.db);
  }
});

afterAll(async () => {
  await closeDb(seeder.db);
  await server.stop();
});

describe('bulk first sync', () => {
  it('[sync] an empty device gets every document in bulk and pushes none of them back', async () => {
    const device = await newDevice('fresh');
    const expected = await serverIds(device.session);
    expect(expected.marks).toHaveLength(DATES.length * LEARNERS.length);
    const revBefore = (await serverDoc(expected.marks[0]!))?.rev;
    device.pulls = 0;

    await syncRound(device);

    expect(await localIds(device)).toEqual(expected);
    const tombstone = await device.db.rx.collections.topics.storageInstance.findDocumentsById(
      [deletedTopic],
      true,
    );
    expect(tombstone.map((d) => [d.id, d._deleted])).toEqual([[deletedTopic, true]]);
    for (const name of SYNC_COLLECTIONS) {
      expect(await firstSyncProgress(device.db.rx, name)).toMatchObject({ done: true });
    }
    // The pages were pulled by the bulk path, then one pull per collection by the replication.
    expect(device.pulls).toBeGreaterThan(expected.marks.length / PAGE);
    expect(device.pushed).toEqual([]);
    expect(device.db.editedHere).toBe(false);

    // A restart replicates from the recorded checkpoints: nothing is pulled again or pushed.
    const pulls = device.pulls;
    await syncRound(device);
    expect(device.pulls - pulls).toBe(SYNC_COLLECTIONS.length);
    expect(device.pushed).toEqual([]);
    expect((await serverDoc(expected.marks[0]!))?.rev).toBe(revBefore);
  });

  it('[DS5] bulk rows have no write time: in no write-time index until written through RxDB; their tombstones are cleaned up', async () => {
    const device = await newDevice('untimed');
    await syncRound(device);
    const marks = (await serverIds(device.session)).marks;
    expect(await writeTimeIndexSizes(device, 'marks')).toEqual({
      rows: marks.length,
      '[_meta.lwt+id]': 0,
      '_meta.lwt': 0,
    });

    const slot = await slotOf(device, DATES[0]!);
    await setMark(device.db, slot, 'learner-kid', { code: 'Б' });
    expect(await writeTimeIndexSizes(device, 'marks')).toEqual({
      rows: marks.length,
      '[_meta.lwt+id]': 1,
      '_meta.lwt': 1,
    });

    // The deleted topic arrived as a bulk tombstone: with no write time, it counts as old.
    const engine = engineOf(device);
    await engine.awaitInSync();
    expect(await engine.cleanupTombstones(0)).toBeGreaterThanOrEqual(1);
    await engine.stop();
    const left = await device.db.rx.collections.topics.storageInstance.findDocumentsById(
      [deletedTopic],
      true,
    );
    expect(left).toEqual([]);
  });

  it('[sync] a screen open during the first sync sees the documents arrive without asking again', async () => {
    const device = await newDevice('watching');
    const expected = await serverIds(device.session);
    const seen: string[][] = [];
    // What a month screen does: one live query, opened before anything is on the device.
    const sub = device.db.rx.collections.marks
      .find()
      .$.subscribe((docs) => seen.push(docs.map((d) => d.primary).sort()));

    await syncRound(device);
    await vi.waitFor(() => expect(seen.at(-1)).toEqual(expected.marks));
    sub.unsubscribe();

    expect(seen[0]).toEqual([]);
  });

  it('[sync][CR1][CR5] after a bulk first sync, edits are pushed, server changes pulled, concurrent ones merged or reported', async () => {
    const device = await newDevice('after');
    await syncRound(device);
    await syncRound(seeder);
    const slots = await Promise.all(DATES.map((d) => slotOf(device, d)));
    const [pushed, pulled, merged, lost] = slots.map((s) => markId(s.lessonId, 'learner-kid'));

    // A local edit of a bulk-written mark goes to the server.
    await setMark(device.db, slots[0]!, 'learner-kid', { code: 'Б' });
    // A server change of a bulk-written mark comes down.
    await setMark(seeder.db, slots[1]!, 'learner-kid', { note: 'опоздал' });
    // Both devices edit one mark offline, different fields: both edits survive.
    device.offline = true;
    seeder.offline = true;
    await setMark(device.db, slots[2]!, 'learner-kid', { code: 'Н' });
    await setMark(seeder.db, slots[2]!, 'learner-kid', { note: 'болел' });
    // Both set the code of one mark; the seeder's later stamp wins and the device is told.
    await setMark(device.db, slots[3]!, 'learner-kid', { code: 'УП' });
    orderClocks(device, seeder);
    await setMark(seeder.db, slots[3]!, 'learner-kid', { code: 'Б' });
    device.offline = false;
    seeder.offline = false;

    await syncRound(seeder);
    await syncRound(device);
    await syncRound(seeder);

    expect((await serverDoc(pushed!))?.doc).toMatchObject({ code: 'Б' });
    expect(await localMark(seeder, pushed!)).toMatchObject({ code: 'Б' });
    expect(await localMark(device, pulled!)).toMatchObject({ note: 'опоздал' });
    for (const d of [device, seeder]) {
      expect(await localMark(d, merged!)).toMatchObject({ code: 'Н', note: 'болел' });
      expect(await localMark(d, lost!)).toMatchObject({ code: 'Б' });
    }
    expect((await serverDoc(merged!))?.doc).toMatchObject({ code: 'Н', note: 'болел' });
    const notices = await lostNotices(device);
    expect(notices.map((n) => [n.docId, n.lostFields])).toEqual([
      [lost, [{ field: 'code', mine: 'УП', theirs: 'Б' }]],
    ]);
    expect(device.db.pendingCount.value).toBe(0);
  });

  it('[sync] offline in the middle of a first sync: it waits, then resumes where it stopped', async () => {
    const device = await newDevice('offline');
    const expected = await serverIds(device.session);
    device.pulls = 0;
    let offline = false;
    let failed = 0;
    device.interceptPull = (n) => {
      if (n === 4) offline = true;
      if (offline) failed++;
      return offline ? 'fail' : 'pass';
    };
    const engine = engineOf(device);
    await vi.waitFor(() => {
      expect(failed).toBeGreaterThanOrEqual(3);
      expect(engine.status.online.value).toBe(false);
    });
    const partial = await localIds(device);
    expect(Object.values(partial).flat().length).toBeLessThan(
      Object.values(expected).flat().length,
    );

    // The network is back: the `online` event (here syncNow) resumes without waiting.
    offline = false;
    engine.syncNow();
    await engine.awaitInSync();
    await engine.stop();
    expect(await localIds(device)).toEqual(expected);
    expect(device.pushed).toEqual([]);
  });

  it('[SY1] «Синхронизировано» waits for every collection: not told while the marks cannot be pulled', async () => {
    const device = await newDevice('no-marks');
    let refused = 0;
    device.interceptPull = (_n, url) => {
      if (!url.includes('/api/sync/marks/')) return 'pass';
      refused++;
      return 'fail';
    };
    const engine = engineOf(device);
    await vi.waitFor(async () => {
      expect(refused).toBeGreaterThanOrEqual(1);
      expect((await localIds(device)).lessons.length).toBeGreaterThan(0);
    });
    expect(engine.status.lastSyncAt.value).toBeNull();

    device.interceptPull = undefined;
    engine.syncNow();
    await engine.awaitInSync();
    await engine.stop();
    expect(engine.status.lastSyncAt.value).toEqual(expect.any(Number));
  });

  it('[sync] a first sync cut short (page closed, even between a write and its record) ends complete, keeping the edits made meanwhile', async () => {
    const device = await newDevice('closed');
    const expected = await serverIds(device.session);
    device.pulls = 0;
    let engine: SyncEngine | undefined;
    let stopping: Promise<void> | undefined;
    device.interceptPull = (n) => {
      // The page is closed while the sixth pull is on its way.
      if (n === 6) stopping = engine?.stop();
      return 'pass';
    };
    engine = engineOf(device);
    await vi.waitFor(() => expect(stopping).toBeDefined());
    await stopping;
    device.interceptPull = undefined;

    const partial = await localIds(device);
    const missing = expected.marks.filter((id) => !partial.marks.includes(id));
    expect(missing.length).toBeGreaterThan(0);
    // The teacher marks a learner whose mark has not arrived yet, and closes the app.
    const target = missing[0]!;
    // The slot as the register computes it (the catalog may not be complete here yet).
    const pairs = await Promise.all(
      DATES.map(async (d) => {
        const slot = await slotOf(seeder, d);
        return LEARNERS.map((learner) => ({ slot, learner }));
      }),
    );
    const pair = pairs.flat().find((p) => markId(p.slot.lessonId, p.learner) === target);
    if (!pair) throw new Error(`no slot for ${target}`);
    const { slot, learner } = pair;
    await setMark(device.db, slot, learner, { note: 'с планшета' });
    // And corrects a mark that did arrive.
    const arrived = partial.marks[0]!;
    const arrivedPair = pairs.flat().find((p) => markId(p.slot.lessonId, p.learner) === arrived);
    if (!arrivedPair) throw new Error(`no slot for ${arrived}`);
    await setMark(device.db, arrivedPair.slot, arrivedPair.learner, { code: 'Н' });
    // The crash came between a page's write and its progress record: the record is older.
    for (const name of SYNC_COLLECTIONS) {
      const progress = await firstSyncProgress(device.db.rx, name);
      if (progress && !progress.done) {
        await saveFirstSyncProgress(device.db.rx, name, { checkpoint: null, done: false });
      }
    }
    await closeDb(device.db);

    await reopen(device);
    await syncRound(device);
    await syncRound(device);

    expect(await localIds(device)).toEqual(expected);
    expect(await localMark(device, target)).toMatchObject({ note: 'с планшета' });
    expect((await serverDoc(target))?.doc).toMatchObject({ note: 'с планшета' });
    expect(await localMark(device, arrived)).toMatchObject({ code: 'Н' });
    expect((await serverDoc(arrived))?.doc).toMatchObject({ code: 'Н' });
    // Only the edits went up (the marks and the lessons they mark held), no pulled document.
    const edited = [target, slot.lessonId, arrived, arrivedPair.slot.lessonId];
    expect(device.pushed).toContain(target);
    expect(device.pushed).toContain(arrived);
    expect(device.pushed.every((id) => edited.includes(id))).toBe(true);
    expect(device.db.pendingCount.value).toBe(0);
  });

  it('[DS1][DS2] a tablet made with the marks of version 0 opens with version 1: every mark kept and found, the unsent one sent, none of the pulled ones', async () => {
    const device = await newDevice('v0', markRxSchemaV0);
    await syncRound(device);
    const expected = await serverIds(device.session);
    expect((await localIds(device)).marks).toEqual(expected.marks);
    // Offline, the teacher corrects a mark; the app is updated before it is sent.
    device.offline = true;
    const slot = await slotOf(seeder, DATES[1]!);
    const edited = markId(slot.lessonId, LEARNERS[0]!);
    await setMark(device.db, slot, LEARNERS[0]!, { code: 'Б' });
    await closeDb(device.db);

    await reopen(device);
    device.offline = false;

    expect(device.db.rx.collections.marks.schema.version).toBe(1);
    expect((await localIds(device)).marks).toEqual(expected.marks);
    expect(await localMark(device, edited)).toMatchObject({ code: 'Б' });
    expect(device.db.pendingCount.value).toBeGreaterThan(0);
    // Found by id ranges now: the lesson's marks and the month's, nothing of other subgroups.
    const ofLesson = await firstValueFrom(marksOfLesson$(device.db, slot.lessonId));
    expect(ofLesson.map((m) => m.id).sort()).toEqual(
      LEARNERS.map((l) => markId(slot.lessonId, l)).sort(),
    );
    const ofMonth = await firstValueFrom(
      marksOfMonth$(device.db, 'sg-a', '2026-09-01', '2026-09-30'),
    );
    expect(ofMonth.map((m) => m.id).sort()).toEqual(expected.marks);
    const none = await firstValueFrom(marksOfMonth$(device.db, 'sg-a', '2026-10-01', '2026-10-31'));
    expect(none).toEqual([]);

    device.pushed = [];
    await syncRound(device);
    expect(device.pushed).toContain(edited);
    expect(device.pushed.every((id) => id === edited || id === slot.lessonId)).toBe(true);
    expect((await serverDoc(edited))?.doc).toMatchObject({ code: 'Б' });
    expect(device.db.pendingCount.value).toBe(0);
  });

  it('[DS4] the upgrade waits while another tab runs the journal (maybe the old app), then goes on', async () => {
    const device = await newDevice('v0-tabs', markRxSchemaV0);
    await syncRound(device);
    const expected = (await localIds(device)).marks;
    await closeDb(device.db);

    // What Web Locks show: RxDB's leader election of this journal in another tab (held), then
    // of another user's journal only, then nothing.
    const ours = `pubkey-bc||native||RxDB:|dexie|${device.name}`;
    const answers = [
      { held: [{ name: ours, clientId: 'other-tab', mode: 'exclusive' as const }] },
      { pending: [{ name: ours, clientId: 'other-tab', mode: 'exclusive' as const }] },
      {
        held: [
          { name: 'pubkey-bc||native||RxDB:|dexie|otmetka-u-other', mode: 'exclusive' as const },
        ],
      },
    ];
    let queries = 0;
    const locks = { query: async () => answers[queries++] ?? {} };
    let waited = 0;

    await reopen(device, undefined, { locks, onWaitForTabs: () => waited++ });

    expect(waited).toBe(2);
    expect(queries).toBe(3);
    expect((await localIds(device)).marks).toEqual(expected);
    expect(device.db.rx.collections.marks.schema.version).toBe(1);
  }, 20_000);
});
