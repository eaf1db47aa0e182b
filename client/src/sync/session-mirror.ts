/**
 * SO4: the session's durable copy. localStorage is what the app reads at start without waiting
 * and what the tabs follow (SO2), but Chromium writes it to disk seconds after a change: a
 * tablet that died a few seconds after a sign-in (or after a refresh rotated the token) came
 * back signed out (or holding a spent refresh token), though its journal was intact. A copy in
 * a small IndexedDB database, committed with strict durability before a sign-in, a refresh or a
 * sign-out completes, is what a restart trusts.
 */
export interface SessionMirror {
  /** What was written last; undefined when nothing ever was. */
  read(): Promise<MirrorEntry | undefined>;
  /** Resolves once the entry is on disk. */
  write(entry: MirrorEntry): Promise<void>;
}

export interface MirrorEntry {
  /** The session as localStorage holds it; null after a sign-out. */
  raw: string | null;
  /** When this tab made the change (ms): which of two differing copies is newer. */
  at: number;
}

const STORE = 'session';
const KEY = 'current';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function openDatabase(name: string): Promise<IDBDatabase> {
  const open = indexedDB.open(name, 1);
  open.onupgradeneeded = () => open.result.createObjectStore(STORE);
  return request(open).then((db) => {
    // A later version (a future app in another tab) must not wait on this connection.
    db.onversionchange = () => db.close();
    return db;
  });
}

export function indexedDbMirror(name = 'otmetka-session'): SessionMirror {
  let opened: Promise<IDBDatabase> | null = null;
  const database = () => {
    opened ??= openDatabase(name).catch((error: unknown) => {
      // Tried again next time: a browser may refuse IndexedDB for a moment (storage pressure).
      opened = null;
      throw error;
    });
    return opened;
  };

  return {
    async read() {
      const db = await database();
      const tx = db.transaction(STORE, 'readonly');
      return (await request(tx.objectStore(STORE).get(KEY))) as MirrorEntry | undefined;
    },

    async write(entry) {
      const db = await database();
      const tx = db.transaction(STORE, 'readwrite', { durability: 'strict' });
      const done = new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onabort = () => reject(tx.error ?? new Error('session write aborted'));
      });
      tx.objectStore(STORE).put(entry, KEY);
      await done;
    },
  };
}
