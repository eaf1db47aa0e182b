import type { Mark, Topic } from '@otmetka/shared';
import { markId } from '@otmetka/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { Ack, OtmetkaDb } from '../src/db/database.ts';
import { closeDb, flushBookkeeping, mergeInto, openDb } from '../src/db/database.ts';
import {
  addNotice,
  addTopic,
  deleteTopic,
  markAllPresent,
  moveTopic,
  redoNotice,
  setMark,
  updateLesson,
  updateTopic,
  writeJournalDoc,
} from '../src/db/repo.ts';
import { slotOn } from './teacher-fixture.ts';

/** The repository writes on a real IndexedDB (fake-indexeddb), one database per test. */

const opened: OtmetkaDb[] = [];
let n = 0;

async function open(name = `repo-${++n}`, offline = false): Promise<OtmetkaDb> {
  const db = await openDb({
    name,
    user: { id: 'teacher-user', orgId: 'org-1' },
    multiInstance: false,
    isOffline: () => offline,
  });
  opened.push(db);
  return db;
}

afterEach(async () => {
  for (const db of opened.splice(0)) if (!db.rx.closed) await closeDb(db);
});

const slot = slotOn('2026-09-02');

async function mark(db: OtmetkaDb, learnerId: string) {
  const doc = await db.rx.collections.marks.findOne(markId(slot.lessonId, learnerId)).exec();
  return doc?.toJSON();
}

