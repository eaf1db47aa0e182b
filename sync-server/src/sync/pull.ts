import type { ZodType } from 'zod';
import { type Doc, orgDbName, type Store, subgroupDbName } from '../db/store.ts';
import {
  type CatalogScope,
  type Checkpoint,
  COLLECTION_DOC_SCHEMAS,
  type PullResponse,
  type SyncCollection,
  scheduleId,
} from '../shared.ts';
import { COLLECTION_TYPE, type Visibility } from './access.ts';
import type { ScopeSeal } from './scope-seal.ts';

/**
 * Pull by checkpoint: for each of the caller's sources (the org database for the catalog,
 * subgroup databases for journal collections), in a stable order, read `_changes` after the
 * source's sequence and keep the documents the caller may see. Sequences, never clocks, order
 * the changes, so writes racing a paged pull and processes with skewed clocks miss nothing.
 * A device's first pass reads each journal source as a snapshot by id range first (see
 * `Checkpoint.snapshot`). The batch is filled across sources: RxDB stops on a short batch, so a
 * short batch means done.
 */

interface Source {
  key: string;
  db: string;
  accepts(doc: Doc): boolean;
  /**
   * Journal sources hold every kind of one subgroup; ids start with the kind (rules.ts). Null
   * for the catalog, whose kinds are many and small.
   */
  idPrefix: string | null;
  /**
   * Read bodies with the changes (the catalog, and marks, which are most of a journal), rather
   * than ids first and then the bodies of this kind only.
   */
  bodiesWithChanges: boolean;
}

function sourcesFor(collection: SyncCollection, vis: Visibility): Source[] {
  if (collection === 'catalog') {
    return [
      {
        key: vis.catalogKey,
        db: orgDbName(vis.orgId),
        accepts: vis.catalogAccepts,
        idPrefix: null,
        bodiesWithChanges: true,
      },
    ];
  }
  const type = COLLECTION_TYPE[collection];
  return vis.subgroupIds.map((id) => ({
    key: id,
    db: subgroupDbName(id),
    // A subgroup's database holds every journal kind; its visibility is the subgroup's.
    accepts: (doc: Doc) => doc.type === type,
    idPrefix: `${type}:`,
    bodiesWithChanges: collection === 'marks',
  }));
}

/** Turns a stored document into what leaves the server, or undefined to skip it. */
type Outgoing = (doc: Doc) => Doc | undefined;

/**
 * What leaves the server: only the schema's fields, so nothing stray (or private) leaks. The
 * catalog's documents pass their zod schema. A journal document was checked by its schema on the
 * way in (push) or built by the server itself, and a full parse of each of a year's 14,000
 * documents on the way out costs more than a tenth of a first pull: it keeps exactly the
 * schema's top-level fields instead.
 */
function outgoingFor(collection: SyncCollection): Outgoing {
  const schema = COLLECTION_DOC_SCHEMAS[collection] as ZodType;
  const withDeleted = (doc: Doc, out: Doc) => {
    if (doc._deleted) out._deleted = true;
    else delete out._deleted;
    return out;
  };
  if (collection === 'catalog') {
    return (doc) => {
      const parsed = schema.safeParse(doc);
      return parsed.success ? withDeleted(doc, parsed.data as Doc) : undefined;
    };
  }

  const fields = Object.keys((schema as unknown as { shape: Record<string, unknown> }).shape);
  return (doc) => {
    const out: Record<string, unknown> = {};
    for (const field of fields) if (doc[field] !== undefined) out[field] = doc[field];
    return withDeleted(doc, out as Doc);
  };
}

interface PageRow {
  /** Where the source stands once this row is consumed. */
  position: Position;
  id: string;
  doc: Doc | undefined;
}

/** A source's place: a `_changes` sequence, or a snapshot's sequence and last id. */
type Position = { seq: string } | { seq: string; after: string };

/**
 * One page of a source's changes. A subgroup database holds lessons, topics, roster entries and
 * marks together, and each collection pulls on its own: reading ids first and fetching only the
 * bodies of this collection's kind keeps a pull from reading the whole journal four times.
 */
async function readChanges(store: Store, source: Source, since: string, size: number) {
  const prefix = source.idPrefix ?? '';
  if (source.bodiesWithChanges) {
    const page = await store.changes(source.db, since, size);
    const rows = page.rows.map((r) => ({
      position: { seq: r.seq },
      id: r.id,
      doc: r.id.startsWith(prefix) ? r.doc : undefined,
    }));
    return { rows, full: page.rows.length === size };
  }

  const page = await store.changeIds(source.db, since, size);
  const wanted = page.rows.filter((r) => r.id.startsWith(prefix)).map((r) => r.id);
  const bodies = await store.getMany(source.db, wanted);
  const rows = page.rows.map((r) => ({
    position: { seq: r.seq },
    id: r.id,
    doc: r.id.startsWith(prefix) ? bodies.get(r.id)?.doc : undefined,
  }));
  return { rows, full: page.rows.length === size };
}

