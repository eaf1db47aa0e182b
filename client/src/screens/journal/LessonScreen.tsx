import type {
  AttendanceCode,
  Lesson,
  LessonSlot,
  Mark,
  NotHeldStatus,
  RosterEntry,
  Subgroup,
  Topic,
} from '@otmetka/shared';
import {
  autoLockDate,
  enrolledOn,
  findSlot,
  formatRuDate,
  formatRuMonth,
  isNotHeld,
  isoWeekday,
  type MonthLockOrigin,
  monthLockOrigin,
  monthOf,
} from '@otmetka/shared';
import { useEffect, useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { useTeacher } from '../../app/context.ts';
import { useEditInProgress, useObservable, useReturnFocus } from '../../app/hooks.ts';
import { hrefOf } from '../../app/router.ts';
import { useToday } from '../../app/today.ts';
import type { OtmetkaDb } from '../../db/database.ts';
import { lessonTextDraft } from '../../db/drafts.ts';
import type { CatalogView } from '../../db/queries.ts';
import {
  lesson$,
  lessons$,
  marksOfLesson$,
  movedSlot,
  roster$,
  slotOfLesson,
  slotsOfMonth,
  takenOfSubgroup,
  topics$,
  yearSlots,
} from '../../db/queries.ts';
import { markAllPresent, setMark, updateLesson } from '../../db/repo.ts';
import { TextField } from './TextField.tsx';
import { TapQueue } from './taps.ts';

const WEEKDAYS = [
  '',
  'понедельник',
  'вторник',
  'среда',
  'четверг',
  'пятница',
  'суббота',
  'воскресенье',
];
const GRADES = ['', '5', '4', '3', '2', 'зач', 'незач'];

/**
 * One lesson, opened by its date. Opening writes nothing: the lesson document is created by
 * the first thing the teacher writes, and a reopened register shows the saved marks, never
 * defaults over them.
 */
export function LessonScreen(props: {
  subgroup: Subgroup;
  catalog: CatalogView;
  date: string;
  start: string;
}) {
  const { db, user } = useTeacher();
  const { subgroup, catalog, date, start } = props;
  const slots = slotsOfMonth(catalog, subgroup, monthOf(date));
  const scheduled = findSlotSafe(slots, date, start);
  const lessonId = scheduled?.lessonId ?? `lesson:${subgroup.id}:${date}:${start.replace(':', '')}`;
  // undefined until the lesson's document is read (null: there is none).
  const stored = useObservable(
    () => lesson$(db, lessonId),
    [db, lessonId],
    undefined as Lesson | null | undefined,
  );
  const lesson = stored ?? null;
  const slot = scheduled ?? (lesson ? slotOfLesson(lesson) : null);
  // LS2: "today" in the organisation's zone (the session carries it before the catalog does);
  // near midnight the device's zone or UTC name another day. A screen left open over the
  // zone's midnight moves to the new day by itself.
  const today = useToday(catalog.org?.timeZone ?? user.timeZone);

  // LS10: nothing to tap before the lesson's document is read: its status, topic and homework
  // would show empty for a moment (50 ms on a slow tablet), and a lesson kept off the schedule
  // (LS5) has no slot until then.
  if (stored === undefined) return <p class="empty">Загрузка…</p>;
  if (!slot) {
    return <MissingLesson subgroup={subgroup} catalog={catalog} date={date} start={start} />;
  }
  const programme = catalog.programmes.get(subgroup.programmeId);
  const locked = monthLock(catalog, subgroup.id, slot.date);
  const upcoming = slot.date > today;
  return (
    <article class="lesson" data-testid="lesson" data-lesson-id={slot.lessonId}>
      <header class="lessonhead">
        <a
          href={hrefOf({ name: 'lessons', subgroupId: subgroup.id, month: monthOf(date) })}
          class="back"
          data-testid="lesson-back"
        >
          ← К месяцу
        </a>
        <h2>
          {formatRuDate(slot.date)}, {WEEKDAYS[isoWeekday(slot.date)]}, {slot.start}–{slot.end}
        </h2>
        {slot.holiday && <p class="warn">Нерабочий день: {slot.holiday}</p>}
        {lesson?.flag === 'off-schedule' && (
          <p class="warn">Занятие убрано из расписания; отметки сохранены.</p>
        )}
        {locked && (
          <p class="warn" data-testid="lesson-locked" data-origin={locked}>
            {lockedText(locked, monthOf(slot.date), catalog.org?.lockDay ?? null)}
          </p>
        )}
      </header>
      <StatusControl slot={slot} lesson={lesson} />
      <Roll
        slot={slot}
        codes={catalog.codes}
        grades={programme?.gradesEnabled ?? false}
        notHeld={isNotHeld(lesson?.status)}
        upcoming={upcoming}
      />
      <TopicPicker slot={slot} lesson={lesson} />
      <TextField
        label="Домашнее задание"
        multiline
        maxLength={4000}
        value={lesson?.homework ?? ''}
        testid="lesson-homework"
        onSave={(homework) => updateLesson(db, slot, { homework })}
        draft={lessonTextDraft(db, slot, 'homework')}
      />
      <TextField
        label="Замечание"
        multiline
        maxLength={4000}
        value={lesson?.remark ?? ''}
        testid="lesson-remark"
        onSave={(remark) => updateLesson(db, slot, { remark })}
        draft={lessonTextDraft(db, slot, 'remark')}
      />
    </article>
  );
}

/**
 * LS6: a lesson that is not in the schedule. When the admin moved it (a `move` exception), the
 * teacher who had it open, or opens it from a note, is told where it went and can open it
 * there.
 */
function MissingLesson(props: {
  subgroup: Subgroup;
  catalog: CatalogView;
  date: string;
  start: string;
}) {
  const { subgroup, catalog, date, start } = props;
  const moved = movedSlot(yearSlots(catalog, subgroup), date, start);
  if (!moved) {
    // LS17: a lesson the admin cancelled says so, with the reason, not that it never existed.
    const cancelled = takenOfSubgroup(catalog, subgroup, monthOf(date)).find(
      (t) => t.date === date && t.start === start,
    );
    return (
      <p class="empty" data-testid="lesson-missing">
        {cancelled
          ? `Занятие ${formatRuDate(date)} в ${start} отменено в расписании${cancelled.reason ? `: ${cancelled.reason}` : ''}.`
          : `В расписании нет занятия ${formatRuDate(date)} в ${start}.`}
      </p>
    );
  }
  const there = hrefOf({
    name: 'lesson',
    subgroupId: subgroup.id,
    date: moved.date,
    start: moved.start,
  });
  return (
    <p class="empty" data-testid="lesson-missing">
      Занятие {formatRuDate(date)} в {start} перенесено в расписании на{' '}
      <a href={there} data-testid="lesson-moved-to">
        {formatRuDate(moved.date)} в {moved.start}
      </a>
      .
    </p>
  );
}

/** LK1/LK2 as the server applies them; the device only warns, the server decides. */
function monthLock(catalog: CatalogView, subgroupId: string, date: string): MonthLockOrigin {
  if (!catalog.org) return null;
  try {
    return monthLockOrigin({
      locks: catalog.locks,
      org: catalog.org,
      subgroupId,
      month: monthOf(date),
      now: new Date(),
    });
  } catch {
    return null;
  }
}

/** «Октябрь 2026 закрыт автоматически с 10.11.2026…»: who closed it, what the teacher can do. */
function lockedText(origin: 'admin' | 'auto', month: string, lockDay: number | null): string {
  const by =
    origin === 'auto' && lockDay !== null
      ? `закрыт автоматически с ${formatRuDate(autoLockDate(lockDay, month))}`
      : 'закрыт администратором';
  return `${formatRuMonth(month, true)} ${by}: изменения сервер не примет. Для правки попросите администратора открыть месяц.`;
}

function findSlotSafe(slots: LessonSlot[], date: string, start: string): LessonSlot | undefined {
  try {
    return findSlot(slots, date, start);
  } catch {
    return undefined;
  }
}

/** The statuses a teacher sets; «по плану» is what a lesson is until then. */
const STATUS_CHOICES: [Lesson['status'], string][] = [
  ['held', 'Проведено'],
  ['cancelled', 'Отменено'],
  ['moved', 'Перенесено'],
];

const REASON_LABELS: Record<NotHeldStatus, string> = {
  cancelled: 'Причина отмены',
  moved: 'Причина переноса',
};

/**
 * LS1: «Отменено» and «Перенесено» ask for the reason first and write status and reason in one
 * edit, so no device ever stores (or sends) a cancelled lesson without its reason. «Проведено»
 * needs no reason and is saved at the tap, clearing the reason of an earlier cancellation.
 */
function StatusControl({ slot, lesson }: { slot: LessonSlot; lesson: Lesson | null }) {
  const { db } = useTeacher();
  const status = lesson?.status ?? 'planned';
  const [asking, setAsking] = useState<NotHeldStatus | null>(null);

  const choose = (value: Lesson['status']) => {
    if (isNotHeld(value)) setAsking(value);
    // The reason belongs to the cancellation or move: it goes in the same edit as the status,
    // so a held lesson never keeps (or sends) a stale «Болезнь педагога».
    else void updateLesson(db, slot, { status: value, statusReason: '' });
  };
  const confirm = async (value: NotHeldStatus, reason: string) => {
    await updateLesson(db, slot, { status: value, statusReason: reason });
    setAsking(null);
  };

  return (
    <fieldset class="card">
      <legend>Статус занятия</legend>
      <div class="row">
        {STATUS_CHOICES.map(([value, label]) => (
          <button
            key={value}
            type="button"
            class={status === value ? 'choice choice--on' : 'choice'}
            aria-pressed={status === value}
            onClick={() => choose(value)}
            data-testid={`lesson-status-${value}`}
          >
            {label}
          </button>
        ))}
      </div>
      {isNotHeld(status) && (
        <p class="reason" data-testid="lesson-status-reason-text">
          {REASON_LABELS[status]}: {lesson?.statusReason || 'не указана'}{' '}
          <button
            type="button"
            class="link"
            onClick={() => setAsking(status)}
            data-testid="lesson-status-reason-edit"
          >
            Изменить
          </button>
        </p>
      )}
      {asking && (
        <ReasonDialog
          status={asking}
          initial={asking === status ? (lesson?.statusReason ?? '') : ''}
          onConfirm={(reason) => confirm(asking, reason)}
          onCancel={() => setAsking(null)}
        />
      )}
    </fieldset>
  );
}

/** Asks for the reason of a cancellation or a move; «Сохранить» only with some text in it. */
function ReasonDialog(props: {
  status: NotHeldStatus;
  initial: string;
  onConfirm: (reason: string) => Promise<void>;
  onCancel: () => void;
}) {
  const [text, setText] = useState(props.initial);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const reason = text.trim();
  useReturnFocus();
  useEditInProgress(text !== props.initial);
  // The dialog exists to take this one answer: the keyboard opens on it at once.
  useEffect(() => input.current?.focus(), []);

  const submit = (e: Event) => {
    e.preventDefault();
    if (!reason || busy) return;
    setBusy(true);
    props.onConfirm(reason).catch((err: unknown) => {
      setBusy(false);
      throw err;
    });
  };

  return (
    <div
      class="overlay"
      role="dialog"
      aria-modal="true"
      aria-labelledby={`${id}-title`}
      data-testid="lesson-status-dialog"
      onKeyDown={(e) => {
        if (e.key === 'Escape') props.onCancel();
      }}
    >
      <form class="card" onSubmit={submit}>
        <h2 id={`${id}-title`}>
          {props.status === 'moved' ? 'Перенести занятие' : 'Отменить занятие'}
        </h2>
        <div class="field">
          <label for={id}>{REASON_LABELS[props.status]}</label>
          <input
            id={id}
            value={text}
            maxLength={300}
            ref={input}
            onInput={(e) => setText(e.currentTarget.value)}
            data-testid="lesson-status-reason"
          />
        </div>
        <div class="row">
          <button
            type="submit"
            class="primary"
            disabled={!reason || busy}
            data-testid="lesson-status-confirm"
          >
            Сохранить
          </button>
          <button type="button" onClick={props.onCancel} data-testid="lesson-status-cancel">
            Отмена
          </button>
        </div>
      </form>
    </div>
  );
}

function Roll(props: {
  slot: LessonSlot;
  codes: AttendanceCode[];
  grades: boolean;
  /** Cancelled or moved: nobody attended on this date. */
  notHeld: boolean;
  /** LS2: dated after today: nobody has attended yet. */
  upcoming: boolean;
}) {
  const { db } = useTeacher();
  const { slot, codes } = props;
  const roster = useObservable(
    () => roster$(db, slot.subgroupId),
    [db, slot.subgroupId],
    [] as RosterEntry[],
  );
  const marks = useObservable(
    () => marksOfLesson$(db, slot.lessonId),
    [db, slot.lessonId],
    null as Mark[] | null,
  );
  // LS10: until the saved marks are in, a tap would cycle from «—» and write «✓» over a saved
  // «Н»; the roster answers first, 20–50 ms earlier in Chromium.
  const closed = props.notHeld || props.upcoming || marks === null;
  const learners = safeEnrolled(roster, slot.date);
  // Deleted ones too: the tap queue compares their stamps (see TapQueue.shown).
  const stored = new Map((marks ?? []).map((m) => [m.learnerId, m]));
  const byLearner = new Map([...stored].filter(([, m]) => !m._deleted));
  const unmarked = learners.filter((l) => !byLearner.has(l.learnerId));
  const taps = useTapQueue(db, slot);

  return (
    <section class="card" data-testid="roll">
      <div class="rollhead">
        <h3>Посещаемость</h3>
        <button
          type="button"
          class="primary"
          disabled={unmarked.length === 0 || closed}
          onClick={() =>
            void markAllPresent(
              db,
              slot,
              unmarked.map((l) => l.learnerId),
            )
          }
          data-testid="mark-all-present"
        >
          Все присутствуют
        </button>
      </div>
      {props.upcoming && (
        <p class="muted" data-testid="roll-upcoming">
          Занятие ещё не прошло — посещаемость отмечается в день занятия.
        </p>
      )}
      {props.notHeld && !props.upcoming && (
        <p class="muted" data-testid="roll-not-held">
          Занятие не проводилось — посещаемость не отмечается. Чтобы отметить, выберите «Проведено».
        </p>
      )}
      {learners.length === 0 && <p class="empty">На эту дату в подгруппе нет зачисленных.</p>}
      <ul class="roll">
        {learners.map((entry) => {
          const mark = byLearner.get(entry.learnerId);
          const saved = stored.get(entry.learnerId);
          const code = taps.shown(entry.learnerId, saved);
          return (
            <li key={entry.learnerId} class="rollrow">
              <span class="name">{entry.name}</span>
              <button
                type="button"
                class={`code ${code === undefined ? 'code--none' : codeClass(codes, code)}`}
                disabled={closed}
                onClick={() => taps.tap(entry.learnerId, saved, codes)}
                aria-label={`${entry.name}: ${code === undefined ? 'не отмечен' : codeLabel(codes, code)}`}
                aria-busy={taps.saving(entry.learnerId, saved)}
                data-testid={`mark-${entry.learnerId}`}
                // What the journal holds (tests wait on it); the text shows the last tap at once.
                data-code={mark ? mark.code || 'present' : 'none'}
              >
                {code === undefined ? '—' : code || '✓'}
              </button>
              {props.grades && (
                <select
                  value={mark?.grade ?? ''}
                  aria-label={`Оценка: ${entry.name}`}
                  disabled={closed}
                  onChange={(e) =>
                    void setMark(db, slot, entry.learnerId, {
                      grade: e.currentTarget.value || null,
                    })
                  }
                  data-testid={`grade-${entry.learnerId}`}
                >
                  {GRADES.map((g) => (
                    <option key={g} value={g}>
                      {g || 'оценка'}
                    </option>
                  ))}
                </select>
              )}
            </li>
          );
        })}
      </ul>
      <p class="muted legend">
        Нажатие меняет отметку по кругу:{' '}
        {codes.map((c) => `${c.code || '✓'} — ${c.label}`).join(', ')}.
      </p>
    </section>
  );
}

function safeEnrolled(roster: RosterEntry[], date: string): RosterEntry[] {
  try {
    return enrolledOn(roster, date);
  } catch (err) {
    console.warn('roster cannot be read', err);
    return [];
  }
}

/**
 * LS16: one queue of attendance taps (LS14) per lesson while the app runs. A register left and
 * opened again while a save was on its way had a queue of its own, and the earlier screen's
 * last tap could be written after a newer one; now the reopened register goes on with the taps
 * on their way.
 */
interface LessonTaps {
  slot: LessonSlot;
  taps: TapQueue;
}

const tapQueues = new WeakMap<OtmetkaDb, Map<string, LessonTaps>>();

function lessonTaps(db: OtmetkaDb, slot: LessonSlot): TapQueue {
  const lessons = tapQueues.get(db) ?? new Map<string, LessonTaps>();
  tapQueues.set(db, lessons);
  const known = lessons.get(slot.lessonId);
  if (known) {
    // A save uses the slot as the register shows it now (the schedule may have changed its end).
    known.slot = slot;
    return known.taps;
  }
  const at: { slot: LessonSlot } = { slot };
  const taps = new TapQueue(
    async (learnerId, code) => (await setMark(db, at.slot, learnerId, { code })).stamps.code,
  );
  lessons.set(slot.lessonId, Object.assign(at, { taps }));
  return taps;
}

/** The lesson's tap queue, redrawing the register when what it shows changes. */
function useTapQueue(db: OtmetkaDb, slot: LessonSlot): TapQueue {
  const [, redraw] = useState(0);
  const taps = lessonTaps(db, slot);
  // Before the browser paints: a save of a reopened register may end right after its render.
  useLayoutEffect(() => {
    const stop = taps.subscribe(() => redraw((n) => n + 1));
    redraw((n) => n + 1);
    return stop;
  }, [taps]);
  return taps;
}

function codeLabel(codes: AttendanceCode[], code: string): string {
  return codes.find((c) => c.code === code)?.label ?? code;
}

function codeClass(codes: AttendanceCode[], code: string): string {
  const info = codes.find((c) => c.code === code);
  if (!info || (!info.absent && code === '')) return 'code--present';
  if (info.excused) return 'code--excused';
  return info.absent ? 'code--absent' : 'code--other';
}

function TopicPicker({ slot, lesson }: { slot: LessonSlot; lesson: Lesson | null }) {
  const { db } = useTeacher();
  const topics = useObservable(
    () => topics$(db, slot.subgroupId),
    [db, slot.subgroupId],
    [] as Topic[],
  );
  const lessons = useObservable(
    () => lessons$(db, slot.subgroupId),
    [db, slot.subgroupId],
    [] as Lesson[],
  );
  const live = topics.filter((t) => !t._deleted);
  // A cancelled or moved lesson keeps the topic it had, but did not teach it (TP2).
  const taught = (l: Lesson) => l.id !== slot.lessonId && !l._deleted && !isNotHeld(l.status);
  const used = new Set(lessons.filter((l) => taught(l) && l.topicId).map((l) => l.topicId));
  const nextUnused = live.find((t) => !used.has(t.id));
  const current = lesson?.topicId ?? '';
  // Numbered by place in the plan, as «Темы» shows it: stored orders keep gaps after a delete
  // and may tie after two devices added topics offline.
  const place = new Map(live.map((t, i) => [t.id, i + 1]));
  const ordered = nextUnused ? [nextUnused, ...live.filter((t) => t !== nextUnused)] : live;

  const choose = (topicId: string) => {
    const topic = live.find((t) => t.id === topicId);
    void updateLesson(db, slot, { topicId: topic?.id ?? null, topicTitle: topic?.title ?? '' });
  };

  return (
    <section class="card">
      <h3>Тема занятия</h3>
      {live.length > 0 && (
        <label class="field">
          Из плана
          <select
            value={current}
            onChange={(e) => choose(e.currentTarget.value)}
            data-testid="lesson-topic-select"
          >
            <option value="">— не выбрана —</option>
            {ordered.map((t) => (
              <option key={t.id} value={t.id}>
                {t === nextUnused ? '➜ ' : used.has(t.id) ? '✓ ' : ''}
                {place.get(t.id)}. {t.title}
              </option>
            ))}
          </select>
        </label>
      )}
      {!current && nextUnused && (
        <button
          type="button"
          class="link"
          onClick={() => choose(nextUnused.id)}
          data-testid="lesson-topic-next"
        >
          Следующая по плану: {nextUnused.title}
        </button>
      )}
      <TextField
        label={current ? 'Тема (как в журнале)' : 'Или своя тема'}
        maxLength={300}
        value={lesson?.topicTitle ?? ''}
        testid="lesson-topic-text"
        onSave={(topicTitle) => updateLesson(db, slot, { topicTitle })}
        draft={lessonTextDraft(db, slot, 'topicTitle')}
      />
    </section>
  );
}
