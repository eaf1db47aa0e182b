import {
  APPLICATION_STUDYING,
  APPLICATION_WITHDRAWN,
  applicationStatusLabel,
} from '@otmetka/shared';
import type { ApplicationView } from '@otmetka/shared/api';
import { useEffect, useState } from 'preact/hooks';
import { fieldErrors } from '../../api/messages.ts';
import { useOrgTime } from '../org-time.ts';
import { useAdmin } from './context.ts';
import { isDateInput, lineErrorOf } from './form.tsx';
import { formatDate } from './format.ts';
import { OverlapNote } from './OverlapNote.tsx';
import { SubgroupPicker } from './SubgroupPicker.tsx';
import { AdminError, Field, Loading, Select, TextInput, useAction, useLoad } from './ui.tsx';

/**
 * The applications board: one column per status of the organisation's set. A status change
 * takes a date (required for «обучается», the enrolment date, and for withdrawal) and a comment;
 * the server turns it into the learner's roster interval.
 */
/** AC2: the link parents register by; the office hands it out (site, letter, QR code). */
function RegistrationLink({ orgId }: { orgId: string }) {
  const link = `${location.origin}/#/register/${orgId}`;
  return (
    <p class="ap-muted">
      Ссылка для регистрации родителей:{' '}
      <a href={link} data-testid="registration-link">
        {link}
      </a>
    </p>
  );
}

/**
 * AS3: the statuses that wait for the admin's decision: those the organisation lists before
 * «обучается» (новая, подтверждена, в резерве). The board opens on them; the hundreds of
 * learners already studying would bury the day's new applications.
 */
export function waitingStatuses(statuses: readonly string[]): string[] {
  const studying = statuses.indexOf(APPLICATION_STUDYING);
  return studying > 0 ? statuses.slice(0, studying) : [...statuses];
}

const WAITING = 'waiting';
const ALL = 'all';

/** The columns the status filter shows: the waiting ones, all, or one status. */
function shownStatuses(filter: string, statuses: readonly string[]): string[] {
  if (filter === WAITING) return waitingStatuses(statuses);
  if (filter === ALL) return [...statuses];
  return statuses.filter((s) => s === filter);
}

function StatusFilter(props: {
  value: string;
  onValue: (value: string) => void;
  statuses: readonly string[];
  applications: readonly ApplicationView[];
}) {
  const count = (shown: string[]) =>
    props.applications.filter((a) => shown.includes(a.status)).length;
  const options = [
    { value: WAITING, label: `Ждут решения (${count(waitingStatuses(props.statuses))})` },
    ...props.statuses.map((s) => ({
      value: s,
      label: `${applicationStatusLabel(s)} (${count([s])})`,
    })),
    { value: ALL, label: `Все статусы (${props.applications.length})` },
  ];
  return (
    <Field label="Показать" testid="applications-status">
      <Select
        value={props.value}
        onValue={props.onValue}
        testid="applications-status"
        options={options}
      />
    </Field>
  );
}

export function ApplicationsBoard() {
  const { api, subgroupId, user } = useAdmin();
  const [filterAll, setFilterAll] = useState(true);
  const [statusFilter, setStatusFilter] = useState(WAITING);
  const filter = filterAll ? undefined : subgroupId || undefined;
  const list = useLoad(
    () => api.listApplications(filter ? { subgroupId: filter } : {}),
    [api, filter],
  );

  return (
    <section class="ap-screen" data-testid="applications-board">
      <header class="ap-screen__head">
        <h2>Заявки</h2>
        <label class="ap-check">
          <input
            type="checkbox"
            checked={filterAll}
            data-testid="applications-all"
            onChange={(e) => setFilterAll(e.currentTarget.checked)}
          />
          Все подгруппы
        </label>
      </header>
      <RegistrationLink orgId={user.orgId} />
      {filterAll ? null : <SubgroupPicker testid="applications-subgroup" />}
      <AdminError error={list.error} testid="applications-error" />
      {list.loading && !list.data ? <Loading testid="applications-loading" /> : null}
      {list.data ? (
        <StatusFilter
          value={statusFilter}
          onValue={setStatusFilter}
          statuses={list.data.statuses}
          applications={list.data.applications}
        />
      ) : null}
      {list.data ? (
        <div class="ap-board">
          {shownStatuses(statusFilter, list.data.statuses).map((status) => (
            <StatusColumn
              key={status}
              status={status}
              statuses={list.data!.statuses}
              applications={list.data!.applications.filter((a) => a.status === status)}
              onChanged={list.reload}
            />
          ))}
        </div>
      ) : null}
    </section>
  );
}

interface ColumnProps {
  status: string;
  statuses: string[];
  applications: ApplicationView[];
  onChanged: () => void;
}

