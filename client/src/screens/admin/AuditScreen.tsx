import { formatRuDate, parseMarkId } from '@otmetka/shared';
import type { AuditView, TabelResponse } from '@otmetka/shared/api';
import { useState } from 'preact/hooks';
import { FIELD_LABELS } from '../../sync/errors.ts';
import { fieldValueText } from '../../sync/lost-text.ts';
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
  // The learners' names of the month on screen, for the heading of the mark picked from it.
  const [names, setNames] = useState<Map<string, string>>(new Map());

  return (
    <section class="ap-screen" data-testid="audit">
      <h2>История отметки</h2>
      <SubgroupMonthFilter testid="audit" month={month} onMonth={setMonth} />
      {subgroupId && isMonthInput(month) ? (
        <MonthMarks
          subgroupId={subgroupId}
          month={month}
          onPick={(docId) => go('audit', { docId })}
          onNames={setNames}
        />
      ) : null}
      {auditDocId ? <DocHistory docId={auditDocId} names={names} /> : null}
    </section>
  );
}

function MonthMarks({
  subgroupId,
  month,
  onPick,
  onNames,
}: {
  subgroupId: string;
  month: string;
  onPick: (id: string) => void;
  onNames: (names: Map<string, string>) => void;
}) {
  const { reports } = useAdmin();
  const tabel = useLoad(async () => {
    const loaded: TabelResponse = await reports.tabel(subgroupId, month);
    onNames(new Map(loaded.rows.map((r) => [r.learnerId, r.name])));
    return loaded;
  }, [reports, subgroupId, month]);
  if (tabel.error) return <AdminError error={tabel.error} testid="audit-tabel-error" />;
  if (!tabel.data) return <Loading testid="audit-tabel-loading" />;
  return (
    <>
      <p class="ap-muted">Нажмите на отметку, чтобы увидеть её историю.</p>
      <TabelGrid tabel={tabel.data} onCell={onPick} testid="audit-tabel" />
    </>
  );
}

/**
 * The rows worth showing: a topic from the plan is written as its id and its title together,
 * and only the title means something to a reader.
 */
function shownEntries(entries: AuditView[]): AuditView[] {
  const titled = new Set(
    entries.filter((e) => e.field === 'topicTitle').map((e) => `${e.docId}:${e.editedAt}`),
  );
  return entries.filter((e) => !(e.field === 'topicId' && titled.has(`${e.docId}:${e.editedAt}`)));
}

/** «Н → Б»; the value before a recovered edit is unknown unless an earlier entry set it. */
function change(e: AuditView): string {
  const old = e.recovered && e.old === null ? 'не записано' : fieldValueText(e.field, e.old);
  return `${old} → ${fieldValueText(e.field, e.new)}`;
}

function When({ entry }: { entry: AuditView }) {
  const time = useOrgTime();
  let note: string | null = null;
  if (entry.recovered) note = 'запись истории не сохранилась: восстановлено по данным журнала';
  else if (entry.receivedAt - entry.editedAt > 60_000) {
    note = `получено ${time.formatInstant(entry.receivedAt)}`;
  }
  return (
    <td>
      {time.formatInstant(entry.editedAt)}
      {note ? <div class="ap-muted">{note}</div> : null}
    </td>
  );
}

/**
 * AU3: what the history is of, in words: «Иванов Тимофей — занятие 11.11.2026, 15:00». The
 * learner's name comes from the month on screen; a mark opened from elsewhere (the refused
 * edits) is named by its lesson alone. Before, the heading was the document's id.
 */
function docTitle(docId: string, names: Map<string, string>): string {
  const mark = parseMarkId(docId);
  if (!mark) return 'Запись журнала';
  const lesson = `занятие ${formatRuDate(mark.date)}, ${mark.start}`;
  const name = names.get(mark.learnerId);
  return name ? `${name} — ${lesson}` : `Отметка: ${lesson}`;
}

function DocHistory({ docId, names }: { docId: string; names: Map<string, string> }) {
  const { api } = useAdmin();
  const audit = useLoad(() => api.audit({ docId }), [api, docId]);

  return (
    <div class="ap-card" data-testid="audit-history">
      <h3 data-testid="audit-title">{docTitle(docId, names)}</h3>
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
            {shownEntries(audit.data?.entries ?? []).map((e) => (
              <tr key={e.id} data-testid={`audit-entry-${e.id}`}>
                <When entry={e} />
                <td>{e.byName}</td>
                <td>{FIELD_LABELS[e.field] ?? e.field}</td>
                <td>{change(e)}</td>
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
