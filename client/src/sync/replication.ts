import type { Checkpoint, JournalDoc, PushResponse, SyncCollection } from '@otmetka/shared';
import {
  COLLECTION_DOC_SCHEMAS,
  contentFreeTombstone,
  encodeCheckpoint,
  isSameContent,
  isUnstampedTombstone,
  mergeDocs,
  observeStamp,
  PULL_BATCH_SIZE,
  PULLED_DOC_SCHEMAS,
  PUSH_BATCH_SIZE,
  pullEnvelopeSchema,
  pushResponseSchema,
  SYNC_COLLECTIONS,
  WRITABLE_COLLECTIONS,
} from '@otmetka/shared';
import { signal } from '@preact/signals';
import type { RxCollection } from 'rxdb';
import { addRxPlugin, createRevision, now as rxNow } from 'rxdb';
import { RxDBLeaderElectionPlugin } from 'rxdb/plugins/leader-election';
import type { RxReplicationState } from 'rxdb/plugins/replication';
import { replicateRxCollection } from 'rxdb/plugins/replication';
import { Subject } from 'rxjs';
import type { JournalCollectionName, OtmetkaDb } from '../db/database.ts';
import { saveBookkeeping } from '../db/database.ts';
import { addNotice, settleLanded } from '../db/repo.ts';
import type { Notice } from '../db/schemas.ts';
import { CLEANUP_EVERY_MS, cleanupInSync, FIRST_CLEANUP_MS, TOMBSTONE_AGE_MS } from './cleanup.ts';
import { errorInfo } from './errors.ts';
import type { FirstSyncProgress } from './first-sync.ts';
import {
  AFTER_BULK,
  bulkPull,
  firstSyncProgress,
  revisionHeight,
  saveFirstSyncProgress,
} from './first-sync.ts';
import { isApiError } from './http.ts';
import type { LostField } from './lost-edits.ts';
import {
  editedHere,
  isStalePull,
  lostInConflict,
  lostNoticeAt,
  lostOnPull,
  refusalLanded,
  refusedChanges,
  withoutRefusedEdits,
} from './lost-edits.ts';
import { lostFieldNames } from './lost-text.ts';
import { type JournalSource, SubgroupPurge } from './purge.ts';
import type { Session } from './session.ts';
import type { LiveStream } from './stream.ts';
import { openLiveStream } from './stream.ts';

/**
 * The only place that knows replication. One RxDB replication per collection against the sync
 * server (pull by checkpoint, push of rows with their assumed master state, a live SSE stream
 * that says "pull now"), plus the status the UI shows. Components never import this module's
 * internals; they read `status` and call syncNow/stop through the SyncEngine.
 */

// The replication adds it when it starts; the bulk first sync asks for leadership before that.
addRxPlugin(RxDBLeaderElectionPlugin);

export const BACKGROUND_SYNC_TAG = 'otmetka-sync';
/** RxDB waits this long after a failed handler call (the `online` event cuts it short). */
const RETRY_MS = 5_000;
/** A safety net when the stream is down: pull and push on a timer. */
const TIMER_MS = 60_000;

export interface SyncStatus {
  online: ReturnType<typeof signal<boolean>>;
  /** Local edits not yet acknowledged by the server. */
  pending: ReturnType<typeof signal<number>>;
  lastSyncAt: ReturnType<typeof signal<number | null>>;
  /** The last error worth showing (never a network failure: offline is normal). */
  error: ReturnType<typeof signal<string | null>>;
  streamConnected: ReturnType<typeof signal<boolean>>;
  needsSignIn: ReturnType<typeof signal<boolean>>;
}

export interface SyncEngine {
  status: SyncStatus;
  /** Pull and push now (a button, the `online` event, Background Sync, the timer). */
  syncNow(): void;
  /** Resolves when every collection is in sync (never while offline: do not block UI on it). */
  awaitInSync(): Promise<void>;
  /**
   * Removes the tombstones older than `ageMs` (TOMBSTONE_AGE_MS) of every collection once it is
   * in sync (RM4, cleanup.ts); the live engine runs it on a timer. Resolves with the count.
   */
  cleanupTombstones(ageMs?: number): Promise<number>;
  /** Stops replication and the stream; the local data stays. */
  stop(): Promise<void>;
}

export interface SyncOptions {
  db: OtmetkaDb;
  session: Session;
  /**
   * The SSE stream and the browser triggers (online, visibility, Background Sync, timer).
   * Off in tests, which run sync rounds by hand (start, awaitInSync, stop). RxDB's own
   * replication is always live: a one-shot replication cannot be stopped while it retries.
   */
  live?: boolean;
  /** Persist the last sync time across reloads (localStorage in the browser). */
  lastSyncStore?: { get(): number | null; set(at: number): void };
  /** Documents per pull request; PULL_BATCH_SIZE. Tests use small pages to cross page ends. */
  pullBatchSize?: number;
}

type AnyCollection = RxCollection<Record<string, unknown>>;

