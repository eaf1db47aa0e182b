import { useEffect, useState } from 'preact/hooks';
import { errorInfo } from '../sync/errors.ts';
import { isApiError } from '../sync/http.ts';
import type { Session } from '../sync/session.ts';
import { Register, registrationOrgId } from './Register.tsx';

/** The organisation of a registration link in the address, following its changes. */
function useRegistrationOrg(): string | null {
  const read = () => (typeof location === 'undefined' ? null : registrationOrgId(location.hash));
  const [orgId, setOrgId] = useState(read);
  useEffect(() => {
    const onHash = () => setOrgId(read());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return orgId;
}

/**
 * Sign-in. `lockedLogin` is set when the same user must sign in again (their refresh token
 * expired): the device holds their unsent changes, so only they may continue here.
 */
export function SignIn({
  session,
  lockedName,
  againText,
  onSignedIn,
  onLater,
}: {
  session: Session;
  lockedName?: string;
  /** What the sign-in again says instead of the teacher's text about unsent changes. */
  againText?: string;
  onSignedIn?: () => void;
  /** SI1: the teacher goes on with the journal on the device and signs in later. */
  onLater?: () => void;
}) {
  const registerOrg = useRegistrationOrg();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await session.signIn(login.trim(), password);
      onSignedIn?.();
    } catch (err) {
      setError(signInMessage(err, lockedName !== undefined));
    } finally {
      setBusy(false);
    }
  };

  // A registration link opens the parent's sign-up; never over a session kept for re-sign-in.
  if (registerOrg && !lockedName) return <Register session={session} orgId={registerOrg} />;

  return (
    <main class="signin">
      <form class="card signin-form" onSubmit={submit} data-testid="signin-form">
        <h1 class="brand">Отметка</h1>
        {lockedName ? (
          <p class="hint" data-testid="signin-again">
            {againText ??
              `Сеанс истёк. ${lockedName}, войдите снова — неотправленные изменения сохранены на устройстве и уйдут на сервер после входа.`}
          </p>
        ) : (
          <p class="hint">Электронный журнал дополнительного образования</p>
        )}
        <label>
          Логин
          <input
            name="login"
            autocomplete="username"
            value={login}
            onInput={(e) => setLogin(e.currentTarget.value)}
            required
            data-testid="signin-login"
          />
        </label>
        <label>
          Пароль
          <input
            name="password"
            type="password"
            autocomplete="current-password"
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            required
            data-testid="signin-password"
          />
        </label>
        {error && (
          <p class="error" role="alert" data-testid="signin-error">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy} data-testid="signin-submit">
          {busy ? 'Вход…' : 'Войти'}
        </button>
        {onLater && (
          <button type="button" onClick={onLater} data-testid="signin-later">
            Продолжить без входа
          </button>
        )}
      </form>
    </main>
  );
}

function signInMessage(err: unknown, again: boolean): string {
  if (isApiError(err)) {
    if (err.code === 'NETWORK' && again) {
      return 'Нет связи с сервером. Войдите, когда появится интернет: журнал на устройстве работает и без входа.';
    }
    if (err.code === 'NETWORK') return 'Нет связи с сервером. Для первого входа нужен интернет.';
    if (err.code === 'FORBIDDEN' && err.message) return err.message;
    return errorInfo(err.code).message;
  }
  return errorInfo('INTERNAL').message;
}
