// @vitest-environment happy-dom
import type { ChildProcess } from 'node:child_process';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { PASSWORD } from '../../sync-server/test/helpers.ts';
import { type ParentApi, parentApi } from '../src/api/parent.ts';
import { ApplyForm } from '../src/screens/parent/ApplyForm.tsx';
import { ParentContext } from '../src/screens/parent/context.ts';
import { memoryStore, Session } from '../src/sync/session.ts';
import { servePageFrom, startServerProcess, stopServerProcess } from './server-process.ts';

/** The application form on a slow connection: the list of children has not arrived yet. */

afterEach(() => cleanup());

let server: { url: string; child: ChildProcess } | undefined;
afterAll(async () => {
  await stopServerProcess(server?.child);
});

function renderForm(api: Partial<ParentApi>) {
  const value = {
    user: { id: 'parent' } as never,
    api: api as ParentApi,
    version: 0,
    changed: () => {},
  };
  return render(
    <ParentContext.Provider value={value}>
      <ApplyForm
        subgroup={{ id: 'sg-a', name: 'Группа 1' }}
        programmeName="Робототехника"
        onCancel={() => {}}
        onDone={() => {}}
      />
    </ParentContext.Provider>,
  );
}

describe('parent: the application form', () => {
  it('[AP6] a tap before the list of children arrived sends nothing and asks to choose a child', async () => {
    const apply = vi.fn(() => Promise.reject(new Error('must not be sent')));
    const addChild = vi.fn(() => Promise.reject(new Error('must not be sent')));
    // The children's list is still on its way.
    const listChildren = vi.fn(() => new Promise<never>(() => {}));
    renderForm({ apply, addChild, listChildren } as Partial<ParentApi>);

    fireEvent.click(screen.getByTestId('apply-submit'));

    expect((await screen.findByTestId('apply-child-error')).textContent).toBe('Выберите ребёнка');
    expect(apply).not.toHaveBeenCalled();
    expect(addChild).not.toHaveBeenCalled();
  });

  it('[AP10][ER4] a new child too young for the programme: told once, at the birth date, and not registered', async () => {
    server = await startServerProcess('');
    servePageFrom(server.url);
    const session = new Session({ baseUrl: server.url }, memoryStore());
    await session.signIn('parent', PASSWORD);
    const api = parentApi((path, init) => session.authorised(path, init), session.user!.id);
    const before = (await api.listChildren()).value.children.length;
    renderForm(api);

    await waitFor(() =>
      expect(screen.getByTestId('apply-child').querySelectorAll('option').length).toBe(before + 1),
    );
    fireEvent.change(screen.getByTestId('apply-child'), { target: { value: '__new__' } });
    const type = (testid: string, value: string) =>
      fireEvent.input(screen.getByTestId(testid), { target: { value } });
    type('child-last-name', 'Малышев');
    type('child-first-name', 'Тимофей');
    type('child-birth-date', '2024-02-02');
    fireEvent.click(screen.getByTestId('apply-submit'));

    const error = await screen.findByTestId('child-birth-date-error');
    expect(error.textContent).toMatch(
      /^На \d\d\.\d\d\.\d{4} ребёнку \d+ (год|года|лет), а программа/,
    );
    expect(screen.queryByTestId('apply-error')).toBeNull();
    expect(screen.queryByTestId('apply-child-error')).toBeNull();
    expect((await api.listChildren()).value.children).toHaveLength(before);
  });
});
