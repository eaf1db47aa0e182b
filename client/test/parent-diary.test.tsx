// @vitest-environment happy-dom
import type { ChildProcess } from 'node:child_process';
import { lessonId, markId } from '@otmetka/shared';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../../sync-server/test/helpers.ts';
import { cacheGet } from '../src/api/cache.ts';
import {
  applicationsCacheKey,
  childrenCacheKey,
  diaryCacheKey,
  parentApi,
} from '../src/api/parent.ts';
import { signOutOfRole } from '../src/app/sign-out.ts';
import { ParentApp } from '../src/screens/parent/ParentApp.tsx';
import { memoryStore, Session } from '../src/sync/session.ts';
import { servePageFrom, startServerProcess, stopServerProcess } from './server-process.ts';

/**
 * The parent's diary against a real sync server: it shows the child's lesson with topic,
 * homework and attendance; after the server stops, a fresh mount of the screen reads the same
 * month from the device's cache (IndexedDB, fake-indexeddb here) and says how old it is.
 */

const LESSON = lessonId('sg-a', '2026-09-02', '15:00');
const MARK = markId(LESSON, 'learner-kid');

/**
 * The shared fixture plus the parent's child in the private database and one held lesson of
 * subgroup A with the child marked absent («Н»), as a teacher's push would leave them.
 */
const SEED = `
  const store = server.store;
  await store.putMany('otm_private_org-test', [{
    id: 'learner-kid', type: 'learner', orgId: 'org-test', parentUserId: 'parent',
    lastName: 'Смирнов', firstName: 'Кирилл', middleName: '', birthDate: '2016-05-05', createdAt: 0,
  }]);
  await store.putMany(subgroupDbName('sg-a'), [
    {
      id: ${JSON.stringify(LESSON)}, type: 'lesson', orgId: 'org-test', subgroupId: 'sg-a',
      date: '2026-09-02', start: '15:00', end: '16:30', academicHours: 2, status: 'held',
      statusReason: '', topicId: null, topicTitle: 'Знакомство с конструктором',
      homework: 'Собрать модель вентилятора', remark: '', flag: null, stamps: {},
    },
    {
      id: ${JSON.stringify(MARK)}, type: 'mark', orgId: 'org-test', subgroupId: 'sg-a',
      lessonId: ${JSON.stringify(LESSON)}, learnerId: 'learner-kid', date: '2026-09-02',
      code: 'Н', grade: null, note: '', stamps: {},
    },
  ]);
`;

let server: { url: string; child: ChildProcess } | undefined;
let session: Session;

beforeAll(async () => {
  server = await startServerProcess(SEED);
  servePageFrom(server.url);
  session = new Session({ baseUrl: server.url }, memoryStore());
  await session.signIn('parent', PASSWORD);
});

afterAll(async () => {
  await stopServerProcess(server?.child);
});

afterEach(() => cleanup());

function renderParent() {
  const user = session.user!;
  return render(
    <ParentApp session={{ user, fetchApi: (path, init) => session.authorised(path, init) }} />,
  );
}

async function openSeptember() {
  const input = await screen.findByTestId('diary-month-input');
  fireEvent.change(input, { target: { value: '2026-09' } });
  return screen.findByTestId(`diary-lesson-${LESSON}`);
}

