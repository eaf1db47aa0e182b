import type { RxReplicationState } from 'rxdb/plugins/replication';
import { BULK_LWT, dexieStorageOf } from './dexie-storage.ts';

/**
 * RM4: tombstones leave the device once the server has them. A deletion made here, a deletion
 * pulled from the server and the content-free tombstones of a subgroup the teacher was taken
 * off (RM2) are removed from IndexedDB when they are older than TOMBSTONE_AGE_MS and their
 * collection's replication is in sync: every local write, this deletion included, has reached
 * the server. The server keeps its own; a device pulls by sequence and never needs one back,
 * and an edit re-creating a removed document starts from the base, stamped now.
 *
 * Not RxDB's cleanup plugin: its Dexie cleanup reads every document older than the age limit
 * (a whole year of marks) after each burst of writes, and it waits only for replications that
 * exist, which a collection still in its bulk first sync does not have yet. This reads the
 * tombstones alone, through the `[_deleted+id]` index every RxDB Dexie table has.
 */

export const TOMBSTONE_AGE_MS = 7 * 24 * 3600 * 1000;
/** The live engine's first cleanup, after start-up has settled, then one an hour. */
export const FIRST_CLEANUP_MS = 60_000;
export const CLEANUP_EVERY_MS = 3_600_000;

/** Removes the collection's tombstones written before `cutoff` (a `_meta.lwt`); how many. */
export async function purgeTombstones(
  collection: { storageInstance: unknown },
  cutoff: number,
): Promise<number> {
  const { dexieDb, dexieTable } = await dexieStorageOf(collection).internals;
  let removed = 0;
  await dexieDb.transaction('rw', dexieTable, async () => {
    // `_deleted` is stored as '1' for the index; ids are strings, all above '' and below '\uffff'.
    const tombstones = await dexieTable
      .where('[_deleted+id]')
      .between(['1', ''], ['1', '\uffff'], true, true)
      .toArray();
    // A tombstone the bulk first sync wrote has no write time (first-sync.ts): it counts as old.
    const old = tombstones.filter((t) => (t._meta.lwt ?? BULK_LWT) < cutoff).map((t) => t.id);
    await dexieTable.bulkDelete(old);
    removed = old.length;
  });
  return removed;
}

/**
 * One cleanup round: each collection once its replication is in sync (offline this waits, and
 * `stopped` ends the round when the engine stops meanwhile). Returns how many were removed.
 */
export async function cleanupInSync<Checkpoint>(
  states: readonly RxReplicationState<Record<string, unknown>, Checkpoint>[],
  ageMs: number,
  now: () => number,
  stopped: () => boolean,
): Promise<number> {
  let removed = 0;
  for (const state of states) {
    await state.awaitInSync();
    if (stopped()) break;
    removed += await purgeTombstones(state.collection, now() - ageMs);
  }
  return removed;
}
