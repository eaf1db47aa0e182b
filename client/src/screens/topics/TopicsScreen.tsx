import type { DatePeriod, Subgroup, Topic } from '@otmetka/shared';
import { checkTopicHours, plannedDateProblem, ruHours, topicHours } from '@otmetka/shared';
import { useState } from 'preact/hooks';
import { useTeacher } from '../../app/context.ts';
import { useEditInProgress, useObservable } from '../../app/hooks.ts';
import { topics$ } from '../../db/queries.ts';
import type { TopicFields } from '../../db/repo.ts';
import {
  addTopic,
  deleteTopic,
  moveTopic,
  nextTopicOrder,
  topicFieldsOf,
  updateTopic,
  writeFailure,
} from '../../db/repo.ts';
import { ruDate } from '../journal/Journals.tsx';
import { TopicImport } from './TopicImport.tsx';

/** «Темы»: the subgroup's study plan. Every change is a local write; works offline. */
export function TopicsScreen({
  subgroup,
  lessonDates,
}: {
  subgroup: Subgroup;
  /** The dates of the subgroup's lessons by its schedule; empty without one. */
  lessonDates: ReadonlySet<string>;
}) {
  const { db } = useTeacher();
  const all = useObservable(() => topics$(db, subgroup.id), [db, subgroup.id], [] as Topic[]);
  const topics = all.filter((t) => !t._deleted);
  const [editing, setEditing] = useState<string | null>(null);
  const total = topicHours(topics);
  const hours = checkTopicHours(total, subgroup.hoursPerYear);
  const nextOrder = nextTopicOrder(topics);
  const period = { from: subgroup.periodFrom, to: subgroup.periodTo };

  return (
    <div data-testid="topics">
      <p class={hours.ok ? 'ok' : 'warn'} data-testid="topics-total">
        {hours.message}
      </p>
      <ol class="topiclist">
        {topics.map((t, i) =>
          editing === t.id ? (
            <li key={t.id} class="card">
              <TopicForm
                initial={topicFieldsOf(t)}
                period={period}
                submitLabel="Сохранить"
                onCancel={() => setEditing(null)}
                onSubmit={async (fields) => {
                  await updateTopic(db, t, fields);
                  setEditing(null);
                }}
              />
            </li>
          ) : (
            <li key={t.id} class="topic" data-testid="topic-row" data-topic-id={t.id}>
              <span class="order">{i + 1}.</span>
              <span class="topictext">
                {t.section && <span class="muted">{t.section} · </span>}
                <strong>{t.title}</strong>
                <span class="muted">
                  {' '}
                  · {ruHours(t.hours)} ч{t.form ? ` · ${t.form}` : ''}
                  {t.control ? ` · ${t.control}` : ''}
                  {t.plannedDate ? ` · ${ruDate(t.plannedDate)}` : ''}
                </span>
              </span>
              <span class="row">
                <button
                  type="button"
                  disabled={i === 0}
                  aria-label="Выше"
                  onClick={() => void moveTopic(db, topics, i, -1)}
                  data-testid="topic-up"
                >
                  ↑
                </button>
                <button
                  type="button"
                  disabled={i === topics.length - 1}
                  aria-label="Ниже"
                  onClick={() => void moveTopic(db, topics, i, 1)}
                  data-testid="topic-down"
                >
                  ↓
                </button>
                <button
                  type="button"
                  aria-label="Изменить"
                  onClick={() => setEditing(t.id)}
                  data-testid="topic-edit"
                >
                  ✎
                </button>
                <button
                  type="button"
                  aria-label="Удалить"
                  onClick={() => {
                    if (confirm(`Удалить тему «${t.title}»?`)) void deleteTopic(db, t);
                  }}
                  data-testid="topic-delete"
                >
                  ✕
                </button>
              </span>
            </li>
          ),
        )}
      </ol>
      {topics.length === 0 && <p class="empty">Тем пока нет: добавьте их или загрузите файл.</p>}
      <details class="card" open={topics.length === 0}>
        <summary data-testid="topic-add-open">Добавить тему</summary>
        <TopicForm
          period={period}
          submitLabel="Добавить"
          onSubmit={async (fields) => {
            await addTopic(db, subgroup.id, fields, nextOrder);
          }}
        />
      </details>
      <TopicImport subgroup={subgroup} topics={topics} lessonDates={lessonDates} />
    </div>
  );
}

