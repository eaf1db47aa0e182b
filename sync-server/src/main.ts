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

/** Seeds the demo organisation into an empty database; returns the lines to print. */
async function seedIfEmpty(store: Store, log: (msg: string) => void): Promise<string | null> {
  const orgs = await store.listDbs('otm_org_');
  if (orgs.length > 0) return null;

  log('seeding the demo organisation');
  const summary = await seedDemo(store);
  return summary ? formatSeedSummary(summary) : null;
}

async function main() {
  const env = await loadConfig();
  const embedded = env.couchUrl
    ? undefined
    : await startEmbeddedCouch({ dataDir: env.dataDir, port: env.embeddedCouchPort });
  const couchUrl = env.couchUrl ?? embedded!.url;

  const app = await buildApp({ ...env, couchUrl });
  const seeded = await seedIfEmpty(app.store, (msg) => app.log.info(msg));
  await app.listen({ port: env.port, host: env.host });

  const { port } = app.server.address() as { port: number };
  const address = `http://${env.host}:${port}`;
  console.info(`\nОтметка: ${address}`);
  console.info(
    `База данных: ${embedded ? `встроенная (${env.dataDir}/couch)` : 'CouchDB (COUCHDB_URL)'}`,
  );
  if (seeded) console.info(seeded);
  else if (await app.store.getUserByLogin('admin')) {
    console.info(`Демо-входы: ${DEMO_ACCOUNTS.join(', ')}; пароль ${DEMO_PASSWORD}\n`);
  }

  const stop = async () => {
    await app.close();
    await embedded?.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
