import type { Ctx } from './context.ts';

/** What the browser does to start a sync round: its events, Background Sync, a timer. */

/** The tag the service worker's `sync` handler answers to (client/public/sw-sync.js). */
const BACKGROUND_SYNC_TAG = 'otmetka-sync';

/** A safety net when the stream is down: pull and push on a timer. */
const TIMER_MS = 60_000;

/**
 * Browser triggers that restart sync: the `online` event, the page becoming visible, a
 * Background Sync wake-up from the service worker, and a timer while the stream is down.
 */
export function watchEnvironment(
  ctx: Ctx,
  resync: () => void,
  reconnect: () => void,
): (() => void)[] {
  const cleanups: (() => void)[] = [];
  if (typeof window === 'undefined') return cleanups;

  const onOnline = () => {
    ctx.status.online.value = true;
    resync();
    reconnect();
  };
  const onOffline = () => {
    ctx.status.online.value = false;
    void registerBackgroundSync();
  };
  const onVisible = () => {
    if (document.visibilityState === 'visible') resync();
  };
  // A Background Sync wake-up only asks for a sync round: the worker may fire while the
  // device is (again) offline, so it never sets the online state; a round that reaches the
  // server does (markOnline), and a failing one leaves «Нет сети».
  const onWorkerMessage = (event: MessageEvent) => {
    if ((event.data as { type?: string })?.type !== BACKGROUND_SYNC_TAG) return;
    resync();
    reconnect();
  };
  window.addEventListener('online', onOnline);
  window.addEventListener('offline', onOffline);
  document.addEventListener('visibilitychange', onVisible);
  navigator.serviceWorker?.addEventListener('message', onWorkerMessage);
  const timer = setInterval(() => {
    if (!ctx.status.streamConnected.value || ctx.db.pending.size > 0) resync();
  }, TIMER_MS);
  const unsubscribePending = ctx.db.pendingCount.subscribe((count) => {
    if ((count ?? 0) > 0 && !ctx.status.online.value) void registerBackgroundSync();
  });

  cleanups.push(() => {
    window.removeEventListener('online', onOnline);
    window.removeEventListener('offline', onOffline);
    document.removeEventListener('visibilitychange', onVisible);
    navigator.serviceWorker?.removeEventListener('message', onWorkerMessage);
    clearInterval(timer);
    unsubscribePending();
  });
  return cleanups;
}

/** Asks the browser to wake the service worker when connectivity returns (Chromium only). */
async function registerBackgroundSync(): Promise<void> {
  try {
    // `ready` never settles without a registered worker (dev server, tests).
    if (!navigator.serviceWorker?.controller) return;
    const registration = await navigator.serviceWorker.ready;
    const sync = (registration as { sync?: { register(tag: string): Promise<void> } } | undefined)
      ?.sync;
    await sync?.register(BACKGROUND_SYNC_TAG);
  } catch {
    // No service worker or no permission: the `online` event and the timer still run.
  }
}
