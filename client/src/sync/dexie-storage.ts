import type { EventBulk, RxStorageChangeEvent, RxStorageInstance } from 'rxdb';
import type { Subject } from 'rxjs';

/**
 * The one place that reaches under RxDB into its Dexie storage, for the two jobs RxDB's own API
 * makes too slow on a year of marks: the bulk first sync (first-sync.ts) and the tombstone
 * cleanup (cleanup.ts). Only the members those jobs use are described.
 */

export type DexieRow = Record<string, unknown>;
/** What a read returns of a stored row, as far as the cleanup needs it. */
type StoredRow = { id: string; _meta: { lwt?: number } };

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
 * The write time rows of the bulk first sync stand for (RxDB's minimum). They are stored without
 * one (first-sync.ts); earlier versions wrote this, their change events carry it, the tombstone
 * cleanup takes a missing one for it, and a migration gives it to them first (below).
 */
export const BULK_LWT = 1;

/**
 * RxDB's schema migration finds the rows of the old version by write time, on the index that
 * leaves out the rows the bulk first sync wrote without one: it would drop them. Before a
 * migration, each such row of the old version's store gets BULK_LWT (one pass, in one
 * transaction). Returns how many rows it changed; a store that does not exist is left alone.
 */
export async function timeBulkRows(
  factory: IDBFactory,
  database: string,
  collection: string,
  version: number,
): Promise<number> {
  const idb = await openExisting(factory, `rxdb-dexie-${database}--${version}--${collection}`);
  if (!idb) return 0;
  try {
    if (!idb.objectStoreNames.contains(DEXIE_DOCS_TABLE)) return 0;
    return await backfill(idb.transaction(DEXIE_DOCS_TABLE, 'readwrite'));
  } finally {
    idb.close();
  }
}

/** RxDB's Dexie storage keeps a collection's documents in this table. */
const DEXIE_DOCS_TABLE = 'docs';

function backfill(tx: IDBTransaction): Promise<number> {
  let changed = 0;
  return new Promise((resolve, reject) => {
    const cursorRequest = tx.objectStore(DEXIE_DOCS_TABLE).openCursor();
    cursorRequest.onsuccess = () => {
      const cursor = cursorRequest.result;
      if (!cursor) return;
      const row = cursor.value as { _meta?: { lwt?: number } };
      if (row._meta && row._meta.lwt === undefined) {
        cursor.update({ ...row, _meta: { ...row._meta, lwt: BULK_LWT } });
        changed++;
      }
      cursor.continue();
    };
    tx.oncomplete = () => resolve(changed);
    tx.onabort = () => reject(tx.error ?? new Error('bulk rows not timed'));
  });
}

/** Opens a database as it is, or gives null without creating it when there is none. */
function openExisting(factory: IDBFactory, name: string): Promise<IDBDatabase | null> {
  return new Promise((resolve, reject) => {
    const request = factory.open(name);
    let created = false;
    request.onupgradeneeded = () => {
      created = true;
      request.transaction?.abort();
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = (event) => {
      if (!created) return reject(request.error);
      event.preventDefault();
      resolve(null);
    };
  });
}

/**
 * The storage RxDB itself wraps for a collection: the wrapper would stamp the current time and
 * its own revision on writes. No storage plugin hooks are in use, so nothing is skipped.
 */
export function dexieStorageOf(collection: { storageInstance: unknown }): DexieStorage {
  return (collection.storageInstance as { originalStorageInstance: DexieStorage })
    .originalStorageInstance;
}
