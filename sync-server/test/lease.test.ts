import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedCouch, startEmbeddedCouch } from '../src/db/embedded.ts';
import { exclusive, LeaseBusyError } from '../src/db/lease.ts';
import { Store } from '../src/db/store.ts';
import { mapError } from '../src/http/error-handler.ts';

/**
 * The lease that takes one change at a time of a subgroup's places or a family's children,
 * between two Stores on one database: two server processes, nothing shared but CouchDB.
 */

const DB = 'otm_private_lease-test';
let couch: EmbeddedCouch;
let one: Store;
let two: Store;

beforeAll(async () => {
  couch = await startEmbeddedCouch({ memory: true });
  one = new Store(couch.url);
  two = new Store(couch.url);
  await one.ensureDb(DB);
});
afterAll(async () => {
  one.close();
  two.close();
  await couch.stop();
});

/** A read, a pause and a write of a counter: two at once lose one of the increments. */
async function increment(store: Store, id: string): Promise<void> {
  const current = (await store.get<{ id: string; n: number }>(DB, id))?.n ?? 0;
  await sleep(5);
  await store.put(DB, { id, n: current + 1 });
}

describe('the lease of one change at a time', () => {
  it('[AP13] forty increments raced from two stores under one lease lose none', async () => {
    const runs = Array.from({ length: 40 }, (_, i) =>
      exclusive(i % 2 ? one : two, DB, 'counter', () => increment(i % 2 ? one : two, 'under')),
    );
    await Promise.all(runs);
    expect((await one.get<{ id: string; n: number }>(DB, 'under'))?.n).toBe(40);
  });

  it('[AP13] without the lease the same race loses increments (the test can tell)', async () => {
    const runs = Array.from({ length: 10 }, (_, i) => increment(i % 2 ? one : two, 'bare'));
    await Promise.all(runs.map((run) => run.catch(() => undefined)));
    expect((await one.get<{ id: string; n: number }>(DB, 'bare'))?.n).toBeLessThan(10);
  });

  it('[AP13] a lease its holder never released is taken once it lapsed', async () => {
    await one.put(DB, { id: 'lease:gone', type: 'lease', holder: 'dead', until: Date.now() + 300 });
    let ran = false;
    await exclusive(two, DB, 'gone', async () => {
      ran = true;
    });
    expect(ran).toBe(true);
    expect(await one.get(DB, 'lease:gone')).toMatchObject({ holder: null });
  });

  it('[AP13] a lease held throughout the wait gives LeaseBusyError, a 409 CONFLICT, and runs nothing', async () => {
    const hour = Date.now() + 3_600_000;
    await one.put(DB, { id: 'lease:held', type: 'lease', holder: 'other', until: hour });
    let ran = false;
    const waiting = exclusive(
      two,
      DB,
      'held',
      async () => {
        ran = true;
      },
      { waitMs: 200 },
    );

    const error = await waiting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LeaseBusyError);
    expect(ran).toBe(false);
    expect(mapError(error)).toMatchObject({ status: 409, body: { error: { code: 'CONFLICT' } } });
    expect(await one.get(DB, 'lease:held')).toMatchObject({ holder: 'other' });
  });

  it('[AP13] work that fails releases the lease and its error reaches the caller', async () => {
    const failing = exclusive(one, DB, 'fails', async () => {
      throw new Error('refused inside');
    });
    await expect(failing).rejects.toThrow('refused inside');
    expect(await one.get(DB, 'lease:fails')).toMatchObject({ holder: null });
    await expect(exclusive(two, DB, 'fails', async () => 'next', { waitMs: 0 })).resolves.toBe(
      'next',
    );
  });
});
