import type { SessionUser } from '@otmetka/shared';
import type { RefObject } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type { OtmetkaDb } from '../db/database.ts';
import { closeDb, openDb, removeDb, removeDbNamed } from '../db/database.ts';
import { clearDrafts, replayDrafts } from '../db/drafts.ts';
import type { CatalogView } from '../db/queries.ts';
import { catalog$, EMPTY_CATALOG } from '../db/queries.ts';
import { finishRemovals, noteRemoval } from '../db/removals.ts';
import { Journals } from '../screens/journal/Journals.tsx';
import { SubgroupView } from '../screens/journal/SubgroupView.tsx';
import { SignIn } from '../screens/SignIn.tsx';
import { durableKv } from '../sync/durable-kv.ts';
import type { SyncEngine } from '../sync/replication.ts';
import type { Session } from '../sync/session.ts';
import { startSyncDeferred } from '../sync/start.ts';
import { TeacherContext, useTeacher } from './context.ts';
import { useObservable, useReturnFocus } from './hooks.ts';
import { counted } from './plural.ts';
import { route } from './router.ts';
import { SyncBar } from './SyncBar.tsx';

/**
 * SY2: the last sync is the user's, as their journal database is: a tablet shared by two
 * teachers, or signed in again after a sign-out, showed the previous session's time while the
 * new journal had not synchronised yet.
 */
function lastSyncKey(userId: string): string {
  return `otmetka.lastSync.${userId}`;
}

/** Opens the teacher's local database and sync, then renders the journal screens. */
export function TeacherShell({ session, user }: { session: Session; user: SessionUser }) {
  const [state, setState] = useState<{ db: OtmetkaDb; sync: SyncEngine } | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [waitingForTabs, setWaitingForTabs] = useState(false);

  useEffect(() => {
    let cancelled = false;
    let opened: { db: OtmetkaDb; sync: SyncEngine } | null = null;
    void (async () => {
      try {
        // SO5: a journal whose removal a killed browser cut short goes before any opens.
        await finishRemovals(durableKv(), removeDbNamed);
        const db = await openDb({
          name: dbName(user),
          user: { id: user.id, orgId: user.orgId },
          onWaitForTabs: () => setWaitingForTabs(true),
        });
        // TX2: text typed just before the last page went away is written before any screen
        // shows the lesson and before sync starts, as an edit that syncs like any other.
        await replayDrafts(db).catch((err: unknown) => console.warn('drafts not replayed', err));
        // Replication loads after the journal renders: the journal needs only IndexedDB.
        const sync = startSyncDeferred({ db, session, lastSyncStore: lastSyncStore(user.id) });
        opened = { db, sync };
        if (cancelled) await shutdown(opened);
        else setState(opened);
      } catch (err) {
        console.error('local database did not open', err);
        setFailure('Не удалось открыть журнал на устройстве. Перезагрузите страницу.');
      }
    })();
    return () => {
      cancelled = true;
      if (opened) void shutdown(opened);
    };
  }, [session, user.id]);

  if (failure) return <p class="error">{failure}</p>;
  if (!state && waitingForTabs) {
    return (
      <div class="banner banner--warn" role="status" data-testid="db-wait-tabs">
        Журнал на этом устройстве обновляется. Закройте другие вкладки с журналом — он откроется
        сам.
      </div>
    );
  }
  if (!state) return <p class="empty">Открываем журнал…</p>;
  return (
    <TeacherContext.Provider value={{ db: state.db, sync: state.sync, user }}>
      <TeacherScreens session={session} />
    </TeacherContext.Provider>
  );
}

async function shutdown({ db, sync }: { db: OtmetkaDb; sync: SyncEngine }) {
  await sync.stop();
  await closeDb(db);
}

/** One IndexedDB database per user: a shared tablet keeps each teacher's journal apart. */
export function dbName(user: SessionUser): string {
  return `otmetka-${user.id}`;
}

function lastSyncStore(userId: string) {
  const key = lastSyncKey(userId);
  return {
    get: () => {
      const raw = globalThis.localStorage?.getItem(key);
      return raw ? Number(raw) : null;
    },
    set: (at: number) => globalThis.localStorage?.setItem(key, String(at)),
  };
}

