import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Store } from './store.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** All database access; see db/store.ts for the layout. */
    store: Store;
  }
}

async function storePlugin(app: FastifyInstance, opts: { couchUrl: string }) {
  const store = new Store(opts.couchUrl);
  await store.init();
  app.decorate('store', store);
  app.addHook('onClose', async () => store.close());
}

export const storeLayer = fp(storePlugin, { name: 'otmetka-store' });
