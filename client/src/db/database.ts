import type { CatalogDoc, JournalDoc, Lesson, Mark, RosterEntry, Topic } from '@otmetka/shared';
import { newEntityId } from '@otmetka/shared';
import { signal } from '@preact/signals';
import type { RxCollection, RxDatabase, RxJsonSchema } from 'rxdb';
import {
  addRxPlugin,
  createRxDatabase,
  getPrimaryKeyOfInternalDocument,
  INTERNAL_CONTEXT_COLLECTION,
  normalizeMangoQuery,
  prepareQuery,
  removeRxDatabase,
} from 'rxdb';
import { RxDBLocalDocumentsPlugin } from 'rxdb/plugins/local-documents';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { timeBulkRows } from '../sync/dexie-storage.ts';
import { journalConflictHandler } from './conflict.ts';
import type { Notice } from './schemas.ts';
import {
  catalogRxSchema,
  lessonRxSchema,
  markRxSchema,
  noticeRxSchema,
  rosterRxSchema,
  topicRxSchema,
} from './schemas.ts';

/**
 * The device's database: one RxDB database per signed-in user, on IndexedDB through Dexie.
 * Five replicated collections (one per document kind the device needs) and one local-only
 * collection of notices: six of RxDB's free limit of 13 open collections, so two devices fit in
 * one test process. Device id, hybrid clock and the pending set live in local documents.
 */

addRxPlugin(RxDBLocalDocumentsPlugin);

export type OtmetkaCollections = {
  catalog: RxCollection<CatalogDoc>;
  lessons: RxCollection<Lesson>;
  topics: RxCollection<Topic>;
  roster: RxCollection<RosterEntry>;
  marks: RxCollection<Mark>;
  notices: RxCollection<Notice>;
};

export type JournalCollectionName = 'lessons' | 'topics' | 'marks';

export interface Ack {
  time: number;
  upTo: number;
}

/** Who writes: the stamps' `by` field and the ids every new document needs. */
export interface DbUser {
  id: string;
  orgId: string;
}

export interface OtmetkaDb {
  rx: RxDatabase<OtmetkaCollections>;
  user: DbUser;
  deviceId: string;
  /** The hybrid clock of this device (shared nextStamp/observeStamp keep it monotonic). */
  clock: { last: number };
  /** Whether the device believes it is offline now; stamped into each edit (`off`). */
  isOffline: () => boolean;
  /** The device's wall clock (ms since the epoch): every stamp and sync time reads it. */
  now: () => number;
  /**
   * False only while no journal document here can carry an edit of this device: the journal
   * was empty when the database opened and nothing has been written since. A pull then has no
   * lost edit to look for (a first sync skips reading the local versions).
   */
  editedHere: boolean;
  /**
   * Local edits not yet acknowledged by the server: doc id → the newest stamp time written.
   * The push handler removes an id once the server answered for that version.
   */
  pending: Map<string, { collection: JournalCollectionName; at: number }>;
  pendingCount: ReturnType<typeof signal<number>>;
  /**
   * The server's acknowledgements of pushed documents: `time` is the device time of the answer
   * (old entries are forgotten after a while); `upTo` is the newest stamp the acknowledged
   * version carried (a pending entry at or below it is done, whichever tab pushed it). Lost
   * edits are not judged by these times but by the stamps' `prev` (CR5).
   */
  acked: Map<string, Ack>;
  /**
   * Ids the server refused in the push being resolved now: the conflict handler lets the
   * server's state win for them (the teacher's attempt is kept in notices instead).
   */
  refusedNow: Set<string>;
  /**
   * The version of a journal document the replication assumes the server holds (RxDB's record),
   * while the sync engine runs; a redo asks it whether the copy still holds a refused edit (CR9).
   */
  serverVersion?: (
    collection: JournalCollectionName,
    id: string,
  ) => Promise<JournalDoc | undefined>;
}

export interface OpenDbOptions {
  /** IndexedDB name prefix; one database per user and device profile. */
  name: string;
  user: DbUser;
  /** For tests: a separate fake-indexeddb factory per simulated device. */
  indexedDB?: IDBFactory;
  IDBKeyRange?: typeof IDBKeyRange;
  /** Several tabs share one database in the browser; tests run one instance per device. */
  multiInstance?: boolean;
  isOffline?: () => boolean;
  /** For tests: the device's clock (a skewed or frozen one); Date.now by default. */
  now?: () => number;
  /** For tests: the marks' storage schema of an earlier version, to make a device as it shipped. */
  markSchema?: RxJsonSchema<Mark>;
  /** Told while a storage upgrade waits for the journal's other tabs to close (DS4). */
  onWaitForTabs?: () => void;
  /** For tests: the browser's Web Locks, which tell the journal's other tabs. */
  locks?: Pick<LockManager, 'query'>;
}

