import { encodeCheckpoint, PULL_BATCH_SIZE, SYNC_COLLECTIONS } from '@otmetka/shared';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  apiLogin,
  type E2EServer,
  ensureClientBuilt,
  launchBrowser,
  newDevice,
  signIn,
  startServer,
  waitFor,
  watchErrors,
} from './harness.ts';

/**
 * Two tabs of the app on one tablet share its IndexedDB, and only the leading tab pulls. A
 * teacher signs in in one tab, opens a second, and closes the first while its first sync is
 * still on the marks: the second tab takes over and completes the journal from where the first
 * stopped, without pulling again what the first had finished and without pushing anything back.
 */

let server: E2EServer;
let browser: Browser;
let device: BrowserContext;
let teacherToken = '';
const errors: string[] = [];

/** Every document a full pull gives the teacher, per collection (tombstones included). */
async function serverCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const name of SYNC_COLLECTIONS) {
    const ids = new Set<string>();
    let checkpoint: unknown;
    for (;;) {
      const query = new URLSearchParams({ limit: String(PULL_BATCH_SIZE) });
      if (checkpoint) query.set('checkpoint', encodeCheckpoint(checkpoint as never));
      const res = await api<{ documents: { id: string }[]; checkpoint: unknown }>(
        server,
        'GET',
        `/api/sync/${name}/pull?${query}`,
        { token: teacherToken },
      );
      if (res.status !== 200) throw new Error(`pull ${name}: ${res.status}`);
      for (const doc of res.body.documents) ids.add(doc.id);
      checkpoint = res.body.checkpoint;
      if (res.body.documents.length < PULL_BATCH_SIZE) break;
    }
    counts[name] = ids.size;
  }
  return counts;
}

/** Documents stored in the tablet's IndexedDB for a collection, read beside the app. */
function storedCount(page: Page, collection: string): Promise<number> {
  return page.evaluate(async (collection) => {
    // RxDB's Dexie storage names a collection's database `…--<schema version>--<collection>`.
    const version = (name: string) => Number(/--(\d+)--(\w+)$/.exec(name)?.[1] ?? -1);
    const name = (await indexedDB.databases())
      .map((i) => i.name ?? '')
      .filter((n) => n.endsWith(`--${collection}`) && version(n) >= 0)
      .sort((a, b) => version(b) - version(a))[0];
    if (!name) return 0;
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    try {
      if (!db.objectStoreNames.contains('docs')) return 0;
      return await new Promise<number>((resolve, reject) => {
        const request = db.transaction('docs').objectStore('docs').count();
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    } finally {
      db.close();
    }
  }, collection);
}

interface SyncRequest {
  tab: 'first' | 'second';
  collection: string;
  kind: 'pull' | 'push';
  checkpoint: boolean;
}

beforeAll(async () => {
  ensureClientBuilt();
  server = await startServer();
  browser = await launchBrowser();
  device = await newDevice(browser);
  teacherToken = (await apiLogin(server, 'teacher')).accessToken;
});

afterAll(async () => {
  if (errors.length > 0) console.warn(`browser errors:\n${errors.join('\n')}`);
  await browser?.close();
  await server?.stop();
});

describe('two tabs on one tablet', () => {
  it('the second tab completes a first sync the closed first tab left on the marks', async () => {
    const expected = await serverCounts();
    expect(expected.marks).toBeGreaterThan(0);

    const requests: SyncRequest[] = [];
    const record = (tab: SyncRequest['tab']) => (request: { url(): string }) => {
      const match = /\/api\/sync\/(\w+)\/(pull|push)/.exec(request.url());
      if (!match) return;
      requests.push({
        tab,
        collection: match[1]!,
        kind: match[2] as 'pull' | 'push',
        checkpoint: request.url().includes('checkpoint='),
      });
    };
    // The first tab's marks pulls never get an answer: it is closed while waiting for one.
    const held: Route[] = [];
    let holding = true;
    await device.route('**/api/sync/marks/pull**', async (route) => {
      if (holding) held.push(route);
      else await route.continue();
    });

    const first = await device.newPage();
    watchErrors(first, errors);
    first.on('request', record('first'));
    await signIn(first, server, 'teacher');
    await waitFor('the first tab to hold every collection but the marks', async () => {
      for (const name of SYNC_COLLECTIONS.filter((n) => n !== 'marks')) {
        if ((await storedCount(first, name)) < expected[name]!) return false;
      }
      return held.length > 0;
    });

    const second = await device.newPage();
    watchErrors(second, errors);
    second.on('request', record('second'));
    await second.goto(`${server.url}/`);
    await second.getByTestId('sync-pending').waitFor();
    expect(await storedCount(second, 'marks')).toBe(0);

    // Only the leading tab pulls: the second one waits.
    expect(requests.filter((r) => r.tab === 'second' && r.kind === 'pull')).toEqual([]);
    await first.close();
    holding = false;
    for (const route of held) await route.abort().catch(() => {});

    await waitFor(
      'the second tab to hold the whole journal',
      async () => {
        for (const name of SYNC_COLLECTIONS) {
          if ((await storedCount(second, name)) !== expected[name]) return false;
        }
        return true;
      },
      { timeout: 60_000 },
    );

    // What the first tab finished is not pulled again from the start.
    const restarted = requests.filter(
      (r) => r.tab === 'second' && r.kind === 'pull' && r.collection !== 'marks' && !r.checkpoint,
    );
    expect(restarted).toEqual([]);
    expect(requests.filter((r) => r.kind === 'push')).toEqual([]);
  });

  it('[SY3] a second tab shows the leading tab’s sync status, and its ⟳ makes the leader sync', async () => {
    const tablet = await newDevice(browser);
    const pulls: string[] = [];
    const first = await tablet.newPage();
    watchErrors(first, errors);
    first.on('request', (request) => {
      if (/\/api\/sync\/\w+\/pull/.test(request.url())) pulls.push(request.url());
    });
    await signIn(first, server, 'teacher');
    const last = (page: Page) => page.getByTestId('sync-last').textContent();
    await waitFor('the first tab synchronised', async () =>
      ((await last(first)) ?? '').startsWith('Синхронизировано'),
    );

    const second = await tablet.newPage();
    watchErrors(second, errors);
    await second.goto(`${server.url}/`);
    await second.getByTestId('sync-bar').waitFor();
    await waitFor('the second tab showing the leader’s last sync', async () =>
      ((await last(second)) ?? '').startsWith('Синхронизировано'),
    );

    // The server stops answering; ⟳ in the second tab makes the leader try, and both say so.
    await tablet.route('**/api/sync/**', (route) => route.abort());
    const before = pulls.length;
    await second.getByTestId('sync-now').click();
    await waitFor('the leader pulling at the second tab’s ⟳', async () => pulls.length > before);
    const offline = async (page: Page) =>
      (await page.getByTestId('sync-online').getAttribute('data-online')) === 'no';
    await waitFor(
      'both tabs saying «Нет сети»',
      async () => (await offline(first)) && (await offline(second)),
    );
    await tablet.close();
  });
});
