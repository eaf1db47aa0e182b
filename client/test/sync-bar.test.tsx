// @vitest-environment happy-dom

import type { JournalDoc, Schedule } from '@otmetka/shared';
import { lessonId, lockId, markId, scheduleId } from '@otmetka/shared';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { TeacherContext } from '../src/app/context.ts';
import { monthReopened } from '../src/app/Notices.tsx';
import { SyncBar } from '../src/app/SyncBar.tsx';
import type { OtmetkaDb } from '../src/db/database.ts';
import { closeDb, openDb } from '../src/db/database.ts';
import type { CatalogView } from '../src/db/queries.ts';
import { EMPTY_CATALOG } from '../src/db/queries.ts';
import { addNotice, setMark, updateLesson } from '../src/db/repo.ts';
import { lostFieldNames } from '../src/sync/lost-text.ts';
import type { SyncEngine } from '../src/sync/replication.ts';
import { startSync } from '../src/sync/replication.ts';
import { memoryStore, Session } from '../src/sync/session.ts';
import { ORG, PROGRAMME, SUBGROUP, slotOn, TEACHER_USER } from './teacher-fixture.ts';

/**
 * The sync bar on a real local database; sync runs against an address where nothing listens.
 * The process's TZ plays the tablet's clock setting.
 */

const deviceZone = process.env.TZ;
let db: OtmetkaDb | undefined;
let sync: SyncEngine | undefined;

afterEach(async () => {
  cleanup();
  await sync?.stop();
  if (db) await closeDb(db);
  db = undefined;
  sync = undefined;
  if (deviceZone === undefined) delete process.env.TZ;
  else process.env.TZ = deviceZone;
});

/** A device with its database and a sync engine that reaches no server. */
async function offlineDevice(name: string): Promise<{ db: OtmetkaDb; sync: SyncEngine }> {
  const db = await openDb({
    name,
    user: { id: 'teacher-user', orgId: 'org-1' },
    multiInstance: false,
    isOffline: () => true,
  });
  const session = new Session({ baseUrl: 'http://127.0.0.1:9' }, memoryStore());
  return { db, sync: startSync({ db, session, live: false }) };
}

/** The sync bar of the device the test opened (`db`, `sync`). */
function renderBar(catalog?: CatalogView) {
  render(
    <TeacherContext.Provider value={{ db: db!, sync: sync!, user: TEACHER_USER }}>
      <SyncBar catalog={catalog} />
    </TeacherContext.Provider>,
  );
}

/** Opens «Требуют внимания» and reads its only notice. */
async function noticeText(): Promise<string> {
  fireEvent.click(await screen.findByTestId('notices-toggle'));
  return (await screen.findByTestId('notice')).textContent ?? '';
}