describe('parent: sign-out', () => {
  it('[SO1] an answer that arrives after sign-out is not kept on the device', async () => {
    const own = new Session({ baseUrl: server!.url }, memoryStore());
    await own.signIn('parent', PASSWORD);
    const userId = own.user!.id;
    // The server answers at once; the answer reaches the screen only when the test lets it.
    let deliver = () => {};
    const held = new Promise<void>((resolve) => {
      deliver = resolve;
    });
    const api = parentApi(async (path, init) => {
      const response = await own.authorised(path, init);
      await held;
      return response;
    }, userId);
    const diary = api.diary('learner-kid', '2026-09');
    const children = api.listChildren();
    await new Promise((resolve) => setTimeout(resolve, 200));

    await signOutOfRole(own);
    deliver();

    // The screen that asked may still show the answer; the device keeps none of it.
    expect((await diary).fromCache).toBe(false);
    await children;
    expect(await cacheGet(diaryCacheKey(userId, 'learner-kid', '2026-09'))).toBeUndefined();
    expect(await cacheGet(childrenCacheKey(userId))).toBeUndefined();
  });

  it('[SO1] the session ends at the tap, before the server hears of it: nothing asked meanwhile is kept', async () => {
    // The logout request waits for the test: a slow network at sign-out.
    let answerLogout = () => {};
    const logoutHeld = new Promise<void>((resolve) => {
      answerLogout = resolve;
    });
    const own = new Session(
      {
        baseUrl: server!.url,
        fetch: async (url, init) => {
          if (String(url).endsWith('/api/auth/logout')) await logoutHeld;
          return fetch(url, init);
        },
      },
      memoryStore(),
    );
    await own.signIn('parent', PASSWORD);
    const userId = own.user!.id;
    const api = parentApi((path, init) => own.authorised(path, init), userId);

    const signingOut = signOutOfRole(own);
    // A tap on the diary while the sign-out is on its way.
    await api.diary('learner-kid', '2026-09').catch(() => undefined);
    answerLogout();
    await signingOut;
    expect(await cacheGet(diaryCacheKey(userId, 'learner-kid', '2026-09'))).toBeUndefined();
    expect(own.user).toBeNull();
  });
});

describe('parent: diary', () => {
  it('shows the lesson, its topic, homework and the child’s attendance', async () => {
    renderParent();

    const lesson = await openSeptember();
    expect(lesson.textContent).toContain('02.09.2026');
    expect(lesson.textContent).toContain('Знакомство с конструктором');
    expect(lesson.textContent).toContain('Собрать модель вентилятора');
    expect(screen.getByTestId(`diary-attendance-${LESSON}`).textContent).toContain('Н');
    expect(screen.queryByTestId('diary-stale')).toBeNull();

    fireEvent.click(screen.getByTestId('parent-tab-applications'));
    expect((await screen.findByTestId('parent-app-status-app-kid')).textContent).toBe('обучается');
    expect(screen.queryByTestId('parent-applications-stale')).toBeNull();
  });

  it('[PD4] reads the last diary and applications from the device cache when the server is stopped', async () => {
    await stopServerProcess(server?.child);
    renderParent();

    const lesson = await openSeptember();
    expect(lesson.textContent).toContain('Знакомство с конструктором');
    expect(screen.getByTestId(`diary-attendance-${LESSON}`).textContent).toContain('Н');
    await waitFor(() =>
      expect(screen.getByTestId('diary-stale').textContent).toMatch(
        /Данные на \d{2}\.\d{2}\.\d{4}/,
      ),
    );

    // PD4: the applications too, with the time they were fetched.
    fireEvent.click(screen.getByTestId('parent-tab-applications'));
    expect((await screen.findByTestId('parent-app-status-app-kid')).textContent).toBe('обучается');
    expect(screen.getByTestId('parent-applications-stale').textContent).toMatch(
      /^Нет связи\. Данные на \d{2}\.\d{2}\.\d{4}/,
    );
    expect(screen.queryByTestId('parent-applications-error')).toBeNull();
  });

  it('says plainly that a month never loaded is not on the device', async () => {
    renderParent();

    const input = await screen.findByTestId('diary-month-input');
    fireEvent.change(input, { target: { value: '2026-10' } });
    expect((await screen.findByTestId('diary-offline-empty')).textContent).toContain('Нет связи');
  });

  it('[SO1] signing out takes the kept diaries off the device with the session', async () => {
    const key = diaryCacheKey(session.user!.id, 'learner-kid', '2026-09');
    const applications = applicationsCacheKey(session.user!.id);
    expect(await cacheGet(key)).toBeDefined();
    expect(await cacheGet(applications)).toBeDefined();

    await signOutOfRole(session);

    expect(await cacheGet(key)).toBeUndefined();
    expect(await cacheGet(applications)).toBeUndefined();
    expect(session.user).toBeNull();
  });
});
