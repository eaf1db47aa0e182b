import { useRegisterSW } from 'virtual:pwa-register/preact';
import { editsInProgress } from './router.ts';

/**
 * «Доступна новая версия»: a new service worker waits (registerType 'prompt') until the teacher
 * presses «Обновить». While a text field holds unsaved input the button waits too, so an
 * update never reloads the page in the middle of an edit. Marks are saved at each tap, so
 * nothing else can be lost by reloading.
 */
export function UpdateBanner() {
  const {
    needRefresh: [needRefresh, setNeedRefresh],
    updateServiceWorker,
  } = useRegisterSW({
    onRegisteredSW(_url, registration) {
      if (registration) watchForUpdates(registration);
    },
    onRegisterError(error) {
      console.warn('service worker not registered', error);
    },
  });
  if (!needRefresh) return null;
  const busy = editsInProgress.value > 0;
  return (
    <div class="banner" role="status" data-testid="update-banner">
      <span>Доступна новая версия</span>
      <button
        type="button"
        class="primary"
        disabled={busy}
        title={busy ? 'Сначала сохраните редактируемый текст' : undefined}
        onClick={() => void applyUpdate(updateServiceWorker)}
        data-testid="update-apply"
      >
        Обновить
      </button>
      <button type="button" onClick={() => setNeedRefresh(false)} data-testid="update-later">
        Позже
      </button>
    </div>
  );
}

/** The part of `navigator.serviceWorker` an update needs; a test passes its own. */
type Workers = Pick<ServiceWorkerContainer, 'getRegistration'>;

/**
 * Activates the waiting version, whose takeover reloads the page. When another tab of the app
 * pressed «Обновить» first, nothing waits any more and this tab never hears of the takeover:
 * it still runs the old version, and only a reload brings the new one (UP2).
 */
export async function applyUpdate(
  update: (reloadPage?: boolean) => Promise<void>,
  workers: Workers | undefined = navigator.serviceWorker,
  reload: () => void = () => location.reload(),
): Promise<void> {
  const registration = await workers?.getRegistration();
  if (registration?.waiting) return update(true);
  reload();
}

/** How often an open app asks the server whether a new version is out. */
export const UPDATE_CHECK_MS = 30 * 60 * 1000;

/** Where the checks listen; a test passes its own. */
export interface UpdateWatchEnv {
  window: EventTarget;
  document: EventTarget & { visibilityState: string };
  online: () => boolean;
}

function browserEnv(): UpdateWatchEnv {
  return { window, document, online: () => navigator.onLine !== false };
}

/**
 * UP3: the browser looks for a new service worker only on a navigation, and the app's screens
 * change by hash: a tablet whose app stayed open all day never heard of a new version. The
 * app asks every half hour, when the network comes back and when it is shown again.
 */
export function watchForUpdates(
  registration: { update(): Promise<unknown> },
  every: number = UPDATE_CHECK_MS,
  env: UpdateWatchEnv = browserEnv(),
): () => void {
  const check = () => {
    if (env.online()) registration.update().catch(() => {});
  };
  const onVisible = () => {
    if (env.document.visibilityState === 'visible') check();
  };
  const timer = setInterval(check, every);
  env.window.addEventListener('online', check);
  env.document.addEventListener('visibilitychange', onVisible);
  return () => {
    clearInterval(timer);
    env.window.removeEventListener('online', check);
    env.document.removeEventListener('visibilitychange', onVisible);
  };
}
