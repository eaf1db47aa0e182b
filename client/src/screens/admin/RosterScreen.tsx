import { useAdmin } from './context.ts';
import { formatDate } from './format.ts';
import { SubgroupPicker } from './SubgroupPicker.tsx';
import { AdminError, Loading, useLoad } from './ui.tsx';

/** The roster of one subgroup: each learner's enrolment intervals, as the journal uses them. */
export function RosterScreen() {
  const { subgroupId } = useAdmin();
  return (
    <section class="ap-screen" data-testid="roster">
      <h2>Состав подгруппы</h2>
      <SubgroupPicker testid="roster-subgroup" />
      {subgroupId ? <RosterTable key={subgroupId} subgroupId={subgroupId} /> : null}
    </section>
  );
}

function RosterTable({ subgroupId }: { subgroupId: string }) {
  const { api } = useAdmin();
  const roster = useLoad(() => api.roster(subgroupId), [api, subgroupId]);
  if (roster.error) return <AdminError error={roster.error} testid="roster-error" />;
  if (!roster.data) return <Loading testid="roster-loading" />;

  const { entries, capacity } = roster.data;
  const today = entries.filter((e) => e.enrolledToday).length;
  return (
    <>
      <p data-testid="roster-count">
        Обучаются сегодня: <b>{today}</b> из {capacity} мест
      </p>
      {entries.length === 0 ? <p class="ap-muted">В подгруппе пока никого нет.</p> : null}
      <div class="ap-table-wrap">
        <table class="ap-table" data-testid="roster-list">
          <thead>
            <tr>
              <th>Обучающийся</th>
              <th>Периоды обучения</th>
              <th>Сегодня</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} data-testid={`roster-row-${e.learnerId}`}>
                <td>{e.name}</td>
                <td>
                  {e.intervals
                    .map((i) => `с ${formatDate(i.from)}${i.to ? ` по ${formatDate(i.to)}` : ''}`)
                    .join('; ')}
                </td>
                <td>{e.enrolledToday ? 'обучается' : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
