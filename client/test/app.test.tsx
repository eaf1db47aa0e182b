// @vitest-environment happy-dom

import { lessonId, type SessionUser } from '@otmetka/shared';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { cacheGet, cachePut } from '../src/api/cache.ts';
import { childrenCacheKey, diaryCacheKey, diaryViewCacheKey } from '../src/api/parent.ts';
import { App } from '../src/app/App.tsx';
import { dbName } from '../src/app/TeacherShell.tsx';
import type { OtmetkaDb } from '../src/db/database.ts';
import { closeDb, openDb } from '../src/db/database.ts';
import { lessonTextDraft } from '../src/db/drafts.ts';
import { setMark } from '../src/db/repo.ts';
import { Session } from '../src/sync/session.ts';
import { slotOn, TEACHER_USER } from './teacher-fixture.ts';

/**
 * The whole app in happy-dom, on fake-indexeddb, for what is wired at its start and around the
 * session: the drafts a page left are written before the journal shows (TX2); a tab showing
 * the journal or the diary gives way to the sign-in form when another tab of the browser
 * signs out (SO2). The other tab is the test, writing localStorage and dispatching the
 * `storage` event as the browser does. Sync runs against an address where nothing listens.
 */

// happy-dom's navigator.locks is null, where a browser without Web Locks has none at all:
// RxDB's leader election (the shell's sync) reads `.request` of it and throws.
Object.defineProperty(navigator, 'locks', { value: undefined, configurable: true });

const KEY = 'otmetka.session';
const sessions: Session[] = [];

afterEach(() => {
  cleanup();
  for (const s of sessions.splice(0)) s.dispose();
  localStorage.clear();
});

function signedInTab(user: SessionUser): Session {
  localStorage.setItem(KEY, JSON.stringify({ user, accessToken: 'a', refreshToken: 'r' }));
  const session = new Session({ baseUrl: 'http://127.0.0.1:9' });
  sessions.push(session);
  return session;
}

/** A tab whose stored session the server no longer takes: every request answers 401. */
function expiredTab(user: SessionUser): Session {
  localStorage.setItem(KEY, JSON.stringify({ user, accessToken: 'a', refreshToken: 'r' }));
  const refused = { error: { code: 'TOKEN_INVALID', message: 'Токен недействителен' } };
  const session = new Session({
    baseUrl: 'http://127.0.0.1:9',
    fetch: async () => new Response(JSON.stringify(refused), { status: 401 }),
  });
  sessions.push(session);
  return session;
}

function otherTabSignsOut() {
  const oldValue = localStorage.getItem(KEY);
  localStorage.removeItem(KEY);
  window.dispatchEvent(
    new StorageEvent('storage', { key: KEY, oldValue, newValue: null, storageArea: localStorage }),
  );
}

const slot = slotOn('2026-09-02');

describe('the journal’s start', () => {
  it('[TX2] writes the text the last page left as a draft before the lesson shows', async () => {
    // A teacher of their own: a journal database apart from the other tests'.
    const teacher = { ...TEACHER_USER, id: 'teacher-drafts' };
    // What a page torn down 100 ms after a keystroke leaves: the draft, nothing in IndexedDB.
    const page = { user: { id: teacher.id }, now: () => Date.now(), clock: { last: 0 } };
    lessonTextDraft(page as OtmetkaDb, slot, 'remark', localStorage)!.keep('Пришли без формы', '');

    render(<App session={signedInTab(teacher)} />);
    await screen.findByTestId('nav-home');
    expect(Object.keys(localStorage).filter((k) => k.startsWith('otmetka.draft:'))).toEqual([]);

    // Closed by a sign-out elsewhere (SO2), the journal opens here with the remark in it.
    otherTabSignsOut();
    await screen.findByTestId('signin-form');
    const user = { id: teacher.id, orgId: teacher.orgId };
    const after = await waitFor(() =>
      openDb({ name: dbName(teacher), user, multiInstance: false }),
    );
    try {
      const lesson = await after.rx.collections.lessons.findOne(slot.lessonId).exec();
      expect(lesson?.remark).toBe('Пришли без формы');
      expect(after.pending.has(slot.lessonId)).toBe(true);
    } finally {
      await closeDb(after);
    }
  });
});

/**
 * A teacher's journal open, with a remark typed whose save has not reached IndexedDB when the
 * tap on «Выйти» comes (only its draft is kept).
 */
