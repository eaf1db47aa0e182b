import type { AuditResponse } from '@otmetka/shared/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subgroupDbName } from '../src/db/store.ts';
import { type FlakyDatabase, startServerBehindFlakyDatabase } from './flaky-database.ts';
import { call, login, markDoc, stamp, type TestServer } from './helpers.ts';

/**
 * A push writes its journal rows and their audit batch side by side. When the journal write
 * lands and the audit write does not, the device is answered with an error and pushes the same
 * edit again, which then changes nothing and records nothing: the trail must still name the
 * edit. A FlakyDatabase proxy between the server and the (real, embedded) database fails the
 * audit write.
 */

describe('audit: an edit whose audit write failed', () => {
  let stop: () => Promise<void>;
  let database: FlakyDatabase;
  let server: TestServer;
  let teacher: string;
  let admin: string;

  beforeAll(async () => {
    ({ database, server, stop } = await startServerBehindFlakyDatabase());
    teacher = (await login(server.url, 'teacher-a-user')).accessToken;
    admin = (await login(server.url, 'admin')).accessToken;
  });
  afterAll(() => stop());

  /** `assumed`: the server's state the device edited (none for a mark it created). */
  const push = (doc: Record<string, unknown>, assumed: Record<string, unknown> | null = null) =>
    call(server.url, 'POST', '/api/sync/marks/push', {
      token: teacher,
      body: { rows: [{ assumedMasterState: assumed, newDocumentState: doc }] },
      headers: { 'x-otmetka-device': 'tablet-3' },
    });
  const history = async (docId: string) => {
    const res = await call(
      server.url,
      'GET',
      `/api/admin/audit?docId=${encodeURIComponent(docId)}`,
      { token: admin },
    );
    expect(res.status).toBe(200);
    return (res.body as AuditResponse).entries;
  };
  const failNextAuditWrite = () => database.failPath(/^\/otm_audit_[^/]+\/_bulk_docs/);

  it('[AU1] is completed from the stamp the journal keeps: who, when, device, offline', async () => {
    const edit = { ...markDoc('sg-a', '2026-09-07', 'learner-kid', 'Н', 5000, 'tablet-3') };
    const offline = stamp(5000, 'tablet-3', 'teacher-a-user', true);
    edit.stamps = { code: offline, grade: offline, note: offline };

    failNextAuditWrite();
    expect((await push(edit)).status).toBe(503);
    const stored = await server.store.getMany(subgroupDbName('sg-a'), [edit.id]);
    expect(stored.get(edit.id)?.doc).toMatchObject({ code: 'Н' });
    // The device, answered 503, sends the same edit again: nothing changes, nothing is recorded.
    expect((await push(edit)).status).toBe(200);

    expect(await history(edit.id)).toEqual([
      expect.objectContaining({
        field: 'code',
        old: null,
        new: 'Н',
        by: 'teacher-a-user',
        device: 'tablet-3',
        editedAt: 5000,
        offline: true,
        recovered: true,
      }),
    ]);
  });

  it('[AU1] a later edit that lost its entry starts from the value the entry before it set', async () => {
    const first = markDoc('sg-a', '2026-09-09', 'learner-kid', 'Б', 6000, 'tablet-3');
    expect((await push(first)).status).toBe(200);
    const second = markDoc('sg-a', '2026-09-09', 'learner-kid', 'УП', 6100, 'tablet-3');

    failNextAuditWrite();
    expect((await push(second, first)).status).toBe(503);
    expect((await push(second, first)).status).toBe(200);

    const entries = await history(first.id);
    expect(entries.map((e) => [e.old, e.new, e.editedAt, e.recovered ?? false])).toEqual([
      [null, 'Б', 6000, false],
      ['Б', 'УП', 6100, true],
    ]);
  });

  it('[DB2] a journal write whose connection is cut is stored once, with one entry', async () => {
    const mark = markDoc('sg-a', '2026-09-16', 'learner-kid', 'Б', 7500, 'tablet-3');
    database.dropPath(/^\/otm_sg_sg-a\/_bulk_docs/);

    // On a kept-alive connection the write is sent again at once (200); on a new one the device
    // is told the database is unavailable and pushes again.
    let res = await push(mark);
    if (res.status === 503) res = await push(mark);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ conflicts: [], refused: [] });

    const stored = await server.store.getMany(subgroupDbName('sg-a'), [mark.id]);
    expect(stored.get(mark.id)?.doc).toMatchObject({ code: 'Б' });
    const entries = await history(mark.id);
    expect(entries.map((e) => [e.field, e.new, e.recovered ?? false])).toEqual([
      ['code', 'Б', false],
    ]);
  });

  it('[AU1] an edit with its entry is not repeated as recovered; an untouched field adds nothing', async () => {
    const mark = markDoc('sg-a', '2026-09-14', 'learner-kid', 'Н', 7000, 'tablet-3');
    expect((await push(mark)).status).toBe(200);

    const entries = await history(mark.id);
    expect(entries.map((e) => [e.field, e.new, e.recovered ?? false])).toEqual([
      ['code', 'Н', false],
    ]);
  });
});
