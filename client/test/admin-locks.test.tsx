// @vitest-environment happy-dom
import type { ChildProcess } from 'node:child_process';
import { addMonths, monthOf, todayIn } from '@otmetka/shared';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
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
  // LK7: months close automatically on the 10th of the next month.
  server = await startServerProcess(`
    await server.store.update('otm_org_org-test', 'org-test', (org) => ({ ...org, lockDay: 10 }));
  `);
  servePageFrom(server.url);
  session = new Session({ baseUrl: server.url }, memoryStore());
  await session.signIn('admin', PASSWORD);
});

afterAll(async () => {
  await stopServerProcess(server?.child);
});

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

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

  it('[LK7] says which months of the year the automatic lock holds closed, and names a subgroup’s lock', async () => {
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(Date.parse('2026-12-15T08:00:00Z'));
    const user = session.user!;
    render(
      <AdminApp session={{ user, fetchApi: (path, init) => session.authorised(path, init) }} />,
    );
    fireEvent.click(await screen.findByTestId('admin-tab-locks'));
    await screen.findByTestId('lock-list');
    // October is the admin's (locked by the test above), so not among the automatic ones.
    expect((await screen.findByTestId('lock-auto')).textContent).toMatch(
      /10-го числа следующего месяца\. Сейчас закрыты автоматически: сентябрь 2026, ноябрь 2026\.$/,
    );

    // A subgroup's own unlock takes its month out of the automatic ones, and is named.
    fireEvent.change(screen.getByTestId('lock-subgroup'), { target: { value: 'sg-a' } });
    type('lock-month', '2026-09');
    type('lock-reason', 'Исправление отметок');
    fireEvent.click(screen.getByTestId('lock-unlock'));
    await waitFor(() =>
      expect(screen.getByTestId('lock-auto').textContent).toMatch(
        /Сейчас закрыты автоматически: ноябрь 2026\.$/,
      ),
    );
    expect(screen.getByTestId('lock-row-sg-a-2026-09').textContent).toContain(
      'Робототехника — Группа sg-a',
    );
  });

  it('[LK8] closing a month for the whole organisation names the subgroups an unlock keeps open', async () => {
    const user = session.user!;
    render(
      <AdminApp session={{ user, fetchApi: (path, init) => session.authorised(path, init) }} />,
    );
    fireEvent.click(await screen.findByTestId('admin-tab-locks'));
    await screen.findByTestId('lock-list');
    // September is open for sg-a on its own (the test above); now the organisation closes it.
    expect(screen.queryByTestId('lock-open-apart')).toBeNull();
    type('lock-month', '2026-09');
    fireEvent.click(screen.getByTestId('lock-lock'));

    const warning = await screen.findByTestId('lock-open-apart');
    expect(warning.textContent).toContain(
      'Месяц закрыт для всей организации, но открыт отдельно для подгрупп: сентябрь 2026 — Робототехника — Группа sg-a.',
    );
    // Closed for sg-a too, nothing is left open apart.
    fireEvent.change(screen.getByTestId('lock-subgroup'), { target: { value: 'sg-a' } });
    type('lock-month', '2026-09');
    fireEvent.click(screen.getByTestId('lock-lock'));
    await waitFor(() => expect(screen.queryByTestId('lock-open-apart')).toBeNull());
  });

  it('[LK11] a month opened by hand is listed to be closed again; a slip is asked about first', async () => {
    const user = session.user!;
    render(
      <AdminApp session={{ user, fetchApi: (path, init) => session.authorised(path, init) }} />,
    );
    fireEvent.click(await screen.findByTestId('admin-tab-locks'));
    await screen.findByTestId('lock-list');
    expect(screen.queryByTestId('lock-opened')).toBeNull();

    // October is closed for the whole organisation (above): opened for a correction, it is
    // listed with its reason until an admin closes it again.
    type('lock-month', '2026-10');
    type('lock-reason', 'Поздняя запись');
    fireEvent.click(screen.getByTestId('lock-unlock'));
    const opened = await screen.findByTestId('lock-opened-2026-10');
    expect(opened.textContent).toContain('октябрь 2026 · Поздняя запись');
    expect(screen.getByTestId('lock-opened').textContent).toContain(
      'Открыты вручную и сами не закроются (вся организация)',
    );
    fireEvent.click(screen.getByTestId('lock-close-2026-10'));
    await waitFor(() => expect(screen.queryByTestId('lock-opened')).toBeNull());
    expect(screen.getByTestId('lock-row-all-2026-10').textContent).toMatch(/закрыт/);

    // A month that has not begun is closed only when the admin says so twice.
    const today = todayIn('Asia/Yekaterinburg');
    const later = addMonths(monthOf(today), 3);
    const rows = historyRows().length;
    type('lock-month', later);
    fireEvent.click(screen.getByTestId('lock-lock'));
    expect((await screen.findByTestId('lock-confirm')).textContent).toMatch(/ещё не начался/);
    fireEvent.click(screen.getByTestId('lock-confirm-no'));
    expect(screen.queryByTestId('lock-confirm')).toBeNull();
    expect(historyRows()).toHaveLength(rows);
    // A question is about its month and scope: another choice drops it.
    fireEvent.click(screen.getByTestId('lock-lock'));
    await screen.findByTestId('lock-confirm');
    fireEvent.change(screen.getByTestId('lock-subgroup'), { target: { value: 'sg-a' } });
    await waitFor(() => expect(screen.queryByTestId('lock-confirm')).toBeNull());
    fireEvent.change(screen.getByTestId('lock-subgroup'), { target: { value: '' } });
    fireEvent.click(screen.getByTestId('lock-lock'));
    fireEvent.click(await screen.findByTestId('lock-confirm-yes'));
    await waitFor(() => expect(historyRows()).toHaveLength(rows + 1));

    // Opening a month that is not closed would keep it from ever closing on its own.
    type('lock-month', monthOf(today));
    type('lock-reason', 'Заранее');
    fireEvent.click(screen.getByTestId('lock-unlock'));
    expect((await screen.findByTestId('lock-confirm')).textContent).toMatch(
      /сейчас не закрыт.*не закроется сам/,
    );
    fireEvent.click(screen.getByTestId('lock-confirm-no'));
    expect(historyRows()).toHaveLength(rows + 1);
  });
});
