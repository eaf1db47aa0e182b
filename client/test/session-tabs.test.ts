// @vitest-environment happy-dom

import type { SessionUser } from '@otmetka/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionData } from '../src/sync/session.ts';
import { Session } from '../src/sync/session.ts';
import { TEACHER_USER } from './teacher-fixture.ts';

/**
 * Tabs of one browser share the session in localStorage (SO2). The browser tells the other
 * tabs of a change with a `storage` event, never the tab that wrote: here the test is the
 * other tab, writing localStorage and dispatching the event as the browser would.
 */

const KEY = 'otmetka.session';
const stored = (accessToken: string, refreshToken: string, user = TEACHER_USER): SessionData => ({
  user,
  accessToken,
  refreshToken,
});

const sessions: Session[] = [];

afterEach(() => {
  for (const s of sessions.splice(0)) s.dispose();
  localStorage.clear();
});

/** A tab opened while the user is signed in: its session comes from localStorage. */
function openTab(): Session {
  localStorage.setItem(KEY, JSON.stringify(stored('access-1', 'refresh-1')));
  const session = new Session({ baseUrl: 'http://127.0.0.1:9' });
  sessions.push(session);
  return session;
}

/** Another tab writes the session key; this tab hears of it through the storage event. */
function otherTabWrites(value: SessionData | null, key: string | null = KEY) {
  const oldValue = key ? localStorage.getItem(key) : null;
  const newValue = value ? JSON.stringify(value) : null;
  if (key === null) localStorage.clear();
  else if (newValue === null) localStorage.removeItem(key);
  else localStorage.setItem(key, newValue);
  window.dispatchEvent(
    new StorageEvent('storage', { key, oldValue, newValue, storageArea: localStorage }),
  );
}

function endedLog(session: Session): SessionUser[] {
  const log: SessionUser[] = [];
  session.onEndedElsewhere((user) => log.push(user));
  return log;
}

describe('a session shared by the tabs of a browser', () => {
  it('[SO2] a sign-out in another tab signs this tab out at once', () => {
    const session = openTab();
    const ended = endedLog(session);
    expect(session.user?.id).toBe(TEACHER_USER.id);

    otherTabWrites(null);

    expect(session.current.value).toBeNull();
    expect(session.needsSignIn.value).toBe(false);
    expect(ended.map((u) => u.id)).toEqual([TEACHER_USER.id]);
  });

  it('[SO2] storage cleared in another tab signs this tab out', () => {
    const session = openTab();
    otherTabWrites(null, null);
    expect(session.current.value).toBeNull();
  });

  it('[SO2] a refresh in another tab hands this tab the rotated tokens; the user stays', () => {
    const session = openTab();
    const ended = endedLog(session);

    otherTabWrites(stored('access-2', 'refresh-2'));

    expect(session.current.value).toMatchObject({
      accessToken: 'access-2',
      refreshToken: 'refresh-2',
    });
    expect(ended).toEqual([]);
  });

  it('[SO2] another user signed in elsewhere ends this tab’s session too', () => {
    const session = openTab();
    const ended = endedLog(session);
    const other = { ...TEACHER_USER, id: 'teacher-2', displayName: 'Петрова Б. Б.' };

    otherTabWrites(stored('access-3', 'refresh-3', other));

    expect(session.user?.id).toBe('teacher-2');
    expect(ended.map((u) => u.id)).toEqual([TEACHER_USER.id]);
  });

  it('[SO2] other keys, and this tab’s own writes, change nothing', () => {
    const session = openTab();
    const ended = endedLog(session);
    otherTabWrites(null, 'otmetka.lastSync');
    expect(session.user?.id).toBe(TEACHER_USER.id);
    expect(ended).toEqual([]);
  });
});