export function startSync(options: SyncOptions): SyncEngine {
  const { db, session } = options;
  const live = options.live ?? true;
  const status: SyncStatus = {
    online: signal(typeof navigator === 'undefined' ? true : navigator.onLine !== false),
    pending: db.pendingCount,
    lastSyncAt: signal(options.lastSyncStore?.get() ?? null),
    error: signal(null),
    streamConnected: signal(false),
    needsSignIn: session.needsSignIn,
  };
  const ctx: Ctx = {
    db,
    session,
    status,
    options,
    writes: new Set(),
    pageSize: options.pullBatchSize ?? PULL_BATCH_SIZE,
    stopped: false,
    wakers: new Set(),
    purge: new SubgroupPurge(db.rx),
    onSubgroupGone: () => {},
    sentWithoutRefused: new Map(),
    caughtUp: new Set(),
  };
  // Every request of this session names the device (edit metadata and the audit trail).
  session.http.deviceId = () => db.deviceId;
  const streams = new Map<SyncCollection, Subject<'RESYNC'>>();
  const states: RxReplicationState<Record<string, unknown>, Checkpoint>[] = [];
  // Each collection starts on its own: an empty one first pulls in bulk (first-sync.ts).
  const started = SYNC_COLLECTIONS.map(async (name) => {
    const stream$ = new Subject<'RESYNC'>();
    streams.set(name, stream$);
    const state = await startCollection(ctx, name, stream$);
    if (state) states.push(state);
  });

  db.serverVersion = async (collection, id) => {
    const meta = states.find((s) => s.collection.name === collection)?.metaInstance;
    return meta ? (await assumedStates(meta, [id])).get(id) : undefined;
  };

  // A collection still in its bulk first sync has no replication yet: a wake-up retries it.
  const resyncAll = () => {
    wake(ctx);
    for (const state of states) state.reSync();
  };
  // A subgroup the catalog says is gone: the journal pulls purge it (purge.ts). Their own
  // checkpoints usually tell them at the same time; this covers a journal pulled just before.
  let goneQueued = false;
  ctx.onSubgroupGone = () => {
    if (goneQueued || ctx.stopped) return;
    goneQueued = true;
    setTimeout(() => {
      goneQueued = false;
      if (ctx.stopped) return;
      for (const state of states) if (state.collection.name !== 'catalog') state.reSync();
    });
  };
  let stream: LiveStream | null = null;
  const cleanups: (() => void)[] = [];
  if (live) {
    stream = openLiveStream({
      session,
      onResync: (collections) => {
        for (const c of collections) streams.get(c)?.next('RESYNC');
      },
      onConnected: (connected) => {
        status.streamConnected.value = connected;
        if (connected) markOnline(ctx);
      },
    });
    cleanups.push(...watchEnvironment(ctx, resyncAll, () => stream?.reconnect()));
    cleanups.push(scheduleCleanup(() => cleanupTombstones()));
  }
  const tabs = live ? linkTabs(ctx, resyncAll, () => stream?.reconnect()) : null;
  if (tabs) cleanups.push(tabs.close);
  // A new sign-in (same user, after the refresh token expired) sends the pending pushes.
  cleanups.push(
    session.needsSignIn.subscribe((needed) => {
      if (!needed) {
        resyncAll();
        stream?.reconnect();
      }
    }),
  );

  let cleaning: Promise<number> | null = null;
  const cleanupTombstones = (ageMs = TOMBSTONE_AGE_MS) => {
    cleaning ??= Promise.all(started)
      .then(() => cleanupInSync(states, ageMs, db.now, () => ctx.stopped))
      .finally(() => {
        cleaning = null;
      });
    return cleaning;
  };

  return {
    status,
    cleanupTombstones,
    syncNow() {
      resyncAll();
      stream?.reconnect();
      tabs?.askLeader();
    },
    async awaitInSync() {
      await Promise.all(started);
      await Promise.all(states.map((s) => s.awaitInSync()));
      // Notices of lost edits are written from conflict$ callbacks; let them land too.
      await Promise.all(ctx.writes);
    },
    async stop() {
      ctx.stopped = true;
      db.serverVersion = undefined;
      wake(ctx);
      for (const cleanup of cleanups) cleanup();
      stream?.stop();
      await Promise.all(started);
      await Promise.all(states.map((s) => s.cancel()));
      await Promise.all(ctx.writes);
    },
  };
}

/** What linkTabs needs of the RxDB database (a test passes its own). */
interface TabsRx {
  multiInstance: boolean;
  isLeader(): boolean;
  waitForLeadership(): Promise<unknown>;
}

type TabMessage =
  | { kind: 'hello' }
  | { kind: 'syncNow' }
  | { kind: 'status'; online: boolean; lastSyncAt: number | null; error: string | null };

/**
 * SY3: the tabs of one teacher share one replication, RxDB's leader's; the others showed their
 * own guesses («В сети» while the leader could not reach the server, the last sync of when they
 * opened) and their ⟳ sent nothing. Over a BroadcastChannel the leader tells the others its
 * status whenever it changes, when it takes the lead and to a tab that says hello, and runs a
 * sync another tab asks for. A device without BroadcastChannel, or a single-instance database,
 * keeps the tab alone.
 */
