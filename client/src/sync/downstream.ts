import type { Checkpoint, JournalDoc, SyncCollection } from '@otmetka/shared';
import {
  encodeCheckpoint,
  isSameContent,
  isUnstampedTombstone,
  mergeDocs,
  observeStamp,
  PULLED_DOC_SCHEMAS,
  pullEnvelopeSchema,
} from '@otmetka/shared';
import { createRevision, now as rxNow } from 'rxdb';
import type { JournalCollectionName } from '../db/database.ts';
import { type AnyCollection, type Ctx, markOnline, markSynced, noticeLost } from './context.ts';
import { revisionHeight } from './first-sync.ts';
import { editedHere, isStalePull, lostOnPull } from './lost-edits.ts';
import type { JournalSource } from './purge.ts';

/**
 * The pull side of the replication: a page of the pull endpoint checked with the shared
 * schemas, the lost edits it reveals, the merge over an edit whose push is unanswered (CR8) and
 * the tombstones of subgroups that left the device (RM2).
 */

type PulledDoc = Record<string, unknown> & { id: string; _deleted: boolean };

/** One page of the pull endpoint, checked with the shared schemas; the clock sees its stamps. */
export async function fetchPullPage(
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

export async function pullHandler(
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
export async function assumedStates(meta: MetaInstance, ids: string[]) {
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