const EMPTY_TOPIC: TopicFields = {
  section: '',
  title: '',
  hours: 2,
  form: '',
  control: '',
  plannedDate: null,
};

/** «1,5», «1.5» or «2» as hours from 0 to 100; null for anything else. */
function parseHours(text: string): number | null {
  const trimmed = text.trim().replace(',', '.');
  if (!/^\d+(\.\d+)?$/.test(trimmed)) return null;
  const hours = Number(trimmed);
  return hours <= 100 ? hours : null;
}

function TopicForm(props: {
  initial?: TopicFields;
  /** The subgroup's study period: a planned date must fall in it (PR8). */
  period: DatePeriod;
  submitLabel: string;
  onSubmit: (fields: TopicFields) => Promise<void>;
  onCancel?: () => void;
}) {
  const [fields, setFields] = useState<TopicFields>(props.initial ?? EMPTY_TOPIC);
  // Text, not a number input: Chromium's number input drops a typed comma, so «1,5» became 15.
  const [hoursText, setHoursText] = useState(ruHours(fields.hours));
  const [error, setError] = useState<string | null>(null);
  const set = (patch: Partial<TopicFields>) => setFields({ ...fields, ...patch });
  const start = props.initial ?? EMPTY_TOPIC;
  useEditInProgress(
    hoursText !== ruHours(start.hours) ||
      (Object.keys(start) as (keyof TopicFields)[]).some((k) => fields[k] !== start[k]),
  );

  const submit = async (e: Event) => {
    e.preventDefault();
    const title = fields.title.trim();
    if (!title) return setError('Укажите тему.');
    const hours = parseHours(hoursText);
    if (hours === null) return setError('Часы: число от 0 до 100, например 1,5.');
    // A date kept from before the period moved may stay; a date the teacher sets must fit.
    const dateProblem =
      fields.plannedDate && fields.plannedDate !== props.initial?.plannedDate
        ? plannedDateProblem(fields.plannedDate, props.period)
        : null;
    if (dateProblem) return setError(`Плановая ${dateProblem}.`);
    setError(null);
    try {
      await props.onSubmit(topicFieldsOf({ ...fields, title, hours }));
    } catch (err) {
      // TP4: a write the device refuses keeps the form open and says so, never silently.
      return setError(`Тема не сохранена: ${writeFailure(err)}`);
    }
    if (!props.initial) {
      setFields(EMPTY_TOPIC);
      setHoursText(ruHours(EMPTY_TOPIC.hours));
    }
  };

  return (
    // noValidate: the checks below give Russian messages, and a date kept from before the
    // period moved must not block saving the topic's other fields; min/max still guide the picker.
    <form class="topicform" onSubmit={submit} data-testid="topic-form" noValidate>
      <label class="field">
        Раздел
        <input
          value={fields.section}
          maxLength={300}
          onInput={(e) => set({ section: e.currentTarget.value })}
          data-testid="topic-section"
        />
      </label>
      <label class="field">
        Тема
        <input
          value={fields.title}
          maxLength={300}
          required
          onInput={(e) => set({ title: e.currentTarget.value })}
          data-testid="topic-title"
        />
      </label>
      <label class="field small">
        Часы
        <input
          inputMode="decimal"
          maxLength={6}
          value={hoursText}
          onInput={(e) => setHoursText(e.currentTarget.value)}
          data-testid="topic-hours"
        />
      </label>
      <label class="field">
        Форма занятия
        <input
          value={fields.form}
          maxLength={300}
          onInput={(e) => set({ form: e.currentTarget.value })}
          data-testid="topic-form-kind"
        />
      </label>
      <label class="field">
        Форма контроля
        <input
          value={fields.control}
          maxLength={300}
          onInput={(e) => set({ control: e.currentTarget.value })}
          data-testid="topic-control"
        />
      </label>
      <label class="field small">
        Плановая дата
        <input
          type="date"
          min={props.period.from}
          max={props.period.to}
          value={fields.plannedDate ?? ''}
          onInput={(e) => set({ plannedDate: e.currentTarget.value || null })}
          data-testid="topic-date"
        />
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="row">
        <button type="submit" class="primary" data-testid="topic-submit">
          {props.submitLabel}
        </button>
        {props.onCancel && (
          <button type="button" onClick={props.onCancel} data-testid="topic-cancel">
            Отмена
          </button>
        )}
      </div>
    </form>
  );
}
