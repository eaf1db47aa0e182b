import { type Checkpoint, canonicalJson, type SyncCollection } from '../shared.ts';
import type { Visibility } from './access.ts';
import type { PullResult } from './pull.ts';

/**
 * The next page of a journal pull that answered a full batch, read while that answer travels:
 * RxDB asks for it straight away with the checkpoint it was given, so the database works while
 * the device downloads and parses instead of waiting for the request. A page read a moment
 * early is still a correct answer (its checkpoint starts where its documents end; later writes
 * come with the page after). It is served only to the same user with the same visibility,
 * collection, checkpoint and limit, within a few seconds; anything else reads afresh.
 */

const TTL_MS = 5_000;
/** Pages are up to a megabyte each: a few dozen devices in a first sync at once is plenty. */
const MAX_PAGES = 32;

interface Entry {
  at: number;
  page: Promise<PullResult | undefined>;
}

export class PullPrefetch {
  private readonly pages = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Only journal collections: whether a journal doc is visible depends on nothing but the key. */
  static applies(collection: SyncCollection): boolean {
    return collection !== 'catalog';
  }

  key(vis: Visibility, collection: SyncCollection, checkpoint: Checkpoint, limit: number): string {
    const who = `${vis.user.sub}|${vis.user.role}|${vis.subgroupIds.join(',')}`;
    return `${who}|${collection}|${limit}|${canonicalJson(checkpoint)}`;
  }

  /** The page read for this key, once; undefined when there is none or it failed. */
  take(key: string): Promise<PullResult | undefined> | undefined {
    const hit = this.pages.get(key);
    this.pages.delete(key);
    return hit && this.now() - hit.at <= TTL_MS ? hit.page : undefined;
  }

  start(key: string, read: () => Promise<PullResult>): void {
    this.sweep();
    // A failed read is simply not served: the request reads afresh.
    const page = read().catch(() => undefined);
    this.pages.set(key, { at: this.now(), page });
  }

  private sweep(): void {
    for (const [key, entry] of this.pages) {
      if (this.now() - entry.at > TTL_MS) this.pages.delete(key);
    }
    // Map order is insertion order: drop the oldest beyond the cap.
    for (const key of [...this.pages.keys()].slice(
      0,
      Math.max(0, this.pages.size - MAX_PAGES + 1),
    )) {
      this.pages.delete(key);
    }
  }
}
