import { planPercent } from '@otmetka/shared/api';
import { useState } from 'preact/hooks';
import type { DownloadedFile } from '../../api/reports.ts';
import { useAdmin } from './context.ts';
import { isMonthInput } from './form.tsx';
import { hours, monthLabel } from './format.ts';
import { SubgroupMonthFilter, useThisMonth } from './SubgroupPicker.tsx';
import { TabelGrid } from './TabelGrid.tsx';
import { AdminError, Loading, useAction, useLoad } from './ui.tsx';

/** Reports: the табель of a subgroup and month and the hours against the plan, on screen and as XLSX. */
export function ReportsScreen() {
  const { subgroupId } = useAdmin();
  const [month, setMonth] = useThisMonth();

  return (
    <section class="ap-screen" data-testid="reports">
      <h2>Отчёты</h2>
      <SubgroupMonthFilter testid="report" month={month} onMonth={setMonth} />
      {subgroupId && isMonthInput(month) ? (
        <TabelReport key={`${subgroupId}:${month}`} subgroupId={subgroupId} month={month} />
      ) : null}
      {subgroupId ? <HoursReport key={subgroupId} subgroupId={subgroupId} /> : null}
    </section>
  );
}

/** Saves a Blob through a temporary link: the browser's own download, no page change. */
function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * A report's heading with its «Скачать XLSX»: the file is saved through the browser's own
 * download, and its name is told once it is saved.
 */
function ReportHead(props: {
  title: string;
  testid: string;
  fetchFile: () => Promise<DownloadedFile>;
}) {
  const download = useAction();
  const [savedName, setSavedName] = useState('');

  const onDownload = () =>
    download.run(async () => {
      const file = await props.fetchFile();
      saveBlob(file.blob, file.fileName);
      setSavedName(file.fileName);
    });

  return (
    <>
      <header class="ap-screen__head">
        <h3>{props.title}</h3>
        <button
          type="button"
          class="ap-btn ap-btn--primary"
          disabled={download.busy}
          onClick={onDownload}
          data-testid={`${props.testid}-download`}
        >
          {download.busy ? 'Готовится…' : 'Скачать XLSX'}
        </button>
      </header>
      <AdminError error={download.error} testid={`${props.testid}-download-error`} />
      {savedName ? (
        <p class="ap-notice" role="status" data-testid={`${props.testid}-downloaded`}>
          Файл {savedName} сохранён
        </p>
      ) : null}
    </>
  );
}

function TabelReport({ subgroupId, month }: { subgroupId: string; month: string }) {
  const { reports } = useAdmin();
  const tabel = useLoad(() => reports.tabel(subgroupId, month), [reports, subgroupId, month]);

  return (
    <div class="ap-card" data-testid="report-tabel">
      <ReportHead
        title={`Табель за ${monthLabel(month)}`}
        testid="report-tabel"
        fetchFile={() => reports.tabelXlsx(subgroupId, month)}
      />
      <AdminError error={tabel.error} testid="report-tabel-error" />
      {tabel.data ? (
        <TabelGrid tabel={tabel.data} testid="report-tabel-grid" />
      ) : (
        <Loading testid="report-tabel-loading" />
      )}
    </div>
  );
}

function HoursReport({ subgroupId }: { subgroupId: string }) {
  const { reports } = useAdmin();
  const report = useLoad(() => reports.hours(subgroupId), [reports, subgroupId]);
  if (report.error) return <AdminError error={report.error} testid="report-hours-error" />;
  if (!report.data) return <Loading testid="report-hours-loading" />;

  const r = report.data;
  return (
    <div class="ap-card" data-testid="report-hours">
      <ReportHead
        title="Часы: выполнение плана"
        testid="report-hours"
        fetchFile={() => reports.hoursXlsx(subgroupId)}
      />
      <p data-testid="report-hours-total">
        План {hours(r.hoursPerYear)} ч · по расписанию {hours(r.scheduledHours)} ч · проведено{' '}
        <b>{hours(r.deliveredHours)}</b> ч ({planPercent(r)}%)
      </p>
      <div class="ap-table-wrap">
        <table class="ap-table">
          <thead>
            <tr>
              <th>Месяц</th>
              <th>Занятий план / проведено</th>
              <th>Часов план / проведено</th>
              <th>Отменено</th>
            </tr>
          </thead>
          <tbody>
            {r.months.map((m) => (
              <tr key={m.month} data-testid={`report-hours-${m.month}`}>
                <td>{monthLabel(m.month)}</td>
                <td>
                  {m.plannedLessons} / {m.heldLessons}
                </td>
                <td>
                  {hours(m.plannedHours)} / {hours(m.deliveredHours)}
                </td>
                <td>{m.cancelledLessons}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
