// @vitest-environment happy-dom
import { lessonId, type SessionUser } from '@otmetka/shared';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheClear, cacheGet } from '../src/api/cache.ts';
import { catalogCacheKey, diaryViewCacheKey, parentApi } from '../src/api/parent.ts';
import { signOutOfRole } from '../src/app/sign-out.ts';
import { OFFLINE_APPLY_TEXT } from '../src/screens/parent/ApplyForm.tsx';
import { ParentApp } from '../src/screens/parent/ParentApp.tsx';
import type { Session } from '../src/sync/session.ts';

/**
 * A mother of two on a phone with a weak signal: the parent's screens against a server that is
 * there, gone, or hanging (a fetchApi switched by the test), with the real cache on
 * fake-indexeddb. What the device kept must carry the parent back to where she was.
 */

const USER: SessionUser = {
  id: 'u-mother',
  orgId: 'org-test',
  role: 'parent',
  displayName: 'Васильева Дарья',
  teacherId: null,
  timeZone: 'Asia/Yekaterinburg',
};

const CHILDREN = [
  { id: 'kid-alisa', lastName: 'Васильева', firstName: 'Алиса', middleName: '' },
  { id: 'kid-liza', lastName: 'Васильева', firstName: 'Елизавета', middleName: '' },
].map((c) => ({ ...c, displayName: `${c.lastName} ${c.firstName}` }));

function diary(learnerId: string, month: string) {
  const date = `${month}-07`;
  return {
    learnerId,
    learnerName: learnerId,
    month,
    subgroups: [
      {
        subgroupId: 'sg-a',
        subgroupName: 'Группа 1',
        programmeName: 'Робототехника',
        gradesEnabled: false,
        lessons: [
          {
            lessonId: lessonId('sg-a', date, '15:00'),
            date,
            start: '15:00',
            end: '16:30',
            status: 'held',
            // The topic names the child and month, so the test sees which diary is shown.
            topicTitle: `Тема ${learnerId} ${month}${topicEdit}`,
            homework: '',
            code: '',
            codeLabel: null,
            grade: null,
          },
        ],
      },
    ],
  };
}

const CATALOG = {
  orgName: 'Дом детского творчества',
  programmes: [
    {
      id: 'prog-robo',
      name: 'Робототехника',
      focus: 'technical',
      focusLabel: 'техническая',
      level: 'start',
      ageFrom: 7,
      ageTo: 12,
      hoursPerYear: 72,
      description: '',
      subgroups: [
        {
          id: 'sg-a',
          name: 'Группа 1',
          teachers: ['Петрова А. И.'],
          capacity: 12,
          freePlaces: 3,
          periodFrom: '2026-09-01',
          periodTo: '2027-05-31',
          schedule: [
            { from: '2026-09-01', to: '2027-05-31', weekdays: [1], start: '15:00', end: '16:30' },
          ],
          acceptsApplications: true,
        },
      ],
    },
  ],
};

/** The children the server lists for the mother (a test may take one away). */
const CHILDREN_SHOWN = [...CHILDREN];

/**
 * The server as the phone sees it: answering, unreachable, never answering, or answering only
 * when the test releases the requests held so far (a slow server).
 */
let network: 'up' | 'down' | 'hanging' | 'held' = 'up';
const posted: string[] = [];
/** Every request the phone sent, in order (path and query). */
const requested: string[] = [];
const held: (() => void)[] = [];
/** What the teacher changed in the topics since the device kept its copy. */
let topicEdit = '';

/** The slow server answers the requests it held; what comes next is answered at once. */
function release() {
  network = 'up';
  for (const answerNow of held.splice(0)) answerNow();
}

function answer(path: string, init?: RequestInit): unknown {
  const url = new URL(path, 'http://server');
  if (init?.method === 'POST') posted.push(url.pathname);
  if (url.pathname === '/api/parent/children') return { children: CHILDREN_SHOWN };
  if (url.pathname === '/api/parent/applications') return { applications: [] };
  if (url.pathname === '/api/parent/catalog') return CATALOG;
  const learner = /^\/api\/parent\/diary\/(.+)$/.exec(url.pathname)?.[1];
  if (learner) return diary(learner, url.searchParams.get('month') ?? '');
  throw new Error(`unexpected request ${path}`);
}

