import { useOrgTime } from '../org-time.ts';
import { useAdmin } from './context.ts';
import { isMonthInput } from './form.tsx';
import { SubgroupMonthFilter, useThisMonth } from './SubgroupPicker.tsx';
import { TabelGrid } from './TabelGrid.tsx';
import { AdminError, Loading, useLoad } from './ui.tsx';

/**
 * The history of a mark: every change of every field with who, when, old → new, the device and
 * whether it was made offline. The mark is picked from the month's табель, or arrives by id
 * from the refused-edits list.
 */
export function AuditScreen() {
  const { subgroupId, auditDocId, go } = useAdmin();
  const [month, setMonth] = useThisMonth();

  return (
    <section class="ap-screen" data-testid="audit">
      <h2>История отметки</h2>
      <SubgroupMonthFilter testid="audit" month={month} onMonth={setMonth} />
      {subgroupId && isMonthInput(month) ? (
        <MonthMarks
          subgroupId={subgroupId}
          month={month}
          onPick={(docId) => go('audit', { docId })}
        />
      ) : null}
      {auditDocId ? <DocHistory docId={auditDocId} /> : null}
    </section>
  );
}

function MonthMarks({
  subgroupId,
  month,
  onPick,
}: {
  subgroupId: string;
  month: string;
  onPick: (id: string) => void;
}) {
  const { reports } = useAdmin();
  const tabel = useLoad(() => reports.tabel(subgroupId, month), [reports, subgroupId, month]);
  if (tabel.error) return <AdminError error={tabel.error} testid="audit-tabel-error" />;
  if (!tabel.data) return <Loading testid="audit-tabel-loading" />;
  return (
    <>
      <p class="ap-muted">Нажмите на отметку, чтобы увидеть её историю.</p>
      <TabelGrid tabel={tabel.data} onCell={onPick} testid="audit-tabel" />
    </>
  );
}

function show(value: unknown): string {
  if (value === undefined || value === null) return '—';
  if (value === '') return '«пусто»';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function DocHistory({ docId }: { docId: string }) {
  const time = useOrgTime();
  const { api } = useAdmin();
  const audit = useLoad(() => api.audit({ docId }), [api, docId]);

  return (
    <div class="ap-card" data-testid="audit-history">
      <h3>
        Документ <span class="ap-mono">{docId}</span>
      </h3>
      <AdminError error={audit.error} testid="audit-error" />
      {audit.loading && !audit.data ? <Loading testid="audit-loading" /> : null}
      {audit.data?.entries.length === 0 ? <p class="ap-muted">Изменений не записано.</p> : null}
      <div class="ap-table-wrap">
        <table class="ap-table" data-testid="audit-entries">
          <thead>
            <tr>
              <th>Когда</th>
              <th>Кто</th>
              <th>Поле</th>
              <th>Было → стало</th>
              <th>Устройство</th>
              <th>Связь</th>
            </tr>
          </thead>
          <tbody>
            {audit.data?.entries.map((e) => (
              <tr key={e.id} data-testid={`audit-entry-${e.id}`}>
                <td>
                  {time.formatInstant(e.editedAt)}
                  {e.receivedAt - e.editedAt > 60_000 ? (
                    <div class="ap-muted">получено {time.formatInstant(e.receivedAt)}</div>
                  ) : null}
                </td>
                <td>{e.byName}</td>
                <td>{e.field}</td>
                <td>
                  {show(e.old)} → {show(e.new)}
                </td>
                <td class="ap-mono">{e.device}</td>
                <td>{e.offline ? 'офлайн' : 'онлайн'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
