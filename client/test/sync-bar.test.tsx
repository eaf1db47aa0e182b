// @vitest-environment happy-dom

import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { TeacherContext } from '../src/app/context.ts';
import { SyncBar } from '../src/app/SyncBar.tsx';
import type { OtmetkaDb } from '../src/db/database.ts';
import { closeDb, openDb } from '../src/db/database.ts';
import { addNotice } from '../src/db/repo.ts';
import { lostFieldNames } from '../src/sync/lost-text.ts';
import type { SyncEngine } from '../src/sync/replication.ts';
import { startSync } from '../src/sync/replication.ts';
import { memoryStore, Session } from '../src/sync/session.ts';
import { TEACHER_USER } from './teacher-fixture.ts';

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

describe('sync bar', () => {
  it('[DT2] shows the last sync in the organisation’s zone, not the device’s', async () => {
    // A tablet in Orenburg (Asia/Yekaterinburg, UTC+5) left on Moscow time (UTC+3).
    process.env.TZ = 'Europe/Moscow';
    db = await openDb({
      name: 'sync-bar-1',
      user: { id: 'teacher-user', orgId: 'org-1' },
      multiInstance: false,
      isOffline: () => true,
    });
    const session = new Session({ baseUrl: 'http://127.0.0.1:9' }, memoryStore());
    sync = startSync({ db, session, live: false });
    const user = TEACHER_USER;
    render(
      <TeacherContext.Provider value={{ db, sync, user }}>
        <SyncBar />
      </TeacherContext.Provider>,
    );

    // 20:10 UTC on 4 December: 01:10 on the 5th in Orenburg, 23:10 on the 4th in Moscow.
    sync.status.lastSyncAt.value = Date.UTC(2026, 11, 4, 20, 10);
    const last = screen.getByTestId('sync-last');
    await waitFor(() => expect(last.textContent).toBe('Синхронизировано 05.12, 01:10'));
  });

  it('[NT1] a lost edit of a lesson is shown in Russian: statuses in words, the topic by its title, present as ✓', async () => {
    db = await openDb({
      name: 'sync-bar-2',
      user: { id: 'teacher-user', orgId: 'org-1' },
      multiInstance: false,
      isOffline: () => true,
    });
    const session = new Session({ baseUrl: 'http://127.0.0.1:9' }, memoryStore());
    sync = startSync({ db, session, live: false });
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
    render(
      <TeacherContext.Provider value={{ db, sync, user: TEACHER_USER }}>
        <SyncBar />
      </TeacherContext.Provider>,
    );

    fireEvent.click(await screen.findByTestId('notices-toggle'));
    const text = (await screen.findByTestId('notice')).textContent ?? '';
    expect(text).toContain('статус занятия: ваше «отменено», сохранено «перенесено»');
    expect(text).toContain('тема: ваше «Мосты», сохранено «Мой дом»');
    expect(text).toContain('отметка: ваше «✓», сохранено «Н»');
    expect(text).toContain('плановая дата: ваше «01.09.2026», сохранено «—»');
    expect(text).not.toMatch(/cancelled|moved|topic:/);
    expect(lostFieldNames(lostFields)).toBe('статус занятия, тема, отметка, плановая дата');
  });
});
