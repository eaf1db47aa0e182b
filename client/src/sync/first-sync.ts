import type { Checkpoint, SyncCollection } from '@otmetka/shared';
import type { RxCollection, RxDatabase, RxDocumentData } from 'rxdb';
import { fromStorageToDexie } from 'rxdb/plugins/storage-dexie';
import { randomToken } from 'rxdb/plugins/utils';
import type { OtmetkaCollections } from '../db/database.ts';
import { storedDocs } from '../db/database.ts';
import { BULK_LWT, type DexieStorage, dexieStorageOf } from './dexie-storage.ts';

/**
 * The first sync of an empty collection, in bulk. RxDB's replication writes every pulled page
 * twice (the document, then its "assumed master state" in the replication's meta storage),
 * reading both first: for a whole year of marks that is most of the first sync. Here the pages
 * of the same pull endpoint are written once, in as few transactions as the network allows, in
 * the state RxDB's downstream itself leaves a pulled document in when the page was closed before
 * the meta write (`_meta.o` names the replication and the revision it wrote). The replication
 * then starts from the last pulled checkpoint and treats these documents exactly like that:
 *
 * - a later server change of a document replaces it (downstream: no assumed master, but
 *   `_meta.o` says the local version is the pulled one);
 * - a local edit raises the revision above `_meta.o._rev`, so the downstream leaves it alone
 *   and the upstream pushes it (without an assumed master: the server merges it with the shared
 *   rules and answers with the merged state, which the conflict handler adopts).
 *
 * The upstream must not push the bulk documents back. They are written without a write time
 * (`_meta.lwt`): IndexedDB leaves a row out of an index whose key path it lacks, so they are in
 * neither of the two write-time indexes RxDB's Dexie storage keeps, which only RxDB's change
 * query (for the upstream) and its cleanup plugin (not used, see cleanup.ts) read. The upstream
 * thus never meets them, and a year's first sync writes two index entries fewer per document
 * (a fifth of the storage's time, bench/README.md). Any later write of such a document, a
 * pull's or the teacher's, goes through RxDB and gets a write time as usual. The upstream
 * starts at AFTER_BULK, after the write time BULK_LWT that bulk documents of earlier versions
 * were written with (a first sync resumed after an update) and before every write made on the
 * device (a tap during the first sync included).
 *
 * Progress (the server checkpoint of the last written page) is a local document per collection,
 * written after each write: a first sync cut short (page closed, offline) resumes from it; a
 * page written again finds its documents in place and rewrites only those still untouched.
 */

/**
 * The storage checkpoint after every bulk-written document and before any real write. Its write
 * time is above BULK_LWT (not BULK_LWT with a greatest id): RxDB's query for changes since a
 * checkpoint walks the write-time index from the checkpoint's time, so this skips the bulk
 * documents without reading them on every push round.
 */
export const AFTER_BULK = { id: '', lwt: BULK_LWT + 1 };

export interface FirstSyncProgress {
  /** The server checkpoint of the last page written (null: nothing written yet). */
  checkpoint: Checkpoint | null;
  /** The replication owns the collection from here on. */
  done: boolean;
}

type AnyDoc = Record<string, unknown> & { id: string; _deleted: boolean };
type AnyCollection = RxCollection<Record<string, unknown>>;
type Db = RxDatabase<OtmetkaCollections>;
/** A bulk row: RxDB's stored shape, but without a write time (see above). */
type StoredDoc = AnyDoc & {
  _rev: string;
  _attachments: Record<string, never>;
  _meta: { lwt?: number; o?: { _rev: number; hash: string } };
};
type RxRow = RxDocumentData<Record<string, unknown>>;

/** What RxDB's storage types call a stored document; a bulk row lacks only `_meta.lwt`. */
const asRxRow = (doc: StoredDoc) => doc as unknown as RxRow;

/** The context of every write the bulk first sync makes (RxDB passes it to change events). */
const FIRST_SYNC_CONTEXT = 'otmetka-first-sync';

const progressKey = (name: SyncCollection) => `first-sync-${name}`;

/**
 * The progress of the collection's first sync, or null when the collection is not on the bulk
 * way: it held documents before any bulk first sync began (a device that synced before this
 * code existed; the replication's own checkpoints rule there). An empty collection without a
 * record gets one now, before its first document is written.
 */
export async function firstSyncProgress(
  rx: Db,
  name: SyncCollection,
): Promise<FirstSyncProgress | null> {
  const existing = await rx.getLocal<FirstSyncProgress>(progressKey(name));
  if (existing) return existing.toJSON().data as FirstSyncProgress;
  if (await holdsDocuments(rx.collections[name] as unknown as AnyCollection)) return null;
  const fresh: FirstSyncProgress = { checkpoint: null, done: false };
  await saveFirstSyncProgress(rx, name, fresh);
  return fresh;
}

