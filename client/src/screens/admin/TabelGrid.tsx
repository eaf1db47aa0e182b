import { LESSON_STATUS_LABELS, TABEL_FLAG_LABELS } from '@otmetka/shared';
import type { TabelResponse } from '@otmetka/shared/api';
import { formatDate } from './format.ts';

type TabelLesson = TabelResponse['lessons'][number];

/**
 * The табель as a table: learners by lessons of the month. With onCell, a cell that has a mark
 * opens that mark's history.
 */
export function TabelGrid({
  tabel,
  onCell,
  testid,
}: {
  tabel: TabelResponse;
  onCell?: (markId: string) => void;
  testid: string;
}) {
  const notHeld = <NotHeldList tabel={tabel} testid={`${testid}-not-held`} />;
  if (tabel.lessons.length === 0) {
    return (
      <div>
        <p class="ap-muted">В этом месяце занятий нет.</p>
        {notHeld}
      </div>
    );
  }
  return (
    <div class="ap-table-wrap">
      <table class="ap-table ap-tabel" data-testid={testid}>
        <thead>
          <tr>
            <th>Обучающийся</th>
            {tabel.lessons.map((l) => (
              <th key={l.lessonId} title={headTitle(l)}>
                {l.date.slice(8)}
                {l.flag ? '*' : ''}
              </th>
            ))}
            <th>Пропуски</th>
          </tr>
        </thead>
        <tbody>
          {tabel.rows.map((row) => (
            <tr key={row.learnerId}>
              <td>{row.name}</td>
              {row.cells.map((cell, i) => (
                <Cell
                  key={tabel.lessons[i]?.lessonId ?? i}
                  value={cell}
                  enrolled={row.enrolled[i] ?? false}
                  markId={row.markIds[i] ?? null}
                  onCell={onCell}
                />
              ))}
              <td>
                {row.absences}
                {row.excused ? ` (уваж. ${row.excused})` : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <FlagLegend lessons={tabel.lessons} testid={`${testid}-legend`} />
      {notHeld}
    </div>
  );
}

function headTitle(l: TabelLesson): string {
  const text = `${l.start}–${l.end} ${l.topicTitle}`;
  return l.flag ? `${text} (${TABEL_FLAG_LABELS[l.flag]})` : text;
}

/** One line per starred lesson of the month: its date and why it is starred. */
function FlagLegend({ lessons, testid }: { lessons: TabelLesson[]; testid: string }) {
  const flagged = lessons.filter((l) => l.flag);
  if (flagged.length === 0) return null;
  return (
    <ul class="ap-legend" data-testid={testid}>
      {flagged.map((l) => (
        <li key={l.lessonId} data-testid={`${testid}-${l.date}`}>
          * {formatDate(l.date)} {l.start} — {TABEL_FLAG_LABELS[l.flag!]}
        </li>
      ))}
    </ul>
  );
}

/**
 * RP7: the month's cancelled and moved lessons, which have no column, with the reason; RP9: a
 * lesson the admin moved says where to.
 */
function NotHeldList({ tabel, testid }: { tabel: TabelResponse; testid: string }) {
  const lessons = tabel.notHeld ?? [];
  if (lessons.length === 0) return null;
  return (
    <ul class="ap-legend" data-testid={testid}>
      {lessons.map((l) => (
        <li key={l.lessonId} data-testid={`${testid}-${l.date}`}>
          {formatDate(l.date)} {l.start}–{l.end} — {LESSON_STATUS_LABELS[l.status]}
          {l.movedTo ? ` на ${formatDate(l.movedTo.date)} в ${l.movedTo.start}` : ''}
          {l.reason ? `: ${l.reason}` : ''}
        </li>
      ))}
    </ul>
  );
}

/** '✓' present, the code when absent, '' not marked yet, '·' not enrolled that day. */
function Cell({
  value,
  enrolled,
  markId,
  onCell,
}: {
  value: string | null;
  enrolled: boolean;
  markId: string | null;
  onCell: ((markId: string) => void) | undefined;
}) {
  const text = !enrolled ? '·' : value === null ? '' : value === '' ? '✓' : value;
  if (!markId || !onCell) return <td class={enrolled ? undefined : 'ap-cell--out'}>{text}</td>;
  return (
    <td>
      <button
        type="button"
        class="ap-cell-btn"
        data-testid={`mark-cell-${markId}`}
        onClick={() => onCell(markId)}
      >
        {text}
      </button>
    </td>
  );
}