async function journalWithUnsavedRemark(teacherId: string): Promise<void> {
  const teacher = { ...TEACHER_USER, id: teacherId };
  render(<App session={signedInTab(teacher)} />);
  await screen.findByTestId('nav-home');
  const page = { user: { id: teacher.id }, now: () => Date.now(), clock: { last: 0 } };
  lessonTextDraft(page as OtmetkaDb, slot, 'remark', localStorage)!.keep('Принести краски', '');
}

describe('signing out of the journal', () => {
  it('[TX2][RU1][LS3] text typed just before «Выйти» counts as unsent: the teacher is asked («1 изменение»), nothing is deleted', async () => {
    await journalWithUnsavedRemark('teacher-logout');

    fireEvent.click(screen.getByTestId('logout'));

    const dialog = await screen.findByTestId('logout-dialog', {}, { timeout: 15_000 });
    expect(screen.queryByTestId('signin-form')).toBeNull();
    expect(dialog.textContent).toContain('Не отправлено на сервер: 1 изменение.');
    // LS3: the safe answer has the focus; Escape stays, and the focus is back on «Выйти».
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('logout-stay')));
    fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('logout-dialog')).toBeNull());
    expect(document.activeElement).toBe(screen.getByTestId('logout'));
  }, 30_000);
});

describe('a sign-out with unsent changes', () => {
  it('[SO4] offline, «Выйти» asks about the unsent changes at once, without waiting for a network that is not there', async () => {
    await journalWithUnsavedRemark('teacher-logout-offline');
    Object.defineProperty(navigator, 'onLine', { value: false, configurable: true });
    window.dispatchEvent(new Event('offline'));
    try {
      await waitFor(() =>
        expect(screen.getByTestId('sync-online').getAttribute('data-online')).toBe('no'),
      );
      fireEvent.click(screen.getByTestId('logout'));
      const dialog = await screen.findByTestId('logout-dialog', {}, { timeout: 2000 });
      expect(dialog.textContent).toContain('Не отправлено на сервер: 1 изменение.');
    } finally {
      Object.defineProperty(navigator, 'onLine', { value: true, configurable: true });
    }
  });
});