function StatusColumn({ status, statuses, applications, onChanged }: ColumnProps) {
  return (
    <div class="ap-column" data-testid={`applications-column-${status}`}>
      <h3 class="ap-column__title">
        {applicationStatusLabel(status)} <span class="ap-muted">({applications.length})</span>
      </h3>
      {applications.map((a) => (
        <ApplicationCard key={a.id} application={a} statuses={statuses} onChanged={onChanged} />
      ))}
    </div>
  );
}

/** Statuses whose date is the day the learner enters or leaves the journal. */
function needsDate(status: string): boolean {
  return status === APPLICATION_STUDYING || status === APPLICATION_WITHDRAWN;
}

/**
 * AS11: whether the change takes a date: one that enters or leaves the journal (EN2), and any
 * status that ends a studying learner's «обучается» («завершила обучение»: the learner leaves
 * the journal from that date too). Others carry none: «подтверждена» was sent with today's
 * date, and the parent read «подтверждена с 05.12.2026».
 */
export function takesDate(current: string, next: string): boolean {
  return needsDate(next) || (current === APPLICATION_STUDYING && next !== APPLICATION_STUDYING);
}

/** The date field's label: what happens from that day. */
function dateLabel(next: string): string {
  if (next === APPLICATION_STUDYING) return 'Обучается с';
  if (next === APPLICATION_WITHDRAWN) return 'Отчислен(а) с';
  const label = applicationStatusLabel(next);
  return `${label.charAt(0).toUpperCase()}${label.slice(1)} с`;
}

interface CardProps {
  application: ApplicationView;
  statuses: string[];
  onChanged: () => void;
}

function ApplicationCard({ application: a, statuses, onChanged }: CardProps) {
  const time = useOrgTime();
  const [open, setOpen] = useState(false);

  return (
    <article class="ap-card" data-testid={`app-card-${a.id}`}>
      <div class="ap-card__title">{a.learnerName}</div>
      <div class="ap-muted">
        {a.programmeName} · {a.subgroupName}
      </div>
      <div class="ap-muted">
        Родитель: {a.parentName} · подана {time.formatInstant(a.createdAt)}
      </div>
      <StatusDate application={a} />
      <OverlapNote overlaps={a.overlaps} testid={`app-overlap-${a.id}`} />
      <div class="ap-actions">
        <button
          type="button"
          class="ap-btn"
          data-testid={`app-open-${a.id}`}
          onClick={() => setOpen(!open)}
        >
          {open ? 'Скрыть' : 'Сменить статус'}
        </button>
      </div>
      {open ? <StatusForm application={a} statuses={statuses} onChanged={onChanged} /> : null}
    </article>
  );
}

/**
 * The start of the learner's open enrolment interval, read from the roster (a re-enrolment
 * may have reopened an earlier interval); the card's own date until the roster answers.
 */
function useEnrolledFrom(a: ApplicationView): string | null {
  const { api } = useAdmin();
  const studying = a.status === APPLICATION_STUDYING;
  const roster = useLoad(
    () => (studying ? api.roster(a.subgroupId) : Promise.resolve(null)),
    [api, a.subgroupId, studying],
  );
  if (!studying) return null;
  const entry = roster.data?.entries.find((e) => e.learnerId === a.learnerId);
  const open = entry?.intervals.find((iv) => iv.to === null);
  return open?.from ?? statusDateOf(a);
}

/**
 * AS5: a learner leaves the journal from a date on or before the one they study from: EN2 then
 * removes the whole interval (enrolled by mistake), so the learner is in no lesson at all. The
 * admin is told so and confirms before anything is sent.
 */
export function removesEnrolment(
  current: string,
  next: string,
  date: string,
  enrolledFrom: string | null,
): boolean {
  const leaves = current === APPLICATION_STUDYING && next !== APPLICATION_STUDYING;
  return leaves && enrolledFrom !== null && isDateInput(date) && date <= enrolledFrom;
}

/** The fields of the status form, where the server's errors about them are shown (ER4). */
const STATUS_FIELDS = ['status', 'date', 'comment'];

