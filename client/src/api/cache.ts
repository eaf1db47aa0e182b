/**
 * A tiny key-value cache in IndexedDB for answers that must stay readable offline (the parent's
 * diary, one entry per learner and month). It holds only what the screen showed last time, with
 * the time it was fetched; it is not a replica and nothing writes back from it. Values are
 * re-validated with their zod schema by the caller on read, since a stored value may predate a
 * schema change. Where IndexedDB is missing (a private window in some browsers) it degrades to
 * memory, so the screen still works online.
 */

const DB_NAME = 'otmetka-api-cache';
const STORE = 'entries';

export interface CachedValue {
  savedAt: number;
  value: unknown;
}

const memory = new Map<string, CachedValue>();

/**
 * Counts the clears (a clear happens when a session ends). A write carries the count from
 * when its request was sent and is refused once a clear came after: an answer still in
 * flight at sign-out must not land on the device after its session has ended.
 */
let generation = 0;

/** The current generation, for a caller about to send a request whose answer it will keep. */
export function cacheGeneration(): number {
  return generation;
}

function openDb(): Promise<IDBDatabase | null> {
  if (typeof indexedDB === 'undefined') return Promise.resolve(null);
  return new Promise((resolve) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    // A blocked or failing IndexedDB must not break the screen: fall back to memory.
    request.onerror = () => resolve(null);
  });
}

function run<T>(
  db: IDBDatabase,
  mode: IDBTransactionMode,
  act: (s: IDBObjectStore) => IDBRequest<T>,
) {
  return new Promise<T>((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const request = act(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

/**
 * Stores an answer unless the cache was cleared since `since` (see `generation`). Returns
 * whether it was stored.
 */
export async function cachePut(
  key: string,
  value: unknown,
  savedAt = Date.now(),
  since = generation,
): Promise<boolean> {
  if (since !== generation) return false;
  const entry: CachedValue = { savedAt, value };
  memory.set(key, entry);

  const db = await openDb();
  if (!db) return true;
  try {
    // Checked again in the same task as the transaction is created: IndexedDB runs readwrite
    // transactions of one store in creation order, so a clear either comes after this put
    // (and deletes it) or counted before it (and refuses it).
    if (since !== generation) return false;
    await run(db, 'readwrite', (s) => s.put(entry, key));
    return true;
  } finally {
    db.close();
  }
}

export async function cacheGet(key: string): Promise<CachedValue | undefined> {
  const db = await openDb();
  if (!db) return memory.get(key);
  try {
    const entry = await run<unknown>(db, 'readonly', (s) => s.get(key));
    return isCachedValue(entry) ? entry : memory.get(key);
  } finally {
    db.close();
  }
}

/**
 * Removes every entry whose key starts with prefix (used at sign-out) and refuses every write
 * whose request was sent before now. One readwrite transaction: a put can neither slip in
 * between reading the keys and deleting them nor be left behind.
 */
export async function cacheClear(prefix = ''): Promise<void> {
  generation++;
  for (const key of [...memory.keys()]) if (key.startsWith(prefix)) memory.delete(key);

  const db = await openDb();
  if (!db) return;
  try {
    await run(db, 'readwrite', (s) => {
      const cursor = s.openCursor();
      cursor.onsuccess = () => {
        const at = cursor.result;
        if (!at) return;
        if (typeof at.key === 'string' && at.key.startsWith(prefix)) at.delete();
        at.continue();
      };
      return cursor;
    });
  } finally {
    db.close();
  }
}

function isCachedValue(value: unknown): value is CachedValue {
  return typeof value === 'object' && value !== null && 'savedAt' in value && 'value' in value;
}