describe('journal writes', () => {
  it('[CR1] one tap writes one stamped mark document and the lesson as held', async () => {
    const db = await open(undefined, true);
    await setMark(db, slot, 'kid-1', { code: 'Н' });

    const saved = await mark(db, 'kid-1');
    expect(saved).toMatchObject({ code: 'Н', lessonId: slot.lessonId, date: '2026-09-02' });
    expect(saved?.stamps.code).toMatchObject({ dev: db.deviceId, by: 'teacher-user', off: true });
    // Only the field the teacher set is stamped: defaults never beat another device's edit.
    expect(Object.keys(saved?.stamps ?? {})).toEqual(['code']);

    const lesson = await db.rx.collections.lessons.findOne(slot.lessonId).exec();
    expect(lesson?.toJSON()).toMatchObject({ status: 'held', topicTitle: '' });
    expect(Object.keys(lesson?.toJSON().stamps ?? {})).toEqual(['status']);
    expect(await db.rx.collections.marks.count().exec()).toBe(1);
  });

  it('[LS7] a tap on a lesson planned ahead (its topic set before the day) makes it held; a cancelled one stays cancelled', async () => {
    const db = await open();
    await updateLesson(db, slot, { topicTitle: 'Зубчатые передачи' });
    await setMark(db, slot, 'kid-1', { code: '' });
    const lesson = await db.rx.collections.lessons.findOne(slot.lessonId).exec();
    expect(lesson?.toJSON()).toMatchObject({ status: 'held', topicTitle: 'Зубчатые передачи' });

    const other = slotOn('2026-09-07');
    await updateLesson(db, other, { status: 'cancelled', statusReason: 'Болезнь педагога' });
    await setMark(db, other, 'kid-1', { code: 'Н' });
    const cancelled = await db.rx.collections.lessons.findOne(other.lessonId).exec();
    expect(cancelled?.toJSON()).toMatchObject({ status: 'cancelled' });
  });

  it('[CR1] later taps on the same learner update the same document with later stamps', async () => {
    const db = await open();
    await setMark(db, slot, 'kid-1', { code: '' });
    const first = (await mark(db, 'kid-1'))?.stamps.code?.at ?? 0;
    await setMark(db, slot, 'kid-1', { code: 'Б' });
    const second = await mark(db, 'kid-1');
    expect(second?.code).toBe('Б');
    expect(second?.stamps.code?.at).toBeGreaterThan(first);
    expect(await db.rx.collections.marks.count().exec()).toBe(1);
  });

  it('«Все присутствуют» marks only learners without a mark: a reopened register keeps saved marks', async () => {
    const db = await open();
    await setMark(db, slot, 'kid-1', { code: 'Б' });
    const written = await markAllPresent(db, slot, ['kid-1', 'kid-2', 'kid-3']);
    expect(written).toBe(2);
    expect((await mark(db, 'kid-1'))?.code).toBe('Б');
    expect((await mark(db, 'kid-2'))?.code).toBe('');
    expect((await mark(db, 'kid-2'))?.stamps.code).toBeDefined();

    // Pressing it again on the reopened register writes nothing at all.
    const before = db.pending.get(markId(slot.lessonId, 'kid-2'))?.at;
    expect(await markAllPresent(db, slot, ['kid-1', 'kid-2', 'kid-3'])).toBe(0);
    expect(db.pending.get(markId(slot.lessonId, 'kid-2'))?.at).toBe(before);
  });

  it('[LS8] a code tapped while «Все присутствуют» is being written stands', async () => {
    const db = await open();
    const learners = ['kid-1', 'kid-2', 'kid-3', 'kid-4', 'kid-5'];
    // The teacher taps «Все присутствуют» and, before it has finished, marks the last learner
    // absent (on a slow tablet the button took seconds, one mark after another).
    const all = markAllPresent(db, slot, learners);
    await setMark(db, slot, 'kid-5', { code: 'Н' });
    await all;

    expect((await mark(db, 'kid-5'))?.code).toBe('Н');
    for (const kid of learners.slice(0, 4)) expect((await mark(db, kid))?.code).toBe('');
    expect(await db.rx.collections.marks.count().exec()).toBe(5);
    expect(db.pendingCount.value).toBe(6);
  });

  it('[LS8] «Все присутствуют» writes a refused mark again over its tombstone, with later stamps', async () => {
    const db = await open();
    await setMark(db, slot, 'kid-1', { code: 'Б' });
    // A refused insert comes back as a tombstone (PR5): the register shows the learner unmarked.
    const refused = await writeJournalDoc<Mark>(
      db,
      'marks',
      markId(slot.lessonId, 'kid-1'),
      () => {
        throw new Error('the mark exists');
      },
      { _deleted: true },
    );
    expect(await mark(db, 'kid-1')).toBeUndefined();

    expect(await markAllPresent(db, slot, ['kid-1', 'kid-2'])).toBe(2);
    const again = await mark(db, 'kid-1');
    expect(again?.code).toBe('');
    expect(again?.stamps._deleted?.at).toBeGreaterThan(refused.stamps._deleted?.at ?? 0);
    expect(again?.stamps.code?.at).toBeGreaterThan(refused.stamps.code?.at ?? 0);
    expect((await mark(db, 'kid-2'))?.code).toBe('');
  });

  it('a patch that changes nothing writes nothing and adds no pending change', async () => {
    const db = await open();
    await updateLesson(db, slot, { homework: 'стр. 5' });
    const rev = (await db.rx.collections.lessons.findOne(slot.lessonId).exec())?.revision;
    await updateLesson(db, slot, { homework: 'стр. 5' });
    expect((await db.rx.collections.lessons.findOne(slot.lessonId).exec())?.revision).toBe(rev);
    expect(db.pendingCount.value).toBe(1);
  });

  it('[SY4] taps at once on a planned lesson leave no pending entry the documents do not carry', async () => {
    const db = await open();
    await updateLesson(db, slot, { homework: 'стр. 5' });
    // Every tap marks the lesson held; all but the first find it held when their write runs.
    await Promise.all([
      setMark(db, slot, 'kid-1', { code: 'Н' }),
      setMark(db, slot, 'kid-2', { code: 'Б' }),
      setMark(db, slot, 'kid-3', { code: 'У' }),
    ]);

    for (const [id, { collection, at }] of db.pending) {
      const doc = await db.rx.collections[collection].findOne(id).exec();
      const stamps = Object.values(doc?.toJSON().stamps ?? {}) as { at: number }[];
      expect(
        stamps.map((s) => s.at),
        id,
      ).toContain(at);
    }
    expect(db.pending.size).toBe(4);
  });

  it('[CR2] a deleted topic edited again comes back with a later stamp on _deleted', async () => {
    const db = await open();
    const topic = await addTopic(
      db,
      'sg-1',
      { section: '', title: 'Введение', hours: 2, form: '', control: '', plannedDate: null },
      1,
    );
    const deleted = await deleteTopic(db, topic);
    expect(await db.rx.collections.topics.findOne(topic.id).exec()).toBeNull();

    const back = await updateTopic(db, deleted as Topic, { title: 'Введение (повтор)' });
    expect(back._deleted).toBe(false);
    expect(back.stamps._deleted?.at).toBeGreaterThan(deleted.stamps._deleted?.at ?? 0);
    expect((await db.rx.collections.topics.findOne(topic.id).exec())?.title).toBe(
      'Введение (повтор)',
    );
  });

  it('[CR9][NT2] «Повторить» of a refused deletion while the copy is deleted still waits', async () => {
    const db = await open();
    const fields = { section: '', title: 'Введение', hours: 2, form: '', control: '' };
    const topic = await addTopic(db, 'sg-1', { ...fields, plannedDate: null }, 1);
    const deleted = await deleteTopic(db, topic);
    await addNotice(db, {
      kind: 'refused',
      source: 'topics',
      docId: topic.id,
      code: 'MONTH_LOCKED',
      message: 'Месяц закрыт',
      attempted: { ...deleted, _deleted: true } as unknown as Record<string, unknown>,
      lostFields: [],
      at: 500,
    });
    const [notice] = await db.rx.collections.notices.find().exec();
    await redoNotice(db, notice!.toJSON() as never);

    expect(await db.rx.collections.topics.findOne(topic.id).exec()).toBeNull();
    const after = await db.rx.collections.notices.findOne(notice!.id).exec();
    expect(after?.dismissed).toBe(false);
  });

  it('[TP1] moving a topic up swaps the order of two topics', async () => {
    const db = await open();
    const base = { section: '', hours: 1, form: '', control: '', plannedDate: null };
    const first = await addTopic(db, 'sg-1', { ...base, title: 'Первая' }, 1);
    const second = await addTopic(db, 'sg-1', { ...base, title: 'Вторая' }, 2);
    await moveTopic(db, [first, second], 1, -1);
    const docs = await db.rx.collections.topics
      .find({ selector: { subgroupId: 'sg-1' }, sort: [{ order: 'asc' }] })
      .exec();
    expect(docs.map((d) => d.title)).toEqual(['Вторая', 'Первая']);
  });

  it('the device id, the clock and the pending set survive closing the database', async () => {
    const name = `repo-persist-${++n}`;
    const db = await open(name);
    await setMark(db, slot, 'kid-1', { code: 'Н' });
    const { deviceId } = db;
    const last = db.clock.last;
    await flushBookkeeping(db);
    await closeDb(db);

    const again = await open(name);
    expect(again.deviceId).toBe(deviceId);
    expect(again.clock.last).toBe(last);
    expect([...again.pending.keys()].sort()).toEqual(
      [markId(slot.lessonId, 'kid-1'), slot.lessonId].sort(),
    );
    expect(again.pendingCount.value).toBe(2);
    expect((await mark(again, 'kid-1'))?.code).toBe('Н');
  });
});

