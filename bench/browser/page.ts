/**
 * The browser bench page, built by bench/browser.ts with Vite from the client's own modules and
 * served by the real sync server (same origin). Each function is driven from playwright and
 * measures the client's real path against raw IndexedDB in the same page and run.
 */
import type { Checkpoint, LessonSlot, Mark } from '@otmetka/shared';
import { encodeCheckpoint, lessonId, PULL_BATCH_SIZE, SYNC_COLLECTIONS } from '@otmetka/shared';
import { fillWithDefaultSettings, type RxJsonSchema } from 'rxdb';
import {
  fromStorageToDexie,
  getBooleanIndexes,
  getDexieStoreSchema,
} from 'rxdb/plugins/storage-dexie';
import { closeDb, openDb } from '../../client/src/db/database.ts';
import { setMark } from '../../client/src/db/repo.ts';
import {
  catalogRxSchema,
  lessonRxSchema,
  markRxSchema,
  rosterRxSchema,
  topicRxSchema,
} from '../../client/src/db/schemas.ts';
import { startSync } from '../../client/src/sync/replication.ts';
import { memoryStore, Session } from '../../client/src/sync/session.ts';

const CODES = ['', '', '', 'Н', 'Б'];

function slotOf(subgroupId: string, n: number): LessonSlot {
  const day = new Date(Date.UTC(2026, 8, 1 + n * 2));
  const date = day.toISOString().slice(0, 10);
  return {
    lessonId: lessonId(subgroupId, date, '15:00'),
    subgroupId,
    date,
    start: '15:00',
    end: '16:30',
    academicHours: 2,
    holiday: null,
    ruleId: 'rule-1',
    movedFrom: null,
  };
}

