import type { SessionUser } from '@otmetka/shared';
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { SignIn } from '../screens/SignIn.tsx';
import type { Session } from '../sync/session.ts';
import { InstallOffer } from './InstallOffer.tsx';
import { StorageWarning } from './StorageWarning.tsx';
import { followSignOutsElsewhere, signOutOfRole } from './sign-out.ts';
import { TeacherShell } from './TeacherShell.tsx';
import { UpdateBanner } from './UpdateBanner.tsx';

/**
 * The shell: sign-in, then the screens of the user's role. The teacher's journal is in this
 * bundle; the admin and parent parts load on demand (they are online-only screens and need not
 * slow the teacher's start). import.meta.glob keeps the build working while a part is absent.
 */

type RoleScreen = ComponentType<{ session: RoleSession }>;
export interface RoleSession {
  user: SessionUser;
  fetchApi: (path: string, init?: RequestInit) => Promise<Response>;
}

const roleModules = import.meta.glob<Record<string, RoleScreen>>([
  '../screens/admin/AdminApp.tsx',
  '../screens/parent/ParentApp.tsx',
]);

export function App({ session }: { session: Session }) {
  useEffect(() => followSignOutsElsewhere(session), [session]);
  const current = session.current.value;
  return (
    <>
      <UpdateBanner />
      <InstallOffer />
      {/* Only a teacher's device keeps a journal the browser could evict. */}
      {current?.user.role === 'teacher' && <StorageWarning />}
      {current ? <RoleView session={session} user={current.user} /> : <SignIn session={session} />}
    </>
  );
}

function RoleView({ session, user }: { session: Session; user: SessionUser }) {
  if (user.role === 'teacher') return <TeacherShell session={session} user={user} />;
  const path =
    user.role === 'admin' ? '../screens/admin/AdminApp.tsx' : '../screens/parent/ParentApp.tsx';
  const exportName = user.role === 'admin' ? 'AdminApp' : 'ParentApp';
  return <LazyRole session={session} user={user} path={path} exportName={exportName} />;
}

function LazyRole(props: {
  session: Session;
  user: SessionUser;
  path: string;
  exportName: string;
}) {
  const [screen, setScreen] = useState<{ C: RoleScreen } | null | 'missing'>(null);
  const [signIns, setSignIns] = useState(0);
  useEffect(() => {
    const load = roleModules[props.path];
    if (!load) {
      setScreen('missing');
      return;
    }
    load().then(
      (mod) => setScreen(mod[props.exportName] ? { C: mod[props.exportName]! } : 'missing'),
      () => setScreen('missing'),
    );
  }, [props.path, props.exportName]);

  const roleSession: RoleSession = {
    user: props.user,
    fetchApi: (path, init) => props.session.authorised(path, init),
  };
  return (
    <div class="app">
      <header class="topbar">
        <span class="brand">Отметка</span>
        <span class="muted user">{props.user.displayName}</span>
        <button
          type="button"
          onClick={() => void signOutOfRole(props.session)}
          data-testid="logout"
        >
          Выйти
        </button>
      </header>
      {/* PD9: below the top bar, so «Выйти» stays at hand on a phone someone else picked up. */}
      {props.session.needsSignIn.value && (
        <SignIn
          session={props.session}
          lockedName={props.user.displayName}
          againText={`Сеанс истёк. ${props.user.displayName}, войдите снова, чтобы увидеть свежие данные.`}
          onSignedIn={() => setSignIns((n) => n + 1)}
        />
      )}
      {screen === null && <p class="empty">Загрузка…</p>}
      {screen === 'missing' && (
        <p class="empty" data-testid="role-missing">
          Этот раздел ещё не готов.
        </p>
      )}
      {/* A new key after signing in again: every screen asks the server afresh. */}
      {screen && screen !== 'missing' && <screen.C key={signIns} session={roleSession} />}
    </div>
  );
}
