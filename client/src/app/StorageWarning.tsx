import { signal } from '@preact/signals';

/**
 * The browser may evict IndexedDB of a site under storage pressure, and with it the unsent
 * marks. The app asks for persistent storage once at start; when the browser refuses, the
 * teacher is told to sync often (or to install the app, which usually grants it).
 */
export const storagePersisted = signal<boolean | null>(null);

export async function requestPersistentStorage(): Promise<void> {
  const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
  if (!storage?.persist) {
    storagePersisted.value = false;
    return;
  }
  try {
    storagePersisted.value = (await storage.persisted()) || (await storage.persist());
  } catch {
    storagePersisted.value = false;
  }
}

/** Dismissed once per device (a week), not once per page load: the warning would nag. */
const DISMISSED_KEY = 'otmetka.storage-warning-dismissed-at';
const DISMISS_FOR_MS = 7 * 24 * 3_600_000;

function dismissedRecently(): boolean {
  try {
    const at = Number(localStorage.getItem(DISMISSED_KEY));
    return Number.isFinite(at) && Date.now() - at < DISMISS_FOR_MS;
  } catch {
    return false;
  }
}

const dismissed = signal(dismissedRecently());

export function StorageWarning() {
  if (storagePersisted.value !== false || dismissed.value) return null;
  return (
    <div class="banner banner--warn" role="status" data-testid="storage-warning">
      <span>
        Браузер может удалить данные журнала с устройства при нехватке места. Чаще выходите в сеть,
        чтобы изменения уходили на сервер, или установите приложение на главный экран.
      </span>
      <button
        type="button"
        onClick={() => {
          dismissed.value = true;
          try {
            localStorage.setItem(DISMISSED_KEY, String(Date.now()));
          } catch {
            // Private mode or no storage: dismissed for this page only.
          }
        }}
        data-testid="storage-warning-dismiss"
      >
        Понятно
      </button>
    </div>
  );
}