export async function openDb(options: OpenDbOptions): Promise<OtmetkaDb> {
  const storage = getRxStorageDexie(
    options.indexedDB ? { indexedDB: options.indexedDB, IDBKeyRange: options.IDBKeyRange } : {},
  );
  const rx = await createRxDatabase<OtmetkaCollections>({
    name: options.name,
    storage,
    multiInstance: options.multiInstance ?? true,
    localDocuments: true,
    // Writes must reach IndexedDB before the next frame; no idle-time batching.
    eventReduce: true,
  });

  const refusedNow = new Set<string>();
  await rx.addCollections({
    catalog: { schema: catalogRxSchema },
    lessons: {
      schema: lessonRxSchema,
      conflictHandler: journalConflictHandler<Lesson>(refusedNow),
    },
    topics: { schema: topicRxSchema, conflictHandler: journalConflictHandler<Topic>(refusedNow) },
    roster: { schema: rosterRxSchema },
    marks: {
      schema: options.markSchema ?? markRxSchema,
      conflictHandler: journalConflictHandler<Mark>(refusedNow),
      // Version 1 changed only the indexes (see migrateOlderVersions).
      migrationStrategies: { 1: (doc: Mark) => doc },
      autoMigrate: false,
    },
    notices: { schema: noticeRxSchema },
  });

  await migrateOlderVersions(rx.collections.marks as unknown as RxCollection, options);
  const deviceId = await loadDeviceId(rx);
  const clock = await loadClock(rx);
  const { pending, acked } = await loadPending(rx);
  const db: OtmetkaDb = {
    rx,
    user: options.user,
    deviceId,
    clock,
    isOffline: options.isOffline ?? defaultIsOffline,
    now: options.now ?? (() => Date.now()),
    editedHere: pending.size > 0 || (await holdsJournal(rx)),
    pending,
    pendingCount: signal(pending.size),
    acked,
    refusedNow,
  };
  followOtherTabs(db);
  return db;
}

const TABS_CHECK_MS = 1000;

/**
 * DS4: whether another tab has this journal open with its sync running: RxDB's leader election
 * holds, or waits for, a Web Lock named after the database in each such tab (the broadcast-channel
 * library's `pubkey-bc||<method>||RxDB:|<storage>|<database>`). This tab has not asked for it
 * yet: its sync starts after the database opens. Another tab may run the previous version of the
 * app, whose store the migration would empty under it while it goes on writing there.
 */
export async function journalOpenElsewhere(
  dbName: string,
  locks: Pick<LockManager, 'query'> | undefined,
): Promise<boolean> {
  if (!locks) return false;
  const { held = [], pending = [] } = await locks.query();
  return [...held, ...pending].some(
    (lock) => !!lock.name?.startsWith('pubkey-bc||') && lock.name.endsWith(`|${dbName}`),
  );
}

/**
 * Copies a collection's documents from the storage of an earlier schema version, if this
 * device has one, before anything reads or writes the collection. RxDB keeps revisions, write
 * times and its replication records, so unsent edits stay unsent and what the bulk first sync
 * wrote is not pushed back (those rows get a write time first, or the migration would miss
 * them: timeBulkRows). Its migration code is loaded only then: a device created with the
 * current versions, and every later start, never downloads or parses it.
 */
async function migrateOlderVersions(
  collection: RxCollection,
  options: Pick<OpenDbOptions, 'onWaitForTabs' | 'locks' | 'indexedDB'>,
): Promise<void> {
  const { name, schema, database } = collection;
  const keys = Array.from({ length: schema.version }, (_, v) =>
    getPrimaryKeyOfInternalDocument(`${name}-${v}`, INTERNAL_CONTEXT_COLLECTION),
  );
  if (keys.length === 0) return;
  const older = await database.internalStore.findDocumentsById(keys, false);
  if (older.length === 0) return;

  const locks = options.locks ?? globalThis.navigator?.locks;
  while (await journalOpenElsewhere(database.name, locks)) {
    options.onWaitForTabs?.();
    await new Promise((resolve) => setTimeout(resolve, TABS_CHECK_MS));
  }

  const factory = options.indexedDB ?? globalThis.indexedDB;
  for (const { data } of older as unknown as { data: { version: number } }[]) {
    await timeBulkRows(factory, database.name, name, data.version);
  }
  const { RxDBMigrationSchemaPlugin } = await import('rxdb/plugins/migration-schema');
  addRxPlugin(RxDBMigrationSchemaPlugin);
  await (collection as unknown as { migratePromise(): Promise<unknown> }).migratePromise();
}