function TeacherScreens({ session }: { session: Session }) {
  const { db, sync, user } = useTeacher();
  const catalog = useObservable(
    () => catalog$(db, user.teacherId),
    [db],
    EMPTY_CATALOG as CatalogView,
  );
  const current = route.value;
  // SI1: the sign-in asked again never locks the journal on the device: the teacher may put it
  // off, and offline (where it cannot succeed) it gives way to a line in the sync bar.
  const [later, setLater] = useState(false);
  const needed = sync.status.needsSignIn.value;
  useEffect(() => {
    if (!needed) setLater(false);
  }, [needed]);
  const asking = needed && !later && sync.status.online.value;

  return (
    <div class="app">
      <header class="topbar">
        <a href="#/" class="brand" data-testid="nav-home">
          Отметка
        </a>
        <span class="muted user">{user.displayName}</span>
        <LogoutButton session={session} />
      </header>
      <SyncBar catalog={catalog} onSignIn={() => setLater(false)} />
      {asking && (
        <div class="overlay">
          <SignIn session={session} lockedName={user.displayName} onLater={() => setLater(true)} />
        </div>
      )}
      <main class="content">
        {current.name === 'journals' ? (
          <Journals catalog={catalog} />
        ) : (
          <SubgroupView route={current} catalog={catalog} />
        )}
      </main>
    </div>
  );
}

/**
 * Logout on a shared tablet: local data is removed only after every pending change reached
 * the server, or after the teacher explicitly agrees to discard the unsent ones.
 */
function LogoutButton({ session }: { session: Session }) {
  const { db, sync } = useTeacher();
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const button = useRef<HTMLButtonElement>(null);

  const finish = async () => {
    await sync.stop();
    // SO5: noted before the session ends, so a browser killed from here on still removes it.
    const kv = durableKv();
    await noteRemoval(kv, db.rx.name);
    await session.signOut();
    await removeDb(db);
    // The note stays until the next start has removed the journal once more (finishRemovals):
    // a browser killed now may not have written the removal to disk yet.
    // Unsaved text of the journal leaves with it (a shared tablet), and so does its last sync.
    clearDrafts(db.user.id);
    globalThis.localStorage?.removeItem(lastSyncKey(db.user.id));
    location.hash = '#/';
    location.reload();
  };

  const logout = async () => {
    setBusy(true);
    // Text typed a moment ago may still be on its way to IndexedDB (the tap on «Выйти» blurred
    // its field): its draft is written first, so it counts among the unsent changes (TX2).
    await replayDrafts(db).catch((err: unknown) => console.warn('drafts not replayed', err));
    // SO4: online, the unsent changes get a few seconds to leave; offline, nothing can leave,
    // and the teacher is asked at once. Another tab that sends them ends the wait too.
    if (db.pending.size > 0 && sync.status.online.value) {
      sync.syncNow();
      await Promise.race([
        sync.awaitInSync(),
        nothingPending(sync),
        new Promise((r) => setTimeout(r, 8000)),
      ]);
    }
    setBusy(false);
    if (db.pending.size > 0) setAsking(true);
    else await finish();
  };

  return (
    <>
      <button
        type="button"
        ref={button}
        disabled={busy}
        onClick={() => void logout()}
        data-testid="logout"
      >
        {busy ? 'Отправляем…' : 'Выйти'}
      </button>
      {asking && (
        <LogoutDialog
          pending={db.pending.size}
          opener={button}
          onStay={() => setAsking(false)}
          onDiscard={() => void finish()}
        />
      )}
    </>
  );
}

/** Resolves once the device has no unsent change (whichever tab sent them). */
function nothingPending(sync: SyncEngine): Promise<void> {
  return new Promise((resolve) => {
    const stop = sync.status.pending.subscribe((count) => {
      // The first call comes during subscribe, before `stop` exists.
      if ((count ?? 0) > 0) return;
      queueMicrotask(() => {
        stop();
        resolve();
      });
    });
  });
}

const CHANGES = ['изменение', 'изменения', 'изменений'] as const;

/**
 * Asked when unsent changes remain. The safe answer has the focus, Escape means «stay», and
 * the focus goes back to «Выйти» when the teacher stays (LS3).
 */
function LogoutDialog(props: {
  pending: number;
  opener: RefObject<HTMLButtonElement>;
  onStay: () => void;
  onDiscard: () => void;
}) {
  const stay = useRef<HTMLButtonElement>(null);
  const id = useId();
  useReturnFocus(props.opener);
  useEffect(() => stay.current?.focus(), []);
  return (
    <div
      class="overlay"
      role="dialog"
      aria-modal="true"
      aria-labelledby={id}
      data-testid="logout-dialog"
      onKeyDown={(e) => {
        if (e.key === 'Escape') props.onStay();
      }}
    >
      <div class="card">
        <h2 id={id}>Есть неотправленные изменения</h2>
        <p>
          {`Не отправлено на сервер: ${counted(props.pending, CHANGES)}. `}
          Если выйти сейчас, всё неотправленное будет удалено с устройства.
        </p>
        <div class="row">
          <button
            type="button"
            class="primary"
            ref={stay}
            onClick={props.onStay}
            data-testid="logout-stay"
          >
            Остаться и отправить позже
          </button>
          <button
            type="button"
            class="danger"
            onClick={props.onDiscard}
            data-testid="logout-discard"
          >
            Удалить изменения и выйти
          </button>
        </div>
      </div>
    </div>
  );
}
