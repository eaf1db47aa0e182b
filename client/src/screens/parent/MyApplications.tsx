import { applicationStatusLabel } from '@otmetka/shared';
import { formatDate } from '../admin/format.ts';
import { OverlapNote } from '../admin/OverlapNote.tsx';
import { ErrorLine, Loading } from '../admin/ui.tsx';
import { useOrgTime } from '../org-time.ts';
import { useParent } from './context.ts';
import { KeptNote, useKept } from './kept.tsx';

/** The parent's applications: the current status and its history with dates and comments. */
export function MyApplications({ onCatalogue }: { onCatalogue: () => void }) {
  const time = useOrgTime();
  const { api, version } = useParent();
  const list = useKept(() => api.listApplications(), [api, version]);
  const applications = list.data?.value.applications;

  return (
    <section class="ap-screen" data-testid="parent-applications">
      <header class="ap-screen__head">
        <h2>Мои заявки</h2>
        <button
          type="button"
          class="ap-btn ap-btn--primary"
          onClick={onCatalogue}
          data-testid="parent-new-application"
        >
          Новая заявка
        </button>
      </header>
      <ErrorLine error={list.data ? null : list.error} testid="parent-applications-error" />
      {list.loading && !list.data ? <Loading testid="parent-applications-loading" /> : null}
      <KeptNote kept={list.data} testid="parent-applications-stale" />
      {applications?.length === 0 ? (
        <p class="ap-muted" data-testid="parent-applications-empty">
          Заявок пока нет. Выберите кружок в каталоге.
        </p>
      ) : null}
      <ul class="ap-cards">
        {applications?.map((a) => (
          <li key={a.id} class="ap-card" data-testid={`parent-app-${a.id}`}>
            <div class="ap-card__title">{a.learnerName}</div>
            <div>
              {a.programmeName} · {a.subgroupName}
            </div>
            <div>
              Статус:{' '}
              <b data-testid={`parent-app-status-${a.id}`}>{applicationStatusLabel(a.status)}</b>
            </div>
            <OverlapNote overlaps={a.overlaps} testid={`parent-app-overlap-${a.id}`} />
            <ol class="ap-history">
              {a.history.map((h) => (
                <li key={`${h.at}-${h.status}`}>
                  {applicationStatusLabel(h.status)}
                  {h.date ? ` с ${formatDate(h.date)}` : ''} · {time.formatInstant(h.at)}
                  {h.comment ? ` · ${h.comment}` : ''}
                </li>
              ))}
            </ol>
          </li>
        ))}
      </ul>
    </section>
  );
}
