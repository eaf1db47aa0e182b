import { CATEGORY_LABELS, SHORT_TEXT_MAX, teacherProblems, validateSnils } from '@otmetka/shared';
import type { TeacherInput, TeacherRecordView } from '@otmetka/shared/api';
import { withoutFieldPath } from '../../api/messages.ts';
import { useOrgTime } from '../org-time.ts';
import {
  FormActions,
  InputField,
  isDateInput,
  SelectField,
  useFormValues,
  useSave,
} from './form.tsx';
import { AdminError } from './ui.tsx';

/**
 * Create or edit a registry entry. Every field is checked here first (the same rules as the
 * server: required names, passport digits, the СНИЛС checksum), each error shown next to its
 * field; the server's answer can still name a field, and that error lands in the same place.
 */

type Values = Record<
  | 'lastName'
  | 'firstName'
  | 'middleName'
  | 'birthDate'
  | 'passport.series'
  | 'passport.number'
  | 'passport.issuedBy'
  | 'passport.issuedOn'
  | 'snils'
  | 'experienceTotalYears'
  | 'experienceTeachingYears'
  | 'category'
  | 'qualification',
  string
>;

type Key = keyof Values;

const EMPTY: Values = {
  lastName: '',
  firstName: '',
  middleName: '',
  birthDate: '',
  'passport.series': '',
  'passport.number': '',
  'passport.issuedBy': '',
  'passport.issuedOn': '',
  snils: '',
  experienceTotalYears: '0',
  experienceTeachingYears: '0',
  category: 'none',
  qualification: '',
};

function valuesOf(t: TeacherRecordView): Values {
  return {
    lastName: t.lastName,
    firstName: t.firstName,
    middleName: t.middleName,
    birthDate: t.birthDate,
    'passport.series': t.passport.series,
    'passport.number': t.passport.number,
    'passport.issuedBy': t.passport.issuedBy,
    'passport.issuedOn': t.passport.issuedOn,
    snils: t.snils,
    experienceTotalYears: String(t.experienceTotalYears),
    experienceTeachingYears: String(t.experienceTeachingYears),
    category: t.category,
    qualification: t.qualification,
  };
}

function years(text: string): number | null {
  const n = Number(text.replace(',', '.'));
  return text.trim() !== '' && Number.isFinite(n) && n >= 0 && n <= 80 ? n : null;
}

/**
 * RG1: passport series and number as printed and typed («53 04», «918 273»): spaces and dashes
 * are dropped, only the digits count.
 */
export function passportDigits(text: string): string {
  return text.replace(/[\s-]/g, '');
}

/** The format of each field: what must be there before the entry can be judged as a whole. */
function formatErrors(v: Values): Partial<Record<Key, string>> {
  const errors: Partial<Record<Key, string>> = {};
  if (!v.lastName.trim()) errors.lastName = 'Укажите фамилию';
  if (!v.firstName.trim()) errors.firstName = 'Укажите имя';
  if (!isDateInput(v.birthDate)) errors.birthDate = 'Укажите дату рождения';
  if (!/^\d{4}$/.test(passportDigits(v['passport.series']))) {
    errors['passport.series'] = 'Серия — 4 цифры';
  }
  if (!/^\d{6}$/.test(passportDigits(v['passport.number']))) {
    errors['passport.number'] = 'Номер — 6 цифр';
  }
  if (!v['passport.issuedBy'].trim()) errors['passport.issuedBy'] = 'Укажите, кем выдан паспорт';
  if (!isDateInput(v['passport.issuedOn'])) errors['passport.issuedOn'] = 'Укажите дату выдачи';
  const snils = validateSnils(v.snils);
  if (!snils.ok) errors.snils = withoutFieldPath(snils.message);
  if (years(v.experienceTotalYears) === null) errors.experienceTotalYears = 'Число лет от 0 до 80';
  if (years(v.experienceTeachingYears) === null) {
    errors.experienceTeachingYears = 'Число лет от 0 до 80';
  }
  return errors;
}

/**
 * The form's own checks; returns an error per field and, when none, the request body. `today`
 * is the organisation's date: the shared checks the server makes too (RG2, RG3) run here, so
 * every problem shows at once before anything is sent.
 */