function StatusForm({ application: a, statuses, onChanged }: CardProps) {
  const time = useOrgTime();
  const { api } = useAdmin();
  const [status, setStatus] = useState(a.status);
  const [date, setDate] = useState(() => time.today());
  const [dateTyped, setDateTyped] = useState(false);
  const [comment, setComment] = useState('');
  const [confirmed, setConfirmed] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const action = useAction();
  const enrolledFrom = useEnrolledFrom(a);
  const removes = removesEnrolment(a.status, status, date, enrolledFrom);
  // EN3: a studying card's date is its enrolment start until the admin types another; today's
  // date moved the start to today when the admin only added a comment.
  const keeps = a.status === APPLICATION_STUDYING && status === APPLICATION_STUDYING;
  useEffect(() => {
    if (!dateTyped) setDate(keeps && enrolledFrom ? enrolledFrom : time.today());
  }, [keeps, enrolledFrom]);
  const id = (f: string) => `app-${f}-${a.id}`;

  const dated = takesDate(a.status, status);

  const apply = async () => {
    if (dated && !isDateInput(date)) {
      setErrors({ date: 'Укажите дату' });
      return;
    }
    if (removes && !confirmed) {
      setErrors({ confirm: 'Подтвердите, что период обучения нужно удалить' });
      return;
    }
    setErrors({});
    const done = await action.run(() =>
      api
        .changeStatus(a.id, {
          status,
          date: dated ? date : null,
          comment: comment.trim(),
        })
        .catch((error: unknown) => {
          setErrors(fieldErrors(error));
          throw error;
        }),
    );
    if (done) onChanged();
  };

  return (
    <div class="ap-form">
      <div class="ap-grid">
        <Field label="Новый статус" error={errors.status} testid={id('status')}>
          <Select
            value={status}
            onValue={setStatus}
            testid={id('status')}
            options={statuses.map((s) => ({ value: s, label: applicationStatusLabel(s) }))}
          />
        </Field>
        {dated ? (
          <Field
            label={dateLabel(status)}
            error={errors.date}
            hint={
              // EN3: the server moves the start of the enrolment to this date.
              keeps
                ? 'Уже обучается: дата зачисления будет исправлена на эту.'
                : a.status === APPLICATION_STUDYING
                  ? 'С этой даты обучающегося не будет в журнале.'
                  : undefined
            }
            testid={id('date')}
          >
            <TextInput
              type="date"
              value={date}
              onValue={(value) => {
                setDateTyped(true);
                setDate(value);
              }}
              testid={id('date')}
            />
          </Field>
        ) : null}
        <Field
          label="Комментарий"
          error={errors.comment}
          hint="Его увидит родитель в истории заявки."
          testid={id('comment')}
        >
          <TextInput value={comment} onValue={setComment} testid={id('comment')} />
        </Field>
      </div>
      {removes ? (
        <RemovalWarning
          testid={id('confirm')}
          enrolledFrom={enrolledFrom!}
          confirmed={confirmed}
          onConfirm={setConfirmed}
          error={errors.confirm}
        />
      ) : null}
      <AdminError
        error={lineErrorOf(action.error, (f) => STATUS_FIELDS.includes(f))}
        testid={id('error')}
      />
      <button
        type="button"
        class="ap-btn ap-btn--primary"
        disabled={action.busy}
        onClick={apply}
        data-testid={id('apply')}
      >
        Применить
      </button>
      <History application={a} />
    </div>
  );
}

function RemovalWarning(props: {
  testid: string;
  enrolledFrom: string;
  confirmed: boolean;
  onConfirm: (on: boolean) => void;
  error: string | undefined;
}) {
  return (
    <div class="ap-warn" role="alert" data-testid={`${props.testid}-warning`}>
      <p>
        Дата не позже дня зачисления ({formatDate(props.enrolledFrom)}): период обучения будет
        удалён, и обучающийся не появится в журнале совсем — как зачисленный по ошибке. Отметки,
        которые ему уже поставили, перестанут показываться в табеле и в дневнике; они сохранятся и
        вернутся, если зачислить его снова.
      </p>
      <label class="ap-check">
        <input
          type="checkbox"
          checked={props.confirmed}
          data-testid={props.testid}
          onChange={(e) => props.onConfirm(e.currentTarget.checked)}
        />
        Да, удалить период обучения
      </label>
      {props.error ? (
        <span class="ap-field__error" data-testid={`${props.testid}-error`}>
          {props.error}
        </span>
      ) : null}
    </div>
  );
}

/**
 * AS4: the date a studying learner is in the journal from, or a withdrawal's, on the card
 * itself: the admin checks it against the family's paper without opening every card.
 */
export function statusDateOf(a: ApplicationView): string | null {
  if (!needsDate(a.status)) return null;
  const last = a.history.findLast((h) => h.status === a.status && h.date);
  return last?.date ?? null;
}

function StatusDate({ application }: { application: ApplicationView }) {
  const date = statusDateOf(application);
  if (!date) return null;
  const what = application.status === APPLICATION_STUDYING ? 'Обучается' : 'Отчислен(а)';
  return (
    <div class="ap-card__date" data-testid={`app-date-shown-${application.id}`}>
      {what} с {formatDate(date)}
    </div>
  );
}

function History({ application }: { application: ApplicationView }) {
  const time = useOrgTime();
  return (
    <ol class="ap-history" data-testid={`app-history-${application.id}`}>
      {application.history.map((h) => (
        <li key={`${h.at}-${h.status}`}>
          <b>{applicationStatusLabel(h.status)}</b>
          {h.date ? ` с ${formatDate(h.date)}` : ''} · {time.formatInstant(h.at)}
          {h.comment ? ` · ${h.comment}` : ''}
        </li>
      ))}
    </ol>
  );
}
