import { SHORT_TEXT_MAX } from '@otmetka/shared';
import type { SubgroupInput, SubgroupView } from '@otmetka/shared/api';
import { useOrgTime } from '../org-time.ts';
import { CardList, EditButton } from './CardList.tsx';
import { useAdmin } from './context.ts';
import {
  academicYearOf,
  type Checked,
  type FieldErrors,
  FormActions,
  HOURS_PER_YEAR_ERROR,
  HoursPerYearField,
  hoursPerYearOf,
  InputField,
  isDateInput,
  SelectField,
  useForm,
} from './form.tsx';
import { formatDate } from './format.ts';
import { AdminError, useLoad } from './ui.tsx';

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

/** A new subgroup starts on the academic year's dates (AS6). */
function valuesOf(s: SubgroupView | null, today: string): Values {
  const year = academicYearOf(today);
  return {
    programmeId: s?.programmeId ?? '',
    name: s?.name ?? '',
    teacherIds: s?.teacherIds ?? [],
    capacity: String(s?.capacity ?? 15),
    periodFrom: s?.periodFrom ?? year.from,
    periodTo: s?.periodTo ?? year.to,
    hoursPerYear: String(s?.hoursPerYear ?? ''),
  };
}

function checkSubgroup(v: Values): Checked<SubgroupInput> {
  const errors: FieldErrors = {};
  if (!v.programmeId) errors.programmeId = 'Выберите программу';
  if (!v.name.trim()) errors.name = 'Укажите название';
  const capacity = Number(v.capacity);
  if (!(Number.isInteger(capacity) && capacity >= 1 && capacity <= 500)) {
    errors.capacity = 'Целое число от 1 до 500';
  }
  if (!isDateInput(v.periodFrom)) errors.periodFrom = 'Укажите дату начала';
  if (!isDateInput(v.periodTo)) errors.periodTo = 'Укажите дату окончания';
  else if (isDateInput(v.periodFrom) && v.periodTo < v.periodFrom) {
    errors.periodTo = 'Окончание раньше начала';
  }
  const hoursPerYear = hoursPerYearOf(v.hoursPerYear);
  if (hoursPerYear === null) errors.hoursPerYear = HOURS_PER_YEAR_ERROR;

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
      hoursPerYear: hoursPerYear!,
    },
  };
}

function SubgroupForm({ initial, onDone }: { initial: SubgroupView | null; onDone: () => void }) {
  const { api } = useAdmin();
  const programmes = useLoad(() => api.listProgrammes(), [api]);
  const teachers = useLoad(() => api.listTeachers(), [api]);
  const time = useOrgTime();
  const form = useForm<Values>(() => valuesOf(initial, time.today()));
  const { values: v, field, errors } = form;
  // RG5: a teacher in the archive left; one the subgroup still names stays listed to be unticked.
  const active = (teachers.data?.teachers ?? []).filter(
    (t) => !t.archived || v.teacherIds.includes(t.id),
  );
  const hoursOf = (id: string) =>
    programmes.data?.programmes.find((p) => p.id === id)?.hoursPerYear;

  // AS6: a subgroup's hours are usually its programme's; hours the admin typed are kept.
  const chooseProgramme = (programmeId: string) =>
    form.setValues((old) => {
      const previous = hoursOf(old.programmeId);
      const typed = old.hoursPerYear !== '' && old.hoursPerYear !== String(previous ?? '');
      const hours = hoursOf(programmeId);
      if (typed || hours === undefined) return { ...old, programmeId };
      return { ...old, programmeId, hoursPerYear: String(hours) };
    });

  const programmeOptions = [
    { value: '', label: '— выберите —' },
    ...(programmes.data?.programmes ?? []).map((p) => ({ value: p.id, label: p.name })),
  ];

  const toggleTeacher = (id: string, on: boolean) =>
    form.setValues((old) => ({
      ...old,
      teacherIds: on ? [...old.teacherIds, id] : old.teacherIds.filter((t) => t !== id),
    }));

  const submit = form.submit(
    () => checkSubgroup(v),
    (input) => (initial ? api.updateSubgroup(initial.id, input) : api.createSubgroup(input)),
    onDone,
  );

  return (
    <form class="ap-form" onSubmit={submit} data-testid="subgroup-form" noValidate>
      <h3>{initial ? 'Подгруппа' : 'Новая подгруппа'}</h3>
      <AdminError error={programmes.error ?? teachers.error} testid="subgroup-form-load-error" />
      <div class="ap-grid">
        <SelectField
          label="Программа"
          testid="subgroup-programme"
          options={programmeOptions}
          {...field('programmeId')}
          onValue={chooseProgramme}
        />
        <InputField
          label="Название"
          maxLength={SHORT_TEXT_MAX}
          testid="subgroup-name"
          {...field('name')}
        />
        <InputField
          label="Мест"
          testid="subgroup-capacity"
          inputMode="numeric"
          {...field('capacity')}
        />
        <InputField
          label="Начало обучения"
          testid="subgroup-period-from"
          type="date"
          {...field('periodFrom')}
        />
        <InputField
          label="Окончание обучения"
          testid="subgroup-period-to"
          type="date"
          {...field('periodTo')}
        />
        <HoursPerYearField testid="subgroup-hours" {...field('hoursPerYear')} />
      </div>
      <fieldset class="ap-checklist" data-testid="subgroup-teachers">
        <legend>Педагоги из реестра</legend>
        {active.length === 0 && teachers.data ? <p class="ap-muted">Реестр пуст.</p> : null}
        {active.map((t) => (
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
      <AdminError error={form.lineError} testid="subgroup-form-error" />
      <FormActions busy={form.busy} label="Сохранить" testid="subgroup" onCancel={onDone} />
    </form>
  );
}
