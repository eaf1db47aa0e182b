/**
 * The reference page of the bundle benchmark: Preact, RxDB with the Dexie storage and RxDB's
 * replication, used just enough that nothing is tree-shaken away, and nothing else.
 */
import { h, render } from 'preact';
import { createRxDatabase, type RxCollection } from 'rxdb';
import { replicateRxCollection } from 'rxdb/plugins/replication';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';

const db = await createRxDatabase<{ items: RxCollection<{ id: string; at: number }> }>({
  name: 'reference',
  storage: getRxStorageDexie(),
});
await db.addCollections({
  items: {
    schema: {
      version: 0,
      primaryKey: 'id',
      type: 'object',
      properties: { id: { type: 'string', maxLength: 100 }, at: { type: 'number' } },
      required: ['id', 'at'],
    },
  },
});
replicateRxCollection({
  collection: db.items,
  replicationIdentifier: 'reference',
  pull: {
    handler: async (checkpoint: unknown) => {
      const res = await fetch(`/pull?c=${JSON.stringify(checkpoint ?? null)}`);
      return (await res.json()) as { documents: never[]; checkpoint: unknown };
    },
  },
  push: {
    handler: async (rows) => {
      const res = await fetch('/push', { method: 'POST', body: JSON.stringify(rows) });
      return (await res.json()) as never[];
    },
  },
});
render(h('p', null, `${await db.items.count().exec()}`), document.getElementById('app')!);
