import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orgDbName, subgroupDbName } from '../src/db/store.ts';
import { type AuditEntry, lockId, type PushResponse, rosterId } from '../src/shared.ts';
import { auditBatches, readAudit, writeAudited } from '../src/sync/audit.ts';
import {
  call,
  createFixture,
  lessonDoc,
  login,
  markDoc,
  ORG_ID,
  pushRows,
  startServer,
  type TestServer,
} from './helpers.ts';

describe('push rules', () => {
  let server: TestServer;
  let teacherA: string;
  let teacherB: string;

  const pushAs = async (token: string, collection: string, docs: Record<string, unknown>[]) => {
    const res = await call(server.url, 'POST', `/api/sync/${collection}/push`, {
      token,
      body: pushRows(docs),
      headers: { 'x-otmetka-device': 'tablet-7' },
    });
    expect(res.status).toBe(200);
    return res.body as PushResponse;
  };
  const stored = (subgroupId: string, id: string) =>
    server.store.getMany(subgroupDbName(subgroupId), [id]).then((m) => m.get(id));

  beforeAll(async () => {
    server = await startServer();
    await createFixture(server.store);
    teacherA = (await login(server.url, 'teacher-a-user')).accessToken;
    teacherB = (await login(server.url, 'teacher-b-user')).accessToken;
  });
  afterAll(() => server.stop());

  it('stores a lesson on a slot and a mark of an enrolled learner', async () => {
    const lesson = lessonDoc('sg-a', '2026-09-02');
    const mark = markDoc('sg-a', '2026-09-02', 'learner-kid', 'Н');
    expect(await pushAs(teacherA, 'lessons', [lesson])).toEqual({ conflicts: [], refused: [] });
    expect(await pushAs(teacherA, 'marks', [mark])).toEqual({ conflicts: [], refused: [] });
    expect((await stored('sg-a', mark.id))?.doc).toMatchObject({ code: 'Н' });
  });

  it('[PR2] a lesson off the schedule is refused with a tombstone and nothing is stored', async () => {
    const offSlot = lessonDoc('sg-a', '2026-09-01'); // a Tuesday: the schedule has Mon and Wed
    const answer = await pushAs(teacherA, 'lessons', [offSlot]);
    expect(answer.refused).toEqual([
      expect.objectContaining({ id: offSlot.id, code: 'LESSON_NOT_ON_SCHEDULE' }),
    ]);
    expect(answer.conflicts).toEqual([{ ...offSlot, _deleted: true }]);
    expect(await stored('sg-a', offSlot.id)).toBeUndefined();
  });

  it('[PR5] a refused re-created mark comes back as a tombstone with its field stamps and no stamp on _deleted', async () => {
    const base = markDoc('sg-a', '2026-09-01', 'learner-kid', 'Б', 5000);
    // The teacher deleted the mark and set it again: the attempt stamps `_deleted: false`.
    const recreated = { ...base, stamps: { ...base.stamps, _deleted: base.stamps.code } };
    const answer = await pushAs(teacherA, 'marks', [recreated]);
    expect(answer.refused[0]?.code).toBe('LESSON_NOT_ON_SCHEDULE');
    const { _deleted: _, ...fieldStamps } = recreated.stamps;
    expect(answer.conflicts).toEqual([{ ...recreated, stamps: fieldStamps, _deleted: true }]);
    expect(await stored('sg-a', recreated.id)).toBeUndefined();
  });

  it('[PR2] a mark on a lesson off the schedule is refused', async () => {
    const mark = markDoc('sg-a', '2026-09-01', 'learner-kid', 'Н');
    const answer = await pushAs(teacherA, 'marks', [mark]);
    expect(answer.refused[0]?.code).toBe('LESSON_NOT_ON_SCHEDULE');
    expect(await stored('sg-a', mark.id)).toBeUndefined();
  });

  it('[PR3] a mark for a learner not enrolled on that date is refused', async () => {
    const mark = markDoc('sg-a', '2026-09-02', 'learner-late', 'Н'); // enrolled from 1 October
    const answer = await pushAs(teacherA, 'marks', [mark]);
    expect(answer.refused).toEqual([
      expect.objectContaining({ id: mark.id, code: 'LEARNER_NOT_ENROLLED' }),
    ]);
    expect(answer.refused[0]?.message).toMatch(/не зачислен/);
    expect(await stored('sg-a', mark.id)).toBeUndefined();

    const later = markDoc('sg-a', '2026-10-05', 'learner-late', '');
    expect((await pushAs(teacherA, 'marks', [later])).refused).toEqual([]);
  });

  it('[PR4] an edit in a locked month is refused and the stored mark keeps its value', async () => {
    const before = markDoc('sg-a', '2026-09-07', 'learner-other', '', 2000);
    await pushAs(teacherA, 'marks', [before]);
    const rev = (await stored('sg-a', before.id))?.rev;

    await server.store.put(orgDbName(ORG_ID), {
      id: lockId('sg-a', '2026-09'),
      type: 'lock',
      orgId: ORG_ID,
      subgroupId: 'sg-a',
      month: '2026-09',
      locked: true,
      reason: 'Табель сдан',
      at: 1,
      by: 'admin',
    });
    const edit = markDoc('sg-a', '2026-09-07', 'learner-other', 'Б', 3000);
    const answer = await pushAs(teacherA, 'marks', [edit]);
    expect(answer.refused[0]?.code).toBe('MONTH_LOCKED');
    expect(answer.conflicts).toEqual([expect.objectContaining({ id: edit.id, code: '' })]);

    const after = await stored('sg-a', before.id);
    expect(after?.rev).toBe(rev);
    expect(after?.doc).toMatchObject({ code: '' });
    await server.store.remove(orgDbName(ORG_ID), lockId('sg-a', '2026-09'));
  });

  it('[PR5] refusals are recorded once for the admin, with who, device and why', async () => {
    const mark = markDoc('sg-a', '2026-09-28', 'learner-late', 'Б', 5000);
    await pushAs(teacherA, 'marks', [mark]);
    await pushAs(teacherA, 'marks', [mark]);
    const refusals = await server.store.find(`otm_audit_${ORG_ID}`, {
      type: 'refusal',
      docId: mark.id,
    });
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({
      userId: 'teacher-a-user',
      deviceId: 'tablet-7',
      code: 'LEARNER_NOT_ENROLLED',
    });
  });

  it('[CR4] pushing the same rows twice changes nothing and revisions stop growing', async () => {
    const rows = [
      markDoc('sg-a', '2026-09-09', 'learner-kid', 'Н', 4000),
      markDoc('sg-a', '2026-09-09', 'learner-other', '', 4000),
    ];
    await pushAs(teacherA, 'marks', rows);
    const revs = await Promise.all(rows.map((r) => stored('sg-a', r.id).then((s) => s?.rev)));

    const again = await pushAs(teacherA, 'marks', rows);
    expect(again).toEqual({ conflicts: [], refused: [] });
    const revsAfter = await Promise.all(rows.map((r) => stored('sg-a', r.id).then((s) => s?.rev)));
    expect(revsAfter).toEqual(revs);

    const audit = await readAudit(server.store, ORG_ID, { docId: rows[0]!.id });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ field: 'code', new: 'Н', device: 'dev-1', offline: false });
  });

  it('the audit reads batches of both stored forms: JSON text and the earlier entries array', async () => {
    const row = markDoc('sg-a', '2026-09-30', 'learner-kid', 'Б', 4100);
    await pushAs(teacherA, 'marks', [row]);
    const [pushed] = await readAudit(server.store, ORG_ID, { docId: row.id });
    // A later edit Б → Н recorded by an earlier version, as an array, and in the journal.
    const later = {
      ...pushed!,
      id: `${pushed!.id}:later`,
      old: 'Б',
      new: 'Н',
      receivedAt: pushed!.receivedAt + 1,
    };
    await server.store.putMany(`otm_audit_${ORG_ID}`, [
      {
        id: 'audit:sg-a:1:earlier',
        type: 'audit-batch',
        orgId: ORG_ID,
        subgroupId: 'sg-a',
        receivedAt: later.receivedAt,
        entries: [later],
      },
    ]);
    await server.store.update(subgroupDbName('sg-a'), row.id, (doc) => ({ ...doc!, code: 'Н' }));

    const audit = await readAudit(server.store, ORG_ID, { docId: row.id });
    expect(audit.map((e) => [e.old, e.new, e.id === later.id])).toEqual([
      [null, 'Б', false],
      ['Б', 'Н', true],
    ]);
  });

  it('the audit leaves out edits that never reached the journal (a push killed between its writes)', async () => {
    const docId = 'mark:sg-b:phantom';
    const entry = (n: number, old: string, value: string, receivedAt: number): AuditEntry => ({
      id: `${docId}:code:${n}:tablet-p`,
      type: 'audit',
      orgId: ORG_ID,
      subgroupId: 'sg-b',
      docId,
      field: 'code',
      old,
      new: value,
      by: 'teacher-b-user',
      device: 'tablet-p',
      editedAt: n,
      receivedAt,
      offline: false,
    });
    // «УП» was audited but its journal write never landed; the device then pushed «О» over «Б».
    const phantom = entry(8001, 'Б', 'УП', 8100);
    const stored = entry(8002, 'Б', 'О', 8200);
    // And a last edit that is not what the journal holds now.
    const lastPhantom = entry(8003, 'О', 'Н', 8300);
    await server.store.putMany(subgroupDbName('sg-b'), [{ id: docId, type: 'mark', code: 'О' }]);
    await server.store.putMany(`otm_audit_${ORG_ID}`, [
      ...(auditBatches([phantom], 8100) as never[]),
      ...(auditBatches([stored], 8200) as never[]),
      ...(auditBatches([lastPhantom], 8300) as never[]),
    ]);

    expect(await readAudit(server.store, ORG_ID, { docId })).toEqual([stored]);
  });

  it('an audit batch gives back each entry as recorded: authors, devices, old values, offline', async () => {
    const entry = (n: number, over: Partial<AuditEntry>): AuditEntry => ({
      id: '',
      type: 'audit',
      orgId: ORG_ID,
      subgroupId: 'sg-b',
      docId: `mark:sg-b:audit-${n}`,
      field: 'code',
      old: null,
      new: 'Н',
      by: 'teacher-a-user',
      device: 'tablet-1',
      editedAt: 1000 + n,
      receivedAt: 5000,
      offline: false,
      ...over,
    });
    const entries = [
      entry(1, {}),
      entry(2, { by: 'teacher-b-user', device: 'phone-2', old: '', offline: true }),
      entry(3, { old: 'Б', new: null }),
    ].map((e) => ({ ...e, id: `${e.docId}:${e.field}:${e.editedAt}:${e.device}` }));
    await server.store.putMany(`otm_audit_${ORG_ID}`, auditBatches(entries, 5000) as never[]);
    // The journal holds what the entries set (the audit lists edits that reached it).
    await server.store.putMany(
      subgroupDbName('sg-b'),
      entries.map((e) => ({ id: e.docId, type: 'mark', code: e.new }) as never),
    );

    const read = await readAudit(server.store, ORG_ID, { subgroupId: 'sg-b' });
    expect(read.filter((e) => e.docId.startsWith('mark:sg-b:audit-'))).toEqual(entries);
  });

  it('the audit names only what was written: a row that lost the revision race leaves the batch', async () => {
    const db = subgroupDbName('sg-b');
    const racing = markDoc('sg-b', '2026-09-07', 'learner-kid', 'Б', 7100);
    const fresh = markDoc('sg-b', '2026-09-07', 'learner-two', 'Н', 7100);
    // Another writer stored `racing` first: written without its revision, it conflicts.
    await server.store.putMany(db, [racing as never]);
    const audit = { orgId: ORG_ID, device: 'tablet-race', receivedAt: 7200 };

    const results = await writeAudited(
      server.store,
      db,
      [racing, fresh].map((doc) => ({ doc: doc as never, rev: undefined, before: undefined })),
      audit,
    );

    expect(results.map((r) => [r.id, r.ok])).toEqual([
      [racing.id, false],
      [fresh.id, true],
    ]);
    const read = await readAudit(server.store, ORG_ID, { subgroupId: 'sg-b' });
    const raceEntries = read.filter((e) => e.receivedAt === 7200);
    expect(raceEntries.map((e) => [e.docId, e.field, e.new])).toEqual([[fresh.id, 'code', 'Н']]);
  });

  it('the audit of a journal write that failed is withdrawn and the failure surfaces', async () => {
    const doc = markDoc('sg-b', '2026-09-07', 'learner-kid', 'Н', 7300);
    const audit = { orgId: ORG_ID, device: 'tablet-gone', receivedAt: 7400 };

    await expect(
      writeAudited(
        server.store,
        subgroupDbName('sg-no-such-database'),
        [{ doc: doc as never, rev: undefined, before: undefined }],
        audit,
      ),
    ).rejects.toThrow();

    const batches = await server.store.find(`otm_audit_${ORG_ID}`, { receivedAt: 7400 });
    expect(batches).toEqual([]);
  });

  it('an edit recorded by two batches (a push that died between its writes, sent again) is listed once', async () => {
    const entry: AuditEntry = {
      id: 'mark:sg-b:twice:code:9000:tablet-9',
      type: 'audit',
      orgId: ORG_ID,
      subgroupId: 'sg-b',
      docId: 'mark:sg-b:twice',
      field: 'code',
      old: null,
      new: 'Н',
      by: 'teacher-a-user',
      device: 'tablet-9',
      editedAt: 9000,
      receivedAt: 9100,
      offline: true,
    };
    await server.store.putMany(`otm_audit_${ORG_ID}`, [
      ...(auditBatches([entry], 9100) as never[]),
      ...(auditBatches([{ ...entry, receivedAt: 9500 }], 9500) as never[]),
    ]);
    await server.store.putMany(subgroupDbName('sg-b'), [
      { id: entry.docId, type: 'mark', code: 'Н' } as never,
    ]);

    const read = await readAudit(server.store, ORG_ID, { docId: 'mark:sg-b:twice' });
    expect(read).toEqual([entry]);
  });

  it('[CR4] batches pushed out of order end in the later edit and duplicate nothing', async () => {
    const first = markDoc('sg-a', '2026-09-14', 'learner-kid', 'Н', 6000, 'phone');
    const second = markDoc('sg-a', '2026-09-14', 'learner-kid', 'Б', 7000, 'tablet');

    await pushAs(teacherA, 'marks', [second]);
    const stale = await pushAs(teacherA, 'marks', [first]);
    // The stale row comes back with the server's state, which the device adopts.
    expect(stale.conflicts).toEqual([expect.objectContaining({ id: first.id, code: 'Б' })]);
    expect(stale.refused).toEqual([]);
    const rev = (await stored('sg-a', first.id))?.rev;

    await pushAs(teacherA, 'marks', [first, second, first]);
    const final = await stored('sg-a', first.id);
    expect(final?.doc).toMatchObject({ code: 'Б' });
    expect(final?.rev).toBe(rev);
    const all = await server.store.listByType(subgroupDbName('sg-a'), 'mark');
    expect(all.filter((m) => m.id === first.id)).toHaveLength(1);
  });

  it('[CR2] a delete wins over an older edit and comes back as a full tombstone', async () => {
    const mark = markDoc('sg-a', '2026-09-16', 'learner-kid', 'Н', 8000);
    await pushAs(teacherA, 'marks', [mark]);
    const deleted = {
      ...mark,
      _deleted: true,
      stamps: {
        ...mark.stamps,
        _deleted: { at: 9000, dev: 'dev-1', by: 'teacher-a-user', off: true },
      },
    };
    expect(await pushAs(teacherA, 'marks', [deleted])).toEqual({ conflicts: [], refused: [] });
    const old = markDoc('sg-a', '2026-09-16', 'learner-kid', 'Б', 8500);
    const answer = await pushAs(teacherA, 'marks', [old]);
    // Field by field: the later code edit is kept, but the delete (later still) wins.
    expect(answer.conflicts).toEqual([
      expect.objectContaining({ id: mark.id, _deleted: true, code: 'Б' }),
    ]);
    const s = await stored('sg-a', mark.id);
    expect(s?.deleted).toBe(true);
    expect(s?.doc).toMatchObject({ learnerId: 'learner-kid', code: 'Б', _deleted: true });
  });

  it('[PR1] teacher A cannot push into teacher B’s subgroup and does not learn its data', async () => {
    const lessonB = lessonDoc('sg-b', '2026-09-02', 1000, { homework: 'секрет Б' });
    expect((await pushAs(teacherB, 'lessons', [lessonB])).refused).toEqual([]);

    const intrusion = lessonDoc('sg-b', '2026-09-02', 99_000, { homework: 'чужая правка' });
    const answer = await pushAs(teacherA, 'lessons', [intrusion]);
    expect(answer.refused[0]?.code).toBe('NOT_TEACHER_OF_SUBGROUP');
    expect(JSON.stringify(answer)).not.toContain('секрет Б');
    expect((await stored('sg-b', lessonB.id))?.doc).toMatchObject({ homework: 'секрет Б' });
  });

  it('[CR3] a row that changes an identity field is refused', async () => {
    const mark = markDoc('sg-a', '2026-09-02', 'learner-kid', 'Н', 10_000);
    const moved = { ...mark, date: '2026-09-09' };
    const answer = await pushAs(teacherA, 'marks', [moved]);
    expect(answer.refused[0]?.code).toBe('IMMUTABLE_FIELD');
  });

  it('a malformed row is refused naming the field and never stored; the rest of the batch goes on', async () => {
    const good = markDoc('sg-a', '2026-09-21', 'learner-kid', 'Н', 11_000);
    const bad = { ...markDoc('sg-a', '2026-09-23', 'learner-kid', 'Н'), date: '2026-02-30' };
    const answer = await pushAs(teacherA, 'marks', [bad, good]);
    expect(answer.refused).toEqual([
      expect.objectContaining({ id: bad.id, code: 'VALIDATION_FAILED' }),
    ]);
    expect(answer.refused[0]?.message).toContain('rows.0.newDocumentState.date');
    expect(await stored('sg-a', bad.id)).toBeUndefined();
    expect((await stored('sg-a', good.id))?.doc).toMatchObject({ code: 'Н' });
  });

  it('roster and catalog are read-only for devices', async () => {
    const res = await call(server.url, 'POST', '/api/sync/roster/push', {
      token: teacherA,
      body: pushRows([{ id: rosterId('sg-a', 'learner-kid') }]),
    });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: { code: 'READ_ONLY_COLLECTION' } });
  });

  it('[PR3] a withdrawal or an enrolment through the admin API applies to the very next push', async () => {
    // The server keeps a subgroup's roster between pushes; the first push here fills it.
    const before = markDoc('sg-a', '2027-04-26', 'learner-kid', 'Н', 12_000);
    expect((await pushAs(teacherA, 'marks', [before])).refused).toEqual([]);
    const admin = (await login(server.url, 'admin')).accessToken;
    await server.store.putMany(`otm_private_${ORG_ID}`, [
      {
        id: 'learner-kid',
        type: 'learner',
        orgId: ORG_ID,
        parentUserId: 'parent',
        lastName: 'Смирнов',
        firstName: 'Кирилл',
        middleName: '',
        birthDate: '2017-03-01',
        createdAt: 0,
      },
    ]);
    const status = (body: object) =>
      call(server.url, 'POST', '/api/admin/applications/app-kid/status', { token: admin, body });

    expect((await status({ status: 'отчислен', date: '2027-05-01' })).status).toBe(200);
    const withdrawn = markDoc('sg-a', '2027-05-05', 'learner-kid', 'Н', 12_001);
    expect((await pushAs(teacherA, 'marks', [withdrawn])).refused).toEqual([
      expect.objectContaining({ id: withdrawn.id, code: 'LEARNER_NOT_ENROLLED' }),
    ]);

    expect((await status({ status: 'обучается', date: '2027-05-10' })).status).toBe(200);
    const back = markDoc('sg-a', '2027-05-12', 'learner-kid', 'Н', 12_002);
    expect((await pushAs(teacherA, 'marks', [back])).refused).toEqual([]);
  });

  it('[PR6] an edit signed as another user, or stamped years ahead, is refused and stores nothing', async () => {
    const forged = markDoc('sg-a', '2027-04-28', 'learner-kid', 'Н', Date.now());
    for (const stamp of Object.values(forged.stamps)) stamp.by = 'admin';
    const ahead = markDoc(
      'sg-a',
      '2027-04-26',
      'learner-other',
      'Б',
      Date.now() + 10 * 365 * 86_400_000,
    );

    const answer = await pushAs(teacherA, 'marks', [forged, ahead]);
    expect(answer.refused.map((r) => [r.id, r.code])).toEqual([
      [forged.id, 'STAMP_REFUSED'],
      [ahead.id, 'STAMP_REFUSED'],
    ]);
    expect(answer.refused[1]?.message).toMatch(/Часы устройства/);
    expect(await stored('sg-a', forged.id)).toBeUndefined();
    expect(await stored('sg-a', ahead.id)).toBeUndefined();
  });

  it('[PR7] a code the org does not have, or a grade where the programme has none, is refused', async () => {
    const unknown = { ...markDoc('sg-a', '2027-04-21', 'learner-kid', 'XYZ', 13_000) };
    const graded = { ...markDoc('sg-a', '2027-04-21', 'learner-other', 'Н', 13_000), grade: '5' };
    const answer = await pushAs(teacherA, 'marks', [unknown, graded]);
    expect(answer.refused.map((r) => [r.id, r.code])).toEqual([
      [unknown.id, 'VALIDATION_FAILED'],
      [graded.id, 'VALIDATION_FAILED'],
    ]);
    expect(answer.refused.map((r) => r.message)).toEqual([
      'Неизвестная отметка посещаемости «XYZ».',
      'В этой программе оценки не ставятся.',
    ]);
    expect(await stored('sg-a', unknown.id)).toBeUndefined();
  });

  it('[PR9] a lesson cancelled without a reason is refused and nothing is stored', async () => {
    const bare = lessonDoc('sg-a', '2026-09-07', 15_000, { status: 'cancelled' });
    const answer = await pushAs(teacherA, 'lessons', [bare]);
    expect(answer.refused).toEqual([
      expect.objectContaining({
        id: bare.id,
        code: 'VALIDATION_FAILED',
        message: 'Укажите причину отменённого занятия.',
      }),
    ]);
    expect(await stored('sg-a', bare.id)).toBeUndefined();

    const reasoned = { ...bare, statusReason: 'Карантин' };
    expect((await pushAs(teacherA, 'lessons', [reasoned])).refused).toEqual([]);
    expect((await stored('sg-a', bare.id))?.doc).toMatchObject({ status: 'cancelled' });
  });

  it('[PR8] a topic planned outside the subgroup’s study period is refused, with the server’s state', async () => {
    const s = { at: 14_000, dev: 'dev-1', by: 'teacher-a-user', off: false };
    const topic = (id: string, plannedDate: string | null) => ({
      id: `topic:sg-a:${id}`,
      type: 'topic',
      orgId: ORG_ID,
      subgroupId: 'sg-a',
      order: 1,
      section: '',
      title: 'Введение',
      hours: 2,
      form: '',
      control: '',
      plannedDate,
      stamps: { order: s, section: s, title: s, hours: s, form: s, control: s, plannedDate: s },
    });
    const ancient = topic('t1900', '1900-09-01');
    const planned = topic('t2026', '2026-09-07');
    const answer = await pushAs(teacherA, 'topics', [ancient, planned]);
    expect(answer.refused).toEqual([
      expect.objectContaining({
        id: ancient.id,
        code: 'VALIDATION_FAILED',
        message: 'Плановая дата 01.09.1900 вне учебного периода подгруппы (01.09.2026–31.05.2027).',
      }),
    ]);
    expect(await stored('sg-a', ancient.id)).toBeUndefined();
    expect((await stored('sg-a', planned.id))?.doc).toMatchObject({ plannedDate: '2026-09-07' });
  });
});
