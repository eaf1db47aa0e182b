import type {
  SchedulePreviewResponse,
  ScheduleSaveResponse,
  SubgroupView,
} from '@otmetka/shared/api';
import { useEffect, useState } from 'preact/hooks';
import { useAdmin } from './context.ts';
import { type FieldErrors, InputField, SelectField, useSave } from './form.tsx';
import { WEEKDAYS_SHORT } from './format.ts';
import { SchedulePreview } from './SchedulePreview.tsx';
import { SubgroupPicker } from './SubgroupPicker.tsx';
import {
  draftOf,
  type ExceptionDraft,
  type ExceptionKind,
  endTimeOf,
  exceptionEndOf,
  inputOf,
  newException,
  newRule,
  type RuleDraft,
  type ScheduleDraft,
} from './schedule-draft.ts';
import { AdminError, Loading, useLoad } from './ui.tsx';
import { useUnsaved } from './unsaved.ts';

/**
 * The schedule editor: weekly rules, exceptions and the holiday rule of one subgroup. Saving
 * needs a preview of exactly the current draft first, so the admin always sees the year's dates
 * and what the change removes from the journal before it happens.
 */
export function ScheduleEditor() {
  const { api, subgroupId } = useAdmin();
  const [subgroups, setSubgroups] = useState<SubgroupView[]>([]);
  const subgroup = subgroups.find((s) => s.id === subgroupId);

  return (
    <section class="ap-screen" data-testid="schedule-editor">
      <h2>Расписание</h2>
      <SubgroupPicker testid="schedule-subgroup" onLoaded={setSubgroups} />
      {subgroupId ? (
        <ScheduleForm key={subgroupId} subgroupId={subgroupId} subgroup={subgroup} api={api} />
      ) : null}
    </section>
  );
}

/** The draft's fields that show their own error: the rules, each rule and exception, their inputs. */
function showsScheduleField(field: string): boolean {
  return /^(rules(\[\d+\](\.\w+)?)?|exceptions\[\d+\](\.\w+)?)$/.test(field);
}

interface FormProps {
  subgroupId: string;
  subgroup: SubgroupView | undefined;
  api: ReturnType<typeof useAdmin>['api'];
}

