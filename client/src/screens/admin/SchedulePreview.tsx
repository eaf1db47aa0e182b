import {
  formatRuMonth,
  isoWeekday,
  monthDays,
  monthOf,
  type ScheduleException,
} from '@otmetka/shared';
import type { LessonSlotView, SchedulePreviewResponse } from '@otmetka/shared/api';
import { counted } from '../../app/plural.ts';
import { formatDate, hours, WEEKDAYS_SHORT } from './format.ts';

/**
 * The year at a glance: one calendar per month of the study period, each day with its lessons,
 * non-working days marked (with the holiday's name), and what the change does to the journal.
 */
export function SchedulePreview({
  preview,
  exceptions = [],
}: {
  preview: SchedulePreviewResponse;
  /** The draft's exceptions: the lessons that leave their date are marked where they were. */
  exceptions?: readonly ScheduleException[];
}) {
  const { totals } = preview;
  const byDate = groupByDate(preview.slots);
  const offByDate = removedByDate(exceptions);
  const holidays = new Map(preview.holidays.map((h) => [h.date, h.name]));
  const months = monthsOf(preview);

  return (
    <section class="ap-preview" data-testid="schedule-preview-result">
      <p class="ap-totals" data-testid="schedule-totals">
        Занятий: <b>{totals.lessons}</b> · академических часов: <b>{hours(totals.academicHours)}</b>{' '}
        из {hours(totals.hoursPerYear)} по плану
        {totals.onHolidays > 0 ? ` · в праздники: ${totals.onHolidays}` : ''}
      </p>
      {totals.academicHours !== totals.hoursPerYear ? (
        <p class="ap-warn" data-testid="schedule-hours-mismatch">
          Часы расписания ({hours(totals.academicHours)}) не совпадают с планом (
          {hours(totals.hoursPerYear)})
        </p>
      ) : null}
      <ImpactView preview={preview} />
      <div class="ap-months">
        {months.map((month) => (
          <MonthGrid
            key={month}
            month={month}
            byDate={byDate}
            offByDate={offByDate}
            holidays={holidays}
          />
        ))}
      </div>
    </section>
  );
}

/** A lesson taken off its date by a cancel or a move: what the calendar says in its place. */
interface OffSlot {
  start: string;
  text: string;
}

/** AS9: the cancelled and moved-away lessons by date. */
function removedByDate(exceptions: readonly ScheduleException[]): Map<string, OffSlot[]> {
  const out = new Map<string, OffSlot[]>();
  for (const x of exceptions) {
    if (x.kind === 'add') continue;
    const text = x.kind === 'cancel' ? 'отменено' : `перенесено на ${formatDate(x.toDate)}`;
    out.set(x.date, [...(out.get(x.date) ?? []), { start: x.start, text }]);
  }
  return out;
}

function groupByDate(slots: LessonSlotView[]): Map<string, LessonSlotView[]> {
  const out = new Map<string, LessonSlotView[]>();
  for (const slot of slots) {
    const list = out.get(slot.date) ?? [];
    list.push(slot);
    out.set(slot.date, list);
  }
  return out;
}

/** Every month from the first to the last slot or holiday of the preview. */
function monthsOf(preview: SchedulePreviewResponse): string[] {
  const dates = [
    ...preview.slots.map((s) => s.date),
    ...preview.holidays.map((h) => h.date),
  ].sort();
  if (dates.length === 0) return [];
  const out: string[] = [];
  const last = monthOf(dates[dates.length - 1]!);
  for (let m = monthOf(dates[0]!); m <= last; m = nextMonth(m)) out.push(m);
  return out;
}

function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

interface GridProps {
  month: string;
  byDate: Map<string, LessonSlotView[]>;
  offByDate: Map<string, OffSlot[]>;
  holidays: Map<string, string>;
}

