import type { Subgroup, Topic, TopicImportResult } from '@otmetka/shared';
import {
  checkTopicHours,
  isDomainError,
  parseTopicsFile,
  ruHours,
  topicHours,
  topicsTemplateCsv,
  topicsTemplateXlsx,
} from '@otmetka/shared';
import { useState } from 'preact/hooks';
import { useTeacher } from '../../app/context.ts';
import { counted } from '../../app/plural.ts';
import { importTopics, nextTopicOrder, writeFailure } from '../../db/repo.ts';
import { ruDate } from '../journal/Journals.tsx';

/**
 * The template (XLSX and CSV, generated on the device, so it downloads offline) and the upload
 * of a filled one: a preview with per-row errors first; nothing is saved while there are
 * errors unless the teacher chooses to skip the bad rows (TI5). The rows are added after the
 * plan's `topics` (TI8).
 */
export function TopicImport({
  subgroup,
  topics,
  lessonDates,
}: {
  subgroup: Subgroup;
  topics: Topic[];
  lessonDates: ReadonlySet<string>;
}) {
  const { db } = useTeacher();
  const [result, setResult] = useState<TopicImportResult | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [skipBad, setSkipBad] = useState(false);
  const [saved, setSaved] = useState<number | null>(null);
  const [saving, setSaving] = useState(false);

  const onFile = async (file: File | undefined) => {
    setResult(null);
    setSaved(null);
    setFileError(null);
    setSkipBad(false);
    if (!file) return;
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      // TI7: planned dates are checked against this subgroup's study period.
      const period = { from: subgroup.periodFrom, to: subgroup.periodTo };
      setResult(parseTopicsFile(bytes, file.name, { period }));
    } catch (err) {
      setFileError(isDomainError(err) ? err.message.replace(/^file: /, '') : 'Файл не прочитан.');
    }
  };

  // TI9: one save per preview: a second tap while it is written would add every row again.
  const save = async () => {
    if (!result || saving) return;
    setSaving(true);
    try {
      const count = await importTopics(db, subgroup.id, result.rows, nextTopicOrder(topics));
      setResult(null);
      setSaved(count);
    } catch (err) {
      setFileError(`Темы не сохранены: ${writeFailure(err)}`);
    } finally {
      setSaving(false);
    }
  };

  const blocked =
    saving || !result || result.rows.length === 0 || (result.errors.length > 0 && !skipBad);
  return (
    <section class="card" data-testid="topic-import">
      <h3>Загрузка из файла</h3>
      <div class="row">
        <button
          type="button"
          onClick={() => download(topicsTemplateXlsx(), 'шаблон-тем.xlsx', XLSX_TYPE)}
          data-testid="template-xlsx"
        >
          Шаблон XLSX
        </button>
        <button
          type="button"
          onClick={() => download(topicsTemplateCsv(), 'шаблон-тем.csv', 'text/csv')}
          data-testid="template-csv"
        >
          Шаблон CSV
        </button>
        <label class="button">
          Загрузить файл…
          <input
            type="file"
            accept=".xlsx,.csv,.txt"
            class="visually-hidden"
            onChange={(e) => {
              void onFile(e.currentTarget.files?.[0]);
              // TI10: the same file, corrected and saved under its name, can be chosen again.
              e.currentTarget.value = '';
            }}
            data-testid="topic-file"
          />
        </label>
      </div>
      {fileError && (
        <p class="error" role="alert" data-testid="import-file-error">
          {fileError}
        </p>
      )}
      {saved !== null && (
        <p class="ok" data-testid="import-saved">
          Добавлено тем: {saved}.
        </p>
      )}
      {result && (
        <Preview
          result={result}
          hoursPerYear={subgroup.hoursPerYear}
          topics={topics}
          lessonDates={lessonDates}
        />
      )}
      {result && result.errors.length > 0 && result.rows.length > 0 && (
        <label class="check">
          <input
            type="checkbox"
            checked={skipBad}
            onChange={(e) => setSkipBad(e.currentTarget.checked)}
            data-testid="import-skip-bad"
          />
          Пропустить строки с ошибками и сохранить остальные
        </label>
      )}
      {result && (
        <div class="row">
          <button
            type="button"
            class="primary"
            disabled={blocked}
            onClick={() => void save()}
            data-testid="import-save"
          >
            Сохранить {counted(result.rows.length, ['тему', 'темы', 'тем'])}
          </button>
          <button type="button" onClick={() => setResult(null)} data-testid="import-cancel">
            Отмена
          </button>
        </div>
      )}
    </section>
  );
}

/**
 * TI8: the file's rows join the plan, so the check of hours is the plan's total after saving;
 * a row whose topic is already in the plan (a corrected file uploaded again) is named, since
 * saving adds it a second time.
 */