export function linkTabs(
  ctx: Pick<Ctx, 'status'> & { db: { rx: TabsRx; user: { id: string } } },
  resync: () => void,
  reconnect: () => void,
): { askLeader: () => void; close: () => void } | null {
  const rx = ctx.db.rx;
  if (!rx.multiInstance || typeof BroadcastChannel === 'undefined') return null;
  const channel = new BroadcastChannel(`otmetka-sync-${ctx.db.user.id}`);
  const { online, lastSyncAt, error } = ctx.status;
  let closed = false;
  const post = (message: TabMessage) => {
    if (!closed) channel.postMessage(message);
  };
  const tell = () => {
    if (!rx.isLeader()) return;
    post({
      kind: 'status',
      online: online.value ?? true,
      lastSyncAt: lastSyncAt.value ?? null,
      error: error.value ?? null,
    });
  };

  channel.onmessage = (event: MessageEvent<TabMessage>) => {
    const message = event.data;
    if (message.kind === 'status' && !rx.isLeader()) {
      online.value = message.online;
      lastSyncAt.value = message.lastSyncAt;
      error.value = message.error;
    } else if (message.kind === 'syncNow' && rx.isLeader()) {
      resync();
      reconnect();
    } else if (message.kind === 'hello') {
      tell();
    }
  };
  const stops = [online, lastSyncAt, error].map((signal) => signal.subscribe(tell));
  post({ kind: 'hello' });
  // A tab that takes the lead (the leading one closed) tells the others at once.
  void rx.waitForLeadership().then(tell, () => {});
  return {
    askLeader: () => {
      if (!rx.isLeader()) post({ kind: 'syncNow' });
    },
    close: () => {
      closed = true;
      for (const stop of stops) stop();
      channel.close();
    },
  };
}

/** RM4 on a timer; a failed round (the database closing under it) waits for the next. */
function scheduleCleanup(run: () => Promise<number>): () => void {
  const once = () => void run().catch(() => {});
  const first = setTimeout(once, FIRST_CLEANUP_MS);
  const every = setInterval(once, CLEANUP_EVERY_MS);
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}

interface Ctx {
  db: OtmetkaDb;
  session: Session;
  status: SyncStatus;
  options: SyncOptions;
  /** Notice writes in flight, so a sync round can wait for them. */
  writes: Set<Promise<void>>;
  pageSize: number;
  stopped: boolean;
  /** Bulk first syncs waiting to retry: syncNow, `online` and stop wake them early. */
  wakers: Set<() => void>;
  /** The journal of subgroups no longer seen leaves the device (RM2). */
  purge: SubgroupPurge;
  /** The catalog pulled a subgroup's tombstone. */
  onSubgroupGone: () => void;
  /** CR9: rows pushed without a refused edit, as sent, until their conflict is recorded. */
  sentWithoutRefused: Map<string, Record<string, unknown>>;
  /** SY1: the collections whose pull reached the server's end since sync started. */
  caughtUp: Set<SyncCollection>;
}

function wake(ctx: Ctx): void {
  for (const waker of [...ctx.wakers]) waker();
}

function waitForRetry(ctx: Ctx): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      ctx.wakers.delete(done);
      resolve();
    };
    const timer = setTimeout(done, RETRY_MS);
    ctx.wakers.add(done);
  });
}

/** Resolves with the promise, or with undefined once the engine stops. */
async function unlessStopped<T>(ctx: Ctx, promise: Promise<T>): Promise<T | undefined> {
  for (;;) {
    if (ctx.stopped) return undefined;
    let done = () => {};
    const woken = new Promise<'woken'>((resolve) => {
      done = () => resolve('woken');
      ctx.wakers.add(done);
    });
    const result = await Promise.race([promise, woken]);
    ctx.wakers.delete(done);
    if (result !== 'woken') return result as T;
  }
}

const replicationIdentifier = (name: SyncCollection) => `otmetka-sync-v1-${name}`;

/**
 * Starts a collection's replication, after a bulk first sync when the collection is empty (or
 * its first sync was cut short). Returns null when the engine stopped first.
 */
async function startCollection(
  ctx: Ctx,
  name: SyncCollection,
  stream$: Subject<'RESYNC'>,
): Promise<RxReplicationState<Record<string, unknown>, Checkpoint> | null> {
  let progress: FirstSyncProgress | null = null;
  try {
    progress = await firstSyncProgress(ctx.db.rx, name);
    if (progress && !progress.done) progress = await bulkFirstSync(ctx, name);
  } catch (err) {
    // Local storage failed: the replication, with its own retries, takes over from the
    // progress recorded so far.
    classifyError(ctx, err);
  }
  if (ctx.stopped) return null;
  return replicate(ctx, name, stream$, progress);
}