function openRaw(name: string, stores: string[]): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name, 1);
    req.onupgradeneeded = () => {
      for (const s of stores) req.result.createObjectStore(s, { keyPath: 'id' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function putInOwnTransaction(db: IDBDatabase, doc: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction('docs', 'readwrite');
    tx.objectStore('docs').put(doc);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
}

/**
 * (a) Tap to persisted: `setMark`, the function the lesson register calls on a tap, resolving
 * once RxDB has written to IndexedDB, against a raw put of the same document in its own
 * transaction. Interleaved, after a warm-up, over distinct (lesson, learner) pairs.
 */
async function taps(count: number, warmup: number) {
  const db = await openDb({
    name: `bench-tap-${Date.now()}`,
    user: { id: 'u-bench', orgId: 'o-bench' },
  });
  const raw = await openRaw(`bench-raw-${Date.now()}`, ['docs']);
  const tapMs: number[] = [];
  const rawMs: number[] = [];

  for (let i = 0; i < count + warmup; i++) {
    const slot = slotOf('bench-sg', Math.floor(i / 15));
    const learnerId = `learner-${String(i % 15).padStart(2, '0')}`;
    const t0 = performance.now();
    const mark: Mark = await setMark(db, slot, learnerId, { code: CODES[i % CODES.length]! });
    const t1 = performance.now();
    await putInOwnTransaction(raw, { ...mark, id: `raw:${mark.id}` });
    const t2 = performance.now();
    if (i >= warmup) {
      tapMs.push(t1 - t0);
      rawMs.push(t2 - t1);
    }
  }
  await closeDb(db);
  raw.close();
  return { tapMs, rawMs };
}

/** Pull answers by URL, recorded by pullOnly for firstSync's client-only run. */
const recordedPulls = new Map<string, string>();

/**
 * (b) figure: the pull requests alone, from the page (every collection, full pages until a
 * short one, one request at a time), recording the answers. No storage is touched.
 */
async function pullOnly(login: string, password: string) {
  const session = new Session({ baseUrl: '' }, memoryStore());
  await session.signIn(login, password);
  recordedPulls.clear();
  const t0 = performance.now();
  let requests = 0;
  for (const name of SYNC_COLLECTIONS) {
    let checkpoint: Checkpoint | undefined;
    for (;;) {
      const query = new URLSearchParams({ limit: String(PULL_BATCH_SIZE) });
      if (checkpoint) query.set('checkpoint', encodeCheckpoint(checkpoint));
      const url = `/api/sync/${name}/pull?${query}`;
      const body = (await session.getJson(url)) as { documents: unknown[]; checkpoint: Checkpoint };
      requests++;
      recordedPulls.set(url, JSON.stringify(body));
      checkpoint = body.checkpoint;
      if (body.documents.length < PULL_BATCH_SIZE) break;
    }
  }
  return { ms: performance.now() - t0, requests };
}

/**
 * (b) First sync: a fresh device database, sign-in, then the client's replication (all
 * collections, live as in the app) until it is in sync. `clientOnly`: the pull answers come
 * from what pullOnly recorded (parsed from text, as a response is), so the time is the client's
 * own work; pushes and any other request still go to the server.
 */
async function firstSync(login: string, password: string, clientOnly = false) {
  const session = new Session({ baseUrl: '' }, memoryStore());
  const user = await session.signIn(login, password);
  if (clientOnly) {
    const fromServer = session.getJson.bind(session);
    session.getJson = async (url: string) => {
      const text = recordedPulls.get(url);
      return text === undefined ? fromServer(url) : JSON.parse(text);
    };
  }
  const db = await openDb({
    name: `bench-sync-${Date.now()}`,
    user: { id: user.id, orgId: user.orgId },
  });

  const t0 = performance.now();
  const sync = startSync({ db, session });
  await sync.awaitInSync();
  const ms = performance.now() - t0;

  await sync.stop();
  const counts: Record<string, number> = {};
  for (const name of ['catalog', 'lessons', 'topics', 'roster', 'marks'] as const) {
    counts[name] = await db.rx.collections[name].count().exec();
  }
  await closeDb(db);
  return { ms, counts };
}

/** (b) baseline: the same documents as one JSON file, written in one raw transaction. */
async function rawSync(file: string) {
  const raw = await openRaw(`bench-rawsync-${Date.now()}`, ['docs']);
  const t0 = performance.now();
  const res = await fetch(file);
  const docs = (await res.json()) as { id: string }[];
  await new Promise<void>((resolve, reject) => {
    const tx = raw.transaction('docs', 'readwrite');
    const store = tx.objectStore('docs');
    for (const doc of docs) store.put(doc);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
  const ms = performance.now() - t0;
  raw.close();
  return { ms, docs: docs.length };
}

/** Each synced collection's RxDB schema, and the store a document of a kind goes to. */
const STORE_SCHEMAS: Record<string, RxJsonSchema<unknown>> = {
  catalog: catalogRxSchema as RxJsonSchema<unknown>,
  lessons: lessonRxSchema as RxJsonSchema<unknown>,
  topics: topicRxSchema as RxJsonSchema<unknown>,
  roster: rosterRxSchema as RxJsonSchema<unknown>,
  marks: markRxSchema as RxJsonSchema<unknown>,
};
const STORE_OF_TYPE: Record<string, string> = {
  lesson: 'lessons',
  topic: 'topics',
  roster: 'roster',
  mark: 'marks',
};

/** A Dexie schema string (`id, [_deleted+id], _meta.lwt`) as IndexedDB key paths. */
function keyPaths(dexieSchema: string): string[] | string[][] {
  return dexieSchema
    .split(',')
    .slice(1)
    .map((part) => part.trim().replace(/^\[|\]$/g, ''))
    .map((part) => (part.includes('+') ? part.split('+') : part)) as string[][];
}

/**
 * (b) figure: the floor the storage layout sets. The same documents as the year file, in the
 * shape and with the IndexedDB indexes RxDB's Dexie storage gives each collection, written
 * with raw IndexedDB in one transaction: no network, no replication, no RxDB code.
 */
async function storageFloor(file: string) {
  const filled = Object.fromEntries(
    Object.entries(STORE_SCHEMAS).map(([name, schema]) => [name, fillWithDefaultSettings(schema)]),
  );
  const raw = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(`bench-floor-${Date.now()}`, 1);
    req.onupgradeneeded = () => {
      for (const [name, schema] of Object.entries(filled)) {
        const store = req.result.createObjectStore(name, { keyPath: 'id' });
        for (const path of keyPaths(getDexieStoreSchema(schema))) {
          store.createIndex(String(path), path);
        }
      }
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const booleans = Object.fromEntries(
    Object.entries(filled).map(([name, schema]) => [name, getBooleanIndexes(schema)]),
  );

  const t0 = performance.now();
  const res = await fetch(file);
  const docs = (await res.json()) as { id: string; type: string; _deleted?: boolean }[];
  await new Promise<void>((resolve, reject) => {
    const tx = raw.transaction(Object.keys(filled), 'readwrite');
    for (const doc of docs) {
      const name = STORE_OF_TYPE[doc.type] ?? 'catalog';
      const stored = {
        ...doc,
        _deleted: doc._deleted === true,
        _rev: '1-0123456789',
        // As the bulk first sync stores a row: no write time (DS5).
        _meta: { o: { _rev: 1, hash: '0123456789' } },
        _attachments: {},
      };
      tx.objectStore(name).add(fromStorageToDexie(booleans[name]!, stored as never));
    }
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
  const ms = performance.now() - t0;
  raw.close();
  return { ms, docs: docs.length };
}

declare global {
  interface Window {
    bench: {
      taps: typeof taps;
      pullOnly: typeof pullOnly;
      firstSync: typeof firstSync;
      rawSync: typeof rawSync;
      storageFloor: typeof storageFloor;
    };
  }
}

window.bench = { taps, pullOnly, firstSync, rawSync, storageFloor };
document.title = 'bench-ready';
