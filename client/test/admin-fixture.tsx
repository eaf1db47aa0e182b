import { cleanup, render } from '@testing-library/preact';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { PASSWORD } from '../../sync-server/test/helpers.ts';
import { AdminApp } from '../src/screens/admin/AdminApp.tsx';
import { memoryStore, Session } from '../src/sync/session.ts';
import {
  type ServerProcess,
  servePageFrom,
  startServerProcess,
  stopServerProcess,
} from './server-process.ts';

/**
 * The admin's screens against a real sync server process, signed in as the demo admin: the
 * set-up every admin form test starts from. Call at the top of a test file; the server and
 * the session are there once `beforeAll` has run.
 */
export function adminScreens() {
  const env = {} as { server: ServerProcess; session: Session };

  beforeAll(async () => {
    env.server = await startServerProcess();
    // Same origin as the page, as in the browser, where the app is served by the sync server.
    servePageFrom(env.server.url);
    env.session = new Session({ baseUrl: env.server.url }, memoryStore());
    await env.session.signIn('admin', PASSWORD);
  });

  afterAll(async () => {
    await stopServerProcess(env.server?.child);
  });

  afterEach(() => cleanup());

  const renderAdmin = () => {
    const { session } = env;
    const user = session.user!;
    return render(
      <AdminApp session={{ user, fetchApi: (path, init) => session.authorised(path, init) }} />,
    );
  };
  return { env, renderAdmin };
}