async function fetchApi(path: string, init?: RequestInit): Promise<Response> {
  requested.push(path);
  if (network === 'hanging') return new Promise<never>(() => {});
  if (network === 'held') await new Promise<void>((resolve) => held.push(resolve));
  if (network === 'down') throw new TypeError('Failed to fetch');
  return new Response(JSON.stringify(answer(path, init)), {
    headers: { 'content-type': 'application/json' },
  });
}

function renderParent(slowAfterMs?: number, offlineRetryMs?: number) {
  return render(
    <ParentApp
      session={{ user: USER, fetchApi }}
      slowAfterMs={slowAfterMs}
      offlineRetryMs={offlineRetryMs}
    />,
  );
}

function setNavigatorOnline(online: boolean) {
  Object.defineProperty(navigator, 'onLine', { value: online, configurable: true });
}

async function shownTopic(): Promise<string> {
  const content = await screen.findByTestId('diary-content');
  return content.textContent ?? '';
}

async function chooseLizaOctober() {
  // The diary opens first on the first child, as on a phone where the mother then switches.
  await waitFor(async () => expect(await shownTopic()).toContain('Тема kid-alisa'));
  fireEvent.change(screen.getByTestId('diary-child'), { target: { value: 'kid-liza' } });
  fireEvent.change(screen.getByTestId('diary-month-input'), { target: { value: '2026-10' } });
  await waitFor(async () => expect(await shownTopic()).toContain('Тема kid-liza 2026-10'));
}

beforeEach(async () => {
  network = 'up';
  CHILDREN_SHOWN.splice(0, CHILDREN_SHOWN.length, ...CHILDREN);
  posted.length = 0;
  requested.length = 0;
  held.length = 0;
  topicEdit = '';
  setNavigatorOnline(true);
  await cacheClear();
});

afterEach(() => cleanup());

describe('parent offline: the diary reopens where the parent left it', () => {
  it('[PD5] after a reload offline: the second child and October, from the kept copy', async () => {
    renderParent();
    await chooseLizaOctober();
    cleanup();

    network = 'down';
    renderParent();

    await waitFor(async () => expect(await shownTopic()).toContain('Тема kid-liza 2026-10'));
    expect((screen.getByTestId('diary-child') as HTMLSelectElement).value).toBe('kid-liza');
    expect((screen.getByTestId('diary-month-input') as HTMLInputElement).value).toBe('2026-10');
    expect(screen.getByTestId('diary-stale').textContent).toMatch(/^Нет связи\. Данные на /);
  });

  it('[PD5] a visit to another tab does not lose the child and month', async () => {
    renderParent();
    await chooseLizaOctober();

    fireEvent.click(screen.getByTestId('parent-tab-applications'));
    await screen.findByTestId('parent-applications-empty');
    fireEvent.click(screen.getByTestId('parent-tab-diary'));

    await waitFor(async () => expect(await shownTopic()).toContain('Тема kid-liza 2026-10'));
  });

  it('[PD5] sign-out forgets the child and month: the next parent starts afresh', async () => {
    renderParent();
    await chooseLizaOctober();
    await waitFor(async () => expect(await cacheGet(diaryViewCacheKey(USER.id))).toBeDefined());
    cleanup();

    await signOutOfRole({ signOut: async () => {} } as unknown as Session);

    expect(await cacheGet(diaryViewCacheKey(USER.id))).toBeUndefined();
    renderParent();
    await waitFor(async () => expect(await shownTopic()).toContain('Тема kid-alisa'));
    expect((screen.getByTestId('diary-child') as HTMLSelectElement).value).toBe('kid-alisa');
  });
});

