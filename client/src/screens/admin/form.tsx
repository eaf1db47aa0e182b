import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { fieldErrors } from '../../api/messages.ts';
import { Field, Select, TextInput, useAction } from './ui.tsx';
import { useUnsaved } from './unsaved.ts';

/**
 * The parts every create/edit form of the admin and parent screens is made of: the typed
 * values, a save that puts the server's field errors next to their fields, labelled inputs
 * whose label, control and error share one test id, and the submit/cancel row.
 */

/** Errors by the form's field path ('periodTo', 'passport.series', 'rules[0].to'). */
export type FieldErrors = Partial<Record<string, string>>;

/** A form's typed values; `set(key)` is the input handler of one field. */
export function useFormValues<V extends object>(initial: () => V) {
  const [start, setStart] = useState<V>(initial);
  const [values, setValues] = useState<V>(start);
  const saved = useUnsaved(JSON.stringify(values) !== JSON.stringify(start));
  const set =
    <K extends keyof V>(key: K) =>
    (value: V[K]) =>
      setValues((old) => ({ ...old, [key]: value }));
  /** What is shown now is what is stored (AS13). */
  const markSaved = () => {
    saved();
    setStart(values);
  };
  return { values, setValues, set, markSaved };
}

/** What a form's own check gives: an error per field and, when there is none, the request. */
export interface Checked<I> {
  errors: FieldErrors;
  input?: I;
}

/**
 * A form's save: the busy flag and the error for the form's line (useAction), plus the errors
 * by field. A refused save puts the server's field errors by their fields and still fails, so
 * the form stays open with what was typed.
 */
export function useSave(shows: (field: string) => boolean = () => false) {
  const action = useAction();
  const [errors, setErrors] = useState<FieldErrors>({});

  const save = <T,>(act: () => Promise<T>): Promise<T | undefined> =>
    action.run(() =>
      act().catch((error: unknown) => {
        setErrors(fieldErrors(error));
        throw error;
      }),
    );

  /** The submit handler: the form's own check first, nothing sent while it finds errors. */
  const submit =
    <I, T>(check: () => Checked<I>, send: (input: I) => Promise<T>, done: (saved: T) => void) =>
    async (event: Event) => {
      event.preventDefault();
      const checked = check();
      setErrors(checked.errors);
      const input = checked.input;
      if (!input) return;

      const saved = await save(() => send(input));
      if (saved) done(saved);
    };

  return {
    busy: action.busy,
    error: action.error,
    lineError: lineErrorOf(action.error, shows),
    errors,
    setErrors,
    save,
    submit,
  };
}

/**
 * ER4: what the form's line shows of a refused save: nothing when each field the server named
 * is one the form shows (its error is there already), else the error, so none is lost.
 */
export function lineErrorOf(error: unknown, shows: (field: string) => boolean): unknown {
  const fields = Object.keys(fieldErrors(error));
  return fields.length > 0 && fields.every(shows) ? null : error;
}

/** The keys of a form's values that hold text (what an input edits). */
type TextKey<V> = { [K in keyof V]: V[K] extends string ? K : never }[keyof V] & string;

/**
 * A form of typed values with its save (useFormValues and useSave); `field(key)` binds an
 * InputField or SelectField to one value, its input handler and its error.
 */
export function useForm<V extends object>(initial: () => V) {
  const form = useFormValues(initial);
  const saving = useSave((field) => field in form.values);

  const field = (key: TextKey<V>) => ({
    value: form.values[key] as string,
    onValue: form.set(key) as (value: string) => void,
    error: saving.errors[key],
  });

  // A form that saved is not asked about when its `done` switches section (AS13).
  const submit = <I, T>(
    check: () => Checked<I>,
    send: (input: I) => Promise<T>,
    done: (saved: T) => void,
  ) =>
    saving.submit(check, send, (saved) => {
      form.markSaved();
      done(saved);
    });

  return { ...form, ...saving, submit, field };
}

type InputFieldProps = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, 'onInput' | 'value'> & {
  label: string;
  error?: string | undefined;
  value: string;
  onValue: (value: string) => void;
  testid: string;
};

