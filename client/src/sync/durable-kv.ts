/**
 * SO4: a few small values that must outlive a browser killed a moment after they changed. Chromium
 * writes localStorage to disk seconds after a change; a tablet that died in between came back
 * signed out after a sign-in, holding a spent refresh token after a refresh, or signed in after a
 * sign-out. Here every write is committed with strict durability before it resolves.
 */
export interface DurableKv {
  /** The stored value. Read in a read-write transaction: after every write begun before it. */
  get<T>(key: string): Promise<T | undefined>;
  /**
   * Stores what `next` returns for the stored value, in one transaction: `next` runs when the
   * transaction reads, so what it reads elsewhere (localStorage) is as of that moment.
   */
  update<T>(key: string, next: (stored: T | undefined) => T): Promise<T>;
}

const STORE = 'kv';

function openDatabase(name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(name, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE);
    open.onsuccess = () => {
      // A later version (a future app in another tab) must not wait on this connection.
      open.result.onversionchange = () => open.result.close();
      resolve(open.result);
    };
    open.onerror = () => reject(open.error);
  });
}

function run<R>(db: IDBDatabase, step: (store: IDBObjectStore, done: (r: R) => void) => void) {
  return new Promise<R>((resolve, reject) => {
    const tx = db.transaction(STORE, 'readwrite', { durability: 'strict' });
    let result = undefined as R;
    step(tx.objectStore(STORE), (r) => {
      result = r;
    });
    tx.oncomplete = () => resolve(result);
    tx.onabort = () => reject(tx.error ?? new Error('durable write aborted'));
  });
}

const opened = new Map<string, DurableKv>();

/** One per database name and page. */
export function durableKv(name = 'otmetka-durable'): DurableKv {
  const known = opened.get(name);
  if (known) return known;

  let connection: Promise<IDBDatabase> | null = null;
  const database = () => {
    connection ??= openDatabase(name).catch((error: unknown) => {
      // Tried again next time: a browser may refuse IndexedDB for a moment (storage pressure).
      connection = null;
      throw error;
    });
    return connection;
  };
  const kv: DurableKv = {
    async get<T>(key: string) {
      const db = await database();
      return run<T | undefined>(db, (store, done) => {
        const read = store.get(key);
        read.onsuccess = () => done(read.result as T | undefined);
      });
    },
    async update<T>(key: string, next: (stored: T | undefined) => T) {
      const db = await database();
      return run<T>(db, (store, done) => {
        const read = store.get(key);
        read.onsuccess = () => {
          const value = next(read.result as T | undefined);
          store.put(value, key);
          done(value);
        };
      });
    },
  };
  opened.set(name, kv);
  return kv;
}
