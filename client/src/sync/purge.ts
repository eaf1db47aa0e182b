import type { Checkpoint, JournalDoc, SyncCollection } from '@otmetka/shared';
import { contentFreeTombstone, isContentFree } from '@otmetka/shared';
import type { RxCollection, RxDatabase } from 'rxdb';
import type { OtmetkaCollections } from '../db/database.ts';
import { storedDocs } from '../db/database.ts';

/**
 * The journal of a subgroup this device no longer sees leaves it (RM2). A journal pull whose
 * answer stops naming a source its request named (the server leaves out of a checkpoint every
 * subgroup the caller may no longer see), or a subgroup the catalog turned into a tombstone
 * (RM1), has each of its local documents in that collection replaced by a content-free
 * tombstone (identity fields only). The tombstones are handed to RxDB as part of the pull's
 * answer, so RxDB's own downstream writes them, after the pages before them, like deletions from
 * the server: nothing is pushed back, and the assumed master states lose the content too.
 *
 * A local edit not yet sent is never overwritten: RxDB's downstream leaves a document whose
 * state differs from its assumed master to the upstream, which pushes it; the server refuses it
 * (NOT_TEACHER_OF_SUBGROUP), the edit is kept in the notices, and the refusal's answer becomes
 * the content-free tombstone (RM3, upstream.ts).
 *
 * A subgroup the current answer still names is never purged, whatever the catalog says: the
 * catalog and the journal pull apart, and a catalog a step behind (a subgroup given back) must
 * not wipe a journal that has just arrived.
 */

export type JournalSource = Exclude<SyncCollection, 'catalog'>;

const KIND: Record<JournalSource, JournalDoc['type']> = {
  lessons: 'lesson',
  topics: 'topic',
  roster: 'roster',
  marks: 'mark',
};

type Db = RxDatabase<OtmetkaCollections>;
type AnyCollection = RxCollection<Record<string, unknown>>;

/** The subgroups a journal checkpoint names: its sequences and the snapshot in progress. */
export function sourcesOf(checkpoint: Checkpoint | null | undefined): Set<string> {
  const out = new Set(Object.keys(checkpoint?.seqs ?? {}));
  const inSnapshot = checkpoint?.snapshot?.source;
  if (inSnapshot) out.add(inSnapshot);
  return out;
}

export class SubgroupPurge {
  /**
   * Per collection, the gone subgroups found with nothing left to purge: a catalog tombstone
   * alone does not make them read again on every pull. Kept in a local document.
   */
  private readonly done = new Map<JournalSource, Promise<Set<string>>>();

  constructor(private readonly rx: Db) {}

  /**
   * Content-free tombstones of the local documents, in this collection, of every subgroup
   * that left the caller's view: to be delivered with the pull answer `received`, which
   * followed the request `sent`.
   */
  async tombstones(
    name: JournalSource,
    sent: Checkpoint | null | undefined,
    received: Checkpoint,
  ): Promise<JournalDoc[]> {
    const named = sourcesOf(received);
    const done = await this.doneOf(name);
    let changed = false;
    // Named again: given back, so a later removal must be looked at afresh.
    for (const id of named) changed = done.delete(id) || changed;

    const candidates = new Set([...sourcesOf(sent)].filter((id) => !named.has(id)));
    for (const id of await this.catalogGone()) {
      if (!named.has(id) && !done.has(id)) candidates.add(id);
    }

    const out: JournalDoc[] = [];
    for (const subgroupId of candidates) {
      const stale = (await this.localDocs(name, subgroupId)).filter((d) => !isContentFree(d));
      if (stale.length > 0) out.push(...stale.map(contentFreeTombstone));
      else if (!done.has(subgroupId)) {
        done.add(subgroupId);
        changed = true;
      }
    }
    if (changed) await this.saveDone(name, done);
    return out;
  }

  /** Subgroups whose catalog document is a tombstone (RM1). */
  private async catalogGone(): Promise<string[]> {
    const catalog = this.rx.collections.catalog as unknown as AnyCollection;
    const subgroups = await storedDocs(catalog, { type: 'subgroup' });
    return subgroups.filter((d) => d._deleted).map((d) => d.id as string);
  }

  /** Every stored document of the subgroup in the collection: ids start with kind and subgroup. */
  private async localDocs(name: JournalSource, subgroupId: string): Promise<JournalDoc[]> {
    const prefix = `${KIND[name]}:${subgroupId}:`;
    const collection = this.rx.collections[name] as unknown as AnyCollection;
    const docs = await storedDocs(collection, { id: { $gte: prefix, $lt: `${prefix}\uffff` } });
    return docs as unknown as JournalDoc[];
  }

  private doneOf(name: JournalSource): Promise<Set<string>> {
    let done = this.done.get(name);
    if (!done) {
      done = this.rx
        .getLocal<{ ids: string[] }>(`purged-${name}`)
        .then((doc) => new Set(doc ? (doc.toJSON().data.ids as string[]) : []));
      this.done.set(name, done);
    }
    return done;
  }

  private async saveDone(name: JournalSource, done: Set<string>): Promise<void> {
    await this.rx.upsertLocal(`purged-${name}`, { ids: [...done].sort() });
  }
}
