import type { Lesson, LessonSlot, Mark, RosterEntry, Subgroup, TakenSlot } from '@otmetka/shared';
import {
  addMonths,
  formatRuMonth,
  isEnrolledOn,
  isNotHeld,
  LESSON_STATUS_LABELS,
  monthDays,
} from '@otmetka/shared';
import { useTeacher } from '../../app/context.ts';
import { useObservable } from '../../app/hooks.ts';
import { hrefOf } from '../../app/router.ts';
import type { CatalogView } from '../../db/queries.ts';
import {
  lessons$,
  marksOfMonth$,
  monthColumns,
  roster$,
  slotsOfMonth,
  takenOfSubgroup,
} from '../../db/queries.ts';
import { ruDate } from './Journals.tsx';

export function monthTitle(month: string): string {
  return formatRuMonth(month, true);
}

/** «Занятия»: a month at a time, a learners × dates grid and the list of lessons. */
export function LessonsMonth({
  subgroup,
  catalog,
  month,
}: {
  subgroup: Subgroup;
  catalog: CatalogView;
  month: string;
}) {
  const { db } = useTeacher();
  const days = monthDays(month);
  const from = days[0]!;
  const to = days[days.length - 1]!;
  const roster = useObservable(
    () => roster$(db, subgroup.id),
    [db, subgroup.id],
    [] as RosterEntry[],
  );
  const lessons = useObservable(
    () => lessons$(db, subgroup.id, from, to),
    [db, subgroup.id, month],
    [] as Lesson[],
  );
  const marks = useObservable(
    () => marksOfMonth$(db, subgroup.id, from, to),
    [db, subgroup.id, month],
    [] as Mark[],
  );
  const slots = monthColumns(slotsOfMonth(catalog, subgroup, month), lessons);
  const lessonById = new Map(lessons.map((l) => [l.id, l]));
  const columns = new Set(slots.map((s) => s.lessonId));
  const taken = takenOfSubgroup(catalog, subgroup, month).filter((t) => !columns.has(t.lessonId));
  const markByKey = new Map(
    marks.filter((m) => !m._deleted).map((m) => [`${m.lessonId}|${m.learnerId}`, m]),
  );
  const learners = roster
    .filter(
      (r) =>
        !r._deleted && r.intervals.some((iv) => iv.from <= to && (iv.to === null || iv.to >= from)),
    )
    .sort((a, b) => a.name.localeCompare(b.name, 'ru'));
  const prev = addMonths(month, -1);
  const next = addMonths(month, 1);
  const canPrev = prev >= subgroup.periodFrom.slice(0, 7);
  const canNext = next <= subgroup.periodTo.slice(0, 7);
  // GR1: grades stored while the programme had them stay stored, but show only while it does.
  const grades = catalog.programmes.get(subgroup.programmeId)?.gradesEnabled ?? false;

  return (
    <div data-testid="lessons-month" data-month={month}>
      <div class="monthnav">
        <a
          class={canPrev ? 'button' : 'button disabled'}
          href={
            canPrev ? hrefOf({ name: 'lessons', subgroupId: subgroup.id, month: prev }) : undefined
          }
          aria-label="Предыдущий месяц"
          data-testid="month-prev"
        >
          ‹
        </a>
        <h2>{monthTitle(month)}</h2>
        <a
          class={canNext ? 'button' : 'button disabled'}
          href={
            canNext ? hrefOf({ name: 'lessons', subgroupId: subgroup.id, month: next }) : undefined
          }
          aria-label="Следующий месяц"
          data-testid="month-next"
        >
          ›
        </a>
      </div>
      {slots.length === 0 ? (
        <p class="empty" data-testid="month-empty">
          В этом месяце занятий по расписанию нет.
        </p>
      ) : (
        <>
          <MonthGrid
            subgroupId={subgroup.id}
            slots={slots}
            learners={learners}
            markByKey={markByKey}
            lessonById={lessonById}
            grades={grades}
          />
          <LessonList subgroupId={subgroup.id} slots={slots} lessonById={lessonById} />
        </>
      )}
      <ScheduleChanges subgroupId={subgroup.id} taken={taken} />
    </div>
  );
}

/**
 * LS17: the month's lessons the admin cancelled or moved away in the schedule, with the reason
 * and, for a move, a link to where it went. They leave the grid, and the teacher saw the dates
 * simply gone while the parents read «отменено» and the табель listed them.
 */
