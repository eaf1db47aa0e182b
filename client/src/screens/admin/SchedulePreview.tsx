import { formatRuMonth, isoWeekday, monthDays, monthOf } from '@otmetka/shared';
import type { LessonSlotView, SchedulePreviewResponse } from '@otmetka/shared/api';
import { counted } from '../../app/plural.ts';
import { formatDate, hours, WEEKDAYS_SHORT } from './format.ts';

/**
 * The year at a glance: one calendar per month of the study period, each day with its lessons,
 * non-working days marked (with the holiday's name), and what the change does to the journal.
 */
export function SchedulePreview({ preview }: { preview: SchedulePreviewResponse }) {
  const { totals } = preview;
  const byDate = groupByDate(preview.slots);
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
          <MonthGrid key={month} month={month} byDate={byDate} holidays={holidays} />
        ))}
      </div>
    </section>
  );
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
  holidays: Map<string, string>;
}

function MonthGrid({ month, byDate, holidays }: GridProps) {
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
  holiday,
}: {
  date: string;
  slots: LessonSlotView[];
  holiday?: string;
}) {
  const classes = ['ap-day'];
  if (slots.length > 0) classes.push('ap-day--lesson');
  if (holiday) classes.push('ap-day--holiday');
  const title = [
    formatDate(date),
    holiday,
    ...slots.map((s) => `${s.start}–${s.end}${s.movedFrom ? ' (перенос)' : ''}`),
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
        <span key={s.lessonId} class="ap-day__slot">
          {s.start}
        </span>
      ))}
    </div>
  );
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