export function importSummary(result: TopicImportResult, hoursPerYear: number, topics: Topic[]) {
  const planHours = topicHours(topics);
  const after = topicHours([{ hours: planHours }, { hours: result.totalHours }]);
  const check = checkTopicHours(after, hoursPerYear);
  const inFile =
    topics.length === 0
      ? ''
      : `В файле ${ruHours(result.totalHours)} ч, в плане уже ${counted(topics.length, ['тема', 'темы', 'тем'])} на ${ruHours(planHours)} ч. После сохранения: `;

  const known = new Set(topics.map((t) => titleKey(t.title)));
  const repeated = result.rows.filter((r) => known.has(titleKey(r.title))).map((r) => r.row);
  const repeats =
    repeated.length === 0
      ? null
      : `Уже есть в плане: ${counted(repeated.length, ['строка', 'строки', 'строк'])} (${repeated.join(', ')}) — при сохранении эти темы будут добавлены ещё раз.`;
  return { ok: check.ok, total: inFile + lowerFirst(check.message, inFile !== ''), repeats };
}

const titleKey = (title: string) => title.trim().replace(/\s+/g, ' ').toLocaleLowerCase('ru');
const lowerFirst = (text: string, lower: boolean) =>
  lower ? text.charAt(0).toLocaleLowerCase('ru') + text.slice(1) : text;

/**
 * TI19: rows whose planned date has no lesson of the schedule (a Sunday, a holiday, a date a
 * week off), named so the teacher can check them; they are saved as the file has them, since a
 * plan may date a topic before the schedule is final. Null when all fit, or without a schedule.
 */
export function offScheduleDates(
  rows: TopicImportResult['rows'],
  lessonDates: ReadonlySet<string>,
): string | null {
  if (lessonDates.size === 0) return null;
  const off = rows.filter((r) => r.plannedDate && !lessonDates.has(r.plannedDate));
  if (off.length === 0) return null;
  const shown = off.slice(0, 10).map((r) => `${r.row} (${ruDate(r.plannedDate!)})`);
  const more = off.length > shown.length ? ` и ещё ${off.length - shown.length}` : '';
  const which = off.length === 1 ? 'строке' : 'строках';
  return (
    `В плановую дату нет занятия по расписанию в ${which} ${shown.join(', ')}${more}: ` +
    'проверьте даты. Темы сохранятся с датами из файла.'
  );
}

function Preview(props: {
  result: TopicImportResult;
  hoursPerYear: number;
  topics: Topic[];
  lessonDates: ReadonlySet<string>;
}) {
  const { result } = props;
  if (result.rows.length === 0) return <NothingToSave result={result} />;

  const summary = importSummary(result, props.hoursPerYear, props.topics);
  const offSchedule = offScheduleDates(result.rows, props.lessonDates);
  return (
    <div data-testid="import-preview">
      <p class={summary.ok ? 'ok' : 'warn'} data-testid="import-total">
        {summary.total}
      </p>
      {offSchedule && (
        <p class="warn" data-testid="import-off-schedule">
          {offSchedule}
        </p>
      )}
      {summary.repeats && (
        <p class="warn" data-testid="import-repeats">
          {summary.repeats}
        </p>
      )}
      <RowErrors result={result} />
      <div class="gridwrap">
        <table class="grid preview">
          <thead>
            <tr>
              <th>Стр.</th>
              <th>№</th>
              <th>Раздел</th>
              <th>Тема</th>
              <th>Часы</th>
              <th>Форма</th>
              <th>Контроль</th>
              <th>Дата</th>
            </tr>
          </thead>
          <tbody>
            {result.rows.map((r) => (
              <tr key={r.row} data-testid="import-row">
                <td>{r.row}</td>
                <td>{r.order}</td>
                <td>{r.section}</td>
                <td>{r.title}</td>
                <td>{ruHours(r.hours)}</td>
                <td>{r.form}</td>
                <td>{r.control}</td>
                <td>{r.plannedDate ? ruDate(r.plannedDate) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/**
 * TI18: a file without one row to save (only the header, none of the template's columns, every
 * row wrong) says so, instead of a total of 0 hours against the plan and an offer to skip the
 * wrong rows and save the rest.
 */
function NothingToSave(props: { result: TopicImportResult }) {
  const why = props.result.errors.length > 0 ? ': что не так, сказано ниже' : '';
  return (
    <div data-testid="import-preview">
      <p class="warn" data-testid="import-nothing">
        В файле нет тем, которые можно сохранить{why}.
      </p>
      <RowErrors result={props.result} />
    </div>
  );
}

function RowErrors(props: { result: TopicImportResult }) {
  if (props.result.errors.length === 0) return null;
  return (
    <ul class="errors" data-testid="import-errors">
      {props.result.errors.map((e) => (
        <li key={`${e.row}-${e.column}`} data-testid="import-error">
          Строка {e.row}, «{e.column}»: {e.message}
        </li>
      ))}
    </ul>
  );
}

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function download(bytes: Uint8Array, name: string, type: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
