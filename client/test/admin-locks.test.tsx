// @vitest-environment happy-dom
import type { ChildProcess } from 'node:child_process';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../../sync-server/test/helpers.ts';
import { AdminApp } from '../src/screens/admin/AdminApp.tsx';
import { memoryStore, Session } from '../src/sync/session.ts';
import { servePageFrom, startServerProcess, stopServerProcess } from './server-process.ts';

/**
 * Month locks against a real sync server: an unlock asks for its reason, and the history keeps
 * every lock and unlock with the admin's name and reason after the month is locked again.
 */

let server: { url: string; child: ChildProcess };
let session: Session;

beforeAll(async () => {
  server = await startServerProcess();
  servePageFrom(server.url);
  session = new Session({ baseUrl: server.url }, memoryStore());
  await session.signIn('admin', PASSWORD);
});

afterAll(async () => {
  await stopServerProcess(server?.child);
});

afterEach(() => cleanup());

function type(testid: string, value: string) {
  fireEvent.input(screen.getByTestId(testid), { target: { value } });
}

function historyRows(): string[] {
  return screen.queryAllByTestId('lock-history-row').map((row) => row.textContent ?? '');
}

describe('admin: month locks', () => {
  it('[LK5][RU2] an unlock needs a reason; locked again, the history still shows who opened it and why', async () => {
    const user = session.user!;
    render(
      <AdminApp session={{ user, fetchApi: (path, init) => session.authorised(path, init) }} />,
    );
    fireEvent.click(await screen.findByTestId('admin-tab-locks'));
    await screen.findByTestId('lock-list');
    type('lock-month', '2026-10');

    fireEvent.click(screen.getByTestId('lock-unlock'));
    expect((await screen.findByTestId('lock-reason-error')).textContent).toMatch(/причину/);
    expect(historyRows()).toEqual([]);

    type('lock-reason', 'Исправление оценок');
    fireEvent.click(screen.getByTestId('lock-unlock'));
    await waitFor(() => expect(historyRows()).toHaveLength(1));
    fireEvent.click(screen.getByTestId('lock-lock'));
    await waitFor(() => expect(historyRows()).toHaveLength(2));

    const [locked, opened] = historyRows();
    // The verb agrees with the month: the admin may be a woman (RU2).
    expect(locked).toMatch(/Октябрь 2026 \(вся организация\) закрыт$/i);
    expect(opened).toMatch(/Октябрь 2026 \(вся организация\) открыт · Исправление оценок$/i);
    expect(opened).toContain(user.displayName);
    expect(screen.getByTestId('lock-list').textContent).toMatch(/закрыт/);
  });
});
