import type { JournalDoc, SyncCollection } from '@otmetka/shared';
import { SYNC_COLLECTIONS } from '@otmetka/shared';
import type { signal } from '@preact/signals';
import type { RxCollection } from 'rxdb';
import type { JournalCollectionName, OtmetkaDb } from '../db/database.ts';
import { addNotice } from '../db/repo.ts';
import { errorInfo } from './errors.ts';
import type { LostField } from './lost-edits.ts';
import { lostNoticeAt } from './lost-edits.ts';
import { lostFieldNames } from './lost-text.ts';
import type { SubgroupPurge } from './purge.ts';
import type { Session } from './session.ts';

/**
 * What every part of the sync engine shares (one `Ctx` per startSync): the database, the
 * session, the status the UI shows and the bookkeeping of a run, with the few steps all of
 * them take (waiting to retry, telling the status, reporting a lost edit).
 */

/** RxDB waits this long after a failed handler call (the `online` event cuts it short). */
export const RETRY_MS = 5_000;

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

export type AnyCollection = RxCollection<Record<string, unknown>>;

export interface Ctx {
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
  /** Asks a collection's replication for one more pull (CR11). */
  pullAgain: (name: SyncCollection) => void;
  /** CR9: rows pushed without a refused edit, as sent, until their conflict is recorded. */
  sentWithoutRefused: Map<string, Record<string, unknown>>;
  /** SY1: the collections whose pull reached the server's end since sync started. */
  caughtUp: Set<SyncCollection>;
}

export function wake(ctx: Ctx): void {
  for (const waker of [...ctx.wakers]) waker();
}

export function waitForRetry(ctx: Ctx): Promise<void> {
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
export async function unlessStopped<T>(ctx: Ctx, promise: Promise<T>): Promise<T | undefined> {
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

export function track(ctx: Ctx, write: Promise<void>): void {
  ctx.writes.add(write);
  void write.finally(() => ctx.writes.delete(write));
}

export async function noticeLost(
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
export function markOnline(ctx: Ctx): void {
  if (typeof navigator !== 'undefined' && navigator.onLine === false) return;
  ctx.status.online.value = true;
}

/**
 * SY1: «Синхронизировано» is told once every collection's pull has reached the server's end in
 * this run; from then on, at each answer. It used to be told at the first answer of any
 * collection: a tablet whose marks never arrived said it was synchronised.
 */
export function markSynced(ctx: Ctx): void {
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
export function classifyError(ctx: Ctx, err: unknown): void {
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
