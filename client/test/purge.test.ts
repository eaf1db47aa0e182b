import type { Checkpoint, Mark, Subgroup } from '@otmetka/shared';
import { isContentFree, lessonId, markId } from '@otmetka/shared';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OtmetkaDb } from '../src/db/database.ts';
import { closeDb, openDb } from '../src/db/database.ts';
import { SubgroupPurge, sourcesOf } from '../src/sync/purge.ts';

/**
 * RM2 decisions of the purge (sync/purge.ts) on a real RxDB database (Dexie on
 * fake-indexeddb): which subgroups' documents become content-free tombstones, and which never
 * do. The end-to-end path against the server is in tests/subgroup-removal.test.ts.
 */

let db: OtmetkaDb;
let counter = 0;

beforeEach(async () => {
  db = await openDb({
    name: `purge-${++counter}`,
    user: { id: 'teacher-a-user', orgId: 'org-test' },
    indexedDB: new IDBFactory(),
    IDBKeyRange,
    multiInstance: false,
  });
});
afterEach(() => closeDb(db));

function mark(subgroupId: string, learnerId: string, note: string): Mark {
  const lesson = lessonId(subgroupId, '2026-09-02', '15:00');
  const s = { at: 1, dev: 'dev-1', by: 'teacher-a-user', off: false };
  return {
    id: markId(lesson, learnerId),
    type: 'mark',
    orgId: 'org-test',
    subgroupId,
    lessonId: lesson,
    learnerId,
    date: '2026-09-02',
    code: 'Н',
    grade: null,
    note,
    stamps: { code: s, note: s },
  };
}

async function catalogSubgroup(id: string, deleted: boolean) {
  const doc = await db.rx.collections.catalog.insert({
    id,
    type: 'subgroup',
    orgId: 'org-test',
    programmeId: 'prog-robots',
    name: `Группа ${id}`,
    teacherIds: ['teacher-a'],
    capacity: 10,
    periodFrom: '2026-09-01',
    periodTo: '2027-05-31',
    hoursPerYear: 72,
  } satisfies Subgroup);
  if (deleted) await doc.remove();
}

const checkpoint = (...subgroups: string[]): Checkpoint => ({
  v: 1,
  seqs: Object.fromEntries(subgroups.map((s) => [s, '7'])),
  snapshot: null,
});

async function purged(): Promise<string[]> {
  const doc = await db.rx.getLocal<{ ids: string[] }>('purged-marks');
  return doc ? (doc.toJSON().data.ids as string[]) : [];
}

describe('[RM2] purge of a subgroup no longer seen', () => {
  it('[RM2] a source the answer stops naming: every local document of it, tombstones too, and nothing else', async () => {
    const kept = mark('sg-a', 'learner-kid', 'остаётся');
    const gone = mark('sg-c', 'learner-c1', 'Звонила бабушка');
    const goneDeleted = mark('sg-c', 'learner-c2', 'удалённая заметка');
    await db.rx.collections.marks.bulkInsert([kept, gone, goneDeleted]);
    await (await db.rx.collections.marks.findOne(goneDeleted.id).exec())!.remove();

    const purge = new SubgroupPurge(db.rx);
    const out = await purge.tombstones('marks', checkpoint('sg-a', 'sg-c'), checkpoint('sg-a'));

    expect(out.map((d) => d.id).sort()).toEqual([gone.id, goneDeleted.id].sort());
    for (const doc of out) {
      expect(isContentFree(doc)).toBe(true);
      expect(doc).toEqual({
        id: doc.id,
        type: 'mark',
        orgId: 'org-test',
        subgroupId: 'sg-c',
        lessonId: gone.lessonId,
        learnerId: doc.id === gone.id ? 'learner-c1' : 'learner-c2',
        date: '2026-09-02',
        stamps: {},
        _deleted: true,
      });
    }
  });

  it('[RM2] a subgroup the catalog calls gone is purged only while the answer does not name it', async () => {
    await db.rx.collections.marks.insert(mark('sg-c', 'learner-c1', 'Звонила бабушка'));
    await catalogSubgroup('sg-c', true);
    await catalogSubgroup('sg-a', false);
    const purge = new SubgroupPurge(db.rx);

    // Given back: the journal names it again though the catalog is a step behind.
    expect(await purge.tombstones('marks', checkpoint('sg-a'), checkpoint('sg-a', 'sg-c'))).toEqual(
      [],
    );
    // Not named (a device that lost it before checkpoints said so): purged.
    const out = await purge.tombstones('marks', checkpoint('sg-a'), checkpoint('sg-a'));
    expect(out.map((d) => d.subgroupId)).toEqual(['sg-c']);
  });

  it('[RM2] a gone subgroup with nothing left is remembered, and forgotten when it is named again', async () => {
    const stub = { ...mark('sg-c', 'learner-c1', ''), _deleted: false };
    await catalogSubgroup('sg-c', true);
    const purge = new SubgroupPurge(db.rx);
    // A subgroup this device never had: nothing to purge, remembered at once.
    expect(await purge.tombstones('marks', checkpoint('sg-a'), checkpoint('sg-a'))).toEqual([]);
    expect(await purged()).toEqual(['sg-c']);

    // Named again (given back), then gone again with a document: looked at afresh.
    await purge.tombstones('marks', checkpoint('sg-a'), checkpoint('sg-a', 'sg-c'));
    expect(await purged()).toEqual([]);
    await db.rx.collections.marks.insert(stub);
    const out = await purge.tombstones('marks', checkpoint('sg-a', 'sg-c'), checkpoint('sg-a'));
    expect(out.map((d) => d.id)).toEqual([stub.id]);
    expect(await purged()).toEqual([]);
  });

  it('sources of a checkpoint: its sequences and the snapshot in progress', () => {
    expect([
      ...sourcesOf({ v: 1, seqs: { 'sg-a': '1' }, snapshot: { source: 'sg-b', seq: '2' } }),
    ]).toEqual(['sg-a', 'sg-b']);
    expect([...sourcesOf(undefined)]).toEqual([]);
  });
});
