import type { Checkpoint, SyncCollection } from '@otmetka/shared';
import {
  PULL_BATCH_SIZE,
  PUSH_BATCH_SIZE,
  SYNC_COLLECTIONS,
  WRITABLE_COLLECTIONS,
} from '@otmetka/shared';
import { signal } from '@preact/signals';
import { addRxPlugin } from 'rxdb';
import { RxDBLeaderElectionPlugin } from 'rxdb/plugins/leader-election';
import type { RxReplicationState } from 'rxdb/plugins/replication';
import { replicateRxCollection } from 'rxdb/plugins/replication';
import { Subject } from 'rxjs';
import type { JournalCollectionName } from '../db/database.ts';
import { CLEANUP_EVERY_MS, cleanupInSync, FIRST_CLEANUP_MS, TOMBSTONE_AGE_MS } from './cleanup.ts';
import {
  type AnyCollection,
  type Ctx,
  classifyError,
  markOnline,
  RETRY_MS,
  type SyncOptions,
  type SyncStatus,
  track,
  unlessStopped,
  waitForRetry,
  wake,
} from './context.ts';
import { assumedStates, fetchPullPage, pullHandler } from './downstream.ts';
import { watchEnvironment } from './environment.ts';
import type { FirstSyncProgress } from './first-sync.ts';
import { AFTER_BULK, bulkPull, firstSyncProgress, saveFirstSyncProgress } from './first-sync.ts';
import { isApiError } from './http.ts';
import { SubgroupPurge } from './purge.ts';
import type { LiveStream } from './stream.ts';
import { openLiveStream } from './stream.ts';
import { linkTabs } from './tabs.ts';
import { pushHandler, recordConflict } from './upstream.ts';

export type { SyncOptions, SyncStatus } from './context.ts';

/**
 * The sync engine: one RxDB replication per collection against the sync server (pull by
 * checkpoint, push of rows with their assumed master state, a live SSE stream that says "pull
 * now"), plus the status the UI shows. This module starts and stops it; each collection's
 * bulk first sync is first-sync.ts, the pull side downstream.ts, the push side upstream.ts, the
 * browser's triggers environment.ts, the other tabs tabs.ts and what they share context.ts.
 * Components never import these; they read `status` and call syncNow/stop through the
 * SyncEngine.
 */

// The replication adds it when it starts; the bulk first sync asks for leadership before that.
addRxPlugin(RxDBLeaderElectionPlugin);

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
    pullAgain: (name) => streams.get(name)?.next('RESYNC'),
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
