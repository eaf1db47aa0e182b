import { lessonId } from '@otmetka/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { subgroupDbName } from '../../sync-server/src/db/store.ts';
import {
  call,
  createFixture,
  PASSWORD,
  startServer,
  type TestServer,
} from '../../sync-server/test/helpers.ts';
import type { OtmetkaDb } from '../src/db/database.ts';
import { closeDb, openDb } from '../src/db/database.ts';
import { setMark } from '../src/db/repo.ts';
import { startSync } from '../src/sync/replication.ts';
import { memoryStore, Session } from '../src/sync/session.ts';

/** The token manager against the real server: refresh, re-sign-in, pending pushes kept. */

let server: TestServer;
const dbs: OtmetkaDb[] = [];

beforeAll(async () => {
  server = await startServer();
  await createFixture(server.store);
});
afterAll(() => server.stop());
afterEach(async () => {
  for (const db of dbs.splice(0)) await closeDb(db);
});

const slot = {
  lessonId: lessonId('sg-a', '2026-09-14', '15:00'),
  subgroupId: 'sg-a',
  date: '2026-09-14',
  start: '15:00',
  end: '16:30',
  academicHours: 2,
  holiday: null,
  ruleId: 'rule-1',
  movedFrom: null,
};

async function signedIn() {
  const session = new Session({ baseUrl: server.url }, memoryStore());
  await session.signIn('teacher-a-user', PASSWORD);
  return session;
}

function breakAccessToken(session: Session, refreshToken?: string) {
  const current = session.current.value!;
  session.current.value = {
    ...current,
    accessToken: `${current.accessToken}x`,
    refreshToken: refreshToken ?? current.refreshToken,
  };
}

describe('session', () => {
  it('[auth] a rejected access token is refreshed once and the request retried', async () => {
    const session = await signedIn();
    const oldRefresh = session.current.value!.refreshToken;
    breakAccessToken(session);
    const body = (await session.getJson('/api/sync/catalog/pull?limit=5')) as { documents: [] };
    expect(Array.isArray(body.documents)).toBe(true);
    expect(session.current.value!.refreshToken).not.toBe(oldRefresh);
    expect(session.needsSignIn.value).toBe(false);
  });

  it('[auth] a refused refresh keeps local data and pending changes until the same user signs in', async () => {
    const session = await signedIn();
    const db = await openDb({
      name: `session-${Date.now()}`,
      user: { id: session.user!.id, orgId: session.user!.orgId },
      multiInstance: false,
    });
    dbs.push(db);
    await setMark(db, slot, 'learner-kid', { code: 'Б' });
    breakAccessToken(session, 'not-a-refresh-token');

    const first = startSync({ db, session, live: false });
    await expect(session.getJson('/api/sync/catalog/pull')).rejects.toMatchObject({
      code: 'SIGN_IN_REQUIRED',
    });
    expect(session.needsSignIn.value).toBe(true);
    await first.stop();
    expect(db.pendingCount.value).toBe(2);
    expect(await db.rx.collections.marks.count().exec()).toBe(1);

    await expect(session.signIn('teacher-b-user', PASSWORD)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await session.signIn('teacher-a-user', PASSWORD);
    expect(session.needsSignIn.value).toBe(false);

    const second = startSync({ db, session, live: false });
    await second.awaitInSync();
    await second.stop();
    expect(db.pendingCount.value).toBe(0);
    const stored = await server.store.getMany(subgroupDbName('sg-a'), [slot.lessonId]);
    expect(stored.get(slot.lessonId)?.doc).toMatchObject({ status: 'held' });
  });

  it('[auth] offline is not a sign-out: a network failure leaves the session as it was', async () => {
    const session = new Session({ baseUrl: 'http://127.0.0.1:9' }, memoryStore());
    await expect(session.signIn('teacher-a-user', PASSWORD)).rejects.toMatchObject({
      code: 'NETWORK',
    });
    const online = await signedIn();
    const offline = new Session({ baseUrl: 'http://127.0.0.1:9' }, memoryStore());
    offline.current.value = online.current.value;
    await expect(offline.getJson('/api/sync/catalog/pull')).rejects.toMatchObject({
      code: 'NETWORK',
    });
    expect(offline.needsSignIn.value).toBe(false);
    expect(offline.current.value).not.toBeNull();
  });
});

describe('a sign-out the server did not hear', () => {
  /** A phone whose network the test switches off and on; its localStorage outlives a restart. */
  function phone() {
    const net = { up: true };
    const fetch: typeof globalThis.fetch = (input, init) =>
      net.up ? globalThis.fetch(input, init) : Promise.reject(new TypeError('Failed to fetch'));
    return { net, http: { baseUrl: server.url, fetch }, store: memoryStore() };
  }

  /** A parent signed in on the phone, then signed out with the network off. */
  async function signedOutOffline() {
    const phoneOf = phone();
    const device = new Session(phoneOf.http, phoneOf.store);
    await device.signIn('parent', PASSWORD);
    const left = device.current.value!.refreshToken;
    phoneOf.net.up = false;
    await device.signOut();
    return { ...phoneOf, device, left };
  }

  async function refreshStatus(refreshToken: string): Promise<number> {
    return (await call(server.url, 'POST', '/api/auth/refresh', { body: { refreshToken } })).status;
  }

  it('[SO3] is told once the network returns, though another parent signed in meanwhile', async () => {
    const { net, store, device, left } = await signedOutOffline();
    expect(device.current.value).toBeNull();

    net.up = true;
    await device.signIn('other-parent', PASSWORD);
    await device.flushLogouts();

    expect(await refreshStatus(left)).toBe(401);
    // The new session is not touched, and the device keeps nothing of the old one.
    expect(device.user?.id).toBe('other-parent');
    await expect(device.getJson('/api/parent/children')).resolves.toBeDefined();
    expect(store.get('otmetka.pendingLogouts')).toBeNull();
  });

  it('[SO3] a restart with the network back tells the server of the sign-out', async () => {
    const { net, http, store, left } = await signedOutOffline();

    net.up = true;
    await new Session(http, store).flushLogouts();

    expect(await refreshStatus(left)).toBe(401);
  });
});