describe('parent offline: the catalogue and applying', () => {
  it('[PD6] the catalogue reads offline from the kept copy, with the time it was fetched', async () => {
    renderParent();
    fireEvent.click(screen.getByTestId('parent-tab-catalog'));
    await screen.findByTestId('catalog-subgroup-sg-a');
    cleanup();

    network = 'down';
    renderParent();
    fireEvent.click(screen.getByTestId('parent-tab-catalog'));

    expect((await screen.findByTestId('catalog-free-sg-a')).textContent).toContain('3 из 12');
    expect(screen.getByTestId('catalog-stale').textContent).toMatch(
      /^Нет связи\. Данные на \d{2}\.\d{2}\.\d{4}/,
    );
    expect(screen.queryByTestId('catalog-error')).toBeNull();
  });

  it('[PD6] the kept catalogue is the organisation’s offer only and leaves at sign-out', async () => {
    renderParent();
    fireEvent.click(screen.getByTestId('parent-tab-catalog'));
    await screen.findByTestId('catalog-subgroup-sg-a');
    const kept = await cacheGet(catalogCacheKey(USER.id));
    expect(kept?.value).toEqual(CATALOG);

    await signOutOfRole({ signOut: async () => {} } as unknown as Session);
    expect(await cacheGet(catalogCacheKey(USER.id))).toBeUndefined();
  });

  it('[PD6] a catalogue never loaded on the device says so offline', async () => {
    network = 'down';
    renderParent();
    fireEvent.click(screen.getByTestId('parent-tab-catalog'));

    expect((await screen.findByTestId('catalog-error')).textContent).toBe(
      'Нет связи с сервером, а каталог ещё не загружался на это устройство.',
    );
  });

  it('[AP9] applying offline says that nothing was sent and that it needs the network', async () => {
    renderParent();
    fireEvent.click(screen.getByTestId('parent-tab-catalog'));
    await screen.findByTestId('catalog-subgroup-sg-a');

    network = 'down';
    setNavigatorOnline(false);
    fireEvent.click(screen.getByTestId('catalog-apply-sg-a'));
    await screen.findByTestId('apply-form');
    expect(screen.getByTestId('apply-offline').textContent).toContain(
      'Заявка отправляется только через интернет',
    );
    await waitFor(() =>
      expect((screen.getByTestId('apply-child') as HTMLSelectElement).value).toBe('kid-alisa'),
    );
    fireEvent.click(screen.getByTestId('apply-submit'));

    expect((await screen.findByTestId('apply-error')).textContent).toBe(OFFLINE_APPLY_TEXT);
    // The form stays open with the choice, so a tap once the network is back sends it.
    expect(screen.getByTestId('apply-form')).toBeTruthy();
    expect(posted).toEqual([]);
  });
});

