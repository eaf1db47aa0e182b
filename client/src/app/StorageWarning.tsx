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

const dismissed = signal(false);

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
        }}
        data-testid="storage-warning-dismiss"
      >
        Понятно
      </button>
    </div>
  );
}
