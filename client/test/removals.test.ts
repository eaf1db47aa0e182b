import { describe, expect, it } from 'vitest';
import { closeDb, openDb, removeDbNamed } from '../src/db/database.ts';
import { finishRemovals, noteRemoval } from '../src/db/removals.ts';
import { setMark } from '../src/db/repo.ts';
import { durableKv } from '../src/sync/durable-kv.ts';
import { slotOn } from './teacher-fixture.ts';

/**
 * SO5 on RxDB over fake-indexeddb: a journal noted for removal at a sign-out, whose removal a
 * killed browser never ran, is gone before the next journal opens, unsent changes included.
 */

const slot = slotOn('2026-09-14');
const user = { id: 'teacher-a-user', orgId: 'org-1' };

describe('a sign-out cut short by a killed browser', () => {
  it('[SO5] the noted journal is removed before it opens again, with its unsent mark', async () => {
    const name = `removal-${Date.now()}`;
    const kv = durableKv(`${name}-kv`);
    const db = await openDb({ name, user, multiInstance: false });
    await setMark(db, slot, 'learner-kid', { code: 'Б' });
    expect(db.pending.size).toBeGreaterThan(0);
    await noteRemoval(kv, name);
    await noteRemoval(kv, name);
    // The browser dies here: the removal never runs.
    await closeDb(db);
    expect(await kv.get('removals')).toEqual([name]);

    await finishRemovals(kv, removeDbNamed);

    expect(await kv.get('removals')).toEqual([]);
    const again = await openDb({ name, user, multiInstance: false });
    expect(await again.rx.collections.marks.count().exec()).toBe(0);
    expect(again.pending.size).toBe(0);
    await closeDb(again);
  });

  it('[SO5] rows left by a removal whose list of collections reached the disk first are removed too', async () => {
    const name = `removal-partial-${Date.now()}`;
    const db = await openDb({ name, user, multiInstance: false });
    await setMark(db, slot, 'learner-kid', { code: 'Б' });
    await closeDb(db);
    // The state a killed browser can leave: RxDB's list of collections gone, the marks kept.
    const internal = (await indexedDB.databases())
      .map((d) => d.name ?? '')
      .filter((n) => n.startsWith(`rxdb-dexie-${name}--`) && n.endsWith('--_rxdb_internal'));
    expect(internal).toHaveLength(1);
    await new Promise((resolve) => {
      indexedDB.deleteDatabase(internal[0]!).onsuccess = resolve;
    });

    await removeDbNamed(name);

    const again = await openDb({ name, user, multiInstance: false });
    expect(await again.rx.collections.marks.count().exec()).toBe(0);
    expect(again.pending.size).toBe(0);
    await closeDb(again);
  });

  it('[SO5] a removal that fails stays noted for the next start', async () => {
    const kv = durableKv(`removal-fails-${Date.now()}`);
    await noteRemoval(kv, 'otmetka-x');
    await expect(finishRemovals(kv, () => Promise.reject(new Error('blocked')))).rejects.toThrow(
      'blocked',
    );
    expect(await kv.get('removals')).toEqual(['otmetka-x']);
  });
});