describe('a sign-out in another tab', () => {
  it('[SO2] closes the teacher’s journal here and keeps its unsent changes', async () => {
    const user = { id: TEACHER_USER.id, orgId: TEACHER_USER.orgId };
    const before = await openDb({ name: dbName(TEACHER_USER), user, multiInstance: false });
    await setMark(before, slot, 'kid-a', { code: 'Н' });
    await closeDb(before);

    render(<App session={signedInTab(TEACHER_USER)} />);
    await screen.findByTestId('nav-home');

    otherTabSignsOut();

    await screen.findByTestId('signin-form');
    expect(screen.queryByTestId('nav-home')).toBeNull();
    // The journal's database was closed, not removed: it opens again with the unsent mark.
    const after = await waitFor(() =>
      openDb({ name: dbName(TEACHER_USER), user, multiInstance: false }),
    );
    try {
      expect(await after.rx.collections.marks.count().exec()).toBe(1);
      expect(after.pending.size).toBe(2);
    } finally {
      await closeDb(after);
    }
  });

  it('[SO2] takes the parent’s diary off the screen and the device', async () => {
    const parent: SessionUser = {
      id: 'parent-user',
      orgId: 'org-1',
      role: 'parent',
      displayName: 'Смирнова Е. В.',
      teacherId: null,
      timeZone: 'Asia/Yekaterinburg',
    };
    const key = diaryCacheKey(parent.id, 'learner-kid', '2026-09');
    await cachePut(key, { kept: 'for offline reading' });

    render(<App session={signedInTab(parent)} />);
    await screen.findByTestId('parent-app');

    otherTabSignsOut();

    await screen.findByTestId('signin-form');
    expect(screen.queryByTestId('parent-app')).toBeNull();
    await waitFor(async () => expect(await cacheGet(key)).toBeUndefined());
  });

  it('[SI1] a teacher asked to sign in again goes on with the journal, signs in from the sync bar, and is not locked out offline', async () => {
    render(<App session={expiredTab({ ...TEACHER_USER, id: 'teacher-expired' })} />);

    await screen.findByTestId('signin-again');
    fireEvent.click(screen.getByTestId('signin-later'));
    await waitFor(() => expect(screen.queryByTestId('signin-again')).toBeNull());
    // The journal's own screen is there to work in (an empty device says it is loading).
    expect(screen.getByTestId('journals-loading')).toBeTruthy();

    fireEvent.click(screen.getByTestId('sync-signin'));
    await screen.findByTestId('signin-again');

    // No signal in the classroom: the form gives way, the bar says what to do.
    Object.defineProperty(navigator, 'onLine', { value: false, configurable: true });
    window.dispatchEvent(new Event('offline'));
    try {
      await waitFor(() => expect(screen.queryByTestId('signin-again')).toBeNull());
      expect(screen.getByTestId('sync-signin').textContent).toBe(
        'Войдите снова, когда будет связь',
      );
    } finally {
      Object.defineProperty(navigator, 'onLine', { value: true, configurable: true });
    }
  });

  it('[SY2] the last sync shown is this teacher’s own, not another session’s on the tablet', async () => {
    const before = String(Date.UTC(2026, 11, 4, 20, 10));
    // The key every session shared before, and another teacher's own.
    localStorage.setItem('otmetka.lastSync', before);
    localStorage.setItem('otmetka.lastSync.teacher-before', before);
    const teacher = { ...TEACHER_USER, id: 'teacher-after' };
    render(<App session={signedInTab(teacher)} />);
    expect((await screen.findByTestId('sync-last')).textContent).toBe('Ещё не синхронизировано');
  });

  it('[PD9] a parent’s expired session asks to sign in again, with «Выйти» still at hand', async () => {
    const parent: SessionUser = {
      id: 'parent-expired',
      orgId: 'org-1',
      role: 'parent',
      displayName: 'Васильева Д. Д.',
      teacherId: null,
      timeZone: 'Asia/Yekaterinburg',
    };
    // A month without opening the app: the server refuses the access and the refresh token.
    const session = expiredTab(parent);

    render(<App session={session} />);

    expect((await screen.findByTestId('signin-again')).textContent).toBe(
      'Сеанс истёк. Васильева Д. Д., войдите снова, чтобы увидеть свежие данные.',
    );
    fireEvent.click(screen.getByTestId('logout'));
    await waitFor(() => expect(screen.queryByTestId('parent-app')).toBeNull());
    expect(screen.queryByTestId('signin-again')).toBeNull();
  });

  it('[PD13] under the sign-in form the parent reads the kept copies, with no doubled error', async () => {
    const parent: SessionUser = {
      id: 'parent-expired-kept',
      orgId: 'org-1',
      role: 'parent',
      displayName: 'Васильева Д. Д.',
      teacherId: null,
      timeZone: 'Asia/Yekaterinburg',
    };
    const child = { id: 'kid-alisa', lastName: 'Васильева', firstName: 'Алиса', middleName: '' };
    await cachePut(childrenCacheKey(parent.id), {
      children: [{ ...child, displayName: 'Васильева Алиса' }],
    });
    await cachePut(diaryViewCacheKey(parent.id), { learnerId: child.id, month: '2026-10' });
    await cachePut(diaryCacheKey(parent.id, child.id, '2026-10'), {
      learnerId: child.id,
      learnerName: 'Васильева Алиса',
      month: '2026-10',
      subgroups: [
        {
          subgroupId: 'sg-a',
          subgroupName: 'Группа 1',
          programmeName: 'Робототехника',
          gradesEnabled: false,
          lessons: [
            {
              lessonId: lessonId('sg-a', '2026-10-07', '15:00'),
              date: '2026-10-07',
              start: '15:00',
              end: '16:30',
              status: 'held',
              topicTitle: 'Шестерёнки',
              homework: '',
              code: '',
              codeLabel: null,
              grade: null,
            },
          ],
        },
      ],
    });
    render(<App session={expiredTab(parent)} />);

    await screen.findByTestId('signin-again');
    expect((await screen.findByTestId('diary-content')).textContent).toContain('Шестерёнки');
    expect(screen.getByTestId('diary-stale').textContent).toMatch(
      /^Сохранено на этом устройстве\. Данные на \d{2}\.\d{2}\.\d{4}/,
    );
    expect(screen.queryByTestId('diary-children-error')).toBeNull();
    // Nothing kept of the applications: one line says why, not the same words twice.
    fireEvent.click(screen.getByTestId('parent-tab-applications'));
    expect((await screen.findByTestId('parent-applications-error')).textContent).toBe(
      'Сеанс истёк, войдите снова',
    );
  });
});
