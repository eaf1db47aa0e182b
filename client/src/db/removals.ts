import type { DurableKv } from '../sync/durable-kv.ts';

/**
 * SO5: a teacher's sign-out removes the journal from the device (every change was sent, or the
 * teacher agreed to discard the rest). The removal takes a moment, and a browser killed in it
 * kept the journal: the same teacher's next sign-in opened it and sent the discarded changes.
 * The database is noted durably before the session ends, and whatever is noted is removed
 * before any journal opens.
 */

const KEY = 'removals';

export async function noteRemoval(kv: DurableKv, name: string): Promise<void> {
  await kv.update<string[]>(KEY, (names = []) => [...new Set([...names, name])]);
}

/** The database is gone. */
export async function forgetRemoval(kv: DurableKv, name: string): Promise<void> {
  await kv.update<string[]>(KEY, (names = []) => names.filter((n) => n !== name));
}

/** Removes every noted database, each forgotten once it is gone. */
export async function finishRemovals(
  kv: DurableKv,
  remove: (name: string) => Promise<void>,
): Promise<void> {
  for (const name of (await kv.get<string[]>(KEY)) ?? []) {
    await remove(name);
    await forgetRemoval(kv, name);
  }
}
