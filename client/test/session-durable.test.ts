import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createFixture,
  PASSWORD,
  startServer,
  type TestServer,
} from '../../sync-server/test/helpers.ts';
import { durableKv } from '../src/sync/durable-kv.ts';
import { type KeyValueStore, memoryStore, Session } from '../src/sync/session.ts';

/**
 * SO4 and SO5 against the real server, with the durable copy on IndexedDB (fake-indexeddb) and
 * localStorage played by a map the test copies, the way a killed browser leaves localStorage as
 * it stood some seconds before: a restart is a new Session on that map and on the same
 * IndexedDB database.
 */

const KEY = 'otmetka.session';
const LOGOUTS = 'otmetka.pendingLogouts';
let server: TestServer;
const sessions: Session[] = [];
let kvName = '';

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
  const session = new Session({ baseUrl: server.url }, store, durableKv(kvName));
  sessions.push(session);
  await session.restore();
  return session;
}

/** localStorage as it stood on disk at this moment. */
function snapshot(store: KeyValueStore): KeyValueStore {
  const copy = memoryStore();
  for (const key of [KEY, LOGOUTS]) {
    const raw = store.get(key);
    if (raw !== null) copy.set(key, raw);
  }
  return copy;
}

let device = 0;
function newDevice(): KeyValueStore {
  kvName = `durable-${++device}`;
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
    const token = legacy.current.value!.refreshToken;

    const updated = await open(old);
    expect(updated.user?.id).toBe('teacher-a-user');
    const restarted = await open(memoryStore());
    expect(restarted.current.value?.refreshToken).toBe(token);
  });

  it('[SO4] the copy wins over localStorage whatever the clock said when each was written', async () => {
    const store = newDevice();
    const first = await open(store);
    await first.signIn('teacher-a-user', PASSWORD);
    const data = first.current.value!;
    await first.signOut();
    // localStorage on disk from before the sign-out, stamped by a clock an hour ahead (the
    // first SO4 compared such stamps, and the sign-out was undone).
    const stale = memoryStore();
    stale.set(KEY, JSON.stringify({ ...data, savedAt: Date.now() + 3.6e6 }));

    const restarted = await open(stale);
    expect(restarted.current.value).toBeNull();
  });

  it('[SO3][SO4] an offline sign-out killed before localStorage was written still ends the session on the server', async () => {
    const store = newDevice();
    const online = await open(store);
    await online.signIn('teacher-a-user', PASSWORD);
    const token = online.current.value!.refreshToken;
    const before = snapshot(store);
    online.dispose();

    // The same page with no network: the logout cannot leave.
    const offline = new Session({ baseUrl: 'http://127.0.0.1:9' }, store, durableKv(kvName));
    sessions.push(offline);
    await offline.restore();
    await offline.signOut();
    expect(JSON.parse(store.get(LOGOUTS)!)).toEqual([token]);

    const restarted = await open(before);
    expect(restarted.current.value).toBeNull();
    expect(JSON.parse(before.get(LOGOUTS)!)).toEqual([token]);
    await restarted.flushLogouts();
    expect(before.get(LOGOUTS)).toBeNull();
    const refresh = await fetch(`${server.url}/api/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: token }),
    });
    expect(refresh.status).toBe(401);
  });

  it('[SO4] a copy that does not parse is dropped, not adopted', async () => {
    newDevice();
    await durableKv(kvName).update('session', () => ({
      session: '{"accessToken":1}',
      pendingLogouts: null,
    }));

    const session = await open(memoryStore());
    expect(session.current.value).toBeNull();
    expect(await durableKv(kvName).get('session')).toEqual({ session: null, pendingLogouts: null });
  });

  it('[SO4][SO1] sign-in and sign-out change the screens only once on disk; a sign-out refuses requests at once', async () => {
    newDevice();
    // The real copy, with the moment each of its writes resolved written down.
    const events: string[] = [];
    const kv = durableKv(kvName);
    const watched = {
      get: kv.get.bind(kv),
      update: async <T>(key: string, next: (stored: T | undefined) => T) => {
        const value = await kv.update(key, next);
        events.push(`copy ${(value as { session: string | null }).session ? 'session' : 'null'}`);
        return value;
      },
    };
    const session = new Session({ baseUrl: server.url }, memoryStore(), watched);
    sessions.push(session);
    await session.restore();
    events.length = 0;
    session.current.subscribe((v) => events.push(`screens ${v ? 'session' : 'null'}`));

    await session.signIn('teacher-a-user', PASSWORD);
    const ending = session.signOut();
    await expect(session.getJson('/api/sync/catalog/pull?limit=1')).rejects.toMatchObject({
      code: 'SIGN_IN_REQUIRED',
    });
    await ending;
    expect(events).toEqual([
      'screens null',
      'copy session',
      'screens session',
      'copy null',
      'screens null',
      // The server heard the logout: the copy forgets the pending logout (SO3).
      'copy null',
    ]);
  });
});
