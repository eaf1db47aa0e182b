import type { Checkpoint } from '@otmetka/shared';
import { markId } from '@otmetka/shared';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeDb, type OtmetkaDb, openDb } from '../src/db/database.ts';
import { dexieStorageOf } from '../src/sync/dexie-storage.ts';
import { bulkPull, firstSyncProgress } from '../src/sync/first-sync.ts';

/**
 * DS3 on its own, without a server: the pages of a bulk first sync that arrive while a write
 * runs are written together in the next one (each IndexedDB transaction costs a device more
 * than its documents' share), and the progress record names the last page that landed.
 */

const PAGE = 3;
const LESSON = 'lesson:sg-art:2026-09-02:1500';

function mark(n: number) {
  const learnerId = `learner-${String(n).padStart(2, '0')}`;
  return {
    id: markId(LESSON, learnerId),
    type: 'mark',
    orgId: 'org-test',
    subgroupId: 'sg-art',
    lessonId: LESSON,
    learnerId,
    date: '2026-09-02',
    code: 'Н',
    grade: null,
    note: '',
    stamps: { code: { at: 1_000 + n, by: 'u-teacher', dev: 'dev-1' } },
    _deleted: false,
  };
}

const checkpointAfter = (page: number): Checkpoint => ({
  v: 1,
  seqs: { 'sg-art': String(page) },
  snapshot: null,
});

let db: OtmetkaDb | undefined;

afterEach(async () => {
  if (db) await closeDb(db);
  db = undefined;
});

describe('bulk first sync: writes', () => {
  it('[DS3] pages that arrive while a write runs go into one transaction; the record names the last', async () => {
    db = await openDb({
      name: 'first-sync-batching',
      user: { id: 'u-teacher', orgId: 'org-test' },
      indexedDB: new IDBFactory(),
      IDBKeyRange,
      multiInstance: false,
    });
    const { rx } = db;
    const progress = await firstSyncProgress(rx, 'marks');
    if (!progress) throw new Error('an empty collection has a first sync');
    const internals = await dexieStorageOf(rx.collections.marks).internals;
    const backend = internals.dexieDb.backendDB();
    const open = backend.transaction.bind(backend);
    let writes = 0;
    let writing = () => {};
    const firstWrite = new Promise<void>((resolve) => {
      writing = resolve;
    });
    vi.spyOn(backend, 'transaction').mockImplementation((...args) => {
      if (args[1] === 'readwrite') {
        writes++;
        writing();
      }
      return open(...args);
    });

    // Four pages, the last one short. The first answers at once; the others only once its
    // write has begun, and all three before it commits (IndexedDB commits a task later).
    const pages = [0, 1, 2, 3].map((p) => ({
      documents: Array.from({ length: p < 3 ? PAGE : 1 }, (_, i) => mark(p * PAGE + i)),
      checkpoint: checkpointAfter(p + 1),
    }));
    const fetched: (Checkpoint | null)[] = [];
    const complete = await bulkPull({
      rx,
      name: 'marks',
      replicationHash: 'test-hash',
      progress,
      pageSize: PAGE,
      async fetchPage(checkpoint) {
        fetched.push(checkpoint);
        if (fetched.length > 1) await firstWrite;
        return pages[fetched.length - 1]!;
      },
      stopped: () => false,
    });

    expect(complete).toBe(true);
    expect(fetched).toEqual([null, ...pages.slice(0, 3).map((p) => p.checkpoint)]);
    expect(writes).toBe(2);
    // Found by RxDB's own queries, as the register finds them.
    const stored = await rx.collections.marks.find().exec();
    expect(stored.map((doc) => doc.primary).sort()).toEqual(
      pages.flatMap((p) => p.documents.map((doc) => doc.id)).sort(),
    );
    expect(await firstSyncProgress(rx, 'marks')).toEqual({
      checkpoint: checkpointAfter(4),
      done: false,
    });
  });
});
