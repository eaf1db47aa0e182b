import type { EventBulk, RxStorageChangeEvent, RxStorageInstance } from 'rxdb';
import type { Subject } from 'rxjs';

/**
 * The one place that reaches under RxDB into its Dexie storage, for the two jobs RxDB's own API
 * makes too slow on a year of marks: the bulk first sync (first-sync.ts) and the tombstone
 * cleanup (cleanup.ts). Only the members those jobs use are described.
 */

export type DexieRow = Record<string, unknown>;
/** What a read returns of a stored row, as far as the cleanup needs it. */
type StoredRow = { id: string; _meta: { lwt: number } };

/** What the Dexie storage instance keeps open for a collection (its `internals`). */
export interface DexieInternals {
  /** The IndexedDB database under Dexie: the bulk first sync adds to it directly. */
  dexieDb: {
    backendDB(): IDBDatabase;
    transaction(mode: 'rw', table: unknown, scope: () => Promise<void>): Promise<void>;
  };
  dexieTable: {
    name: string;
    bulkDelete(ids: string[]): Promise<void>;
    where(index: string): {
      between(
        lower: unknown[],
        upper: unknown[],
        incLower: boolean,
        incUpper: boolean,
      ): { toArray(): Promise<StoredRow[]> };
    };
  };
  booleanIndexes: string[];
}

export type DexieStorage = RxStorageInstance<
  Record<string, unknown>,
  Promise<DexieInternals>,
  unknown
> & {
  changes$: Subject<EventBulk<RxStorageChangeEvent<Record<string, unknown>>, unknown>>;
};

/**
 * The storage RxDB itself wraps for a collection: the wrapper would stamp the current time and
 * its own revision on writes. No storage plugin hooks are in use, so nothing is skipped.
 */
export function dexieStorageOf(collection: { storageInstance: unknown }): DexieStorage {
  return (collection.storageInstance as { originalStorageInstance: DexieStorage })
    .originalStorageInstance;
}