function MonthGrid({ month, byDate, offByDate, holidays }: GridProps) {
  const days = monthDays(month);
  const lead = isoWeekday(days[0]!) - 1;
  const lessons = days.reduce((n, d) => n + (byDate.get(d)?.length ?? 0), 0);

  return (
    <div class="ap-month" data-testid={`schedule-month-${month}`}>
      <div class="ap-month__title">
        {/* Capitalised here, not by CSS: `text-transform` would capitalise the count's noun too. */}
        {formatRuMonth(month, true)}{' '}
        <span class="ap-muted">· {counted(lessons, ['занятие', 'занятия', 'занятий'])}</span>
      </div>
      <div class="ap-month__grid">
        {WEEKDAYS_SHORT.map((w) => (
          <div key={w} class="ap-month__wd">
            {w}
          </div>
        ))}
        {Array.from({ length: lead }, (_, i) => (
          <div key={`lead-${i}`} />
        ))}
        {days.map((date) => (
          <DayCell
            key={date}
            date={date}
            slots={byDate.get(date) ?? []}
            off={offByDate.get(date) ?? []}
            holiday={holidays.get(date)}
          />
        ))}
      </div>
    </div>
  );
}

function DayCell({
  date,
  slots,
  off,
  holiday,
}: {
  date: string;
  slots: LessonSlotView[];
  off: OffSlot[];
  holiday?: string;
}) {
  const classes = ['ap-day'];
  if (slots.length > 0) classes.push('ap-day--lesson');
  if (off.length > 0 && slots.length === 0) classes.push('ap-day--off');
  if (holiday) classes.push('ap-day--holiday');
  const title = [
    formatDate(date),
    holiday,
    ...slots.map((s) => `${s.start}–${s.end}${movedText(s)}`),
    ...off.map((o) => `${o.start}: ${o.text}`),
  ]
    .filter(Boolean)
    .join('\n');

  return (
    <div
      class={classes.join(' ')}
      title={title}
      data-testid={`schedule-day-${date}`}
      data-holiday={holiday ? 'true' : undefined}
    >
      <span class="ap-day__n">{Number(date.slice(8))}</span>
      {slots.map((s) => (
        <span
          key={s.lessonId}
          class={s.movedFrom ? 'ap-day__slot ap-day__slot--moved' : 'ap-day__slot'}
          data-testid={s.movedFrom ? `schedule-moved-${date}` : undefined}
        >
          {s.movedFrom ? `↪ ${s.start}` : s.start}
        </span>
      ))}
      {off.map((o) => (
        <span
          key={o.start}
          class="ap-day__slot ap-day__slot--off"
          data-testid={`schedule-off-${date}`}
        >
          <s>{o.start}</s> {o.text === 'отменено' ? 'отм.' : 'перенос'}
        </span>
      ))}
    </div>
  );
}

/** «(перенос с 07.09.2026 15:00)» on a lesson a move brought to this date. */
function movedText(slot: LessonSlotView): string {
  const from = slot.movedFrom;
  return from ? ` (перенос с ${formatDate(from.date)} ${from.start})` : '';
}

function ImpactView({ preview }: { preview: SchedulePreviewResponse }) {
  const { removed, added, keptWithMarks, changed } = preview.impact;
  if (removed.length === 0 && added.length === 0 && changed.length === 0) {
    return (
      <p class="ap-muted" data-testid="schedule-impact-none">
        Изменений в журнале нет.
      </p>
    );
  }
  return (
    <div class="ap-impact" data-testid="schedule-impact">
      <p>
        Будет добавлено занятий: <b data-testid="schedule-impact-added">{added.length}</b>, убрано:{' '}
        <b data-testid="schedule-impact-removed">{removed.length}</b>
      </p>
      {changed.length > 0 ? (
        <p data-testid="schedule-impact-changed">
          Изменятся время окончания или часы:{' '}
          {counted(changed.length, ['занятие', 'занятия', 'занятий'])}, с{' '}
          {formatDate(changed[0]!.date)} по {formatDate(changed.at(-1)!.date)}
        </p>
      ) : null}
      {keptWithMarks.length > 0 ? (
        <div class="ap-warn" data-testid="schedule-impact-kept">
          С отметками (останутся в журнале с пометкой «вне расписания»): {keptWithMarks.length}
          <ul>
            {keptWithMarks.slice(0, 20).map((s) => (
              <li key={s.lessonId}>
                {formatDate(s.date)} {s.start}–{s.end}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