describe('sync bar', () => {
  it('[DT2] shows the last sync in the organisation’s zone, not the device’s', async () => {
    // A tablet in Orenburg (Asia/Yekaterinburg, UTC+5) left on Moscow time (UTC+3).
    process.env.TZ = 'Europe/Moscow';
    ({ db, sync } = await offlineDevice('sync-bar-1'));
    renderBar();

    // 20:10 UTC on 4 December: 01:10 on the 5th in Orenburg, 23:10 on the 4th in Moscow.
    sync.status.lastSyncAt.value = Date.UTC(2026, 11, 4, 20, 10);
    const last = screen.getByTestId('sync-last');
    await waitFor(() => expect(last.textContent).toBe('Синхронизировано 05.12, 01:10'));
  });

  it('[PW3] until the app is stored and the journal synced, the bar says offline will not open it yet', async () => {
    ({ db, sync } = await offlineDevice('sync-bar-stored'));
    let installed: () => void = () => {};
    const ready = new Promise<void>((resolve) => {
      installed = resolve;
    });
    Object.defineProperty(navigator, 'serviceWorker', { value: { ready }, configurable: true });
    try {
      renderBar();
      const hint = 'Без сети журнал откроется после первой синхронизации';
      expect(screen.getByTestId('sync-not-offline-yet').textContent).toBe(hint);

      sync.status.lastSyncAt.value = Date.UTC(2026, 11, 4, 20, 10);
      await waitFor(() => expect(screen.getByTestId('sync-last').textContent).toMatch(/^Синх/));
      // Synced, but the app itself is not stored yet.
      expect(screen.getByTestId('sync-not-offline-yet')).toBeTruthy();
      installed();
      await waitFor(() => expect(screen.queryByTestId('sync-not-offline-yet')).toBeNull());
    } finally {
      // The stand-in shadows whatever the environment has; removing it shows that again.
      delete (navigator as { serviceWorker?: unknown }).serviceWorker;
    }
  });

  it('[NT1] a lost edit of a lesson is shown in Russian: statuses in words, the topic by its title, present as ✓', async () => {
    ({ db, sync } = await offlineDevice('sync-bar-2'));
    const lostFields = [
      { field: 'status', mine: 'cancelled', theirs: 'moved' },
      { field: 'topicId', mine: 'topic:sg-1:016', theirs: 'topic:sg-1:018' },
      { field: 'topicTitle', mine: 'Мосты', theirs: 'Мой дом' },
      { field: 'code', mine: '', theirs: 'Н' },
      { field: 'plannedDate', mine: '2026-09-01', theirs: null },
    ];
    await addNotice(db, {
      kind: 'lost',
      source: 'lessons',
      docId: 'lesson:sg-1:2026-12-01:1500',
      code: 'CONFLICT',
      message: 'Ваше изменение перекрыто более поздним изменением с другого устройства.',
      attempted: { type: 'lesson', date: '2026-12-01' },
      lostFields,
      at: 1,
    });
    renderBar();

    const text = await noticeText();
    expect(text).toContain('статус занятия: ваше «отменено», сохранено «перенесено»');
    expect(text).toContain('тема: ваше «Мосты», сохранено «Мой дом»');
    expect(text).toContain('отметка: ваше «✓», сохранено «Н»');
    expect(text).toContain('плановая дата: ваше «01.09.2026», сохранено «—»');
    expect(text).not.toMatch(/cancelled|moved|topic:/);
    expect(lostFieldNames(lostFields)).toBe('статус занятия, тема, отметка, плановая дата');
  });

  it('[NT9] a refused grade is told as the grade, not as the attendance the mark carried', async () => {
    ({ db, sync } = await offlineDevice('sync-bar-nt9'));
    const lesson = lessonId('sg-1', '2026-10-16', '14:00');
    await addNotice(db, {
      kind: 'refused',
      source: 'marks',
      docId: markId(lesson, 'learner-1'),
      code: 'MONTH_LOCKED',
      message: 'Октябрь 2026 закрыт для изменений.',
      attempted: { type: 'mark', learnerId: 'learner-1', date: '2026-10-16', code: '' },
      lostFields: [{ field: 'grade', mine: '3', theirs: null }],
      at: 1,
    });
    renderBar();

    const text = await noticeText();
    expect(text).toContain('Не принято: обучающийся, 16.10.2026');
    expect(text).toContain('оценка: ваше «3», сохранено «—»');
    expect(text).not.toContain('отметка');
  });

  it('[NT4] a lesson refused because the admin moved it offers to enter all its notices on the new date', async () => {
    ({ db, sync } = await offlineDevice('sync-bar-3'));
    // Wednesdays at 15:00; while the tablet was offline the admin moved 02.09 to Friday 04.09.
    const schedule: Schedule = {
      id: scheduleId('sg-1'),
      type: 'schedule',
      orgId: 'org-1',
      subgroupId: 'sg-1',
      rules: [
        {
          id: 'rule-1',
          from: '2026-09-01',
          to: '2027-05-31',
          weekdays: [3],
          start: '15:00',
          end: '16:30',
          academicHours: 2,
          minutesPerHour: 45,
          breakMinutes: 0,
        },
      ],
      exceptions: [
        {
          kind: 'move',
          date: '2026-09-02',
          start: '15:00',
          toDate: '2026-09-04',
          toStart: '15:00',
          toEnd: '16:30',
          reason: 'Зал занят',
        },
      ],
      holidayRule: 'skip',
    };
    const catalog: CatalogView = {
      ...EMPTY_CATALOG,
      org: ORG,
      programmes: new Map([['prog-1', PROGRAMME]]),
      subgroups: [SUBGROUP],
      schedules: new Map([['sg-1', schedule]]),
      loaded: true,
    };

    // What the teacher wrote offline on 02.09, each refused as the push handler records it.
    const old = slotOn('2026-09-02');
    await setMark(db, old, 'kid-a', { code: 'Н' });
    await setMark(db, old, 'kid-b', { code: '' });
    await updateLesson(db, old, { homework: 'Собрать модель' });
    const refuse = async (source: 'lessons' | 'marks', id: string) => {
      const attempted = (await db!.rx.collections[source].findOne(id).exec())!.toJSON();
      await addNotice(db!, {
        kind: 'refused',
        source,
        docId: id,
        code: 'LESSON_NOT_ON_SCHEDULE',
        message: 'Занятие 02.09.2026 в 15:00 перенесено в расписании на 04.09.2026 в 15:00.',
        attempted: attempted as unknown as Record<string, unknown>,
        lostFields: [],
        at: 1,
      });
    };
    await refuse('lessons', old.lessonId);
    await refuse('marks', markId(old.lessonId, 'kid-a'));
    await refuse('marks', markId(old.lessonId, 'kid-b'));

    renderBar(catalog);
    fireEvent.click(await screen.findByTestId('notices-toggle'));
    const group = await screen.findByTestId('notice-group');
    expect(group.textContent).toContain('Занятие 02.09.2026 в 15:00: 3 изменения');
    // NT6: the group is named once, at the head of its lesson's notices.
    expect(screen.getAllByTestId('notice-subgroup').map((e) => e.textContent)).toEqual([
      'Робототехника — Группа 1',
    ]);
    expect(screen.getAllByTestId('notice-move')[0]?.textContent).toBe('Перенести на 04.09.2026');
    const moveAll = screen.getByTestId('notice-group-move');
    expect(moveAll.textContent).toBe('Перенести все на 04.09.2026');

    fireEvent.click(moveAll);
    await waitFor(() => expect(screen.queryByTestId('notices-toggle')).toBeNull());
    const moved = lessonId('sg-1', '2026-09-04', '15:00');
    const doc = async (source: 'lessons' | 'marks', id: string) =>
      (await db!.rx.collections[source].findOne(id).exec())?.toJSON() as JournalDoc | undefined;
    expect(await doc('lessons', moved)).toMatchObject({
      date: '2026-09-04',
      status: 'held',
      homework: 'Собрать модель',
    });
    expect(await doc('marks', markId(moved, 'kid-a'))).toMatchObject({
      code: 'Н',
      lessonId: moved,
    });
    expect(await doc('marks', markId(moved, 'kid-b'))).toMatchObject({ code: '', lessonId: moved });
  });

  it('[NT5] a notice refused in a closed month says when the month is open again', async () => {
    ({ db, sync } = await offlineDevice('sync-bar-nt5'));
    const slot = slotOn('2026-09-02');
    const mark = await setMark(db, slot, 'kid-a', { code: 'Н' });
    await addNotice(db, {
      kind: 'refused',
      source: 'marks',
      docId: mark.id,
      code: 'MONTH_LOCKED',
      message:
        'Сентябрь 2026 закрыт для изменений: исправить можно, когда администратор откроет месяц.',
      attempted: mark as unknown as Record<string, unknown>,
      lostFields: [],
      at: 1,
    });
    const lock = (locked: boolean, at: number) => ({
      id: lockId('sg-1', '2026-09'),
      type: 'lock' as const,
      orgId: 'org-1',
      subgroupId: 'sg-1',
      month: '2026-09',
      locked,
      reason: locked ? 'Сдан отчёт' : 'Исправление',
      at,
      by: 'admin-1',
    });
    const catalog = (locks: ReturnType<typeof lock>[]): CatalogView => ({
      ...EMPTY_CATALOG,
      org: ORG,
      subgroups: [SUBGROUP],
      locks,
      loaded: true,
    });
    const view = (locks: ReturnType<typeof lock>[]) => (
      <TeacherContext.Provider value={{ db: db!, sync: sync!, user: TEACHER_USER }}>
        <SyncBar catalog={catalog(locks)} />
      </TeacherContext.Provider>
    );

    const { rerender } = render(view([lock(true, 1)]));
    fireEvent.click(await screen.findByTestId('notices-toggle'));
    await screen.findByTestId('notice');
    expect(screen.queryByTestId('notice-reopened')).toBeNull();

    rerender(view([lock(false, 2)]));
    expect((await screen.findByTestId('notice-reopened')).textContent).toBe(
      'Месяц снова открыт — изменение можно повторить.',
    );
    const [notice] = await db.rx.collections.notices.find().exec();
    const now = new Date('2026-12-05T10:00:00Z');
    expect(monthReopened(notice!.toJSON() as never, catalog([lock(true, 3)]), now)).toBe(false);
    expect(monthReopened(notice!.toJSON() as never, catalog([]), now)).toBe(true);
  });
});
