// @vitest-environment happy-dom

import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { TeacherContext } from '../src/app/context.ts';
import { editsInProgress } from '../src/app/router.ts';
import type { OtmetkaDb } from '../src/db/database.ts';
import { closeDb, openDb } from '../src/db/database.ts';
import type { TopicFields } from '../src/db/repo.ts';
import { addTopic } from '../src/db/repo.ts';
import { TopicsScreen } from '../src/screens/topics/TopicsScreen.tsx';
import type { SyncEngine } from '../src/sync/replication.ts';
import { startSync } from '../src/sync/replication.ts';
import { memoryStore, Session } from '../src/sync/session.ts';
import { SUBGROUP, TEACHER_USER } from './teacher-fixture.ts';

/** «Темы» on a real local database, offline; the subgroup studies 01.09.2026–31.05.2027. */

const subgroup = SUBGROUP;

let db: OtmetkaDb | undefined;
let sync: SyncEngine | undefined;
let n = 0;

afterEach(async () => {
  cleanup();
  await sync?.stop();
  if (db) await closeDb(db);
  db = undefined;
  sync = undefined;
});

/** `lessonDates`: the dates of the subgroup's lessons by its schedule (none: no schedule). */
async function renderTopics(lessonDates: ReadonlySet<string> = new Set()): Promise<OtmetkaDb> {
  const database = await openDb({
    name: `topics-screen-${++n}`,
    user: { id: 'teacher-user', orgId: 'org-1' },
    multiInstance: false,
    isOffline: () => true,
  });
  db = database;
  const session = new Session({ baseUrl: 'http://127.0.0.1:9' }, memoryStore());
  sync = startSync({ db: database, session, live: false });
  const user = TEACHER_USER;
  render(
    <TeacherContext.Provider value={{ db: database, sync, user }}>
      <TopicsScreen subgroup={subgroup} lessonDates={lessonDates} />
    </TeacherContext.Provider>,
  );
  return database;
}

const HEADER = '№ п/п;Раздел;Тема;Кол-во часов;Форма занятия;Форма контроля;Плановая дата';

/** Chooses a CSV of the template's header and `rows` in the import's file input. */
function uploadCsv(rows: string[]): void {
  const file = new File([[HEADER, ...rows].join('\r\n')], 'темы.csv', { type: 'text/csv' });
  const input = screen.getByTestId('topic-file');
  Object.defineProperty(input, 'files', { value: [file], configurable: true });
  fireEvent.change(input);
}