export function checkTeacher(
  v: Values,
  today: string,
): {
  errors: Partial<Record<Key, string>>;
  input?: TeacherInput;
} {
  const errors = formatErrors(v);
  const snils = validateSnils(v.snils);
  const input: TeacherInput = {
    lastName: v.lastName.trim(),
    firstName: v.firstName.trim(),
    middleName: v.middleName.trim(),
    birthDate: v.birthDate,
    passport: {
      series: passportDigits(v['passport.series']),
      number: passportDigits(v['passport.number']),
      issuedBy: v['passport.issuedBy'].trim(),
      issuedOn: v['passport.issuedOn'],
    },
    snils: snils.ok ? snils.digits : v.snils,
    experienceTotalYears: years(v.experienceTotalYears) ?? 0,
    experienceTeachingYears: years(v.experienceTeachingYears) ?? 0,
    category: v.category as TeacherInput['category'],
    qualification: v.qualification.trim(),
  };
  // The shared checks compare dates: they need both, each a whole date.
  const dated = isDateInput(v.birthDate) && isDateInput(v['passport.issuedOn']);
  for (const problem of dated ? teacherProblems(input, today) : []) {
    const key = problem.field as Key;
    // A field whose format is wrong keeps that error: it is the one to fix first.
    if (!errors[key]) errors[key] = problem.message;
  }
  if (Object.keys(errors).length > 0) return { errors };
  return { errors, input };
}

/** AS10: a name stops where the server's limit is, not at a refusal after «Сохранить». */
const NAME_INPUT = { autocomplete: 'off', maxLength: SHORT_TEXT_MAX };

const CATEGORY_OPTIONS = Object.entries(CATEGORY_LABELS).map(([value, label]) => ({
  value,
  label,
}));

interface Props {
  initial: TeacherRecordView | null;
  onSave: (input: TeacherInput) => Promise<unknown>;
  onCancel: () => void;
}

export function TeacherForm({ initial, onSave, onCancel }: Props) {
  const time = useOrgTime();
  const form = useFormValues<Values>(() => (initial ? valuesOf(initial) : EMPTY));
  const values = form.values;
  const { busy, lineError, errors, setErrors, submit: submitWith } = useSave((f) => f in EMPTY);

  // Typing in a field takes its error away: what was wrong is being corrected.
  const set = (key: Key) => (value: string) => {
    form.set(key)(value);
    setErrors((e) => ({ ...e, [key]: undefined }));
  };

  // What follows a save (closing the form, a notice) is the registry's, in onSave.
  const submit = submitWith(
    () => checkTeacher(values, time.today()),
    onSave,
    () => undefined,
  );

  const text = (key: Key, label: string, extra: Record<string, unknown> = {}) => (
    <InputField
      label={label}
      error={errors[key]}
      value={values[key]}
      onValue={set(key)}
      testid={`teacher-${key.replace('.', '-')}`}
      aria-invalid={errors[key] ? 'true' : undefined}
      {...extra}
    />
  );

  return (
    <form class="ap-form" onSubmit={submit} data-testid="teacher-form" noValidate>
      <h3>{initial ? 'Карточка педагога' : 'Новый педагог'}</h3>
      <fieldset class="ap-grid">
        <legend>ФИО и дата рождения</legend>
        {text('lastName', 'Фамилия', NAME_INPUT)}
        {text('firstName', 'Имя', NAME_INPUT)}
        {text('middleName', 'Отчество', NAME_INPUT)}
        {text('birthDate', 'Дата рождения', { type: 'date' })}
      </fieldset>
      <fieldset class="ap-grid">
        <legend>Паспорт</legend>
        {text('passport.series', 'Серия', { inputMode: 'numeric', maxLength: 9 })}
        {text('passport.number', 'Номер', { inputMode: 'numeric', maxLength: 12 })}
        {text('passport.issuedBy', 'Кем выдан', { maxLength: SHORT_TEXT_MAX })}
        {text('passport.issuedOn', 'Дата выдачи', { type: 'date' })}
      </fieldset>
      <fieldset class="ap-grid">
        <legend>СНИЛС, стаж и квалификация</legend>
        {text('snils', 'СНИЛС', { inputMode: 'numeric', placeholder: '000-000-000 00' })}
        {text('experienceTotalYears', 'Общий стаж, лет', { inputMode: 'decimal' })}
        {text('experienceTeachingYears', 'Педагогический стаж, лет', { inputMode: 'decimal' })}
        <SelectField
          label="Категория"
          error={errors.category}
          value={values.category}
          onValue={set('category')}
          testid="teacher-category"
          options={CATEGORY_OPTIONS}
        />
        {text('qualification', 'Квалификация по диплому', { maxLength: SHORT_TEXT_MAX })}
      </fieldset>
      <AdminError error={lineError} testid="teacher-form-error" />
      <FormActions
        busy={busy}
        label="Сохранить"
        busyLabel="Сохранение…"
        testid="teacher"
        onCancel={onCancel}
      />
    </form>
  );
}