describe('parent offline: back online and a hanging network', () => {
  it('[PD7] when the network returns, the diary asks again and drops «Нет связи»', async () => {
    renderParent();
    await chooseLizaOctober();
    cleanup();
    network = 'down';
    renderParent();
    await screen.findByTestId('diary-stale');

    network = 'up';
    window.dispatchEvent(new Event('online'));

    await waitFor(() => expect(screen.queryByTestId('diary-stale')).toBeNull());
    expect(await shownTopic()).toContain('Тема kid-liza 2026-10');
  });

  it('[PD7] the network returns without an «online» event (a Wi-Fi that stayed connected): asked again all the same', async () => {
    renderParent();
    await chooseLizaOctober();
    cleanup();
    network = 'down';
    renderParent(undefined, 50);
    await screen.findByTestId('diary-stale');
    const asked = requested.length;
    // Still unreachable: it keeps asking, and keeps the copy on show.
    await waitFor(() => expect(requested.length).toBeGreaterThan(asked));
    expect(screen.getByTestId('diary-stale')).toBeTruthy();

    network = 'up';

    await waitFor(() => expect(screen.queryByTestId('diary-stale')).toBeNull());
    expect(await shownTopic()).toContain('Тема kid-liza 2026-10');
    // Reached: no more asking.
    const settled = requested.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(requested.length).toBe(settled);
  });

  it('[PD7][PD11] a slow read that then fails is asked again once the network is back, without an «online» event', async () => {
    renderParent();
    await chooseLizaOctober();
    cleanup();
    network = 'held';
    renderParent(50, 50);
    await screen.findByTestId('diary-stale');

    // The signal drops while the request hangs: the copy now says «Нет связи».
    network = 'down';
    for (const answerNow of held.splice(0)) answerNow();
    await waitFor(() =>
      expect(screen.getByTestId('diary-stale').textContent).toMatch(/^Нет связи/),
    );

    network = 'up';

    await waitFor(() => expect(screen.queryByTestId('diary-stale')).toBeNull());
    expect(await shownTopic()).toContain('Тема kid-liza 2026-10');
  });

  it('[AP9] the browser says «online» but the server cannot be reached: the form says it will not be sent', async () => {
    renderParent();
    fireEvent.click(screen.getByTestId('parent-tab-catalog'));
    await screen.findByTestId('catalog-subgroup-sg-a');

    network = 'down';
    fireEvent.click(screen.getByTestId('catalog-apply-sg-a'));
    await screen.findByTestId('apply-form');

    expect((await screen.findByTestId('apply-offline')).textContent).toContain(
      'Заявка отправляется только через интернет',
    );
  });

  it('[PD8] a request that hangs gives way to the kept copy; with none, the answer is awaited', async () => {
    const api = parentApi(fetchApi, USER.id, 50);
    expect((await api.diary('kid-liza', '2026-10')).fromCache).toBe(false);

    network = 'hanging';
    const shown = await api.diary('kid-liza', '2026-10');
    expect(shown.fromCache).toBe(true);
    expect(shown.value.learnerId).toBe('kid-liza');

    // Never loaded: the read keeps waiting for the server rather than failing at once.
    let settled = false;
    void api.diary('kid-liza', '2026-11').finally(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(settled).toBe(false);
  });

  it('[PD10] the late answer of a slow server replaces the kept copy in place', async () => {
    renderParent();
    await chooseLizaOctober();
    cleanup();

    // The teacher changed the topic meanwhile; the server answers only after the copy shows.
    topicEdit = ' (исправлено)';
    network = 'held';
    renderParent(50);
    await screen.findByTestId('diary-stale');
    const content = screen.getByTestId('diary-content');
    expect(content.textContent).not.toContain('(исправлено)');

    release();

    await waitFor(() =>
      expect(content.textContent).toContain('Тема kid-liza 2026-10 (исправлено)'),
    );
    expect(screen.queryByTestId('diary-stale')).toBeNull();
    // In place: the same content (so the scroll stays), the same child and month.
    expect(screen.getByTestId('diary-content')).toBe(content);
    expect((screen.getByTestId('diary-child') as HTMLSelectElement).value).toBe('kid-liza');
    expect((screen.getByTestId('diary-month-input') as HTMLInputElement).value).toBe('2026-10');
  });

  it('[PD11] a copy shown for a slow server says the server is slow, not «Нет связи»', async () => {
    renderParent();
    await chooseLizaOctober();
    fireEvent.click(screen.getByTestId('parent-tab-applications'));
    await screen.findByTestId('parent-applications-empty');
    cleanup();

    network = 'hanging';
    renderParent(50);

    const slow = /^Сервер отвечает медленно\. Данные на \d{2}\.\d{2}\.\d{4}.*свежие появятся сами/;
    expect((await screen.findByTestId('diary-stale')).textContent).toMatch(slow);
    fireEvent.click(screen.getByTestId('parent-tab-applications'));
    expect((await screen.findByTestId('parent-applications-stale')).textContent).toMatch(slow);
    expect(document.body.textContent).not.toContain('Нет связи');
  });

  it('[PD14] the kept child and month ask for their diary at once, beside the list of children', async () => {
    renderParent();
    await chooseLizaOctober();
    cleanup();
    requested.length = 0;

    // Neither answer comes: the diary's request must not wait for the list's.
    network = 'held';
    renderParent();

    await waitFor(() =>
      expect(requested).toEqual(
        expect.arrayContaining([
          '/api/parent/children',
          '/api/parent/diary/kid-liza?month=2026-10',
        ]),
      ),
    );
    release();
    await waitFor(async () => expect(await shownTopic()).toContain('Тема kid-liza 2026-10'));
    expect(screen.queryByTestId('diary-stale')).toBeNull();
  });

  it('[PD14][PD5] a kept child no longer on the list still gives way to the first one', async () => {
    renderParent();
    await chooseLizaOctober();
    cleanup();

    CHILDREN_SHOWN.splice(1);
    renderParent();

    await waitFor(async () => expect(await shownTopic()).toContain('Тема kid-alisa 2026-10'));
  });
});