export async function saveFirstSyncProgress(
  rx: Db,
  name: SyncCollection,
  progress: FirstSyncProgress,
): Promise<void> {
  await rx.upsertLocal(progressKey(name), progress);
}

/** Any stored document, a tombstone too. */
async function holdsDocuments(collection: AnyCollection): Promise<boolean> {
  return (await storedDocs(collection, {}, 1)).length > 0;
}

export function revisionHeight(rev: string): number {
  return Number.parseInt(rev.slice(0, rev.indexOf('-')), 10);
}

/**
 * Whether a stored document is still the version a pull wrote (by this replication), so a newer
 * server version may replace it. Any local write since has a higher revision (RxDB's own test
 * in the downstream).
 */
function untouched(doc: StoredDoc, hash: string): boolean {
  const origin = doc._meta.o;
  return !!origin && origin.hash === hash && origin._rev === revisionHeight(doc._rev);
}

function stored(doc: AnyDoc, hash: string, previous?: StoredDoc): StoredDoc {
  const height = previous ? revisionHeight(previous._rev) + 1 : 1;
  return {
    ...doc,
    _rev: `${height}-${hash}`,
    _meta: { o: { _rev: height, hash } },
    _attachments: {},
  };
}

/** What a collection's Dexie storage keeps open, once resolved. */
type Internals = Awaited<DexieStorage['internals']>;

/**
 * Adds documents that are not stored yet straight into the collection's IndexedDB store, in one
 * transaction created now. RxDB's bulkWrite first reads every id to find a stored version to
 * compare with, and in a first sync there never is one: those reads cost the device nearly as
 * much as the writes; Dexie's bulkAdd adds a tenth more on the main thread. An id that is
 * stored after all fails on its own (a key constraint; the rest of the transaction goes on)
 * and is handed back, by its position, for the careful way. Resolves once committed.
 */
function issueAdds(state: Internals, docs: StoredDoc[]): Promise<Set<number>> {
  const table = state.dexieTable.name;
  // On disk before its progress record is written, which lives in another database (a file of
  // its own in some browsers): a power cut cannot keep the record and lose the page it names.
  const tx = state.dexieDb.backendDB().transaction(table, 'readwrite', { durability: 'strict' });
  const requests: IDBRequest[] = [];
  const taken = new Set<number>();
  const committed = new Promise<Set<number>>((resolve, reject) => {
    tx.oncomplete = () => resolve(taken);
    tx.onabort = () => reject(tx.error ?? new Error('first sync write aborted'));
  });
  // A request's error reaches its transaction: one listener instead of one per document (a
  // tenth of the main thread's share of a year). A taken id is rare; finding it is cheap then.
  tx.addEventListener('error', (event) => {
    const request = event.target as IDBRequest;
    if (request.error?.name !== 'ConstraintError') return;
    event.preventDefault();
    event.stopPropagation();
    taken.add(requests.indexOf(request));
  });

  const store = tx.objectStore(table);
  try {
    for (const doc of docs)
      requests.push(store.add(fromStorageToDexie(state.booleanIndexes, asRxRow(doc))));
  } catch (error) {
    // A document IndexedDB cannot take (a bad key, a value it cannot clone): nothing is kept.
    committed.catch(() => undefined);
    tx.abort();
    return Promise.reject(error);
  }
  return committed;
}

/** The change events RxDB's own insert emits, so open queries and other tabs see the documents. */
function announce(storage: DexieStorage, added: StoredDoc[]): void {
  const events = added
    .filter((doc) => !doc._deleted)
    .map((doc) => ({
      documentId: doc.id as string,
      operation: 'INSERT' as const,
      documentData: asRxRow(doc),
      previousDocumentData: undefined,
    }));
  const last = added.at(-1);
  if (events.length === 0 || !last) return;
  storage.changes$.next({
    id: randomToken(10),
    events,
    checkpoint: { id: last.id, lwt: BULK_LWT },
    context: FIRST_SYNC_CONTEXT,
  });
}

/**
 * Writes pulled documents: adds the new ones in one transaction, then settles the few already
 * stored (a page written again after an interruption, or a document that changed on the server
 * while the first sync ran): each replaces the stored version only if nobody edited it here
 * since; an edited one is left to the replication, which pushes the edit and adopts the merged
 * result. Documents later in the list are newer versions of earlier ones with the same id.
 */