describe('topics screen', () => {
  it('[TI7] the import preview names a planned date outside the study period as a row error', async () => {
    await renderTopics();
    const csv = [
      '№ п/п;Раздел;Тема;Кол-во часов;Форма занятия;Форма контроля;Плановая дата',
      '1;Введение;Техника безопасности;2;беседа;опрос;01.09.1900',
      '2;Введение;Знакомство с набором;2;практикум;наблюдение;03.09.2026',
    ].join('\r\n');
    const file = new File([`\uFEFF${csv}`], 'темы.csv', { type: 'text/csv' });
    const input = screen.getByTestId('topic-file');
    Object.defineProperty(input, 'files', { value: [file] });
    fireEvent.change(input);

    await screen.findByTestId('import-preview');
    expect(screen.getAllByTestId('import-row')).toHaveLength(1);
    expect(screen.getAllByTestId('import-error').map((e) => e.textContent)).toEqual([
      'Строка 2, «Плановая дата»: дата 01.09.1900 вне учебного периода подгруппы (01.09.2026–31.05.2027)',
    ]);
    expect((screen.getByTestId('import-save') as HTMLButtonElement).disabled).toBe(true);
  });

  it('[TI18] a file with no row to save says so, with no total and no offer to skip wrong rows', async () => {
    await renderTopics();

    const nothing = 'В файле нет тем, которые можно сохранить: что не так, сказано ниже.';
    uploadCsv([]);
    expect((await screen.findByTestId('import-nothing')).textContent).toBe(nothing);
    expect(screen.getByTestId('import-error').textContent).toMatch(/нет ни одной темы$/);
    expect(screen.queryByTestId('import-total')).toBeNull();
    expect(screen.queryByTestId('import-skip-bad')).toBeNull();
    expect((screen.getByTestId('import-save') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByTestId('import-cancel'));

    uploadCsv(['1;Введение;Тема;два;беседа;опрос;', '2;Введение;;2;беседа;опрос;']);
    await waitFor(() => expect(screen.getAllByTestId('import-error')).toHaveLength(2));
    expect(screen.getByTestId('import-nothing').textContent).toBe(nothing);
    expect(screen.queryByTestId('import-skip-bad')).toBeNull();
    expect(screen.queryByTestId('import-row')).toBeNull();
    expect((screen.getByTestId('import-save') as HTMLButtonElement).disabled).toBe(true);
  });

  it('[TI19] planned dates without a lesson of the schedule are named, and the rows can still be saved', async () => {
    await renderTopics(new Set(['2026-09-03', '2026-09-07', '2026-09-10']));
    uploadCsv([
      '1;Введение;Техника безопасности;2;беседа;опрос;03.09.2026',
      '2;Введение;Знакомство с набором;2;практикум;наблюдение;06.09.2026',
      '3;Введение;Первая модель;2;практикум;наблюдение;',
      '4;Введение;Вторая модель;2;практикум;наблюдение;01.01.2027',
    ]);

    const warning = await screen.findByTestId('import-off-schedule');
    expect(warning.textContent).toBe(
      'В плановую дату нет занятия по расписанию в строках 3 (06.09.2026), 5 (01.01.2027): ' +
        'проверьте даты. Темы сохранятся с датами из файла.',
    );
    expect(screen.getAllByTestId('import-row')).toHaveLength(4);
    expect((screen.getByTestId('import-save') as HTMLButtonElement).disabled).toBe(false);
  });

  it('[TI19] without a schedule no planned date is questioned', async () => {
    await renderTopics();
    uploadCsv(['1;Введение;Техника безопасности;2;беседа;опрос;06.09.2026']);

    await screen.findByTestId('import-preview');
    expect(screen.queryByTestId('import-off-schedule')).toBeNull();
  });

  it('[RU1] the save button counts the rows in Russian: «Сохранить 1 тему», «Сохранить 2 темы»', async () => {
    await renderTopics();
    const header = '№ п/п;Раздел;Тема;Кол-во часов;Форма занятия;Форма контроля;Плановая дата';
    const row = (i: number) => `${i};Введение;Тема ${i};2;беседа;опрос;0${i}.09.2026`;
    const input = screen.getByTestId('topic-file');
    const upload = (rows: number) => {
      const csv = [header, ...Array.from({ length: rows }, (_, i) => row(i + 1))].join('\r\n');
      const file = new File([csv], 'темы.csv', { type: 'text/csv' });
      Object.defineProperty(input, 'files', { value: [file], configurable: true });
      fireEvent.change(input);
    };

    upload(1);
    await waitFor(() =>
      expect(screen.getByTestId('import-save').textContent).toBe('Сохранить 1 тему'),
    );
    fireEvent.click(screen.getByTestId('import-cancel'));
    upload(2);
    await waitFor(() =>
      expect(screen.getByTestId('import-save').textContent).toBe('Сохранить 2 темы'),
    );
  });

  it('[TI9] a double tap on «Сохранить» saves the rows once, in one write', async () => {
    const database = await renderTopics();
    const header = '№ п/п;Раздел;Тема;Кол-во часов;Форма занятия;Форма контроля;Плановая дата';
    const rows = Array.from({ length: 40 }, (_, i) => `${i + 1};Раздел;Тема ${i + 1};2;;;`);
    const input = screen.getByTestId('topic-file') as HTMLInputElement;
    const file = new File([[header, ...rows].join('\r\n')], 'темы.csv');
    Object.defineProperty(input, 'files', { value: [file], configurable: true });
    fireEvent.change(input);
    await screen.findByTestId('import-preview');

    let writes = 0;
    const topics = database.rx.collections.topics.storageInstance;
    const bulkWrite = topics.bulkWrite.bind(topics);
    topics.bulkWrite = (docs, context) => {
      writes += 1;
      return bulkWrite(docs, context);
    };
    fireEvent.click(screen.getByTestId('import-save'));
    fireEvent.click(screen.getByTestId('import-save'));

    await screen.findByTestId('import-saved');
    expect(await database.rx.collections.topics.count().exec()).toBe(40);
    expect(writes).toBe(1);
    const stored = await database.rx.collections.topics.find({ sort: [{ order: 'asc' }] }).exec();
    expect(stored.map((t) => t.title).slice(0, 3)).toEqual(['Тема 1', 'Тема 2', 'Тема 3']);
  });

  it('[TI8] the import preview totals the plan after saving and names rows already in the plan', async () => {
    const database = await renderTopics();
    await tiedPlan(database);
    const csv = [
      '№ п/п;Раздел;Тема;Кол-во часов;Форма занятия;Форма контроля;Плановая дата',
      '1;Раздел 2;  итоговое   занятие ;2;беседа;опрос;',
      '2;Раздел 2;Новая тема;60;практикум;наблюдение;',
    ].join('\r\n');
    const input = screen.getByTestId('topic-file');
    Object.defineProperty(input, 'files', { value: [new File([csv], 'темы.csv')] });
    fireEvent.change(input);

    await screen.findByTestId('import-preview');
    expect(screen.getByTestId('import-total').textContent).toBe(
      'В файле 62 ч, в плане уже 4 темы на 8 ч. После сохранения: всего 70 ч — на 2 ч меньше, чем 72 ч в год по плану.',
    );
    expect(screen.getByTestId('import-repeats').textContent).toBe(
      'Уже есть в плане: 1 строка (2) — при сохранении эти темы будут добавлены ещё раз.',
    );

    fireEvent.click(screen.getByTestId('import-save'));
    await waitFor(() => expect(screen.getAllByTestId('topic-row')).toHaveLength(6));
    expect(screen.getByTestId('topics-total').textContent).toBe(
      'Всего 70 ч — на 2 ч меньше, чем 72 ч в год по плану.',
    );
  });

  it('[PR8] the topic form refuses a planned date outside the study period before writing', async () => {
    const database = await renderTopics();
    fireEvent.input(screen.getByTestId('topic-title'), { target: { value: 'Введение' } });
    fireEvent.input(screen.getByTestId('topic-date'), { target: { value: '1900-09-01' } });
    fireEvent.submit(screen.getByTestId('topic-form'));

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe(
      'Плановая дата 01.09.1900 вне учебного периода подгруппы (01.09.2026–31.05.2027).',
    );
    expect(await database.rx.collections.topics.count().exec()).toBe(0);

    fireEvent.input(screen.getByTestId('topic-date'), { target: { value: '2026-09-07' } });
    fireEvent.submit(screen.getByTestId('topic-form'));
    await waitFor(async () => expect(await database.rx.collections.topics.count().exec()).toBe(1));
  });
  /** Two topics on the same order: each of two offline devices added one after the same plan. */
  async function tiedPlan(database: OtmetkaDb): Promise<void> {
    const topic = (title: string): TopicFields => ({
      section: '',
      title,
      hours: 2,
      form: '',
      control: '',
      plannedDate: null,
    });
    await addTopic(database, subgroup.id, topic('Введение'), 1);
    await addTopic(database, subgroup.id, topic('Кирпичики'), 2);
    await addTopic(database, subgroup.id, topic('Пластины'), 2);
    await addTopic(database, subgroup.id, topic('Итоговое занятие'), 3);
    await waitFor(() => expect(screen.getAllByTestId('topic-row')).toHaveLength(4));
  }

  const shownTitles = () =>
    screen.getAllByTestId('topic-row').map((row) => row.querySelector('strong')?.textContent);

  it('[TP1] ↑ moves a topic one place up also when it shares its order with the topic above', async () => {
    const database = await renderTopics();
    await tiedPlan(database);
    const [, second, third] = shownTitles();

    fireEvent.click(screen.getAllByTestId('topic-up')[2]!);

    await waitFor(() =>
      expect(shownTitles()).toEqual(['Введение', third, second, 'Итоговое занятие']),
    );
  });

  it('[TP1] ↓ moves a topic one place down and never past the next one when orders are tied', async () => {
    const database = await renderTopics();
    await tiedPlan(database);
    const [, second, third] = shownTitles();

    fireEvent.click(screen.getAllByTestId('topic-down')[1]!);

    await waitFor(() =>
      expect(shownTitles()).toEqual(['Введение', third, second, 'Итоговое занятие']),
    );
  });
  it('[TP4] a topic edited with ✎ is saved and the form closes', async () => {
    const database = await renderTopics();
    await addTopic(
      database,
      subgroup.id,
      {
        section: 'Раздел 1',
        title: 'Введение',
        hours: 2,
        form: '',
        control: '',
        plannedDate: null,
      },
      1,
    );
    fireEvent.click(await screen.findByTestId('topic-edit'));
    const forms = screen.getAllByTestId('topic-form');
    const edit = forms[0]!;
    const field = (id: string) => edit.querySelector<HTMLInputElement>(`[data-testid="${id}"]`)!;
    expect(field('topic-title').value).toBe('Введение');
    fireEvent.input(field('topic-title'), { target: { value: 'Введение в робототехнику' } });
    fireEvent.input(field('topic-hours'), { target: { value: '3' } });
    fireEvent.submit(edit);

    await waitFor(() => expect(screen.getAllByTestId('topic-form')).toHaveLength(forms.length - 1));
    expect(screen.queryByRole('alert')).toBeNull();
    const [stored] = await database.rx.collections.topics.find().exec();
    expect(stored?.toJSON()).toMatchObject({
      title: 'Введение в робототехнику',
      hours: 3,
      section: 'Раздел 1',
      order: 1,
    });
  });

  it('[TI6] a topic of 1,5 hours is shown and totalled with a decimal comma', async () => {
    await renderTopics();
    fireEvent.input(screen.getByTestId('topic-title'), { target: { value: 'Введение' } });
    fireEvent.input(screen.getByTestId('topic-hours'), { target: { value: '1.5' } });
    fireEvent.submit(screen.getByTestId('topic-form'));

    const row = await screen.findByTestId('topic-row');
    expect(row.textContent).toContain('· 1,5 ч');
    expect(screen.getByTestId('topics-total').textContent).toBe(
      'Всего 1,5 ч — на 70,5 ч меньше, чем 72 ч в год по плану.',
    );
  });
  it('[TP3] hours typed with a decimal comma are stored as such, and what is no number is refused', async () => {
    const database = await renderTopics();
    fireEvent.input(screen.getByTestId('topic-title'), { target: { value: 'Введение' } });
    fireEvent.input(screen.getByTestId('topic-hours'), { target: { value: '1,5' } });
    fireEvent.submit(screen.getByTestId('topic-form'));
    await waitFor(async () => {
      const stored = await database.rx.collections.topics.find().exec();
      expect(stored.map((t) => t.hours)).toEqual([1.5]);
    });

    fireEvent.input(screen.getByTestId('topic-title'), { target: { value: 'Кирпичики' } });
    fireEvent.input(screen.getByTestId('topic-hours'), { target: { value: 'два' } });
    fireEvent.submit(screen.getByTestId('topic-form'));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Часы: число от 0 до 100, например 1,5.',
    );
    expect(await database.rx.collections.topics.count().exec()).toBe(1);
  });
  it('[UP1] a half-typed topic holds back the app update until it is added', async () => {
    const database = await renderTopics();
    expect(editsInProgress.value).toBe(0);
    fireEvent.input(screen.getByTestId('topic-title'), { target: { value: 'Недописанная тема' } });
    await waitFor(() => expect(editsInProgress.value).toBe(1));

    fireEvent.submit(screen.getByTestId('topic-form'));
    await waitFor(async () => expect(await database.rx.collections.topics.count().exec()).toBe(1));
    await waitFor(() => expect(editsInProgress.value).toBe(0));
  });
});