/**
 * A query of a collection's storage: unlike a collection query it returns deleted documents
 * (tombstones) too. No sort here: without `_deleted` in the selector, RxDB's planner runs a
 * query whose sort no index serves on the write-time index, which leaves out every row the
 * bulk first sync wrote (DS5), and the answer would silently miss them.
 */
export async function storedDocs(
  collection: RxCollection<Record<string, unknown>>,
  selector: Record<string, unknown>,
  limit?: number,
): Promise<Record<string, unknown>[]> {
  const schema = collection.storageInstance.schema;
  const query = prepareQuery(schema, normalizeMangoQuery(schema, { selector, limit }));
  return (await collection.storageInstance.query(query)).documents;
}

/**
 * Whether any journal document (a tombstone too) is stored: one found document is enough, so
 * this reads at most one row per collection however large the journal is.
 */
async function holdsJournal(rx: RxDatabase<OtmetkaCollections>): Promise<boolean> {
  for (const name of ['lessons', 'topics', 'marks'] as const) {
    const coll = rx.collections[name] as unknown as RxCollection<Record<string, unknown>>;
    if ((await storedDocs(coll, {}, 1)).length > 0) return true;
  }
  return false;
}

function defaultIsOffline(): boolean {
  return typeof navigator !== 'undefined' && navigator.onLine === false;
}

/** The device id is generated once per database and never changes (stamps' `dev`). */
async function loadDeviceId(rx: RxDatabase<OtmetkaCollections>): Promise<string> {
  const existing = await rx.getLocal<{ id: string }>('device');
  if (existing) return existing.get('id') as string;
  const id = newEntityId('dev');
  await rx.upsertLocal('device', { id });
  return id;
}

async function loadClock(rx: RxDatabase<OtmetkaCollections>): Promise<{ last: number }> {
  const existing = await rx.getLocal<{ last: number }>('clock');
  return { last: existing ? (existing.get('last') as number) : 0 };
}

export type PendingEntry = [string, JournalCollectionName, number];
export type AckEntry = [string, number, number];
export interface Bookkeeping {
  entries: PendingEntry[];
  acked?: AckEntry[];
}

async function loadPending(
  rx: RxDatabase<OtmetkaCollections>,
): Promise<Pick<OtmetkaDb, 'pending' | 'acked'>> {
  const state = { pending: new Map(), acked: new Map() } as Pick<OtmetkaDb, 'pending' | 'acked'>;
  const existing = await rx.getLocal<Bookkeeping>('pending');
  if (existing) mergeInto(state, existing.toJSON().data as Bookkeeping);
  return state;
}

/**
 * Merges a stored bookkeeping state into this tab's: pending entries and acknowledgements are
 * unions (the newest wins), and a pending entry acknowledged up to its stamp is dropped. Tabs
 * of one user share the database but each pushes or writes on its own; merging on every save
 * and on every change from another tab keeps one count for all of them.
 */
export function mergeInto(state: Pick<OtmetkaDb, 'pending' | 'acked'>, stored: Bookkeeping): void {
  for (const [id, collection, at] of stored.entries ?? []) {
    const mine = state.pending.get(id);
    if (!mine || mine.at < at) state.pending.set(id, { collection, at });
  }
  for (const [id, time, upTo] of stored.acked ?? []) {
    const mine = state.acked.get(id);
    if (!mine || mine.upTo < upTo || (mine.upTo === upTo && mine.time < time)) {
      state.acked.set(id, { time, upTo });
    }
  }
  for (const [id, p] of state.pending) {
    if ((state.acked.get(id)?.upTo ?? -1) >= p.at) state.pending.delete(id);
  }
}

/** Acknowledgements older than this cannot matter: no device stays offline for so long unseen. */
const ACK_MEMORY_MS = 14 * 24 * 3600 * 1000;

/**
 * Persists the clock and the pending set. Not awaited by the mark write itself: the mark is in
 * IndexedDB first; losing this bookkeeping in a crash only undercounts the badge until the next
 * push (RxDB still pushes every unsynced document from its own meta data). Saves are
 * serialised and coalesced: at most one runs and one waits, whatever the tap rate.
 */
