import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createFixture,
  PASSWORD,
  startServer,
  type TestServer,
} from '../../sync-server/test/helpers.ts';
import { type KeyValueStore, memoryStore, Session } from '../src/sync/session.ts';
import { indexedDbMirror } from '../src/sync/session-mirror.ts';

/**
 * SO4 against the real server, with the durable copy on IndexedDB (fake-indexeddb) and
 * localStorage played by a map the test copies, the way a killed browser leaves localStorage as
 * it stood some seconds before: a restart is a new Session on that map and on the same
 * IndexedDB database.
 */

const KEY = 'otmetka.session';
let server: TestServer;
const sessions: Session[] = [];
let mirrorName = '';

beforeAll(async () => {
  server = await startServer();
  await createFixture(server.store);
});
afterAll(() => server.stop());
afterEach(() => {
  for (const s of sessions.splice(0)) s.dispose();
});

/** A page of the app on this device: its localStorage and the session's durable copy. */
async function open(store: KeyValueStore): Promise<Session> {
  const session = new Session({ baseUrl: server.url }, store, indexedDbMirror(mirrorName));
  sessions.push(session);
  await session.restore();
  return session;
}

/** localStorage as it stood on disk at this moment. */
function snapshot(store: KeyValueStore): KeyValueStore {
  const copy = memoryStore();
  const raw = store.get(KEY);
  if (raw !== null) copy.set(KEY, raw);
  return copy;
}

let device = 0;
function newDevice(): KeyValueStore {
  mirrorName = `session-mirror-${++device}`;
  return memoryStore();
}

describe('the session survives a browser killed before localStorage reached the disk', () => {
  it('[SO4] a sign-in: the restart whose localStorage is empty opens signed in and can sync', async () => {
    const before = snapshot(newDevice());
    const first = await open(memoryStore());
    await first.signIn('teacher-a-user', PASSWORD);

    const restarted = await open(before);
    expect(restarted.user?.id).toBe('teacher-a-user');
    expect(before.get(KEY)).not.toBeNull();
    const body = (await restarted.getJson('/api/sync/catalog/pull?limit=5')) as {
      documents: unknown[];
    };
    expect(body.documents.length).toBeGreaterThan(0);
  });

  it('[SO4] a refresh: the restart whose localStorage holds the spent token takes the rotated one', async () => {
    const store = newDevice();
    const first = await open(store);
    await first.signIn('teacher-a-user', PASSWORD);
    const before = snapshot(store);
    const spent = first.current.value!.refreshToken;
    await first.refresh();
    const rotated = first.current.value!.refreshToken;
    expect(rotated).not.toBe(spent);

    const restarted = await open(before);
    expect(restarted.current.value?.refreshToken).toBe(rotated);
    expect(JSON.parse(before.get(KEY)!).refreshToken).toBe(rotated);
    // The server takes it: the device was not sent back to the sign-in form.
    await restarted.refresh();
    expect(restarted.needsSignIn.value).toBe(false);
  });

  it('[SO4] a sign-out: the restart whose localStorage still holds the session opens signed out', async () => {
    const store = newDevice();
    const first = await open(store);
    await first.signIn('teacher-a-user', PASSWORD);
    const before = snapshot(store);
    await first.signOut();

    const restarted = await open(before);
    expect(restarted.current.value).toBeNull();
    expect(before.get(KEY)).toBeNull();
  });

  it('[SO4] a device signed in before the copy existed keeps its session and gets the copy', async () => {
    const old = newDevice();
    const legacy = new Session({ baseUrl: server.url }, old);
    sessions.push(legacy);
    await legacy.signIn('teacher-a-user', PASSWORD);
    // The app before SO4 stored the answer as it came.
    const { savedAt: _, ...asBefore } = JSON.parse(old.get(KEY)!);
    old.set(KEY, JSON.stringify(asBefore));

    const updated = await open(old);
    expect(updated.user?.id).toBe('teacher-a-user');
    const restarted = await open(memoryStore());
    expect(restarted.current.value?.refreshToken).toBe(asBefore.refreshToken);
  });

  it('[SO4] a change newer than the copy (another tab, its copy still being written) is kept', async () => {
    const store = newDevice();
    const first = await open(store);
    await first.signIn('teacher-a-user', PASSWORD);
    const newer = { ...JSON.parse(store.get(KEY)!), accessToken: 'newer', savedAt: Date.now() + 1 };
    store.set(KEY, JSON.stringify(newer));

    const tab = await open(store);
    expect(tab.current.value?.accessToken).toBe('newer');
    const restarted = await open(memoryStore());
    expect(restarted.current.value?.accessToken).toBe('newer');
  });

  it('[SO4] a copy that does not parse is dropped, not adopted', async () => {
    newDevice();
    await indexedDbMirror(mirrorName).write({ raw: '{"accessToken":1}', at: Date.now() });

    const session = await open(memoryStore());
    expect(session.current.value).toBeNull();
    expect(await indexedDbMirror(mirrorName).read()).toMatchObject({ raw: null });
  });
});
