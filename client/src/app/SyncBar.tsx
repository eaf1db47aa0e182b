import { useState } from 'preact/hooks';
import { learnerNames$, notices$ } from '../db/queries.ts';
import { dismissNotice, redoNotice } from '../db/repo.ts';
import type { Notice } from '../db/schemas.ts';
import { lostFieldLine, shownLostFields } from '../sync/lost-text.ts';
import { useTeacher } from './context.ts';
import { useObservable } from './hooks.ts';

/**
 * Always visible: online or offline, how many changes are not yet sent, the last successful
 * sync, and «Требуют внимания»: the edits the server refused or that lost a conflict.
 */
export function SyncBar() {
  const { db, sync, user } = useTeacher();
  const { online, pending, lastSyncAt, error } = sync.status;
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
      {open && notices.length > 0 && <NoticeList notices={notices} />}
    </section>
  );
}

function NoticeList({ notices }: { notices: Notice[] }) {
  const { db } = useTeacher();
  const names = useObservable(() => learnerNames$(db), [db], new Map<string, string>());
  return (
    <ul class="notices" data-testid="notices-list">
      {notices.map((n) => (
        <li key={n.id} class="notice" data-testid="notice" data-code={n.code} data-doc={n.docId}>
          <div>
            <strong>{describeDoc(n, names)}</strong>
            <p>{n.message}</p>
            {n.lostFields.length > 0 && (
              <p class="muted">{shownLostFields(n.lostFields).map(lostFieldLine).join('; ')}</p>
            )}
          </div>
          <div class="row">
            <button type="button" onClick={() => void redoNotice(db, n)} data-testid="notice-redo">
              Повторить
            </button>
            <button
              type="button"
              onClick={() => void dismissNotice(db, n.id)}
              data-testid="notice-dismiss"
            >
              Скрыть
            </button>
          </div>
        </li>
      ))}
    </ul>
  );
}

/** What the notice is about, in the teacher's words: whose mark, on which lesson. */
function describeDoc(n: Notice, names: Map<string, string>): string {
  const doc = n.attempted as {
    type?: string;
    date?: string;
    title?: string;
    code?: string;
    learnerId?: string;
  };
  const kind = n.kind === 'refused' ? 'Не принято' : 'Перекрыто';
  if (doc.type === 'mark') {
    const who = (doc.learnerId && names.get(doc.learnerId)) || 'обучающийся';
    return `${kind}: ${who}, отметка «${doc.code || '✓'}» за ${ruDate(doc.date)}`;
  }
  if (doc.type === 'lesson') return `${kind}: занятие ${ruDate(doc.date)}`;
  if (doc.type === 'topic') return `${kind}: тема «${doc.title ?? ''}»`;
  return kind;
}

function ruDate(date: string | undefined): string {
  if (!date) return '';
  const [y, m, d] = date.split('-');
  return `${d}.${m}.${y}`;
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