export function saveBookkeeping(db: OtmetkaDb): Promise<void> {
  db.pendingCount.value = db.pending.size;
  const state = saveStates.get(db) ?? { running: null, again: false };
  saveStates.set(db, state);
  if (state.running) {
    state.again = true;
    return state.running;
  }
  state.running = writeBookkeeping(db).finally(() => {
    state.running = null;
    if (state.again) {
      state.again = false;
      void saveBookkeeping(db);
    }
  });
  return state.running;
}

export async function flushBookkeeping(db: OtmetkaDb): Promise<void> {
  const state = saveStates.get(db);
  while (state?.running) await state.running;
}

async function storedClock(db: OtmetkaDb): Promise<number> {
  const doc = await db.rx.getLocal<{ last: number }>('clock');
  return doc ? (doc.get('last') as number) : 0;
}

/** Another tab of the same user saved its bookkeeping: take its entries into this tab's count. */
function followOtherTabs(db: OtmetkaDb): void {
  const sub = db.rx.getLocal$<Bookkeeping>('pending').subscribe((doc) => {
    if (!doc) return;
    mergeInto(db, doc.toJSON().data as Bookkeeping);
    // Another tab's edit is in this database too: pulls must look for its lost edits.
    if (db.pending.size > 0) db.editedHere = true;
    db.pendingCount.value = db.pending.size;
  });
  void db.rx.onClose.push(() => sub.unsubscribe());
}

const saveStates = new WeakMap<OtmetkaDb, { running: Promise<void> | null; again: boolean }>();

async function writeBookkeeping(db: OtmetkaDb): Promise<void> {
  if (db.rx.closed) return;
  try {
    const stored = await db.rx.getLocal<Bookkeeping>('pending');
    if (stored) mergeInto(db, stored.toJSON().data as Bookkeeping);
    const oldest = db.now() - ACK_MEMORY_MS;
    for (const [id, ack] of db.acked) if (ack.time < oldest) db.acked.delete(id);
    db.pendingCount.value = db.pending.size;
    const data: Bookkeeping = {
      entries: [...db.pending].map(([id, p]) => [id, p.collection, p.at]),
      acked: [...db.acked].map(([id, a]) => [id, a.time, a.upTo]),
    };
    await db.rx.upsertLocal('clock', { last: Math.max(db.clock.last, await storedClock(db)) });
    await db.rx.upsertLocal('pending', data);
  } catch (err) {
    // A closed database (logout) may race a late save; nothing is lost that matters.
    if (!db.rx.closed) console.warn('bookkeeping not saved', err);
  }
}

export async function closeDb(db: OtmetkaDb): Promise<void> {
  await flushBookkeeping(db);
  await db.rx.close();
}

/** Deletes every local document of this user: only after pushes or an explicit discard. */
export async function removeDb(db: OtmetkaDb): Promise<void> {
  const name = db.rx.name;
  await db.rx.remove();
  await deleteStoresOf(name);
}

/** The same for a database that is not open (a removal cut short, SO5). */
export async function removeDbNamed(name: string): Promise<void> {
  await removeRxDatabase(name, getRxStorageDexie());
  await deleteStoresOf(name);
}

/**
 * SO5: RxDB removes a database by emptying each collection's IndexedDB database, the list of
 * collections last, and a later removal finds the collections in that list. The browser writes
 * separate IndexedDB databases to disk in no promised order, so one killed at once may keep a
 * collection's rows with the list already empty: the next removal then found nothing to empty
 * and the discarded changes came back. Every IndexedDB database of the journal is deleted by
 * its name too.
 */
async function deleteStoresOf(name: string): Promise<void> {
  if (typeof indexedDB.databases !== 'function') return;
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const ours = new RegExp(`^rxdb-dexie-${escaped}--\\d+--[a-z_][a-z0-9_]*$`);
  const names = (await indexedDB.databases()).map((d) => d.name ?? '').filter((n) => ours.test(n));
  await Promise.all(names.map(deleteDatabase));
}

/** Resolves once deleted; if another connection holds it past a few seconds, leaves it. */
function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
    // A tab that keeps it open is asked to close (Dexie does on versionchange); a journal that
    // never opens because of it would be worse than rows the next start deletes.
    request.onblocked = () => {
      setTimeout(() => {
        console.warn('journal store still open elsewhere', name);
        resolve();
      }, 5000);
    };
  });
}
