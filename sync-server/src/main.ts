import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';
import { startEmbeddedCouch } from './db/embedded.ts';
import type { Store } from './db/store.ts';
import { formatSeedSummary, seedDemo } from './seed/index.ts';

/**
 * `npm start`: configuration from the environment, the embedded database unless COUCHDB_URL is
 * set, the demo seed on an empty database, then listen.
 */

const DEMO_ACCOUNTS = ['admin', 'teacher', 'parent'];
const DEMO_PASSWORD = 'otmetka-demo';

/**
 * The instant the demo journal is kept up to: SEED_NOW (an ISO instant), or the real time.
 * End-to-end tests seed an earlier instant so that the lessons since then, up to today, are
 * still unmarked, as a teacher finds them before taking the roll.
 */
function seedNowFromEnv(env: NodeJS.ProcessEnv): Date | undefined {
  if (!env.SEED_NOW) return undefined;
  const at = new Date(env.SEED_NOW);
  if (Number.isNaN(at.getTime())) throw new Error('SEED_NOW must be an ISO date and time');
  return at;
}

/** Seeds the demo organisation into an empty database; returns the lines to print. */
async function seedIfEmpty(store: Store, log: (msg: string) => void): Promise<string | null> {
  const orgs = await store.listDbs('otm_org_');
  if (orgs.length > 0) return null;

  log('seeding the demo organisation');
  const summary = await seedDemo(store, { now: seedNowFromEnv(process.env) });
  return summary ? formatSeedSummary(summary) : null;
}

/**
 * A server process may start before its CouchDB (a cluster restart, a container order): wait for
 * the database instead of exiting, so a supervisor does not have to.
 */
async function waitForDatabase(url: string, log: (msg: string) => void): Promise<void> {
  // fetch refuses URLs with credentials: send them as a Basic header instead.
  const target = new URL(url);
  const auth = target.username
    ? `Basic ${btoa(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`)}`
    : undefined;
  target.username = '';
  target.password = '';
  const deadline = Date.now() + 120_000;

  for (let delay = 250; ; delay = Math.min(delay * 2, 5_000)) {
    try {
      const res = await fetch(target, {
        headers: auth ? { authorization: auth } : {},
        signal: AbortSignal.timeout(5_000),
      });
      if (res.ok) return;
    } catch {
      // Not reachable yet.
    }
    if (Date.now() > deadline) throw new Error('the database did not answer within 120 s');
    log(`waiting for the database (${delay} ms)`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

const START_ATTEMPTS = 5;

/**
 * Builds the app (which creates databases and indexes) once the database answers. The database
 * can also go away in the middle of that (a restart of the cluster): then wait and start again
 * rather than exit; only an error that outlasts several attempts stops the process.
 */
async function startApp(config: Parameters<typeof buildApp>[0]) {
  for (let attempt = 1; ; attempt++) {
    await waitForDatabase(config.couchUrl, (msg) => console.warn(msg));
    let app: Awaited<ReturnType<typeof buildApp>> | undefined;
    try {
      app = await buildApp(config);
      const seeded = await seedIfEmpty(app.store, (msg) => app!.log.info(msg));
      return { app, seeded };
    } catch (error) {
      await app?.close().catch(() => undefined);
      if (attempt >= START_ATTEMPTS) throw error;
      console.warn(`start-up failed (${(error as Error).message}); starting again`);
    }
  }
}

/** The demo accounts line, when the demo is there; a database that is away just omits it. */
async function demoAccountsLine(store: Store): Promise<string | null> {
  const admin = await store.getUserByLogin('admin').catch(() => undefined);
  return admin ? `Демо-входы: ${DEMO_ACCOUNTS.join(', ')}; пароль ${DEMO_PASSWORD}\n` : null;
}

/** ST1: the line that says what to do when the port is taken. */
function portTakenLine(port: number, host: string): string {
  return (
    `Порт ${port} на ${host} уже занят другой программой. ` +
    `Запустите на свободном порту, например: PORT=${port + 1} npm start. ` +
    `Если это другая копия Отметки, дайте второй и свою папку данных: ` +
    `PORT=${port + 1} DATA_DIR=/tmp/otmetka-2 npm run dev`
  );
}

/** ST1: before anything is created or seeded, the port must be free; otherwise say so and stop. */
async function ensurePortFree(port: number, host: string): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  const taken = await new Promise<boolean>((resolve) => {
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE'));
    probe.listen(port, host, () => probe.close(() => resolve(false)));
  });
  if (!taken) return;
  console.error(portTakenLine(port, host));
  process.exit(1);
}

/**
 * ST2: one running server per data folder of the embedded database. LevelDB locks its files,
 * and a second copy on the same folder failed five times with stack traces; now it stops with
 * one line. The folder keeps the running server's process id; a stale one (a crash) is taken over.
 */
function claimDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, 'otmetka.pid');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const holder = Number(readFileSync(file, { encoding: 'utf8', flag: 'a+' }).trim());
  if (holder && holder !== process.pid && isRunning(holder)) {
    console.error(
      `Папка данных ${dataDir} занята другой запущенной копией Отметки (процесс ${holder}). ` +
        'Остановите её или запустите с другой папкой, например: DATA_DIR=/tmp/otmetka-2 PORT=8081 npm run dev',
    );
    process.exit(1);
  }
  writeFileSync(file, String(process.pid), { mode: 0o600 });
  return () => rmSync(file, { force: true });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function main() {
  const env = await loadConfig();
  await ensurePortFree(env.port, env.host);
  const release = env.couchUrl ? () => {} : claimDataDir(env.dataDir);
  const embedded = env.couchUrl
    ? undefined
    : await startEmbeddedCouch({
        dataDir: env.dataDir,
        port: env.embeddedCouchPort,
        // SC6: only this process knows it, so only this process reads the database.
        password: randomBytes(24).toString('base64url'),
      });
  const couchUrl = env.couchUrl ?? embedded!.url;

  const { app, seeded } = await startApp({ ...env, couchUrl });
  try {
    await app.listen({ port: env.port, host: env.host });
  } catch (error) {
    // A newcomer's first `npm start` often meets another app on 8080: say what to do instead
    // of printing a stack trace (ST1).
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    console.error(portTakenLine(env.port, env.host));
    await app.close().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    release();
    process.exit(1);
  }

  const { port } = app.server.address() as { port: number };
  const address = `http://${env.host}:${port}`;
  console.info(`\nОтметка: ${address}`);
  console.info(
    `База данных: ${embedded ? `встроенная (${env.dataDir}/couch)` : 'CouchDB (COUCHDB_URL)'}`,
  );
  // Once listening, the process serves whatever the database does next: nothing after this
  // point may stop it (a soak run found a database restart landing on this very lookup).
  const demo = seeded ?? (await demoAccountsLine(app.store));
  if (demo) console.info(demo);

  const stop = async () => {
    await app.close();
    await embedded?.stop();
    release();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
