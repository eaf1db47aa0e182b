import { useEffect, useState } from 'preact/hooks';
import { errorInfo } from '../sync/errors.ts';
import { isApiError } from '../sync/http.ts';
import type { Session } from '../sync/session.ts';

/**
 * AC2: a parent's own account, opened from the registration link the organisation gives out
 * (`#/register/<orgId>`). The organisation is named before anything is asked; a refused field
 * is named in Russian next to the form's error line.
 */

const REGISTER_HASH = /^#\/register\/([a-z0-9][a-z0-9-]{0,47})$/;

/** The organisation id of a registration link in the address, or null. */
export function registrationOrgId(hash: string): string | null {
  return REGISTER_HASH.exec(hash)?.[1] ?? null;
}

const FIELD_NAMES: Record<string, string> = {
  displayName: 'ФИО',
  login: 'Логин',
  password: 'Пароль',
  orgId: 'Организация',
};

function registerMessage(err: unknown): string {
  if (!isApiError(err)) return errorInfo('INTERNAL').message;
  if (err.code === 'NETWORK') return 'Нет связи с сервером. Для регистрации нужен интернет.';
  const field = (err.details as { field?: string } | undefined)?.field;
  const text = err.message.replace(/^[\w.]+: /, '');
  if (err.code === 'RATE_LIMITED') return errorInfo(err.code).message;
  return field && FIELD_NAMES[field] ? `${FIELD_NAMES[field]}: ${text}` : text;
}

export function Register({ session, orgId }: { session: Session; orgId: string }) {
  const [org, setOrg] = useState<{ name: string; city: string } | null>(null);
  const [orgError, setOrgError] = useState<string | null>(null);
  const [form, setForm] = useState({ displayName: '', login: '', password: '' });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    session
      .publicOrg(orgId)
      .then(setOrg, (err: unknown) =>
        setOrgError(
          isApiError(err) && err.code === 'NOT_FOUND'
            ? 'Организация по этой ссылке не найдена — проверьте ссылку'
            : registerMessage(err),
        ),
      );
  }, [session, orgId]);

  // AC5: an answer about what was sent goes once the form changes; the browser's own checks
  // (a short password) may keep the next attempt from reaching the server, and the old error
  // then named a field that was already put right.
  const set = (key: keyof typeof form) => (e: Event) => {
    setError(null);
    setForm((old) => ({ ...old, [key]: (e.currentTarget as HTMLInputElement).value }));
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await session.register({ orgId, ...form, login: form.login.trim() });
      location.hash = '#/';
    } catch (err) {
      setError(registerMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="signin">
      <form class="card signin-form" onSubmit={submit} data-testid="register-form">
        <h1 class="brand">Отметка</h1>
        <p class="hint" data-testid="register-org">
          {org
            ? `Регистрация родителя: ${org.name}, ${org.city}`
            : (orgError ?? 'Загрузка организации…')}
        </p>
        <label>
          Фамилия, имя, отчество
          <input
            name="name"
            autocomplete="name"
            value={form.displayName}
            onInput={set('displayName')}
            required
            data-testid="register-name"
          />
        </label>
        <label>
          Логин (латинские буквы, цифры)
          <input
            name="login"
            autocomplete="username"
            value={form.login}
            onInput={set('login')}
            required
            data-testid="register-login"
          />
        </label>
        <label>
          Пароль (не короче 8 знаков)
          <input
            name="password"
            type="password"
            autocomplete="new-password"
            minLength={8}
            value={form.password}
            onInput={set('password')}
            required
            data-testid="register-password"
          />
        </label>
        {error && (
          <p class="error" role="alert" data-testid="register-error">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy || !org} data-testid="register-submit">
          {busy ? 'Регистрация…' : 'Зарегистрироваться'}
        </button>
        <a href="#/" data-testid="register-signin">
          Уже есть учётная запись — войти
        </a>
      </form>
    </main>
  );
}