/**
 * The bulk first sync of one collection, retried while the device is offline or must sign in
 * again (the edits made meanwhile wait for it, as they would wait for the network). Any other
 * failure hands the collection to the replication from the last written page. Resolves with
 * the progress the replication starts from.
 */
async function bulkFirstSync(ctx: Ctx, name: SyncCollection): Promise<FirstSyncProgress | null> {
  const { rx } = ctx.db;
  // One tab pulls; the others get the documents through the shared database. The progress is
  // read once leading: another tab may have pulled (part of) the collection meanwhile, and a
  // page older than what it wrote must not be written over its newer versions.
  if (rx.multiInstance && (await unlessStopped(ctx, rx.waitForLeadership())) === undefined) {
    return null;
  }
  const progress = await firstSyncProgress(rx, name);
  if (!progress || progress.done) return progress;
  const replicationHash = await rx.hashFunction(`rxdbreplication${replicationIdentifier(name)}`);
  while (!ctx.stopped) {
    try {
      const complete = await bulkPull({
        rx,
        name,
        replicationHash,
        progress,
        pageSize: ctx.pageSize,
        fetchPage: (checkpoint) => fetchPullPage(ctx, name, checkpoint, ctx.pageSize),
        stopped: () => ctx.stopped,
      });
      if (!complete) return progress;
    } catch (err) {
      classifyError(ctx, err);
      const waitable =
        isApiError(err) && (err.code === 'NETWORK' || err.code === 'SIGN_IN_REQUIRED');
      if (waitable) {
        await waitForRetry(ctx);
        continue;
      }
    }
    progress.done = true;
    await saveFirstSyncProgress(rx, name, progress);
    return progress;
  }
  return progress;
}

function track(ctx: Ctx, write: Promise<void>): void {
  ctx.writes.add(write);
  void write.finally(() => ctx.writes.delete(write));
}

/**
 * `firstSync`: the collection's bulk first sync, if it had one. Its checkpoints start the
 * replication where the bulk pull ended (RxDB uses them only while it has none of its own):
 * the pull after the last written page, the push after the bulk-written documents, so that
 * they are not pushed back while every edit made on the device is.
 */
function replicate(
  ctx: Ctx,
  name: SyncCollection,
  stream$: Subject<'RESYNC'>,
  firstSync: FirstSyncProgress | null,
): RxReplicationState<Record<string, unknown>, Checkpoint> {
  const collection = ctx.db.rx.collections[name] as unknown as AnyCollection;
  const writable = (WRITABLE_COLLECTIONS as readonly string[]).includes(name);
  // The pull handler reads the replication's own records (CR8); it runs only once started.
  const started: { state?: RxReplicationState<Record<string, unknown>, Checkpoint> } = {};
  const state = replicateRxCollection<Record<string, unknown>, Checkpoint>({
    collection,
    // The database is per user, so the collection name is enough to key the checkpoints.
    replicationIdentifier: replicationIdentifier(name),
    live: true,
    retryTime: RETRY_MS,
    waitForLeadership: true,
    pull: {
      batchSize: ctx.pageSize,
      handler: (checkpoint, batchSize) =>
        pullHandler(ctx, name, checkpoint, batchSize, started.state?.metaInstance),
      stream$: stream$.asObservable(),
      initialCheckpoint: firstSync?.checkpoint ?? undefined,
    },
    push: writable
      ? {
          batchSize: PUSH_BATCH_SIZE,
          handler: (rows) => pushHandler(ctx, name as JournalCollectionName, rows),
          initialCheckpoint: firstSync ? AFTER_BULK : undefined,
        }
      : undefined,
  });
  started.state = state;
  state.error$.subscribe((err) => classifyError(ctx, err));
  if (writable) {
    state.conflict$.subscribe(({ input, output }) => {
      track(ctx, recordConflict(ctx, name, input, output));
    });
  }
  if (name === 'catalog') {
    state.received$.subscribe((doc) => {
      if (doc.type === 'subgroup' && doc._deleted) ctx.onSubgroupGone();
    });
  }
  return state;
}

type PulledDoc = Record<string, unknown> & { id: string; _deleted: boolean };

/** One page of the pull endpoint, checked with the shared schemas; the clock sees its stamps. */
async function fetchPullPage(
  ctx: Ctx,
  name: SyncCollection,
  checkpoint: Checkpoint | null | undefined,
  batchSize: number,
): Promise<{ documents: PulledDoc[]; checkpoint: Checkpoint }> {
  const query = new URLSearchParams({ limit: String(batchSize) });
  if (checkpoint) query.set('checkpoint', encodeCheckpoint(checkpoint));
  const body = pullEnvelopeSchema.parse(
    await ctx.session.getJson(`/api/sync/${name}/pull?${query}`),
  );
  const schema = PULLED_DOC_SCHEMAS[name];
  // zod returns fresh objects: completing them in place spares a copy of every pulled document.
  const documents = body.documents.map((raw) => {
    const doc = schema.parse(raw) as PulledDoc;
    doc._deleted = Boolean(doc._deleted);
    return doc;
  });
  if (name === 'lessons' || name === 'topics' || name === 'marks') {
    for (const doc of documents) observeStamp(ctx.db.clock, doc as unknown as JournalDoc);
  }
  markOnline(ctx);
  // A short page is the end of what the server has (RxDB stops on it too).
  if (documents.length < batchSize) ctx.caughtUp.add(name);
  markSynced(ctx);
  return { documents, checkpoint: body.checkpoint };
}