/** A text, date or number input with its label and its error under it. */
export function InputField({ label, error, testid, ...input }: InputFieldProps) {
  return (
    <Field label={label} error={error} testid={testid}>
      <TextInput testid={testid} {...input} />
    </Field>
  );
}

interface SelectFieldProps {
  label: string;
  error?: string | undefined;
  value: string;
  onValue: (value: string) => void;
  testid: string;
  options: readonly { value: string; label: string }[];
}

/** A select with its label and its error under it. */
export function SelectField({ label, error, testid, ...select }: SelectFieldProps) {
  return (
    <Field label={label} error={error} testid={testid}>
      <Select testid={testid} {...select} />
    </Field>
  );
}

interface FormActionsProps {
  busy: boolean;
  label: string;
  /** What the submit button says while the save runs (its label when not given). */
  busyLabel?: string;
  /** Test ids `${testid}-save` and `${testid}-cancel`. */
  testid: string;
  /** The submit button's test id, when it is not `${testid}-save`. */
  submitTestid?: string;
  onCancel: () => void;
}

/** The submit button (off while saving) and «Отмена» under a form. */
export function FormActions(props: FormActionsProps) {
  return (
    <div class="ap-actions">
      <button
        type="submit"
        class="ap-btn ap-btn--primary"
        disabled={props.busy}
        data-testid={props.submitTestid ?? `${props.testid}-save`}
      >
        {props.busy ? (props.busyLabel ?? props.label) : props.label}
      </button>
      <button
        type="button"
        class="ap-btn"
        onClick={props.onCancel}
        data-testid={`${props.testid}-cancel`}
      >
        Отмена
      </button>
    </div>
  );
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const MONTH_RE = /^\d{4}-\d{2}$/;

/** What a date input holds once a whole date is chosen ('YYYY-MM-DD'). */
export function isDateInput(value: string): boolean {
  return DATE_RE.test(value);
}

/** What a month input holds once a whole month is chosen ('YYYY-MM'). */
export function isMonthInput(value: string): boolean {
  return MONTH_RE.test(value);
}

export const HOURS_PER_YEAR_ERROR = 'От 1 до 2000 часов';

/** «Часов в год» of a programme or a subgroup (read by hoursPerYearOf). */
export function HoursPerYearField(props: {
  testid: string;
  value: string;
  onValue: (value: string) => void;
  error: string | undefined;
}) {
  return <InputField label="Часов в год" inputMode="decimal" {...props} />;
}

/** Hours per year of a programme or a subgroup, typed with a decimal comma or point. */
export function hoursPerYearOf(text: string): number | null {
  const hours = Number(text.replace(',', '.'));
  return hours >= 1 && hours <= 2000 ? hours : null;
}

/**
 * AS6: the academic year a new subgroup most likely studies in: 1 September to 31 May (DOMAIN),
 * the coming one from June on, when the next year is being set up.
 */
export function academicYearOf(today: string): { from: string; to: string } {
  const year = Number(today.slice(0, 4));
  const start = Number(today.slice(5, 7)) >= 6 ? year : year - 1;
  return { from: `${start}-09-01`, to: `${start + 1}-05-31` };
}

/** AC4: the longest password the server takes. */
export const PASSWORD_MAX = 256;

/**
 * AS10: a new password the admin passes on to the teacher in person: masked, with «Показать»
 * to read it back before handing it over.
 */
export function PasswordField(props: {
  label: string;
  testid: string;
  value: string;
  onValue: (value: string) => void;
  error: string | undefined;
}) {
  const [shown, setShown] = useState(false);
  return (
    <Field label={props.label} error={props.error} testid={props.testid}>
      <div class="ap-password">
        <TextInput
          testid={props.testid}
          type={shown ? 'text' : 'password'}
          autocomplete="new-password"
          maxLength={PASSWORD_MAX}
          value={props.value}
          onValue={props.onValue}
        />
        <button
          type="button"
          class="ap-btn"
          aria-pressed={shown}
          data-testid={`${props.testid}-show`}
          onClick={() => setShown(!shown)}
        >
          {shown ? 'Скрыть' : 'Показать'}
        </button>
      </div>
    </Field>
  );
}