function ScheduleForm({ subgroupId, subgroup, api }: FormProps) {
  const loaded = useLoad(() => api.getSchedule(subgroupId), [api, subgroupId]);
  const [draft, setDraft] = useState<ScheduleDraft | null>(null);
  const [preview, setPreview] = useState<{ key: string; result: SchedulePreviewResponse } | null>(
    null,
  );
  const [saved, setSaved] = useState<ScheduleSaveResponse | null>(null);
  const { busy, lineError, errors, setErrors, save: saving } = useSave(showsScheduleField);
  // AS13: the draft as first shown or last saved, as its request; one that differs is unsaved.
  const [storedKey, setStoredKey] = useState<string | null>(null);
  const key = draft ? JSON.stringify(inputOf(draft)) : null;
  const markSaved = useUnsaved(key !== null && storedKey !== null && key !== storedKey);

  // The draft starts from the stored schedule, or from one rule over the study period.
  useEffect(() => {
    if (loaded.data && !draft && (loaded.data.schedule || subgroup)) {
      const first = draftOf(loaded.data.schedule, subgroup);
      setDraft(first);
      // Nothing typed yet: the proposal for a subgroup without a schedule is not an edit either.
      setStoredKey(JSON.stringify(inputOf(first)));
    }
  }, [loaded.data, subgroup]);

  if (!draft || key === null) {
    return loaded.error ? (
      <AdminError error={loaded.error} testid="schedule-load-error" />
    ) : (
      <Loading testid="schedule-loading" />
    );
  }

  const previewIsCurrent = preview?.key === key;
  // LK9: a draft that touches a closed month is shown, but cannot be saved.
  const locked = previewIsCurrent ? preview.result.locked : null;
  const change = (next: ScheduleDraft) => {
    setDraft(next);
    setSaved(null);
  };

  const runPreview = () =>
    saving(async () => {
      setErrors({});
      const result = await api.previewSchedule(subgroupId, inputOf(draft));
      setPreview({ key, result });
    });

  const save = () =>
    saving(async () => {
      setErrors({});
      setSaved(await api.saveSchedule(subgroupId, inputOf(draft)));
      markSaved();
      setStoredKey(key);
      setPreview(null);
    });

  return (
    <div class="ap-form" data-testid="schedule-form">
      {loaded.data?.schedule ? null : (
        <p class="ap-warn" data-testid="schedule-none">
          У подгруппы ещё нет расписания: без него нет журнала и нельзя подать заявку.
        </p>
      )}
      <RulesEditor draft={draft} errors={errors} subgroup={subgroup} onChange={change} />
      <ExceptionsEditor draft={draft} errors={errors} onChange={change} />
      <SelectField
        label="Занятие в нерабочий праздничный день"
        value={draft.holidayRule}
        onValue={(v) => change({ ...draft, holidayRule: v === 'flag' ? 'flag' : 'skip' })}
        testid="schedule-holiday-rule"
        options={[
          { value: 'skip', label: 'не проводится (пропустить)' },
          { value: 'flag', label: 'проводится, отмечается как праздник' },
        ]}
      />
      <AdminError error={lineError} testid="schedule-error" />
      <div class="ap-actions">
        <button
          type="button"
          class="ap-btn"
          disabled={busy}
          onClick={runPreview}
          data-testid="schedule-preview"
        >
          Показать даты на год
        </button>
        <button
          type="button"
          class="ap-btn ap-btn--primary"
          disabled={busy || !previewIsCurrent || Boolean(locked)}
          onClick={save}
          data-testid="schedule-save"
        >
          Сохранить расписание
        </button>
      </div>
      {locked ? (
        <p class="ap-warn" role="alert" data-testid="schedule-locked">
          {locked.message}
        </p>
      ) : null}
      {!previewIsCurrent && !saved ? (
        <p class="ap-muted">Перед сохранением посмотрите даты и последствия изменения.</p>
      ) : null}
      {saved ? (
        <p class="ap-notice" role="status" data-testid="schedule-saved">
          Расписание сохранено. Убрано занятий без отметок: {saved.lessonsDeleted}; с отметками
          оставлено с пометкой «вне расписания»: {saved.lessonsFlagged}.
        </p>
      ) : null}
      {preview && previewIsCurrent ? (
        <SchedulePreview preview={preview.result} exceptions={inputOf(draft).exceptions} />
      ) : null}
    </div>
  );
}

interface RulesProps {
  draft: ScheduleDraft;
  errors: FieldErrors;
  subgroup: SubgroupView | undefined;
  onChange: (draft: ScheduleDraft) => void;
}

function RulesEditor({ draft, errors, subgroup, onChange }: RulesProps) {
  const setRule = (i: number, patch: Partial<RuleDraft>) =>
    onChange({ ...draft, rules: draft.rules.map((r, j) => (j === i ? { ...r, ...patch } : r)) });

  return (
    <fieldset class="ap-fieldset" data-testid="schedule-rules">
      <legend>Еженедельные правила</legend>
      {draft.rules.map((rule, i) => (
        <RuleRow
          key={rule.id}
          index={i}
          rule={rule}
          errors={errors}
          onPatch={(patch) => setRule(i, patch)}
          onRemove={() => onChange({ ...draft, rules: draft.rules.filter((_, j) => j !== i) })}
        />
      ))}
      {errors.rules ? <span class="ap-field__error">{errors.rules}</span> : null}
      <button
        type="button"
        class="ap-btn"
        data-testid="schedule-rule-add"
        onClick={() => onChange({ ...draft, rules: [...draft.rules, newRule(subgroup)] })}
      >
        Добавить правило
      </button>
    </fieldset>
  );
}

