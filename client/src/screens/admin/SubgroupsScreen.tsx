import type { SubgroupInput, SubgroupView } from '@otmetka/shared/api';
import { useState } from 'preact/hooks';
import { fieldErrors } from '../../api/messages.ts';
import { CardList, EditButton } from './CardList.tsx';
import { useAdmin } from './context.ts';
import { formatDate } from './format.ts';
import { AdminError, Field, Select, TextInput, useAction, useLoad } from './ui.tsx';

/** Subgroups of the programmes, with teachers picked from the registry. */

export function SubgroupsScreen() {
  const { api, go } = useAdmin();
  return (
    <CardList<SubgroupView>
      testid="subgroups"
      kind="subgroup"
      title="Подгруппы"
      addLabel="Добавить подгруппу"
      emptyText="Подгрупп пока нет."
      load={() => api.listSubgroups().then((r) => r.subgroups)}
      deps={[api]}
      card={(s, edit) => (
        <>
          <div class="ap-card__title">
            {s.name} <span class="ap-muted">· {s.programmeName}</span>
          </div>
          <div class="ap-muted">
            Педагоги: {s.teachers.map((t) => t.displayName).join(', ') || '—'}
          </div>
          <div class="ap-muted">
            {formatDate(s.periodFrom)} – {formatDate(s.periodTo)} · {s.hoursPerYear} ч/год · занято{' '}
            {s.enrolled} из {s.capacity}
          </div>
          {s.hasSchedule ? null : (
            <p class="ap-warn" data-testid={`subgroup-no-schedule-${s.id}`}>
              Нет расписания — журнал и заявки недоступны
            </p>
          )}
          <div class="ap-actions">
            <EditButton testid={`subgroup-edit-${s.id}`} onClick={edit} />
            <button
              type="button"
              class="ap-btn"
              data-testid={`subgroup-schedule-${s.id}`}
              onClick={() => go('schedule', { subgroupId: s.id })}
            >
              Расписание
            </button>
            <button
              type="button"
              class="ap-btn"
              data-testid={`subgroup-roster-${s.id}`}
              onClick={() => go('roster', { subgroupId: s.id })}
            >
              Состав
            </button>
          </div>
        </>
      )}
      form={(initial, done) => <SubgroupForm initial={initial} onDone={done} />}
    />
  );
}

interface Values {
  programmeId: string;
  name: string;
  teacherIds: string[];
  capacity: string;
  periodFrom: string;
  periodTo: string;
  hoursPerYear: string;
}

