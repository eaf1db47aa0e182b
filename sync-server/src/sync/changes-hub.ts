import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '../db/store.ts';

/**
 * One CouchDB changes follower per watched database, shared by every stream of this process and
 * reference-counted: the first subscriber starts it, the last one stops it. It follows
 * `_changes?feed=longpoll` from the database's current sequence, so a write through any server
 * process (they share the database) reaches this process's clients. express-pouchdb ignores the
 * longpoll timeout, so stopping aborts the request instead of waiting for it to end.
 * https://docs.couchdb.org/en/stable/api/database/changes.html
 */

export type ChangeListener = (db: string, types: Set<string>) => void;

declare module 'fastify' {
  interface FastifyInstance {
    /** This process's followers of the databases' changes, shared by its live streams. */
    changes: ChangesHub;
  }
}

const LONGPOLL_TIMEOUT_MS = 50_000;
const RETRY_MS = 1000;

class Follower {
  readonly listeners = new Set<ChangeListener>();
  private readonly abort = new AbortController();
  private since = 'now';
  readonly ready: Promise<void>;

  constructor(
    private readonly store: Store,
    private readonly db: string,
    private readonly log: FastifyBaseLogger,
  ) {
    this.ready = this.start();
  }

  private async start(): Promise<void> {
    // Start from the sequence as of now, fixed before the client is told to pull: a change made
    // after the client's pull began is then always announced.
    const info = await this.store.couch.db.get(this.db).catch(() => undefined);
    if (info) this.since = String(info.update_seq);
    void this.loop();
  }

  stop(): void {
    this.abort.abort();
  }

  private async loop(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        const res = (await this.store.couch.request({
          db: this.db,
          path: '_changes',
          qs: {
            feed: 'longpoll',
            since: this.since,
            include_docs: true,
            timeout: LONGPOLL_TIMEOUT_MS,
            heartbeat: 10_000,
          },
          signal: this.abort.signal,
        } as Parameters<Store['couch']['request']>[0])) as {
          results: { id: string; doc?: { type?: string } }[];
          last_seq: string | number;
        };
        this.since = String(res.last_seq);
        const types = new Set(res.results.map((r) => r.doc?.type ?? '').filter(Boolean));
        if (res.results.length > 0) for (const l of this.listeners) l(this.db, types);
      } catch (error) {
        if (this.abort.signal.aborted) return;
        this.log.warn({ err: error, db: this.db }, 'changes feed failed, retrying');
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  }
}

export class ChangesHub {
  private readonly followers = new Map<string, Follower>();

  constructor(
    private readonly store: Store,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** Resolves once each database's follower knows its starting sequence. */
  async subscribe(dbs: string[], listener: ChangeListener): Promise<void> {
    const ready: Promise<void>[] = [];
    for (const db of dbs) {
      let follower = this.followers.get(db);
      if (!follower) {
        follower = new Follower(this.store, db, this.log);
        this.followers.set(db, follower);
      }
      follower.listeners.add(listener);
      ready.push(follower.ready);
    }
    await Promise.all(ready);
  }

  unsubscribe(dbs: string[], listener: ChangeListener): void {
    for (const db of dbs) {
      const follower = this.followers.get(db);
      if (!follower) continue;
      follower.listeners.delete(listener);
      if (follower.listeners.size === 0) {
        follower.stop();
        this.followers.delete(db);
      }
    }
  }

  get watched(): number {
    return this.followers.size;
  }

  close(): void {
    for (const f of this.followers.values()) f.stop();
    this.followers.clear();
  }
}
