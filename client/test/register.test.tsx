// @vitest-environment happy-dom
import type { ChildProcess } from 'node:child_process';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ORG_ID } from '../../sync-server/test/helpers.ts';
import { SignIn } from '../src/screens/SignIn.tsx';
import { memoryStore, Session } from '../src/sync/session.ts';
import { servePageFrom, startServerProcess, stopServerProcess } from './server-process.ts';

/**
 * AC2 on the device: the registration link opens the parent's sign-up instead of the sign-in,
 * names the organisation, shows a refused field in Russian, and signs the parent in.
 */

let server: { url: string; child: ChildProcess };

beforeAll(async () => {
  server = await startServerProcess();
  servePageFrom(server.url);
});

afterAll(async () => {
  await stopServerProcess(server?.child);
});

afterEach(() => {
  cleanup();
  location.hash = '';
});

function type(testid: string, value: string) {
  fireEvent.input(screen.getByTestId(testid), { target: { value } });
}

describe('parent registration', () => {
  it('[AC2][AC5] the link opens the sign-up with the organisation named; a taken login is told in Russian and cleared once edited; then the parent is signed in', async () => {
    location.hash = `#/register/${ORG_ID}`;
    const session = new Session({ baseUrl: server.url }, memoryStore());
    render(<SignIn session={session} />);

    await waitFor(() =>
      expect(screen.getByTestId('register-org').textContent).toMatch(
        /^Регистрация родителя: .+, .+/,
      ),
    );
    expect(screen.queryByTestId('signin-form')).toBeNull();

    type('register-name', 'Соколова Мария Игоревна');
    type('register-login', 'teacher-a-user');
    type('register-password', 'sokolova-2026');
    fireEvent.click(screen.getByTestId('register-submit'));
    const error = await screen.findByTestId('register-error');
    expect(error.textContent).toBe('Логин: логин «teacher-a-user» занят');
    expect(session.current.value).toBeNull();

    // AC5: put right, the field's old error goes at once, before anything is sent again.
    type('register-login', 'sokolova');
    expect(screen.queryByTestId('register-error')).toBeNull();
    fireEvent.click(screen.getByTestId('register-submit'));
    await waitFor(() => expect(session.current.value?.user.role).toBe('parent'));
    expect(session.current.value?.user).toMatchObject({
      orgId: ORG_ID,
      displayName: 'Соколова Мария Игоревна',
    });
  });

  it('[AC2] without a registration link the sign-in form is shown; a link to an unknown organisation says so', async () => {
    const session = new Session({ baseUrl: server.url }, memoryStore());
    const view = render(<SignIn session={session} />);
    expect(screen.getByTestId('signin-form')).toBeTruthy();
    view.unmount();

    location.hash = '#/register/org-nowhere';
    render(<SignIn session={session} />);
    await waitFor(() =>
      expect(screen.getByTestId('register-org').textContent).toBe(
        'Организация по этой ссылке не найдена — проверьте ссылку',
      ),
    );
    expect((screen.getByTestId('register-submit') as HTMLButtonElement).disabled).toBe(true);
  });
});
