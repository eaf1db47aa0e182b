import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orgDbName, subgroupDbName } from '../src/db/store.ts';
import { lockId, type PushResponse } from '../src/shared.ts';
import {
  call,
  createFixture,
  lessonDoc,
  login,
  markDoc,
  ORG_ID,
  pushRows,
  stamp,
  startServer,
  type TestServer,
} from './helpers.ts';

/**
 * A push writes rows the device created (no assumed master state) without reading them first.
 * That is safe only because a journal deletion stays a live document: these tests pin it.
 */

describe('push of rows the device created', () => {
  let server: TestServer;
  let token: string;
  const db = subgroupDbName('sg-a');

  const push = async (collection: string, body: unknown) => {
    const res = await call(server.url, 'POST', `/api/sync/${collection}/push`, { token, body });
    expect(res.status).toBe(200);
    return res.body as PushResponse;
  };
  const stored = async (id: string) => (await server.store.getMany(db, [id])).get(id);
  const raw = (id: string) => server.store.db(db).get(id) as Promise<Record<string, unknown>>;

  /** A mark stored, then deleted by a later edit that had seen it. */
  async function deletedMark(date: string) {
    await push('lessons', pushRows([lessonDoc('sg-a', date)]));
    const mark = markDoc('sg-a', date, 'learner-kid', 'Н', 1000);
    await push('marks', pushRows([mark]));
    const deletion = {
      ...mark,
      _deleted: true,
      stamps: { ...mark.stamps, _deleted: stamp(2000) },
    };
    await push('marks', { rows: [{ assumedMasterState: mark, newDocumentState: deletion }] });
    return mark;
  }

  beforeAll(async () => {
    server = await startServer();
    await createFixture(server.store);
    token = (await login(server.url, 'teacher-a-user')).accessToken;
  });
  afterAll(() => server.stop());

  it('[CR2] an older copy pushed as new does not bring a deleted mark back', async () => {
    const mark = await deletedMark('2026-09-09');
    const before = await stored(mark.id);
    expect(before).toMatchObject({ deleted: true, doc: { code: 'Н', _deleted: true } });

    const answer = await push('marks', pushRows([mark]));
    expect(answer.refused).toEqual([]);
    expect(answer.conflicts).toEqual([expect.objectContaining({ id: mark.id, _deleted: true })]);
    expect((await stored(mark.id))?.rev).toBe(before?.rev);
  });

  it('a deleted journal document is a live CouchDB document marked as a tombstone', async () => {
    const mark = await deletedMark('2026-09-14');
    const doc = await raw(mark.id);
    expect(doc).toMatchObject({ tombstone: true, code: 'Н' });
    expect(doc._deleted).toBeUndefined();

    // Hidden from reads of live documents, as a CouchDB deletion would be.
    expect(await server.store.get(db, mark.id)).toBeUndefined();
    const marks = await server.store.listByType(db, 'mark');
    expect(marks.map((m) => m.id)).not.toContain(mark.id);
  });

  it('[PR4] a refused row the device thought new is answered with the stored document', async () => {
    await push('lessons', pushRows([lessonDoc('sg-a', '2026-10-05')]));
    const mark = markDoc('sg-a', '2026-10-05', 'learner-kid', 'Н', 1000);
    await push('marks', pushRows([mark]));
    await server.store.put(orgDbName(ORG_ID), {
      id: lockId('sg-a', '2026-10'),
      type: 'lock',
      orgId: ORG_ID,
      subgroupId: 'sg-a',
      month: '2026-10',
      locked: true,
      reason: 'Табель сдан',
      at: 1,
      by: 'admin',
    });

    const answer = await push(
      'marks',
      pushRows([markDoc('sg-a', '2026-10-05', 'learner-kid', 'Б', 5000)]),
    );
    expect(answer.refused).toEqual([
      expect.objectContaining({ id: mark.id, code: 'MONTH_LOCKED' }),
    ]);
    expect(answer.conflicts).toEqual([expect.objectContaining({ id: mark.id, code: 'Н' })]);
    expect(answer.conflicts[0]!._deleted).toBeUndefined();
    await server.store.remove(orgDbName(ORG_ID), lockId('sg-a', '2026-10'));
  });

  it('CouchDB deletions of earlier versions become live tombstones at start-up', async () => {
    await push('lessons', pushRows([lessonDoc('sg-a', '2026-10-07')]));
    const mark = markDoc('sg-a', '2026-10-07', 'learner-kid', 'Н', 1000);
    await push('marks', pushRows([mark]));
    const { _rev } = await raw(mark.id);
    const legacy = {
      ...mark,
      _id: mark.id,
      _rev,
      _deleted: true,
      stamps: { ...mark.stamps, _deleted: stamp(2000) },
    };
    await server.store.db(db).bulk({ docs: [legacy] });

    await server.store.init();
    expect(await raw(mark.id)).toMatchObject({ tombstone: true, code: 'Н' });
    const answer = await push('marks', pushRows([mark]));
    expect(answer.conflicts).toEqual([expect.objectContaining({ id: mark.id, _deleted: true })]);

    // Once per database: a second start finds its marker and changes nothing.
    const rev = (await raw(mark.id))._rev;
    await server.store.init();
    expect((await raw(mark.id))._rev).toBe(rev);
  });
});
