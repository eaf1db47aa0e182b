import { useState } from 'preact/hooks';
import type { CatalogView } from '../db/queries.ts';
import { EMPTY_CATALOG, notices$ } from '../db/queries.ts';
import type { Notice } from '../db/schemas.ts';
import { useTeacher } from './context.ts';
import { useAppStored, useObservable } from './hooks.ts';
import { NoticeList } from './Notices.tsx';

/**
 * Always visible: online or offline, how many changes are not yet sent, the last successful
 * sync, and «Требуют внимания»: the edits the server refused or that lost a conflict.
 */
export function SyncBar({
  catalog = EMPTY_CATALOG,
  onSignIn,
}: {
  catalog?: CatalogView;
  /** SI1: opens the sign-in the teacher put off. */
  onSignIn?: () => void;
}) {
  const { db, sync, user } = useTeacher();
  const { online, pending, lastSyncAt, error, needsSignIn } = sync.status;
  const stored = useAppStored();
  const notices = useObservable(() => notices$(db), [db], [] as Notice[]);
  const [open, setOpen] = useState(false);

  return (
    <section class="syncbar" aria-live="polite" data-testid="sync-bar">
      <span
        class={online.value ? 'dot dot--on' : 'dot dot--off'}
        data-testid="sync-online"
        data-online={online.value ? 'yes' : 'no'}
      >
        {online.value ? 'В сети' : 'Нет сети'}
      </span>
      <span data-testid="sync-pending" data-count={pending.value}>
        {pending.value === 0 ? 'Всё отправлено' : `Не отправлено: ${pending.value}`}
      </span>
      <span class="muted" data-testid="sync-last">
        {lastSyncAt.value
          ? `Синхронизировано ${formatTime(lastSyncAt.value, user.timeZone)}`
          : 'Ещё не синхронизировано'}
      </span>
      {!(stored && lastSyncAt.value) && (
        // PW3: until the app and the journal are on the device, a reload offline opens nothing.
        <span class={online.value ? 'muted' : 'error'} data-testid="sync-not-offline-yet">
          Без сети журнал откроется после первой синхронизации
        </span>
      )}
      {needsSignIn.value && (
        <button
          type="button"
          class="attention"
          onClick={onSignIn}
          disabled={!online.value}
          data-testid="sync-signin"
        >
          {online.value
            ? 'Изменения не отправляются: войдите снова'
            : 'Войдите снова, когда будет связь'}
        </button>
      )}
      {error.value && (
        <span class="error" data-testid="sync-error">
          {error.value}
        </span>
      )}
      <button
        type="button"
        class="link"
        onClick={() => sync.syncNow()}
        data-testid="sync-now"
        aria-label="Синхронизировать сейчас"
      >
        ⟳
      </button>
      {notices.length > 0 && (
        <button
          type="button"
          class="attention"
          onClick={() => setOpen(!open)}
          aria-expanded={open}
          data-testid="notices-toggle"
        >
          Требуют внимания: {notices.length}
        </button>
      )}
      {open && notices.length > 0 && <NoticeList notices={notices} catalog={catalog} />}
    </section>
  );
}

/**
 * The instant in the organisation's zone (the session's `timeZone`), never the device's: a
 * tablet left on Moscow time in Orenburg must still show the teacher's own clock.
 */
function formatTime(at: number, timeZone: string): string {
  return new Intl.DateTimeFormat('ru-RU', {
    timeZone,
    day: '2-digit',
    month: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(at));
}
