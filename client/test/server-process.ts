import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The real sync server for the component tests (buildApp + embedded database on port 0, with
 * the shared test fixture) in a child Node process: happy-dom replaces fetch, URL and
 * AbortController in the test's realm, and the server's own database client must not run on the
 * page's browser fetch. Stopping the process is a real "server gone".
 */

// node:path, not URL: happy-dom's URL replaces Node's in this realm.
const HERE = dirname(fileURLToPath(import.meta.url));
const HELPERS = join(HERE, '../../sync-server/test/helpers.ts');
const STORE = join(HERE, '../../sync-server/src/db/store.ts');

export interface ServerProcess {
  url: string;
  child: ChildProcess;
}

/**
 * Starts the server; `seed` is extra module code run after the fixture, with `server` (the test
 * server) and `subgroupDbName` in scope.
 */
export async function startServerProcess(seed = ''): Promise<ServerProcess> {
  const script = `
    import { startServer, createFixture } from ${JSON.stringify(HELPERS)};
    import { subgroupDbName } from ${JSON.stringify(STORE)};
    const server = await startServer();
    await createFixture(server.store);
    ${seed}
    process.stdout.write(JSON.stringify({ url: server.url }) + '\\n');
    process.on('SIGTERM', () => server.stop().finally(() => process.exit(0)));
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.on('exit', (code) => reject(new Error(`server process exited with ${code}`)));
  });
  return { url, child };
}

export function stopServerProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Points happy-dom's page at the server, as in the browser, where the server serves the app. */
export function servePageFrom(url: string): void {
  (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(`${url}/`);
}
