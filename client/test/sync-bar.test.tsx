// @vitest-environment happy-dom

import { cleanup, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { TeacherContext } from '../src/app/context.ts';
import { SyncBar } from '../src/app/SyncBar.tsx';
import type { OtmetkaDb } from '../src/db/database.ts';
import { closeDb, openDb } from '../src/db/database.ts';
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
});
