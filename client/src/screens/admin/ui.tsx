import type { ComponentChildren, JSX, Ref } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { isNetworkError } from '../../api/http.ts';
import { errorMessage } from '../../api/messages.ts';

/**
 * Small building blocks shared by the admin and parent screens: a labelled field with its error
 * next to it, a status line, the offline banner and a loader hook. Touch targets are ≥ 44 px
 * through the CSS classes in admin.css.
 */

export const OFFLINE_ADMIN_TEXT =
  'Нет связи с сервером — раздел администратора работает только онлайн';

interface FieldProps {
  label: string;
  error?: string | undefined;
  hint?: string;
  testid: string;
  children: ComponentChildren;
}

/**
 * A label, the control and the field's error right under it (role=alert for screen readers).
 * The control's id is its test id, which ties the label to it.
 */
export function Field({ label, error, hint, testid, children }: FieldProps) {
  return (
    <div class={error ? 'ap-field ap-field--error' : 'ap-field'}>
      <label class="ap-field__label" for={testid}>
        {label}
      </label>
      {children}
      {hint && !error ? <span class="ap-field__hint">{hint}</span> : null}
      {error ? (
        <span class="ap-field__error" role="alert" data-testid={`${testid}-error`}>
          {error}
        </span>
      ) : null}
    </div>
  );
}

type InputProps = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, 'onInput' | 'value'> & {
  value: string;
  onValue: (value: string) => void;
  testid: string;
};

export function TextInput({ value, onValue, testid, ...rest }: InputProps) {
  return (
    <input
      class="ap-input"
      {...rest}
      value={value}
      id={testid}
      data-testid={testid}
      onInput={(e) => onValue(e.currentTarget.value)}
    />
  );
}

interface SelectProps {
  value: string;
  onValue: (value: string) => void;
  testid: string;
  options: readonly { value: string; label: string }[];
  disabled?: boolean;
}

export function Select({ value, onValue, testid, options, disabled }: SelectProps) {
  return (
    <select
      class="ap-input"
      value={value}
      disabled={disabled}
      id={testid}
      data-testid={testid}
      onChange={(e) => {
        const select = e.currentTarget;
        onValue(select.value);
        // A choice the screen refused (AS13: the admin kept unsaved edits) must not stay shown;
        // an accepted one comes back with the next render.
        select.value = value;
      }}
    >
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  );
}

export function ErrorLine({
  error,
  testid,
  offlineText,
}: {
  error: unknown;
  testid: string;
  offlineText?: string;
}) {
  if (!error) return null;
  const text = offlineText && isNetworkError(error) ? offlineText : errorMessage(error);
  return (
    <p class="ap-error" role="alert" data-testid={testid}>
      {text}
    </p>
  );
}

/** An admin screen's error line: a missing network reads as "admin works online only". */
export function AdminError({ error, testid }: { error: unknown; testid: string }) {
  return <ErrorLine error={error} testid={testid} offlineText={OFFLINE_ADMIN_TEXT} />;
}

export function OfflineBanner({ text, testid }: { text: string; testid: string }) {
  return (
    <div class="ap-offline" role="status" data-testid={testid}>
      {text}
    </div>
  );
}

/** navigator.onLine, kept current by the online/offline events. */
export function useOnline(): boolean {
  const [online, setOnline] = useState(() =>
    typeof navigator === 'undefined' ? true : navigator.onLine !== false,
  );
  useEffect(() => {
    const up = () => setOnline(true);
    const down = () => setOnline(false);
    window.addEventListener('online', up);
    window.addEventListener('offline', down);
    return () => {
      window.removeEventListener('online', up);
      window.removeEventListener('offline', down);
    };
  }, []);
  return online;
}

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** The last load failed because the server could not be reached. */
  offline: boolean;
  reload: () => void;
}

/** Runs `load` on mount and whenever `deps` change; a newer call wins over a slower older one. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error: unknown; loading: boolean }>({
    error: null,
    loading: true,
  });
  const generation = useRef(0);

  const reload = useCallback(() => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => {
        if (mine === generation.current) setState({ data, error: null, loading: false });
      },
      (error: unknown) => {
        if (mine === generation.current) setState((s) => ({ ...s, error, loading: false }));
      },
    );
  }, deps);

  useEffect(reload, [reload]);

  return {
    data: state.data,
    error: state.error,
    loading: state.loading,
    offline: isNetworkError(state.error),
    reload,
  };
}

/** Wraps an async action with a busy flag and its error, for the buttons that save. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const run = useCallback(async <T,>(act: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await act();
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);

  return { busy, error, setError, run };
}

export function Loading({ testid }: { testid: string }) {
  return (
    <p class="ap-muted" data-testid={testid}>
      Загрузка…
    </p>
  );
}

/**
 * A question before an action that is hard to undo or easy to press by mistake: the text, the
 * action under its own name and «Отмена». `testid` names the panel; the buttons are
 * `<testid>-yes` and `<testid>-no`.
 */
export function ConfirmPanel(props: {
  testid: string;
  yesLabel: string;
  busy?: boolean;
  onYes: () => void;
  onNo: () => void;
  children: ComponentChildren;
}) {
  return (
    <div class="ap-warn" role="alert" data-testid={props.testid}>
      <p>{props.children}</p>
      <div class="ap-actions">
        <button
          type="button"
          class="ap-btn ap-btn--primary"
          disabled={props.busy}
          onClick={props.onYes}
          data-testid={`${props.testid}-yes`}
        >
          {props.yesLabel}
        </button>
        <button
          type="button"
          class="ap-btn"
          onClick={props.onNo}
          data-testid={`${props.testid}-no`}
        >
          Отмена
        </button>
      </div>
    </div>
  );
}

/**
 * An app's sections as one row of tabs (the admin's and the parent's): the open one is marked
 * as the current page; `<testid>-<key>` names each tab.
 */
export function TabBar<K extends string>(props: {
  tabs: readonly (readonly [K, string])[];
  current: K;
  label: string;
  testid: string;
  onOpen: (key: K) => void;
  navRef?: Ref<HTMLElement>;
}) {
  return (
    <nav class="ap-tabs" aria-label={props.label} ref={props.navRef}>
      {props.tabs.map(([key, label]) => (
        <button
          type="button"
          key={key}
          class={key === props.current ? 'ap-tab ap-tab--active' : 'ap-tab'}
          aria-current={key === props.current ? 'page' : undefined}
          data-testid={`${props.testid}-${key}`}
          onClick={() => props.onOpen(key)}
        >
          {label}
        </button>
      ))}
    </nav>
  );
}
