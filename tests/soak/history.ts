import { REPLICATION_STATE_BY_COLLECTION } from 'rxdb/plugins/replication';

/**
 * What a diverged document went through on its device, for the soak's report: every write to
 * the device's copy (with RxDB's context: a local edit, a pull, a resolved push conflict), every
 * write of RxDB's record of what the server holds (the "assumed master state" the downstream
 * compares against), and every push row and pull document about it. A divergence is a state
 * the replication never leaves, so the last of these events is where to look.
 */

type Json = Record<string, unknown>;

interface StreamEvent {
  documentId: string;
  operation: string;
  documentData?: Json;
}

interface Bulk {
  context: string;
  events: StreamEvent[];
}

interface Subscribable {
  changeStream(): { subscribe(fn: (bulk: Bulk) => void): unknown };
}

const KEEP = 24;

/** Field values with their stamps, short: `code=О@55038/ojt2`. */
export function brief(doc: Json | undefined | null): string {
  if (!doc) return '-';
  const stamps = (doc.stamps ?? {}) as Record<string, { at: number; dev: string }>;
  const parts = Object.entries(stamps)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([field, s]) => {
      const value = field === '_deleted' ? Boolean(doc._deleted) : doc[field];
      return `${field}=${JSON.stringify(value ?? null).slice(0, 24)}@${s.at % 1_000_000}/${s.dev.slice(4, 8)}`;
    });
  if (doc._deleted && !stamps._deleted) parts.push('DELETED');
  return parts.join(' ');
}

function revHeight(rev: unknown): string {
  return typeof rev === 'string' ? rev.split('-')[0]! : '?';
}

export class DocHistory {
  private readonly byId = new Map<string, string[]>();

  constructor(private readonly realNow: () => number) {}

  add(id: string, line: string): void {
    let lines = this.byId.get(id);
    if (!lines) {
      lines = [];
      this.byId.set(id, lines);
    }
    lines.push(`${new Date(this.realNow()).toISOString().slice(11, 23)} ${line}`);
    if (lines.length > KEEP) lines.shift();
  }

  of(id: string): string[] {
    return this.byId.get(id) ?? [];
  }

  /** Every write to a collection's documents on the device. */
  watchFork(name: string, storage: Subscribable): void {
    storage.changeStream().subscribe((bulk) => {
      for (const e of bulk.events) {
        const d = e.documentData;
        const meta = (d?._meta ?? {}) as { o?: { _rev: number } };
        const from = meta.o ? ` o=${meta.o._rev}` : '';
        this.add(
          e.documentId,
          `${name} fork ${e.operation} [${bulk.context}] rev ${revHeight(d?._rev)}${from}: ${brief(d)}`,
        );
      }
    });
  }

  /** RxDB's meta instance of each replication, once the replication has started. */
  watchMeta(collections: Record<string, object>, names: string[]): void {
    const pending = new Set(names);
    const poll = setInterval(() => {
      for (const name of [...pending]) {
        const state = REPLICATION_STATE_BY_COLLECTION.get(collections[name] as never)?.[0];
        const meta = state?.metaInstance as unknown as Subscribable | undefined;
        if (!meta) continue;
        pending.delete(name);
        meta.changeStream().subscribe((bulk) => {
          for (const e of bulk.events) {
            const m = e.documentData as Json | undefined;
            if (!m || m.isCheckpoint === '1') continue;
            const resolved = m.isResolvedConflict
              ? ` resolved=${revHeight(m.isResolvedConflict)}`
              : '';
            this.add(
              m.itemId as string,
              `${name} assumed [${bulk.context}]${resolved}: ${brief(m.docData as Json)}`,
            );
          }
        });
      }
      if (pending.size === 0) clearInterval(poll);
    }, 100);
  }

  /** A push request's rows and the server's answer. */
  push(name: string, body: string, answer: Json): void {
    const rows = (
      JSON.parse(body) as { rows: { assumedMasterState: Json; newDocumentState: Json }[] }
    ).rows;
    const conflicts = new Set(((answer.conflicts ?? []) as Json[]).map((d) => d.id as string));
    const refused = new Map(
      ((answer.refused ?? []) as Json[]).map((r) => [r.id as string, r.code as string]),
    );
    for (const row of rows) {
      const id = row.newDocumentState.id as string;
      const verdict = refused.has(id)
        ? `refused ${refused.get(id)}`
        : conflicts.has(id)
          ? 'conflict'
          : 'taken';
      this.add(
        id,
        `${name} push ${verdict}: ${brief(row.newDocumentState)} | assumed ${brief(row.assumedMasterState)}`,
      );
    }
    for (const doc of (answer.conflicts ?? []) as Json[]) {
      this.add(doc.id as string, `${name} push answer: ${brief(doc)}`);
    }
  }

  /** The documents of a pull page as the server sent them. */
  pull(name: string, answer: Json): void {
    for (const doc of (answer.documents ?? []) as Json[]) {
      this.add(doc.id as string, `${name} pulled: ${brief(doc)}`);
    }
  }
}

/** The device's copy and RxDB's assumed master state of one document, now. */
export async function replicationView(
  collection: {
    storageInstance: { findDocumentsById(ids: string[], deleted: boolean): Promise<Json[]> };
  },
  id: string,
): Promise<string[]> {
  const [fork] = await collection.storageInstance.findDocumentsById([id], true);
  const state = REPLICATION_STATE_BY_COLLECTION.get(collection as never)?.[0];
  const meta = state?.metaInstance as unknown as
    | { findDocumentsById(ids: string[], deleted: boolean): Promise<Json[]> }
    | undefined;
  const metaDocs = meta ? await meta.findDocumentsById([`${id}|0`], true) : [];
  const m = metaDocs[0];
  const forkMeta = JSON.stringify(fork?._meta ?? null);
  const [down] = meta ? await meta.findDocumentsById(['down|1'], true) : [];
  return [
    `now fork rev ${revHeight(fork?._rev)} meta ${forkMeta}: ${brief(fork)}`,
    `now assumed${m?.isResolvedConflict ? ` resolved=${revHeight(m.isResolvedConflict)}` : ''}: ${brief(m?.docData as Json)}`,
    `now pull checkpoint ${JSON.stringify(down?.checkpointData ?? null).slice(0, 300)}`,
  ];
}
