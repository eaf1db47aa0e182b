import type { ZodType } from 'zod';
import { type Doc, orgDbName, type Store, subgroupDbName } from '../db/store.ts';
import {
  type Checkpoint,
  COLLECTION_DOC_SCHEMAS,
  type PullResponse,
  type SyncCollection,
} from '../shared.ts';
import { COLLECTION_TYPE, journalAccepts, type Visibility } from './access.ts';

/**
 * Pull by checkpoint: for each of the caller's sources (the org database for the catalog,
 * subgroup databases for journal collections), in a stable order, read `_changes` after the
 * source's sequence and keep the documents the caller may see. Sequences, never clocks, order
 * the changes, so writes racing a paged pull and processes with skewed clocks miss nothing.
 * The batch is filled across sources: RxDB stops on a short batch, so a short batch means done.
 */

interface Source {
  key: string;
  db: string;
  accepts(doc: Doc): boolean;
  /**
   * Journal sources hold every kind of one subgroup; ids start with the kind (rules.ts). Null:
   * read bodies with the changes (the catalog, and marks, which are most of a journal).
   */
  idPrefix: string | null;
}

function sourcesFor(collection: SyncCollection, vis: Visibility): Source[] {
  if (collection === 'catalog') {
    return [
      {
        key: vis.catalogKey,
        db: orgDbName(vis.orgId),
        accepts: vis.catalogAccepts,
        idPrefix: null,
      },
    ];
  }
  const type = COLLECTION_TYPE[collection];
  return vis.subgroupIds.map((id) => ({
    key: id,
    db: subgroupDbName(id),
    accepts: (doc: Doc) => journalAccepts(vis, type, doc),
    idPrefix: collection === 'marks' ? null : `${type}:`,
  }));
}

/** What leaves the server: exactly the schema's fields, so nothing stray (or private) leaks. */
function outgoing(schema: ZodType, doc: Doc): Doc | undefined {
  const parsed = schema.safeParse(doc);
  if (!parsed.success) return undefined;
  const out = parsed.data as Doc;
  if (doc._deleted) out._deleted = true;
  else delete out._deleted;
  return out;
}

interface PageRow {
  seq: string;
  id: string;
  doc: Doc | undefined;
}

/**
 * One page of a source's changes. A subgroup database holds lessons, topics, roster entries and
 * marks together, and each collection pulls on its own: reading ids first and fetching only the
 * bodies of this collection's kind keeps a pull from reading the whole journal four times.
 */
async function readPage(store: Store, source: Source, since: string, size: number) {
  if (!source.idPrefix) {
    const page = await store.changes(source.db, since, size);
    return { rows: page.rows as PageRow[], full: page.rows.length === size };
  }

  const page = await store.changeIds(source.db, since, size);
  const prefix = source.idPrefix;
  const wanted = page.rows.filter((r) => r.id.startsWith(prefix)).map((r) => r.id);
  const bodies = await store.getMany(source.db, wanted);
  const rows = page.rows.map((r) => ({
    seq: r.seq,
    id: r.id,
    doc: r.id.startsWith(prefix) ? bodies.get(r.id)?.doc : undefined,
  }));
  return { rows, full: page.rows.length === size };
}

export interface PullResult extends PullResponse<Doc> {
  /** Ids of stored docs that failed their schema and were skipped (logged by the caller). */
  skipped: string[];
}

export async function pull(
  store: Store,
  vis: Visibility,
  collection: SyncCollection,
  checkpoint: Checkpoint,
  limit: number,
): Promise<PullResult> {
  const schema = COLLECTION_DOC_SCHEMAS[collection] as ZodType;
  const sources = sourcesFor(collection, vis);
  const seqs: Record<string, string> = {};
  for (const s of sources) {
    const seq = checkpoint.seqs[s.key];
    if (seq !== undefined) seqs[s.key] = seq;
  }
  const documents: Doc[] = [];
  const skipped: string[] = [];
  const pageSize = Math.min(1000, Math.max(100, limit));

  for (const source of sources) {
    if (documents.length >= limit) break;
    for (;;) {
      const page = await readPage(store, source, seqs[source.key] ?? '0', pageSize);
      let stoppedEarly = false;
      for (const row of page.rows) {
        if (documents.length >= limit) {
          stoppedEarly = true;
          break;
        }
        // The sequence of the last row consumed, so the next pull resumes right after it.
        seqs[source.key] = row.seq;
        if (!row.doc || !source.accepts(row.doc)) continue;
        const doc = outgoing(schema, row.doc);
        if (doc) documents.push(doc);
        else skipped.push(row.id);
      }
      if (stoppedEarly || !page.full || documents.length >= limit) break;
    }
  }
  return { documents, checkpoint: { v: 1, seqs }, skipped };
}
