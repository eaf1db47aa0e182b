import { FOCUS_LABELS, type Programme } from '@otmetka/shared';
import type { ProgrammeInput, ProgrammeView } from '@otmetka/shared/api';
import { useState } from 'preact/hooks';
import { fieldErrors } from '../../api/messages.ts';
import { CardList, EditButton } from './CardList.tsx';
import { useAdmin } from './context.ts';
import { AdminError, Field, Select, TextInput, useAction } from './ui.tsx';

/** Programmes (дополнительные общеразвивающие программы): list and a create/edit form. */

export const LEVEL_LABELS: Record<Programme['level'], string> = {
  start: 'стартовый',
  basic: 'базовый',
  advanced: 'продвинутый',
};

const FOCUS_OPTIONS = Object.entries(FOCUS_LABELS).map(([value, label]) => ({ value, label }));
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
    focus: p?.focus ?? 'technical',
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

function checkProgramme(v: Values): { errors: Record<string, string>; input?: ProgrammeInput } {
  const errors: Record<string, string> = {};
  if (!v.name.trim()) errors.name = 'Укажите название';
  const ageFrom = intIn(v.ageFrom, 3, 18);
  const ageTo = intIn(v.ageTo, 3, 18);
  if (ageFrom === null) errors.ageFrom = 'Возраст от 3 до 18';
  if (ageTo === null) errors.ageTo = 'Возраст от 3 до 18';
  if (ageFrom !== null && ageTo !== null && ageTo < ageFrom) errors.ageTo = 'Меньше, чем «с»';
  const hoursPerYear = Number(v.hoursPerYear.replace(',', '.'));
  if (!(hoursPerYear >= 1 && hoursPerYear <= 2000)) errors.hoursPerYear = 'От 1 до 2000 часов';

  if (Object.keys(errors).length > 0) return { errors };
  return {
    errors,
    input: {
      name: v.name.trim(),
      focus: v.focus as ProgrammeInput['focus'],
      level: v.level as ProgrammeInput['level'],
      ageFrom: ageFrom!,
      ageTo: ageTo!,
      hoursPerYear,
      gradesEnabled: v.gradesEnabled,
      description: v.description.trim(),
    },
  };
}

function ProgrammeForm({ initial, onDone }: { initial: ProgrammeView | null; onDone: () => void }) {
  const { api } = useAdmin();
  const [v, setV] = useState<Values>(() => valuesOf(initial));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const action = useAction();
  const set = (key: keyof Values) => (value: string) => setV((old) => ({ ...old, [key]: value }));

  const submit = async (event: Event) => {
    event.preventDefault();
    const checked = checkProgramme(v);
    setErrors(checked.errors);
    const input = checked.input;
    if (!input) return;

    const saved = await action.run(() =>
      (initial ? api.updateProgramme(initial.id, input) : api.createProgramme(input)).catch(
        (error: unknown) => {
          setErrors(fieldErrors(error));
          throw error;
        },
      ),
    );
    if (saved) onDone();
  };

  return (
    <form class="ap-form" onSubmit={submit} data-testid="programme-form" noValidate>
      <h3>{initial ? 'Программа' : 'Новая программа'}</h3>
      <div class="ap-grid">
        <Field label="Название" error={errors.name} testid="programme-name">
          <TextInput value={v.name} onValue={set('name')} testid="programme-name" />
        </Field>
        <Field label="Направленность" error={errors.focus} testid="programme-focus">
          <Select
            value={v.focus}
            onValue={set('focus')}
            testid="programme-focus"
            options={FOCUS_OPTIONS}
          />
        </Field>
        <Field label="Уровень" error={errors.level} testid="programme-level">
          <Select
            value={v.level}
            onValue={set('level')}
            testid="programme-level"
            options={LEVEL_OPTIONS}
          />
        </Field>
        <Field label="Возраст с, лет" error={errors.ageFrom} testid="programme-age-from">
          <TextInput
            value={v.ageFrom}
            onValue={set('ageFrom')}
            testid="programme-age-from"
            inputMode="numeric"
          />
        </Field>
        <Field label="Возраст по, лет" error={errors.ageTo} testid="programme-age-to">
          <TextInput
            value={v.ageTo}
            onValue={set('ageTo')}
            testid="programme-age-to"
            inputMode="numeric"
          />
        </Field>
        <Field label="Часов в год" error={errors.hoursPerYear} testid="programme-hours">
          <TextInput
            value={v.hoursPerYear}
            onValue={set('hoursPerYear')}
            testid="programme-hours"
            inputMode="decimal"
          />
        </Field>
      </div>
      <label class="ap-check">
        <input
          type="checkbox"
          checked={v.gradesEnabled}
          data-testid="programme-grades"
          onChange={(e) => setV((old) => ({ ...old, gradesEnabled: e.currentTarget.checked }))}
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
          onInput={(e) => set('description')(e.currentTarget.value)}
        />
      </Field>
      <AdminError error={action.error} testid="programme-form-error" />
      <div class="ap-actions">
        <button
          type="submit"
          class="ap-btn ap-btn--primary"
          disabled={action.busy}
          data-testid="programme-save"
        >
          Сохранить
        </button>
        <button type="button" class="ap-btn" onClick={onDone} data-testid="programme-cancel">
          Отмена
        </button>
      </div>
    </form>
  );
}
