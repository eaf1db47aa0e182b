import { FOCUS_LABELS, type Programme, SHORT_TEXT_MAX } from '@otmetka/shared';
import type { ProgrammeInput, ProgrammeView } from '@otmetka/shared/api';
import { CardList, EditButton } from './CardList.tsx';
import { useAdmin } from './context.ts';
import {
  type Checked,
  type FieldErrors,
  FormActions,
  HOURS_PER_YEAR_ERROR,
  HoursPerYearField,
  hoursPerYearOf,
  InputField,
  SelectField,
  useForm,
} from './form.tsx';
import { AdminError, Field } from './ui.tsx';

/** Programmes (дополнительные общеразвивающие программы): list and a create/edit form. */

export const LEVEL_LABELS: Record<Programme['level'], string> = {
  start: 'стартовый',
  basic: 'базовый',
  advanced: 'продвинутый',
};

/** AS7: no focus is chosen for the admin (a chess programme went out as «техническая»). */
const FOCUS_OPTIONS = [
  { value: '', label: '— выберите —' },
  ...Object.entries(FOCUS_LABELS).map(([value, label]) => ({ value, label })),
];
const LEVEL_OPTIONS = Object.entries(LEVEL_LABELS).map(([value, label]) => ({ value, label }));

export function ProgrammesScreen() {
  const { api } = useAdmin();
  return (
    <CardList<ProgrammeView>
      testid="programmes"
      kind="programme"
      title="Программы"
      addLabel="Добавить программу"
      emptyText="Программ пока нет."
      load={() => api.listProgrammes().then((r) => r.programmes)}
      deps={[api]}
      card={(p, edit) => (
        <>
          <div class="ap-card__title">{p.name}</div>
          <div class="ap-muted">
            {FOCUS_LABELS[p.focus]} · {LEVEL_LABELS[p.level]} · {p.ageFrom}–{p.ageTo} лет ·{' '}
            {p.hoursPerYear} ч/год · оценки {p.gradesEnabled ? 'ведутся' : 'не ведутся'}
          </div>
          <EditButton testid={`programme-edit-${p.id}`} onClick={edit} />
        </>
      )}
      form={(initial, done) => <ProgrammeForm initial={initial} onDone={done} />}
    />
  );
}

interface Values {
  name: string;
  focus: string;
  level: string;
  ageFrom: string;
  ageTo: string;
  hoursPerYear: string;
  gradesEnabled: boolean;
  description: string;
}

function valuesOf(p: ProgrammeView | null): Values {
  return {
    name: p?.name ?? '',
    focus: p?.focus ?? '',
    level: p?.level ?? 'start',
    ageFrom: String(p?.ageFrom ?? 7),
    ageTo: String(p?.ageTo ?? 14),
    hoursPerYear: String(p?.hoursPerYear ?? 72),
    gradesEnabled: p?.gradesEnabled ?? false,
    description: p?.description ?? '',
  };
}

function intIn(text: string, min: number, max: number): number | null {
  const n = Number(text);
  return text.trim() !== '' && Number.isInteger(n) && n >= min && n <= max ? n : null;
}

function checkProgramme(v: Values): Checked<ProgrammeInput> {
  const errors: FieldErrors = {};
  if (!v.name.trim()) errors.name = 'Укажите название';
  if (!v.focus) errors.focus = 'Выберите направленность';
  const ageFrom = intIn(v.ageFrom, 3, 18);
  const ageTo = intIn(v.ageTo, 3, 18);
  if (ageFrom === null) errors.ageFrom = 'Возраст от 3 до 18';
  if (ageTo === null) errors.ageTo = 'Возраст от 3 до 18';
  if (ageFrom !== null && ageTo !== null && ageTo < ageFrom) errors.ageTo = 'Меньше, чем «с»';
  const hoursPerYear = hoursPerYearOf(v.hoursPerYear);
  if (hoursPerYear === null) errors.hoursPerYear = HOURS_PER_YEAR_ERROR;

  if (Object.keys(errors).length > 0) return { errors };
  return {
    errors,
    input: {
      name: v.name.trim(),
      focus: v.focus as ProgrammeInput['focus'],
      level: v.level as ProgrammeInput['level'],
      ageFrom: ageFrom!,
      ageTo: ageTo!,
      hoursPerYear: hoursPerYear!,
      gradesEnabled: v.gradesEnabled,
      description: v.description.trim(),
    },
  };
}

function ProgrammeForm({ initial, onDone }: { initial: ProgrammeView | null; onDone: () => void }) {
  const { api } = useAdmin();
  const form = useForm<Values>(() => valuesOf(initial));
  const { values: v, field, errors } = form;

  const submit = form.submit(
    () => checkProgramme(v),
    (input) => (initial ? api.updateProgramme(initial.id, input) : api.createProgramme(input)),
    onDone,
  );

  return (
    <form class="ap-form" onSubmit={submit} data-testid="programme-form" noValidate>
      <h3>{initial ? 'Программа' : 'Новая программа'}</h3>
      <div class="ap-grid">
        <InputField
          label="Название"
          maxLength={SHORT_TEXT_MAX}
          testid="programme-name"
          {...field('name')}
        />
        <SelectField
          label="Направленность"
          testid="programme-focus"
          options={FOCUS_OPTIONS}
          {...field('focus')}
        />
        <SelectField
          label="Уровень"
          testid="programme-level"
          options={LEVEL_OPTIONS}
          {...field('level')}
        />
        <InputField
          label="Возраст с, лет"
          testid="programme-age-from"
          inputMode="numeric"
          {...field('ageFrom')}
        />
        <InputField
          label="Возраст по, лет"
          testid="programme-age-to"
          inputMode="numeric"
          {...field('ageTo')}
        />
        <HoursPerYearField testid="programme-hours" {...field('hoursPerYear')} />
      </div>
      <label class="ap-check">
        <input
          type="checkbox"
          checked={v.gradesEnabled}
          data-testid="programme-grades"
          onChange={(e) => form.set('gradesEnabled')(e.currentTarget.checked)}
        />
        Ставить оценки
      </label>
      <Field label="Описание" error={errors.description} testid="programme-description">
        <textarea
          class="ap-input"
          id="programme-description"
          rows={3}
          value={v.description}
          data-testid="programme-description"
          onInput={(e) => form.set('description')(e.currentTarget.value)}
        />
      </Field>
      <AdminError error={form.lineError} testid="programme-form-error" />
      <FormActions busy={form.busy} label="Сохранить" testid="programme" onCancel={onDone} />
    </form>
  );
}