/**
 * One page of a snapshot: the source's documents of this kind by id range, from the sequence
 * taken before its first page. Once the range is exhausted the source continues from that
 * sequence by `_changes`, which re-delivers (harmlessly) whatever changed while it was read;
 * `settled` says nothing was written since that sequence, so there is nothing to re-read now.
 */
async function readSnapshot(
  store: Store,
  source: Source,
  at: { seq: string; after?: string },
  size: number,
) {
  const { docs, updateSeq } = await store.scanPrefix(
    source.db,
    source.idPrefix!,
    at.after || undefined,
    size,
  );
  const rows: PageRow[] = docs.map((doc) => ({
    position: { seq: at.seq, after: doc.id },
    id: doc.id,
    doc,
  }));
  // A short page ends the range: the source then stands at the sequence alone.
  const full = docs.length === size;
  if (!full) rows.push({ position: { seq: at.seq }, id: '', doc: undefined });
  return { rows, full, settled: updateSeq === at.seq };
}

export interface PullResult extends PullResponse<Doc> {
  /** Ids of stored docs that failed their schema and were skipped (logged by the caller). */
  skipped: string[];
}

/** Where each source starts: its sequence, or its place in a first pass's snapshot. */
function startPositions(checkpoint: Checkpoint, sources: Source[]) {
  const positions = new Map<string, Position | undefined>();
  for (const s of sources) {
    const seq = checkpoint.seqs[s.key];
    positions.set(s.key, seq === undefined ? undefined : { seq });
  }
  const snap = checkpoint.snapshot;
  if (snap?.source && snap.seq !== undefined && positions.has(snap.source)) {
    positions.set(snap.source, { seq: snap.seq, after: snap.after ?? '' });
  }
  return positions;
}

function nextCheckpoint(
  positions: Map<string, Position | undefined>,
  snapshotPass: boolean,
): Checkpoint {
  const seqs: Record<string, string> = {};
  let snapshot: Checkpoint['snapshot'];
  for (const [key, position] of positions) {
    if (!position) continue;
    if ('after' in position) snapshot = { source: key, seq: position.seq, after: position.after };
    else seqs[key] = position.seq;
  }
  const unfinished = [...positions.values()].some((p) => !p || 'after' in p);
  // Always named: RxDB merges a new checkpoint into the old one key by key.
  return { v: 1, seqs, snapshot: snapshotPass && unfinished ? (snapshot ?? {}) : null };
}

/** The documents of one pull response and the place of every source after them. */
class Batch {
  readonly documents: Doc[] = [];
  readonly skipped: string[] = [];

  constructor(
    private readonly outgoing: Outgoing,
    private readonly limit: number,
    readonly positions: Map<string, Position | undefined>,
  ) {}

  get full(): boolean {
    return this.documents.length >= this.limit;
  }

  /** How many more documents fit. */
  get room(): number {
    return this.limit - this.documents.length;
  }

  /** Takes rows until the batch is full; false when it stopped before the end of the page. */
  take(source: Source, rows: PageRow[]): boolean {
    for (const row of rows) {
      if (this.full) return false;
      // The place after the last row taken, so the next pull resumes right after it.
      this.positions.set(source.key, row.position);
      if (!row.doc || !source.accepts(row.doc)) continue;
      const doc = this.outgoing(row.doc);
      if (doc) this.documents.push(doc);
      else this.skipped.push(row.id);
    }
    return true;
  }
}

/** Pages of `_changes` from the source's sequence until the end or a full batch. */
async function drainChanges(
  store: Store,
  source: Source,
  batch: Batch,
  pageSize: number,
  first?: Awaited<ReturnType<typeof readChanges>>,
) {
  let page = first;
  for (;;) {
    const at = batch.positions.get(source.key);
    page ??= await readChanges(store, source, at?.seq ?? '0', pageSize);
    if (!batch.take(source, page.rows) || !page.full || batch.full) return;
    page = undefined;
  }
}

/**
 * Snapshot pages of the source until its range ends or the batch is full. True when the range
 * ended with writes since its sequence, which `_changes` must then bring.
 */
async function drainSnapshot(
  store: Store,
  source: Source,
  batch: Batch,
  pageSize: number,
  startSeq: () => Promise<string>,
): Promise<boolean> {
  for (;;) {
    const at = batch.positions.get(source.key);
    const from = at && 'after' in at ? at : { seq: await startSeq() };
    // No more than fits: what a page reads past the end of the batch would be read again.
    const page = await readSnapshot(store, source, from, Math.min(pageSize, batch.room));
    if (!batch.take(source, page.rows)) return false;
    if (!page.full) return !page.settled;
    if (batch.full) return false;
  }
}

const tombstoneOf = (id: string, type: string): Doc => ({ id, type, _deleted: true });