function ScheduleChanges({ subgroupId, taken }: { subgroupId: string; taken: TakenSlot[] }) {
  if (taken.length === 0) return null;
  return (
    <section data-testid="month-taken">
      <h3>Изменения расписания</h3>
      <ul class="lessonlist">
        {taken.map((t) => {
          const status = t.kind === 'cancel' ? 'cancelled' : 'moved';
          const where = t.movedTo ? ` на ${ruDate(t.movedTo.date)} в ${t.movedTo.start}` : '';
          const row = (
            <>
              <span class="when">
                {ruDate(t.date)} {t.start}–{t.end}
              </span>
              <span class="what">{t.reason}</span>
              <span class={`status status--${status}`}>
                {LESSON_STATUS_LABELS[status]}
                {where}
              </span>
            </>
          );
          const id = `month-taken-${t.date}-${t.start.replace(':', '')}`;
          // A move opens the lesson where it went; a cancellation has nowhere to go.
          return (
            <li key={t.lessonId} data-testid={id}>
              {t.movedTo ? (
                <a
                  class="lessonrow"
                  href={hrefOf({
                    name: 'lesson',
                    subgroupId,
                    date: t.movedTo.date,
                    start: t.movedTo.start,
                  })}
                >
                  {row}
                </a>
              ) : (
                <div class="lessonrow">{row}</div>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/**
 * LS4: a cancelled or moved lesson did not take place on its date: its column shows the status
 * instead of marks (marks taken before the change stay stored, and come back if it is held
 * again), as the табель leaves such a lesson out.
 */
function headerClass(slot: LessonSlot, lesson: Lesson | undefined): string | undefined {
  if (isNotHeld(lesson?.status)) return 'not-held';
  if (lesson?.flag === 'off-schedule') return 'off-schedule';
  return slot.holiday ? 'holiday' : undefined;
}

/** LS5: a lesson kept after a schedule edit removed its slot, in the табель's words. */
const OFF_SCHEDULE = 'вне расписания';
const OFF_SCHEDULE_TITLE = 'Вне расписания: занятия больше нет в расписании, отметки сохранены';

function MonthGrid(props: {
  subgroupId: string;
  slots: LessonSlot[];
  learners: RosterEntry[];
  markByKey: Map<string, Mark>;
  lessonById: Map<string, Lesson>;
  /** The programme grades: a mark's grade is shown after its code. */
  grades: boolean;
}) {
  const { subgroupId, slots, learners, markByKey, lessonById, grades } = props;
  return (
    <div class="gridwrap">
      <table class="grid" data-testid="month-grid">
        <thead>
          <tr>
            <th scope="col">Обучающийся</th>
            {slots.map((s) => (
              <th scope="col" key={s.lessonId} class={headerClass(s, lessonById.get(s.lessonId))}>
                <a
                  href={hrefOf({ name: 'lesson', subgroupId, date: s.date, start: s.start })}
                  data-testid={`grid-date-${s.date}-${s.start.replace(':', '')}`}
                  title={headerTitle(s, lessonById.get(s.lessonId))}
                >
                  {s.date.slice(8)}
                </a>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {learners.map((r) => (
            <tr key={r.learnerId}>
              <th scope="row">{r.name}</th>
              {slots.map((s) => (
                <td key={s.lessonId} data-testid={`grid-cell-${r.learnerId}-${s.date}`}>
                  {isNotHeld(lessonById.get(s.lessonId)?.status)
                    ? '—'
                    : cellText(r, s, markByKey.get(`${s.lessonId}|${r.learnerId}`), grades)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function headerTitle(slot: LessonSlot, lesson: Lesson | undefined): string {
  if (lesson && isNotHeld(lesson.status))
    return `${LESSON_STATUS_LABELS[lesson.status]}: ${lesson.statusReason}`;
  if (lesson?.flag === 'off-schedule') return OFF_SCHEDULE_TITLE;
  return slot.holiday ?? `${slot.start}–${slot.end}`;
}

function cellText(
  entry: RosterEntry,
  slot: LessonSlot,
  mark: Mark | undefined,
  grades: boolean,
): string {
  if (!isEnrolledOn(entry.intervals, slot.date)) return '·';
  if (!mark) return '';
  const grade = grades && mark.grade ? ` ${mark.grade}` : '';
  return (mark.code === '' ? '✓' : mark.code) + grade;
}

function LessonList(props: {
  subgroupId: string;
  slots: LessonSlot[];
  lessonById: Map<string, Lesson>;
}) {
  return (
    <ul class="lessonlist" data-testid="lesson-list">
      {props.slots.map((s) => {
        const lesson = props.lessonById.get(s.lessonId);
        return (
          <li key={s.lessonId}>
            <a
              class="lessonrow"
              href={hrefOf({
                name: 'lesson',
                subgroupId: props.subgroupId,
                date: s.date,
                start: s.start,
              })}
              data-testid={`lesson-open-${s.date}-${s.start.replace(':', '')}`}
            >
              <span class="when">
                {ruDate(s.date)} {s.start}–{s.end}
              </span>
              <span class="what">{lesson?.topicTitle || (lesson ? '' : 'не заполнено')}</span>
              <span class={`status status--${lesson?.status ?? 'planned'}`}>
                {LESSON_STATUS_LABELS[lesson?.status ?? 'planned']}
                {s.holiday ? ` · ${s.holiday}` : ''}
                {lesson?.flag === 'off-schedule' ? ` · ${OFF_SCHEDULE}` : ''}
                {/* LS17: a lesson the admin moved here says from where. */}
                {s.movedFrom ? ` · перенесено с ${ruDate(s.movedFrom.date)}` : ''}
              </span>
            </a>
          </li>
        );
      })}
    </ul>
  );
}