describe('unsent-changes bookkeeping shared by tabs', () => {
  it('counts entries of both tabs once and drops those another tab got acknowledged', () => {
    const mine = {
      pending: new Map([
        ['mark:a', { collection: 'marks' as const, at: 10 }],
        ['mark:b', { collection: 'marks' as const, at: 20 }],
      ]),
      acked: new Map<string, Ack>(),
    };
    mergeInto(mine, {
      entries: [
        ['mark:b', 'marks', 15],
        ['lesson:c', 'lessons', 30],
      ],
      acked: [['mark:a', 1000, 10]],
    });
    expect([...mine.pending.keys()].sort()).toEqual(['lesson:c', 'mark:b']);
    expect(mine.pending.get('mark:b')?.at).toBe(20);

    // An acknowledgement of an older version leaves a newer pending edit pending.
    mergeInto(mine, { entries: [], acked: [['mark:b', 1001, 15]] });
    expect(mine.pending.has('mark:b')).toBe(true);
    mergeInto(mine, { entries: [], acked: [['mark:b', 1002, 20]] });
    expect(mine.pending.has('mark:b')).toBe(false);
  });
});

describe('notices of one document', () => {
  /** A notice of the mark of kid-1, as the sync layer writes it: the attempt at its stamp. */
  function lostMark(db: OtmetkaDb, code: string, at: number) {
    const id = markId(slot.lessonId, 'kid-1');
    const stamp = { at, dev: db.deviceId, by: 'teacher-user', off: true, prev: null };
    return addNotice(db, {
      kind: 'lost',
      source: 'marks',
      docId: id,
      code: 'CONFLICT',
      message: 'Ваше изменение перекрыто более поздним изменением с другого устройства.',
      attempted: {
        id,
        type: 'mark',
        learnerId: 'kid-1',
        date: slot.date,
        code,
        stamps: { code: stamp },
      },
      lostFields: [{ field: 'code', mine: code, theirs: 'Б' }],
      at,
    });
  }

  async function openCodes(db: OtmetkaDb): Promise<string[]> {
    const docs = await db.rx.collections.notices.find({ selector: { dismissed: false } }).exec();
    return docs.map((d) => (d.attempted as { code: string }).code);
  }

  it('[NT3] an edit lost twice (the retried first push, then the last tap) is one notice, whichever answer comes first', async () => {
    const db = await open();
    await lostMark(db, '', 100);
    await lostMark(db, 'Н', 200);
    expect(await openCodes(db)).toEqual(['Н']);

    const reversed = await open();
    await lostMark(reversed, 'Н', 200);
    await lostMark(reversed, '', 100);
    expect(await openCodes(reversed)).toEqual(['Н']);
  });

  it('[NT3] the two answers handled at once still leave one notice', async () => {
    const db = await open();
    await Promise.all([lostMark(db, '', 100), lostMark(db, 'Н', 200)]);
    expect(await openCodes(db)).toEqual(['Н']);
  });

  it('[NT3] one edit reported lost twice (push answer, then pull) keeps every field either named', async () => {
    const db = await open();
    const id = 'topic:sg-1:t-lost';
    const stamp = { at: 300, dev: db.deviceId, by: 'teacher-user', off: true, prev: null };
    const lost = (field: string, mine: unknown, theirs: unknown) =>
      addNotice(db, {
        kind: 'lost',
        source: 'topics',
        docId: id,
        code: 'CONFLICT',
        message: 'Ваше изменение перекрыто более поздним изменением с другого устройства.',
        attempted: { id, type: 'topic', title: 'Ёлочка', stamps: { title: stamp } },
        lostFields: [{ field, mine, theirs }],
        at: 300,
      });
    await lost('title', 'Ёлочка', 'Ель');
    await lost('_deleted', false, true);

    const notices = await db.rx.collections.notices.find({ selector: { docId: id } }).exec();
    expect(notices).toHaveLength(1);
    expect(notices[0]!.dismissed).toBe(false);
    expect(notices[0]!.lostFields.map((l) => l.field).sort()).toEqual(['_deleted', 'title']);
  });

  it('[NT3] an edit lost again in another field keeps both notices', async () => {
    const db = await open();
    await lostMark(db, 'Н', 100);
    const id = markId(slot.lessonId, 'kid-1');
    const stamp = { at: 200, dev: db.deviceId, by: 'teacher-user', off: true, prev: null };
    await addNotice(db, {
      kind: 'lost',
      source: 'marks',
      docId: id,
      code: 'CONFLICT',
      message: 'Ваше изменение перекрыто более поздним изменением с другого устройства.',
      attempted: { id, type: 'mark', code: 'Н', note: 'опоздал', stamps: { note: stamp } },
      lostFields: [{ field: 'note', mine: 'опоздал', theirs: '' }],
      at: 200,
    });
    expect(await openCodes(db)).toEqual(['Н', 'Н']);
  });
});