interface RuleRowProps {
  index: number;
  rule: RuleDraft;
  errors: FieldErrors;
  onPatch: (patch: Partial<RuleDraft>) => void;
  onRemove: () => void;
}

function RuleRow({ index: i, rule, errors, onPatch, onRemove }: RuleRowProps) {
  const id = (f: string) => `schedule-rule-${i}-${f}`;
  const err = (f: string) => errors[`rules[${i}].${f}`];

  // Changing the start or the length recomputes the end, the usual case; the end stays editable.
  const patchTiming = (patch: Partial<RuleDraft>) => {
    const next = { ...rule, ...patch };
    const end = endTimeOf(next.start, next.academicHours, next.minutesPerHour, next.breakMinutes);
    onPatch(end ? { ...patch, end } : patch);
  };

  const toggleDay = (day: number) =>
    onPatch({
      weekdays: rule.weekdays.includes(day)
        ? rule.weekdays.filter((d) => d !== day)
        : [...rule.weekdays, day],
    });

  return (
    <div class="ap-rule" data-testid={`schedule-rule-${i}`}>
      <div class="ap-grid">
        <InputField
          label="С"
          error={err('from')}
          type="date"
          value={rule.from}
          onValue={(from) => onPatch({ from })}
          testid={id('from')}
        />
        <InputField
          label="По"
          error={err('to')}
          type="date"
          value={rule.to}
          onValue={(to) => onPatch({ to })}
          testid={id('to')}
        />
        <InputField
          label="Начало"
          error={err('start')}
          type="time"
          value={rule.start}
          onValue={(start) => patchTiming({ start })}
          testid={id('start')}
        />
        <InputField
          label="Академ. часов"
          error={err('academicHours')}
          value={rule.academicHours}
          inputMode="decimal"
          onValue={(academicHours) => patchTiming({ academicHours })}
          testid={id('hours')}
        />
        <InputField
          label="Минут в часе"
          error={err('minutesPerHour')}
          value={rule.minutesPerHour}
          inputMode="numeric"
          onValue={(minutesPerHour) => patchTiming({ minutesPerHour })}
          testid={id('minutes')}
        />
        <InputField
          label="Перерыв, мин"
          error={err('breakMinutes')}
          value={rule.breakMinutes}
          inputMode="numeric"
          onValue={(breakMinutes) => patchTiming({ breakMinutes })}
          testid={id('break')}
        />
        <InputField
          label="Окончание"
          error={err('end')}
          type="time"
          value={rule.end}
          onValue={(end) => onPatch({ end })}
          testid={id('end')}
        />
      </div>
      <fieldset class="ap-weekdays">
        <legend class="ap-sr">Дни недели</legend>
        {WEEKDAYS_SHORT.map((label, d) => (
          <button
            type="button"
            key={label}
            class={rule.weekdays.includes(d + 1) ? 'ap-chip ap-chip--on' : 'ap-chip'}
            aria-pressed={rule.weekdays.includes(d + 1)}
            data-testid={id(`day-${d + 1}`)}
            onClick={() => toggleDay(d + 1)}
          >
            {label}
          </button>
        ))}
        <button
          type="button"
          class="ap-btn ap-btn--danger"
          onClick={onRemove}
          data-testid={id('remove')}
        >
          Удалить правило
        </button>
      </fieldset>
      {err('weekdays') ? (
        <span class="ap-field__error" data-testid={`${id('weekdays')}-error`}>
          {err('weekdays')}
        </span>
      ) : null}
      {errors[`rules[${i}]`] ? <span class="ap-field__error">{errors[`rules[${i}]`]}</span> : null}
    </div>
  );
}

const EXCEPTION_LABELS: Record<ExceptionKind, string> = {
  cancel: 'Отмена занятия',
  move: 'Перенос занятия',
  add: 'Дополнительное занятие',
};

