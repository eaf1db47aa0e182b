import { formatRuDate } from '@otmetka/shared';
import type { RefusalView } from '@otmetka/shared/api';
import { FIELD_LABELS } from '../../sync/errors.ts';
import { fieldValueText } from '../../sync/lost-text.ts';
import { useOrgTime } from '../org-time.ts';
import { useAdmin } from './context.ts';
import { SubgroupPicker } from './SubgroupPicker.tsx';
import { AdminError, Loading, useLoad } from './ui.tsx';

/**
 * Edits the server refused (a lesson off the schedule, a learner not enrolled, a locked month):
 * who tried what and why, with a link to the history of the document.
 */
export function RefusalsScreen() {
  const time = useOrgTime();
  const { api, subgroupId, go } = useAdmin();
  const list = useLoad(() => api.refusals(subgroupId || undefined), [api, subgroupId]);

  return (
    <section class="ap-screen" data-testid="refusals">
      <h2>Отклонённые правки</h2>
      <SubgroupPicker testid="refusals-subgroup" allowAll="Все подгруппы" />
      <AdminError error={list.error} testid="refusals-error" />
      {list.loading && !list.data ? <Loading testid="refusals-loading" /> : null}
      {list.data?.refusals.length === 0 ? (
        <p class="ap-muted" data-testid="refusals-empty">
          Отклонённых правок нет.
        </p>
      ) : null}
      <ul class="ap-cards" data-testid="refusals-list">
        {list.data?.refusals.map((r) => (
          <li key={r.id} class="ap-card" data-testid={`refusal-${r.id}`}>
            <div class="ap-card__title">{r.message}</div>
            <div data-testid={`refusal-what-${r.id}`}>{whatOf(r)}</div>
            <div class="ap-muted">
              {r.byName} · {time.formatInstant(r.at)} · устройство {r.deviceId}
            </div>
            <AttemptedSummary attempted={r.attempted} />
            <button
              type="button"
              class="ap-btn"
              data-testid={`refusal-history-${r.id}`}
              onClick={() => go('audit', { docId: r.docId })}
            >
              История документа
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** «Робототехника — Группа 1 · Смирнов Кирилл · занятие 03.12.2026 в 15:00». */
function whatOf(r: RefusalView): string {
  const { date } = r.attempted;
  const start = startOf(r.attempted);
  const lesson =
    typeof date === 'string' && ISO_DATE.test(date)
      ? `занятие ${formatRuDate(date)}${start ? ` в ${start}` : ''}`
      : null;
  return [r.subgroupName, r.learnerName, lesson].filter(Boolean).join(' · ');
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A lesson has its start; a mark names it in its lesson's id (`lesson:<sg>:<date>:1500`). */
function startOf(attempted: Record<string, unknown>): string | null {
  if (typeof attempted.start === 'string') return attempted.start;
  const hhmm = /:(\d{2})(\d{2})$/.exec(String(attempted.lessonId ?? ''));
  return hhmm ? `${hhmm[1]}:${hhmm[2]}` : null;
}

/** What the teacher tried to set, in the journal's words (the date is in the line above). */
const SHOWN = [
  'code',
  'grade',
  'note',
  'status',
  'statusReason',
  'topicTitle',
  'homework',
  'title',
];

function AttemptedSummary({ attempted }: { attempted: Record<string, unknown> }) {
  const parts = SHOWN.filter((k) => attempted[k] !== undefined && attempted[k] !== null)
    .filter((k) => attempted[k] !== '' || k === 'code')
    .map((k) => `${FIELD_LABELS[k] ?? k} «${fieldValueText(k, attempted[k])}»`);
  return parts.length ? <div class="ap-muted">Попытка: {parts.join(', ')}</div> : null;
}