/** RxDB's record, per document, of the version it assumes the server holds. */
interface MetaInstance {
  findDocumentsById(ids: string[], withDeleted: boolean): Promise<unknown[]>;
}

async function pullHandler(
  ctx: Ctx,
  name: SyncCollection,
  checkpoint: Checkpoint | undefined,
  batchSize: number,
  meta: MetaInstance | undefined,
) {
  const page = await fetchPullPage(ctx, name, checkpoint, batchSize);
  if (name === 'lessons' || name === 'topics' || name === 'marks') {
    const local = await localVersions(ctx, name, page.documents as unknown as JournalDoc[]);
    await noticeLostOnPull(ctx, name, page.documents as unknown as JournalDoc[], local);
    // CR7: a stale version never goes over the newer one this device holds.
    page.documents = page.documents.filter(
      (doc) => !isStalePull(local.get(doc.id), doc as unknown as JournalDoc),
    );
    await mergeOverUnacknowledged(
      ctx,
      name,
      page.documents as unknown as JournalDoc[],
      local,
      meta,
    );
  }
  if (name !== 'catalog') {
    // After the lost-edit check: a purge is no edit of anyone's.
    const gone = await ctx.purge.tombstones(name as JournalSource, checkpoint, page.checkpoint);
    page.documents.push(...(gone as unknown as PulledDoc[]));
  }
  return page;
}

/**
 * The local versions of pulled journal documents. Only a device that edited something can
 * lose an edit or hold a version newer than the server's (CR7), so a database without such
 * edits (a first sync) reads nothing; otherwise one bulk read per batch.
 */
async function localVersions(
  ctx: Ctx,
  name: JournalCollectionName,
  incoming: JournalDoc[],
): Promise<Map<string, JournalDoc>> {
  if (incoming.length === 0 || !ctx.db.editedHere) return new Map();
  const coll = ctx.db.rx.collections[name] as unknown as AnyCollection;
  const local = await coll.storageInstance.findDocumentsById(
    incoming.map((d) => d.id),
    true,
  );
  return new Map(local.map((d) => [d.id as string, d as unknown as JournalDoc]));
}

/**
 * CR8: RxDB leaves a pulled version out of the device's copy while that copy differs from the
 * version RxDB assumes the server holds (an edit whose push is not acknowledged yet), counting on
 * that push to meet the pulled version on the server as a conflict. A push the server took
 * before the pulled version was written, but answered after this pull, meets no conflict: the
 * device then kept its own older value for good, and showed it (the soak's divergence). So the
 * device writes the merge of the two itself; its next push sends it and the server takes it
 * as it is. A write that loses the race with a newer edit is dropped: that edit is pushed after
 * the pulled version was stored, so it meets it as a conflict.
 */
async function mergeOverUnacknowledged(
  ctx: Ctx,
  name: JournalCollectionName,
  incoming: JournalDoc[],
  local: Map<string, JournalDoc>,
  meta: MetaInstance | undefined,
) {
  const differing = incoming.filter((doc) => {
    const mine = local.get(doc.id);
    return mine && !isSameContent(mine, doc);
  });
  if (differing.length === 0 || !meta) return;
  const assumed = await assumedStates(
    meta,
    differing.map((doc) => doc.id),
  );

  const writes = differing.flatMap((doc) => {
    const row = mergeRow(ctx, doc, local.get(doc.id)!, assumed.get(doc.id));
    return row ? [row] : [];
  });
  if (writes.length === 0) return;
  const coll = ctx.db.rx.collections[name] as unknown as AnyCollection;
  const result = await coll.storageInstance.bulkWrite(writes as never, 'otmetka-merge-on-pull');
  // A 409 is a newer local edit (see above); any other failure fails the pull, to be retried.
  const failed = result.error.find((e) => e.status !== 409);
  if (failed) throw new Error(`merge of a pulled ${failed.documentId} failed (${failed.status})`);
}

/** RxDB's records of what the server holds, by document id (its meta key is `<id>|0`). */
async function assumedStates(meta: MetaInstance, ids: string[]) {
  const keys = ids.map((id) => `${id}|0`);
  const records = (await meta.findDocumentsById(keys, true)) as unknown as {
    itemId: string;
    docData: JournalDoc;
  }[];
  return new Map(records.map((r) => [r.itemId, r.docData]));
}

