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
            <div class="ap-muted">
              {r.byName} · {time.formatInstant(r.at)} · устройство {r.deviceId} · код {r.code}
            </div>
            <div class="ap-mono">{r.docId}</div>
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

const SHOWN = [
  'date',
  'start',
  'code',
  'grade',
  'note',
  'status',
  'topicTitle',
  'homework',
  'title',
];

/** The fields a teacher would recognise, not the whole document. */
function AttemptedSummary({ attempted }: { attempted: Record<string, unknown> }) {
  const parts = SHOWN.filter((k) => attempted[k] !== undefined && attempted[k] !== '').map(
    (k) => `${k}: ${String(attempted[k])}`,
  );
  return parts.length ? <div class="ap-muted">Попытка: {parts.join(', ')}</div> : null;
}