interface ExceptionsProps {
  draft: ScheduleDraft;
  errors: FieldErrors;
  onChange: (draft: ScheduleDraft) => void;
}

function ExceptionsEditor({ draft, errors, onChange }: ExceptionsProps) {
  const patch = (i: number, p: Partial<ExceptionDraft>) =>
    onChange({
      ...draft,
      exceptions: draft.exceptions.map((x, j) => (j === i ? { ...x, ...p } : x)),
    });
  const add = (kind: ExceptionKind) =>
    onChange({ ...draft, exceptions: [...draft.exceptions, newException(kind, draft.rules)] });

  return (
    <fieldset class="ap-fieldset" data-testid="schedule-exceptions">
      <legend>Исключения</legend>
      {draft.exceptions.map((x, i) => (
        <ExceptionRow
          key={x.key}
          index={i}
          x={x}
          rules={draft.rules}
          errors={errors}
          onPatch={(p) => patch(i, p)}
          onRemove={() =>
            onChange({ ...draft, exceptions: draft.exceptions.filter((_, j) => j !== i) })
          }
        />
      ))}
      <div class="ap-actions">
        {(Object.keys(EXCEPTION_LABELS) as ExceptionKind[]).map((kind) => (
          <button
            type="button"
            key={kind}
            class="ap-btn"
            data-testid={`schedule-exception-add-${kind}`}
            onClick={() => add(kind)}
          >
            + {EXCEPTION_LABELS[kind]}
          </button>
        ))}
      </div>
    </fieldset>
  );
}

interface ExceptionRowProps {
  index: number;
  x: ExceptionDraft;
  rules: RuleDraft[];
  errors: FieldErrors;
  onPatch: (p: Partial<ExceptionDraft>) => void;
  onRemove: () => void;
}

/** The fields an exception's end follows (AS8); the end itself stays editable. */
const TIMING: readonly (keyof ExceptionDraft)[] = ['date', 'start', 'toStart', 'academicHours'];

function ExceptionRow({ index: i, x, rules, errors, onPatch, onRemove }: ExceptionRowProps) {
  const id = (f: string) => `schedule-exception-${i}-${f}`;
  const err = (f: string) => errors[`exceptions[${i}].${f}`];
  const change = (f: keyof ExceptionDraft, v: string) => {
    const end = TIMING.includes(f) ? exceptionEndOf({ ...x, [f]: v }, rules) : null;
    onPatch(end ? { [f]: v, end } : { [f]: v });
  };
  const input = (f: keyof ExceptionDraft, label: string, type: string, errKey: string = f) => (
    <InputField
      label={label}
      error={err(errKey)}
      type={type}
      value={String(x[f])}
      onValue={(v) => change(f, v)}
      testid={id(f)}
    />
  );

  return (
    <div class="ap-rule" data-testid={`schedule-exception-${i}`}>
      <strong>{EXCEPTION_LABELS[x.kind]}</strong>
      <div class="ap-grid">
        {input('date', x.kind === 'add' ? 'Дата' : 'Дата занятия', 'date')}
        {input('start', 'Начало', 'time')}
        {x.kind === 'move' ? input('toDate', 'Новая дата', 'date') : null}
        {x.kind === 'move' ? input('toStart', 'Новое начало', 'time') : null}
        {x.kind !== 'cancel'
          ? input('end', 'Окончание', 'time', x.kind === 'move' ? 'toEnd' : 'end')
          : null}
        {x.kind === 'add' ? input('academicHours', 'Академ. часов', 'text') : null}
        {input('reason', 'Причина', 'text')}
      </div>
      {errors[`exceptions[${i}]`] ? (
        <span class="ap-field__error">{errors[`exceptions[${i}]`]}</span>
      ) : null}
      <button
        type="button"
        class="ap-btn ap-btn--danger"
        onClick={onRemove}
        data-testid={id('remove')}
      >
        Удалить исключение
      </button>
    </div>
  );
}