/** The write of the merge over the device's copy, or null when RxDB applies the pulled one. */
function mergeRow(ctx: Ctx, pulled: JournalDoc, local: JournalDoc, master: JournalDoc | undefined) {
  const mine = local as JournalDoc & Record<string, unknown>;
  // RxDB itself writes the pulled version over a copy that is what the server had, or that no
  // one changed since a pull wrote it (a bulk first sync's, first-sync.ts).
  if (master && isSameContent(master, mine)) return null;
  if (pulledUntouched(mine)) return null;
  const merged = mergeOrNull(pulled, mine);
  if (!merged || isSameContent(merged, mine)) return null;
  return {
    previous: mine,
    document: {
      ...contentFields(merged),
      _deleted: Boolean(merged._deleted),
      _meta: { ...(mine._meta as object), lwt: rxNow() },
      _attachments: {},
      _rev: createRevision(ctx.db.rx.token, mine as never),
    },
  };
}

/**
 * The merge of a pulled version and the device's copy; null when the rules refuse to merge them
 * (identity fields differ, CR3), which must not stop the pull: RxDB's own way then applies.
 */
function mergeOrNull(pulled: JournalDoc, mine: JournalDoc): JournalDoc | null {
  try {
    return mergeDocs(pulled, mine).merged;
  } catch {
    return null;
  }
}

/** RxDB's own test: the revision a pull wrote (`_meta.o`) is still the document's. */
function pulledUntouched(doc: Record<string, unknown>): boolean {
  const origin = (doc._meta as { o?: { _rev: number } } | undefined)?.o;
  return !!origin && origin._rev === revisionHeight(String(doc._rev));
}

function contentFields(doc: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(doc).filter(([key]) => !key.startsWith('_')));
}

/** Compares pulled journal documents with the local versions they are about to replace. */
async function noticeLostOnPull(
  ctx: Ctx,
  name: JournalCollectionName,
  incoming: JournalDoc[],
  byId: Map<string, JournalDoc>,
) {
  const { db } = ctx;
  for (const doc of incoming) {
    const mine = byId.get(doc.id);
    if (!mine || !editedHere(db.deviceId, mine)) continue;
    // The server's answer to a refused insert (PR5) carries the attempt, which it never
    // stored: nothing of it can be lost, and its refusal is already told (NT8).
    if (isUnstampedTombstone(mine)) continue;
    const lost = lostOnPull(db.deviceId, mine, doc);
    if (lost.length > 0) await noticeLost(ctx, name, mine, lost);
  }
}

/** A row RxDB hands the push handler: the device's version and the one it assumes on the server. */
interface PushedRow {
  assumedMasterState?: Record<string, unknown>;
  newDocumentState: Record<string, unknown>;
}

async function pushHandler(ctx: Ctx, name: JournalCollectionName, rows: PushedRow[]) {
  const { db } = ctx;
  // Fresh attempts: an id refused in an earlier push is judged anew.
  for (const row of rows) {
    db.refusedNow.delete(row.newDocumentState.id as string);
    ctx.sentWithoutRefused.delete(row.newDocumentState.id as string);
  }
  const refusals = await refusalsOf(db, name, rows);
  const reverted = withoutRefused(rows, refusals);
  const body = pushResponseSchema.parse(
    await ctx.session.postJson(`/api/sync/${name}/push`, {
      rows: rows.map((r) => ({
        assumedMasterState: r.assumedMasterState ?? null,
        newDocumentState: reverted.get(r.newDocumentState.id as string) ?? r.newDocumentState,
      })),
    }),
  );
  markOnline(ctx);

  const schema = COLLECTION_DOC_SCHEMAS[name];
  const conflicts = new Map(
    body.conflicts.map((raw) => {
      const doc = schema.parse(raw) as Record<string, unknown>;
      return [doc.id as string, { ...doc, _deleted: Boolean(doc._deleted) }];
    }),
  );
  const at = db.now();
  await noticeRefused(db, name, body.refused, conflicts, at);
  acknowledge(
    db,
    rows.map((r) => r.newDocumentState as unknown as JournalDoc),
    at,
  );
  markSynced(ctx);

  // RM3: a row of a subgroup that is not (or no longer) the teacher's is kept in the notices
  // above; the device's own copy becomes a content-free tombstone, whatever the server's
  // answer held (its tombstone of the attempt, or nothing when the attempt was a deletion).
  for (const refused of body.refused) {
    if (refused.code !== 'NOT_TEACHER_OF_SUBGROUP') continue;
    const sent = rows.find((r) => r.newDocumentState.id === refused.id)?.newDocumentState;
    if (!sent) continue;
    conflicts.set(
      refused.id,
      contentFreeTombstone(sent as unknown as JournalDoc) as unknown as Record<string, unknown> & {
        _deleted: boolean;
      },
    );
  }
  // Only a document refused before this push has a refusal to close (this answer's refusals are
  // of rows the server did not take): most pushes read the notices once.
  if (refusals.length > 0) {
    await settleLanded(
      db,
      name,
      taken(rows, reverted, conflicts, body.refused),
      (attempt, server) => refusalLanded(db.deviceId, attempt, server),
    );
  }
  adoptSentWithoutRefused(ctx, reverted, conflicts, body.refused);
  return [...conflicts.values()];
}