async function writePulled(
  collection: AnyCollection,
  state: Internals,
  replicationHash: string,
  docs: AnyDoc[],
): Promise<void> {
  // Under RxDB's wrapper: the write time and the revision must be ours (see above).
  const storage = dexieStorageOf(collection);
  const latest = new Map(docs.map((doc) => [doc.id, doc]));
  const rows = [...latest.values()].map((doc) => stored(doc, replicationHash));
  const taken = await collection.database.lockedRun(() => issueAdds(state, rows));

  announce(
    storage,
    rows.filter((_, i) => !taken.has(i)),
  );
  if (taken.size > 0) {
    await replaceUntouched(
      collection,
      storage,
      replicationHash,
      [...taken].map((i) => rows[i]!),
    );
  }
}

async function replaceUntouched(
  collection: AnyCollection,
  storage: DexieStorage,
  replicationHash: string,
  taken: StoredDoc[],
): Promise<void> {
  // Through RxDB's storage, whose change events carry the write time as their checkpoint: these
  // few rows get BULK_LWT, below where the upstream starts.
  const write = (rows: { previous?: StoredDoc; document: StoredDoc }[]) => {
    const timed = rows.map(({ previous, document }) => ({
      previous: previous && asRxRow(previous),
      document: asRxRow({ ...document, _meta: { ...document._meta, lwt: BULK_LWT } }),
    }));
    return collection.database.lockedRun(() => storage.bulkWrite(timed, FIRST_SYNC_CONTEXT));
  };
  const first = await write(taken.map((document) => ({ document })));
  const again: { previous: StoredDoc; document: StoredDoc }[] = [];
  for (const error of first.error) {
    if (error.status !== 409 || !error.documentInDb) throw new Error(describe(error));
    const inDb = error.documentInDb as StoredDoc;
    if (!untouched(inDb, replicationHash)) continue;
    again.push({
      previous: inDb,
      document: stored(error.writeRow.document as unknown as AnyDoc, replicationHash, inDb),
    });
  }
  if (again.length === 0) return;
  const second = await write(again);
  // A 409 now is a local write that landed in between: it stays, the replication pushes it.
  const failed = second.error.find((e) => e.status !== 409);
  if (failed) throw new Error(describe(failed));
}

function describe(error: { status: number; documentId: string }): string {
  return `first sync could not store ${error.documentId} (status ${error.status})`;
}

export interface BulkPullOptions {
  rx: Db;
  name: SyncCollection;
  /** RxDB's hash of the replication identifier (what `_meta.o.hash` names). */
  replicationHash: string;
  progress: FirstSyncProgress;
  pageSize: number;
  /** One page of the pull endpoint, parsed and checked. */
  fetchPage(
    checkpoint: Checkpoint | null,
  ): Promise<{ documents: AnyDoc[]; checkpoint: Checkpoint }>;
  /** The engine was stopped: end after the write in flight. */
  stopped(): boolean;
}

type Page = Awaited<ReturnType<BulkPullOptions['fetchPage']>>;

/**
 * Pulls pages until a short one and writes them while the next are on their way. Writing is
 * the slower side on a device: the pages that arrive while one write runs are written together
 * in the next, one transaction for all of them, since each transaction costs the device more
 * than its documents' share (a year in 13 transactions takes a sixth longer than in one).
 * After each write its last page's checkpoint is recorded, so a first sync cut short resumes
 * after what landed. Resolves true when the collection is complete, false when stopped;
 * rejects with the first failure once the pages fetched before it have landed (after a failed
 * write, those waiting are dropped instead: the replication pulls them again).
 */
export async function bulkPull(options: BulkPullOptions): Promise<boolean> {
  const { rx, name, progress } = options;
  const collection = rx.collections[name] as unknown as AnyCollection;
  const state = await dexieStorageOf(collection).internals;
  const waiting: Page[] = [];
  let fetching = true;
  let failure: unknown = null;
  let nudge = () => {};

  const write = async (pages: Page[]) => {
    const docs = pages.flatMap((page) => page.documents);
    await writePulled(collection, state, options.replicationHash, docs);
    progress.checkpoint = pages.at(-1)!.checkpoint;
    await saveFirstSyncProgress(rx, name, progress);
  };
  const writer = (async () => {
    while (!failure && (fetching || waiting.length > 0)) {
      if (waiting.length === 0) {
        await new Promise<void>((resolve) => {
          nudge = resolve;
        });
        continue;
      }
      await write(waiting.splice(0)).catch((err: unknown) => {
        failure ??= err;
      });
    }
  })();

  let checkpoint = progress.checkpoint;
  let complete = false;
  try {
    while (!options.stopped() && !failure) {
      const page = await options.fetchPage(checkpoint);
      checkpoint = page.checkpoint;
      waiting.push(page);
      nudge();
      if (page.documents.length < options.pageSize) {
        complete = true;
        break;
      }
    }
  } finally {
    fetching = false;
    nudge();
    await writer;
  }
  if (failure) throw failure;
  return complete;
}
