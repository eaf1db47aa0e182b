import { signal } from '@preact/signals';
import type { SyncEngine, SyncOptions, SyncStatus } from './replication.ts';

/**
 * The sync engine as the shell starts it: the same SyncEngine API, returned at once, while the
 * replication code (RxDB replication, the SSE stream, the protocol's zod schemas) loads with a
 * dynamic import after the journal has rendered. The journal opens from IndexedDB alone, so
 * that code need not delay the first screen. Until it is there the status reads "not yet
 * synchronised" and calls are remembered: syncNow runs once it starts, awaitInSync waits for it,
 * and a stop before it arrived means it never starts.
 */
export function startSyncDeferred(options: SyncOptions): SyncEngine {
  const status: SyncStatus = {
    online: signal(typeof navigator === 'undefined' ? true : navigator.onLine !== false),
    pending: options.db.pendingCount,
    lastSyncAt: signal(options.lastSyncStore?.get() ?? null),
    error: signal(null),
    streamConnected: signal(false),
    needsSignIn: options.session.needsSignIn,
  };
  let stopped = false;
  const unmirror: (() => void)[] = [];

  const engine: Promise<SyncEngine | null> = import('./replication.ts').then(({ startSync }) => {
    if (stopped) return null;
    const real = startSync(options);
    const mirror = <T>(from: { subscribe(fn: (v: T) => void): () => void }, to: { value: T }) =>
      unmirror.push(
        from.subscribe((v) => {
          to.value = v;
        }),
      );
    mirror(real.status.online, status.online);
    mirror(real.status.lastSyncAt, status.lastSyncAt);
    mirror(real.status.error, status.error);
    mirror(real.status.streamConnected, status.streamConnected);
    return real;
  });

  return {
    status,
    syncNow() {
      void engine.then((real) => real?.syncNow());
    },
    async awaitInSync() {
      await (await engine)?.awaitInSync();
    },
    async cleanupTombstones(ageMs) {
      return (await (await engine)?.cleanupTombstones(ageMs)) ?? 0;
    },
    async stop() {
      stopped = true;
      for (const off of unmirror.splice(0)) off();
      await (await engine)?.stop();
    },
  };
}