/** PR5: each refused row goes into the teacher's notices, with what it would have changed. */
async function noticeRefused(
  db: OtmetkaDb,
  name: JournalCollectionName,
  refused: PushResponse['refused'],
  conflicts: Map<string, Record<string, unknown>>,
  at: number,
) {
  for (const row of refused) {
    db.refusedNow.add(row.id);
    const attempted = row.attempted as unknown as JournalDoc;
    const server = conflicts.get(row.id) as unknown as JournalDoc | undefined;
    await addNotice(db, {
      kind: 'refused',
      source: name,
      docId: row.id,
      code: row.code,
      message: row.message || errorInfo(row.code).message,
      attempted: row.attempted,
      lostFields: refusedChanges(db.deviceId, attempted, server),
      at,
    });
  }
}

/** What the server holds for each row it took: its answer, or else the row as sent. */
function taken(
  rows: PushedRow[],
  reverted: Map<string, Record<string, unknown>>,
  conflicts: Map<string, Record<string, unknown>>,
  refused: { id: string }[],
): JournalDoc[] {
  const refusedIds = new Set(refused.map((r) => r.id));
  const out: JournalDoc[] = [];
  for (const row of rows) {
    const id = row.newDocumentState.id as string;
    if (refusedIds.has(id)) continue;
    const held = conflicts.get(id) ?? reverted.get(id) ?? row.newDocumentState;
    out.push(held as unknown as JournalDoc);
  }
  return out;
}

/**
 * CR9: the copy drops the refused edit it still held. The server's state is the row sent when
 * it answered no other; as for a refusal, the conflict handler takes it as it is. The lost
 * edits of a row taken are judged against what was sent (recordConflict).
 */
function adoptSentWithoutRefused(
  ctx: Ctx,
  reverted: Map<string, Record<string, unknown>>,
  conflicts: Map<string, Record<string, unknown> & { _deleted: boolean }>,
  refused: { id: string }[],
): void {
  for (const [id, sent] of reverted) {
    if (!conflicts.has(id)) conflicts.set(id, { ...sent, _deleted: Boolean(sent._deleted) });
    ctx.db.refusedNow.add(id);
    if (!refused.some((r) => r.id === id)) ctx.sentWithoutRefused.set(id, sent);
  }
}

/** The teacher's refused notices (dismissed ones too) of the documents a push sends. */
async function refusalsOf(
  db: OtmetkaDb,
  name: JournalCollectionName,
  rows: PushedRow[],
): Promise<Notice[]> {
  const ids = rows.map((r) => r.newDocumentState.id as string);
  const notices = await db.rx.collections.notices
    .find({ selector: { kind: 'refused', source: name, docId: { $in: ids } } })
    .exec();
  return notices.map((n) => n.toJSON() as Notice);
}

/**
 * CR9: the rows that carry an edit the server refused earlier (`notices`, dismissed ones too),
 * as they go out instead: with the server's value in those fields.
 */
function withoutRefused(
  rows: PushedRow[],
  notices: Notice[],
): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  if (notices.length === 0) return out;

  for (const row of rows) {
    const id = row.newDocumentState.id as string;
    const attempts = notices
      .filter((n) => n.docId === id)
      .map((n) => n.attempted as unknown as JournalDoc);
    if (attempts.length === 0) continue;
    const sent = withoutRefusedEdits(
      row.newDocumentState as unknown as JournalDoc,
      row.assumedMasterState as unknown as JournalDoc | undefined,
      attempts,
    );
    if (sent) out.set(id, sent as unknown as Record<string, unknown>);
  }
  return out;
}

/** The server answered for these versions: they are no longer pending. */
function acknowledge(db: OtmetkaDb, docs: JournalDoc[], at: number): void {
  for (const doc of docs) {
    const newest = Math.max(0, ...Object.values(doc.stamps ?? {}).map((s) => s.at));
    const pending = db.pending.get(doc.id);
    if (pending && pending.at <= newest) db.pending.delete(doc.id);
    const previous = db.acked.get(doc.id);
    db.acked.set(doc.id, { time: at, upTo: Math.max(newest, previous?.upTo ?? 0) });
  }
  void saveBookkeeping(db);
}

async function recordConflict(
  ctx: Ctx,
  name: SyncCollection,
  input: PushedRow,
  output: Record<string, unknown>,
) {
  const pushed = input.newDocumentState as unknown as JournalDoc;
  // What went out for a row that carried a refused edit (CR9): only the rest can have lost.
  const sent = ctx.sentWithoutRefused.get(pushed.id) as unknown as JournalDoc | undefined;
  ctx.sentWithoutRefused.delete(pushed.id);
  const refused = ctx.db.refusedNow.delete(pushed.id);
  // A refused row already has its notice with the server's reason.
  if (refused && !sent) return;
  const mine = sent ?? pushed;
  const lost = lostInConflict(
    ctx.db.deviceId,
    mine,
    input.assumedMasterState as unknown as JournalDoc | undefined,
    output as unknown as JournalDoc,
  );
  if (lost.length > 0) await noticeLost(ctx, name as JournalCollectionName, mine, lost);
}

