import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Doc, Store } from './store.ts';

/**
 * AP13: work that reads, checks and then writes several documents (the places of a subgroup
 * before an enrolment, a child's open applications before a new one) must not run twice at once
 * for one thing, in this process or in another server process on the same database. Its holder
 * is recorded in a document `lease:<key>`: CouchDB accepts one write per revision, so of two
 * takers exactly one gets it and the other waits. A holder that died (a process killed, the
 * database restarted before the release) leaves a lease that lapses after `holdMs`, long past
 * any such request; the wait outlasts it, so the next request is slowed, never turned away
 * (the soak's server kills turned schedule saves away when the wait was the shorter).
 */

export class LeaseBusyError extends Error {
  constructor(readonly key: string) {
    super(`lease ${key} stayed taken`);
  }
}

interface LeaseDoc extends Doc {
  type: 'lease';
  /** Who holds it; null once released. */
  holder: string | null;
  /** Epoch ms after which a holder that never released it counts as gone. */
  until: number;
}

export interface LeaseOptions {
  /** How long to wait for another holder before giving up (LeaseBusyError). */
  waitMs?: number;
  holdMs?: number;
}

/** Runs `work` holding the lease `key` in `dbName`, a database no device replicates. */
export async function exclusive<T>(
  store: Store,
  dbName: string,
  key: string,
  work: () => Promise<T>,
  { waitMs = 20_000, holdMs = 15_000 }: LeaseOptions = {},
): Promise<T> {
  const id = `lease:${key}`;
  const holder = randomUUID();
  const rev = await acquire(store, dbName, id, holder, Date.now() + waitMs, holdMs);
  try {
    return await work();
  } finally {
    // A release that fails (the database gone, or the lease lapsed and taken) leaves the lease
    // to lapse: the work's own outcome is what the caller gets.
    const released: LeaseDoc = { id, type: 'lease', holder: null, until: 0 };
    await store.bulkWrite(dbName, [{ doc: released, rev }]).catch(() => undefined);
  }
}

async function acquire(
  store: Store,
  dbName: string,
  id: string,
  holder: string,
  deadline: number,
  holdMs: number,
): Promise<string> {
  for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
    const stored = (await store.getMany<LeaseDoc>(dbName, [id])).get(id);
    const now = Date.now();
    const held = stored && !stored.deleted && stored.doc.holder !== null && stored.doc.until > now;

    if (!held) {
      const doc: LeaseDoc = { id, type: 'lease', holder, until: now + holdMs };
      const [result] = await store.bulkWrite(dbName, [{ doc, rev: stored?.rev }]);
      if (result?.ok && result.rev) return result.rev;
      if (result?.error !== 'conflict') throw new Error(`lease ${id}: ${result?.error}`);
    }

    if (now >= deadline) throw new LeaseBusyError(id);
    // Jittered, so two waiters do not keep meeting at the same instant.
    await sleep(pause * (0.5 + Math.random()));
  }
}
