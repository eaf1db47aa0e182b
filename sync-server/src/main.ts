import { existsSync } from 'node:fs';
import path from 'node:path';
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';
import { startEmbeddedCouch } from './db/embedded.ts';
import type { Store } from './db/store.ts';

/**
 * `npm start`: configuration from the environment, the embedded database unless COUCHDB_URL is
 * set, the demo seed on an empty database, then listen.
 */

const DEMO_ACCOUNTS = ['admin', 'teacher', 'parent'];
const DEMO_PASSWORD = 'otmetka-demo';

async function seedIfEmpty(store: Store, log: (msg: string) => void): Promise<boolean> {
  const here = path.dirname(new URL(import.meta.url).pathname);
  const seedFile = path.join(here, 'seed', 'index.ts');
  if (!existsSync(seedFile)) return false;

  const orgs = await store.listDbs('otm_org_');
  if (orgs.length > 0) return false;
  const mod = (await import(seedFile)) as { seedDemo?: (store: Store) => Promise<unknown> };
  if (!mod.seedDemo) return false;
  log('seeding the demo organisation');
  await mod.seedDemo(store);
  return true;
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

  const address = `http://${env.host}:${env.port}`;
  console.info(`\nОтметка: ${address}`);
  console.info(
    `База данных: ${embedded ? `встроенная (${env.dataDir}/couch)` : 'CouchDB (COUCHDB_URL)'}`,
  );
  if (seeded || (await app.store.getUserByLogin('admin'))) {
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