async function noticeLost(
  ctx: Ctx,
  name: JournalCollectionName,
  mine: JournalDoc,
  lost: LostField[],
) {
  const fields = lostFieldNames(lost);
  await addNotice(ctx.db, {
    kind: 'lost',
    source: name,
    docId: mine.id,
    code: 'CONFLICT',
    message: `${errorInfo('CONFLICT').message} (${fields})`,
    attempted: mine as unknown as Record<string, unknown>,
    lostFields: lost,
    // The same lost edit seen by the push and by a pull gives the same notice (same id).
    at: lostNoticeAt(ctx.db.deviceId, mine, lost),
  });
}

/**
 * A request succeeded. The browser's `navigator.onLine === false` is still believed: it is
 * reliable when false, and an answer to a request sent just before the network went away must
 * not switch the bar back to «В сети».
 */
function markOnline(ctx: Ctx): void {
  if (typeof navigator !== 'undefined' && navigator.onLine === false) return;
  ctx.status.online.value = true;
}

/**
 * SY1: «Синхронизировано» is told once every collection's pull has reached the server's end in
 * this run; from then on, at each answer. It used to be told at the first answer of any
 * collection: a tablet whose marks never arrived said it was synchronised.
 */
function markSynced(ctx: Ctx): void {
  if (ctx.caughtUp.size < SYNC_COLLECTIONS.length) return;
  const now = ctx.db.now();
  ctx.status.lastSyncAt.value = now;
  ctx.status.error.value = null;
  ctx.options.lastSyncStore?.set(now);
}

/**
 * RxDB emits handler failures on error$, with each thrown error turned into plain JSON (name,
 * code, message), so they are classified by shape: offline, sign-in, or a real error.
 */
function classifyError(ctx: Ctx, err: unknown): void {
  const params = (err as { parameters?: { errors?: unknown[] } }).parameters;
  const cause = (params?.errors?.[0] ?? err) as { name?: string; code?: string };
  if (cause.name === 'ApiError' && typeof cause.code === 'string') {
    if (cause.code === 'NETWORK') {
      ctx.status.online.value = false;
      return;
    }
    if (cause.code === 'SIGN_IN_REQUIRED') return;
    ctx.status.error.value = errorInfo(cause.code).message;
    return;
  }
  console.error('sync error', cause);
  ctx.status.error.value = errorInfo('INTERNAL').message;
}

/**
 * Browser triggers that restart sync: the `online` event, the page becoming visible, a
 * Background Sync wake-up from the service worker, and a timer while the stream is down.
 */
function watchEnvironment(ctx: Ctx, resync: () => void, reconnect: () => void): (() => void)[] {
  const cleanups: (() => void)[] = [];
  if (typeof window === 'undefined') return cleanups;

  const onOnline = () => {
    ctx.status.online.value = true;
    resync();
    reconnect();
  };
  const onOffline = () => {
    ctx.status.online.value = false;
    void registerBackgroundSync();
  };
  const onVisible = () => {
    if (document.visibilityState === 'visible') resync();
  };
  // A Background Sync wake-up only asks for a sync round: the worker may fire while the
  // device is (again) offline, so it never sets the online state; a round that reaches the
  // server does (markOnline), and a failing one leaves «Нет сети».
  const onWorkerMessage = (event: MessageEvent) => {
    if ((event.data as { type?: string })?.type !== BACKGROUND_SYNC_TAG) return;
    resync();
    reconnect();
  };
  window.addEventListener('online', onOnline);
  window.addEventListener('offline', onOffline);
  document.addEventListener('visibilitychange', onVisible);
  navigator.serviceWorker?.addEventListener('message', onWorkerMessage);
  const timer = setInterval(() => {
    if (!ctx.status.streamConnected.value || ctx.db.pending.size > 0) resync();
  }, TIMER_MS);
  const unsubscribePending = ctx.db.pendingCount.subscribe((count) => {
    if ((count ?? 0) > 0 && !ctx.status.online.value) void registerBackgroundSync();
  });

  cleanups.push(() => {
    window.removeEventListener('online', onOnline);
    window.removeEventListener('offline', onOffline);
    document.removeEventListener('visibilitychange', onVisible);
    navigator.serviceWorker?.removeEventListener('message', onWorkerMessage);
    clearInterval(timer);
    unsubscribePending();
  });
  return cleanups;
}

/** Asks the browser to wake the service worker when connectivity returns (Chromium only). */
async function registerBackgroundSync(): Promise<void> {
  try {
    // `ready` never settles without a registered worker (dev server, tests).
    if (!navigator.serviceWorker?.controller) return;
    const registration = await navigator.serviceWorker.ready;
    const sync = (registration as { sync?: { register(tag: string): Promise<void> } } | undefined)
      ?.sync;
    await sync?.register(BACKGROUND_SYNC_TAG);
  } catch {
    // No service worker or no permission: the `online` event and the timer still run.
  }
}