function valuesOf(s: SubgroupView | null): Values {
  return {
    programmeId: s?.programmeId ?? '',
    name: s?.name ?? '',
    teacherIds: s?.teacherIds ?? [],
    capacity: String(s?.capacity ?? 15),
    periodFrom: s?.periodFrom ?? '',
    periodTo: s?.periodTo ?? '',
    hoursPerYear: String(s?.hoursPerYear ?? ''),
  };
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

function checkSubgroup(v: Values): { errors: Record<string, string>; input?: SubgroupInput } {
  const errors: Record<string, string> = {};
  if (!v.programmeId) errors.programmeId = 'Выберите программу';
  if (!v.name.trim()) errors.name = 'Укажите название';
  const capacity = Number(v.capacity);
  if (!(Number.isInteger(capacity) && capacity >= 1 && capacity <= 500)) {
    errors.capacity = 'Целое число от 1 до 500';
  }
  if (!DATE_RE.test(v.periodFrom)) errors.periodFrom = 'Укажите дату начала';
  if (!DATE_RE.test(v.periodTo)) errors.periodTo = 'Укажите дату окончания';
  else if (DATE_RE.test(v.periodFrom) && v.periodTo < v.periodFrom) {
    errors.periodTo = 'Окончание раньше начала';
  }
  const hoursPerYear = Number(v.hoursPerYear.replace(',', '.'));
  if (!(hoursPerYear >= 1 && hoursPerYear <= 2000)) errors.hoursPerYear = 'От 1 до 2000 часов';

  if (Object.keys(errors).length > 0) return { errors };
  return {
    errors,
    input: {
      programmeId: v.programmeId,
      name: v.name.trim(),
      teacherIds: v.teacherIds,
      capacity,
      periodFrom: v.periodFrom,
      periodTo: v.periodTo,
      hoursPerYear,
    },
  };
}

function SubgroupForm({ initial, onDone }: { initial: SubgroupView | null; onDone: () => void }) {
  const { api } = useAdmin();
  const programmes = useLoad(() => api.listProgrammes(), [api]);
  const teachers = useLoad(() => api.listTeachers(), [api]);
  const [v, setV] = useState<Values>(() => valuesOf(initial));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const action = useAction();
  const set = (key: keyof Values) => (value: string) => setV((old) => ({ ...old, [key]: value }));

  const programmeOptions = [
    { value: '', label: '— выберите —' },
    ...(programmes.data?.programmes ?? []).map((p) => ({ value: p.id, label: p.name })),
  ];

  const toggleTeacher = (id: string, on: boolean) =>
    setV((old) => ({
      ...old,
      teacherIds: on ? [...old.teacherIds, id] : old.teacherIds.filter((t) => t !== id),
    }));

  const submit = async (event: Event) => {
    event.preventDefault();
    const checked = checkSubgroup(v);
    setErrors(checked.errors);
    const input = checked.input;
    if (!input) return;

    const saved = await action.run(() =>
      (initial ? api.updateSubgroup(initial.id, input) : api.createSubgroup(input)).catch(
        (error: unknown) => {
          setErrors(fieldErrors(error));
          throw error;
        },
      ),
    );
    if (saved) onDone();
  };

  return (
    <form class="ap-form" onSubmit={submit} data-testid="subgroup-form" noValidate>
      <h3>{initial ? 'Подгруппа' : 'Новая подгруппа'}</h3>
      <AdminError error={programmes.error ?? teachers.error} testid="subgroup-form-load-error" />
      <div class="ap-grid">
        <Field label="Программа" error={errors.programmeId} testid="subgroup-programme">
          <Select
            value={v.programmeId}
            onValue={set('programmeId')}
            testid="subgroup-programme"
            options={programmeOptions}
          />
        </Field>
        <Field label="Название" error={errors.name} testid="subgroup-name">
          <TextInput value={v.name} onValue={set('name')} testid="subgroup-name" />
        </Field>
        <Field label="Мест" error={errors.capacity} testid="subgroup-capacity">
          <TextInput
            value={v.capacity}
            onValue={set('capacity')}
            testid="subgroup-capacity"
            inputMode="numeric"
          />
        </Field>
        <Field label="Начало обучения" error={errors.periodFrom} testid="subgroup-period-from">
          <TextInput
            value={v.periodFrom}
            onValue={set('periodFrom')}
            testid="subgroup-period-from"
            type="date"
          />
        </Field>
        <Field label="Окончание обучения" error={errors.periodTo} testid="subgroup-period-to">
          <TextInput
            value={v.periodTo}
            onValue={set('periodTo')}
            testid="subgroup-period-to"
            type="date"
          />
        </Field>
        <Field label="Часов в год" error={errors.hoursPerYear} testid="subgroup-hours">
          <TextInput
            value={v.hoursPerYear}
            onValue={set('hoursPerYear')}
            testid="subgroup-hours"
            inputMode="decimal"
          />
        </Field>
      </div>
      <fieldset class="ap-checklist" data-testid="subgroup-teachers">
        <legend>Педагоги из реестра</legend>
        {teachers.data?.teachers.length === 0 ? <p class="ap-muted">Реестр пуст.</p> : null}
        {teachers.data?.teachers.map((t) => (
          <label key={t.id} class="ap-check">
            <input
              type="checkbox"
              checked={v.teacherIds.includes(t.id)}
              data-testid={`subgroup-teacher-${t.id}`}
              onChange={(e) => toggleTeacher(t.id, e.currentTarget.checked)}
            />
            {t.displayName}
          </label>
        ))}
        {errors.teacherIds ? <span class="ap-field__error">{errors.teacherIds}</span> : null}
      </fieldset>
      <AdminError error={action.error} testid="subgroup-form-error" />
      <div class="ap-actions">
        <button
          type="submit"
          class="ap-btn ap-btn--primary"
          disabled={action.busy}
          data-testid="subgroup-save"
        >
          Сохранить
        </button>
        <button type="button" class="ap-btn" onClick={onDone} data-testid="subgroup-cancel">
          Отмена
        </button>
      </div>
    </form>
  );
}