/**
 * RM1: content-free tombstones of the catalog documents that left the caller's scope since the
 * checkpoint's (a subgroup the teacher was taken off, with its schedule and locks; a programme
 * or a colleague's profile no longer tied to a visible subgroup). Nothing of their content
 * goes out, and nothing at all to a device that holds no catalog yet (a first pull).
 *
 * SC10: only a scope the server sealed for this caller names locks. A checkpoint without one
 * (written before scopes or seals existed, or made up) cannot say what its device holds: every
 * subgroup the caller does not see is named once then, with its schedule and the programmes and
 * profiles the scope claims, all ids the device already has or sent (subgroups are in the
 * parents' catalogue), and no lock, whose id would tell which months are closed.
 */
async function catalogRemovals(input: PullInput): Promise<Doc[]> {
  const { store, vis, checkpoint } = input;
  const now = vis.catalogScope;
  if (!now) return [];
  const sealed = input.seal.verify(vis.user, checkpoint.scope);
  let had: CatalogScope | null = sealed;
  if (!had) {
    if (Object.keys(checkpoint.seqs).length === 0) return [];
    const all = await store.orgSubgroups(vis.orgId);
    const claimed = checkpoint.scope;
    had = {
      subgroups: all.map((s) => s.id),
      programmes: claimed?.programmes ?? [],
      teachers: claimed?.teachers ?? [],
    };
  }
  const left = (before: string[], after: string[]) => {
    const kept = new Set(after);
    return before.filter((id) => !kept.has(id));
  };

  const subgroups = left(had.subgroups, now.subgroups);
  const out = [
    ...subgroups.flatMap((id) => [
      tombstoneOf(id, 'subgroup'),
      tombstoneOf(scheduleId(id), 'schedule'),
    ]),
    ...left(had.programmes, now.programmes).map((id) => tombstoneOf(id, 'programme')),
    ...left(had.teachers, now.teachers).map((id) => tombstoneOf(id, 'teacher')),
  ];
  if (sealed && subgroups.length > 0) {
    const locks = await store.find(orgDbName(vis.orgId), {
      type: 'lock',
      subgroupId: { $in: subgroups },
    });
    out.push(...locks.map((lock) => tombstoneOf(lock.id, 'lock')));
  }
  return out;
}

export interface PullInput {
  store: Store;
  vis: Visibility;
  collection: SyncCollection;
  checkpoint: Checkpoint;
  limit: number;
  seal: ScopeSeal;
}

export async function pull(input: PullInput): Promise<PullResult> {
  const { store, vis, collection, checkpoint, limit } = input;
  const sources = sourcesFor(collection, vis);
  const batch = new Batch(outgoingFor(collection), limit, startPositions(checkpoint, sources));
  const catalog = collection === 'catalog';
  // First in the batch: a batch they fill leaves every source where it was.
  if (catalog) batch.documents.push(...(await catalogRemovals(input)));
  const snapshotPass = checkpoint.snapshot != null;
  const pageSize = Math.min(1000, Math.max(100, limit));

  const inSnapshot = (s: Source) => {
    const at = batch.positions.get(s.key);
    return snapshotPass && s.idPrefix !== null && (!at || 'after' in at);
  };
  // Sources whose changes are read at the end of this request, all at once: those whose
  // snapshot ended here with writes since its sequence, and, in a snapshot pass, those whose
  // range ended in an earlier request. Their changes cannot come before the pass's last
  // request anyway, since a batch that snapshots fill is full; read after each range instead,
  // a year's marks read twelve sources' changes 66 times over 13 requests, nearly all empty.
  const finished: Source[] = [];

  // The next snapshot's sequence is read while the current one's pages are: one round trip less
  // per source. (A sequence read early is still a correct start: it only re-delivers more.)
  const seqs = new Map<string, Promise<string>>();
  const seqOf = (source: Source) => {
    let seq = seqs.get(source.key);
    if (!seq) {
      seq = store.updateSeq(source.db);
      // Unused when the batch fills first; its error, if any, surfaces where it is awaited.
      seq.catch(() => undefined);
      seqs.set(source.key, seq);
    }
    return seq;
  };

  for (const [i, source] of sources.entries()) {
    if (batch.full) break;
    if (!inSnapshot(source)) {
      if (snapshotPass && source.idPrefix !== null) finished.push(source);
      else await drainChanges(store, source, batch, pageSize);
      continue;
    }
    const next = sources[i + 1];
    if (next && inSnapshot(next) && !batch.positions.get(next.key)) void seqOf(next);
    if (await drainSnapshot(store, source, batch, pageSize, () => seqOf(source))) {
      finished.push(source);
    }
  }

  if (!batch.full && finished.length > 0) {
    const pages = await Promise.all(
      finished.map((s) => readChanges(store, s, batch.positions.get(s.key)!.seq, pageSize)),
    );
    for (const [i, source] of finished.entries()) {
      if (batch.full) break;
      await drainChanges(store, source, batch, pageSize, pages[i]);
    }
  }

  const next = nextCheckpoint(batch.positions, snapshotPass);
  return {
    documents: batch.documents,
    // Always named on the catalog: RxDB merges checkpoints key by key (see `snapshot`).
    checkpoint: catalog ? { ...next, scope: input.seal.seal(vis.user, vis.catalogScope) } : next,
    skipped: batch.skipped,
  };
}
