import { afterEach, describe, expect, it } from 'vitest';
import type { OtmetkaDb } from '../src/db/database.ts';
import { closeDb, openDb } from '../src/db/database.ts';
import type { DraftStorage } from '../src/db/drafts.ts';
import { clearDrafts, lessonTextDraft, replayDrafts } from '../src/db/drafts.ts';
import { updateLesson } from '../src/db/repo.ts';
import { slotOn } from './teacher-fixture.ts';

/**
 * TX2: the drafts a torn-down page left in localStorage (a Map here) and how the next start
 * writes them: through updateLesson, never over an edit of the field made after the typing.
 * The device's wall clock is the test's, so which edit is newer is decided by the test.
 */

const opened: OtmetkaDb[] = [];
let n = 0;

afterEach(async () => {
  for (const db of opened.splice(0)) await closeDb(db);
});

/** A device whose clock reads `clock.now`, signed in as `userId`. */
async function device(userId = 'teacher-user') {
  const clock = { now: Date.parse('2026-09-16T10:00:00Z') };
  const db = await openDb({
    name: `drafts-${++n}`,
    user: { id: userId, orgId: 'org-1' },
    multiInstance: false,
    isOffline: () => true,
    now: () => clock.now,
  });
  opened.push(db);
  return { db, clock };
}

function memoryDrafts(): DraftStorage & { keys(): string[] } {
  const map = new Map<string, string>();
  return {
    get length() {
      return map.size;
    },
    key: (i) => [...map.keys()][i] ?? null,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
    keys: () => [...map.keys()],
  };
}

const slot = slotOn('2026-09-16');

async function remarkOf(db: OtmetkaDb) {
  return (await db.rx.collections.lessons.findOne(slot.lessonId).exec())?.remark;
}

describe('text drafts', () => {
  it('[TX2] a draft over an edit made later (another tab) is not written; it waits in the notices', async () => {
    const { db, clock } = await device();
    const storage = memoryDrafts();
    await updateLesson(db, slot, { remark: 'Было' });

    clock.now += 1000;
    lessonTextDraft(db, slot, 'remark', storage)!.keep('Забыл тетрадь', 'Было');
    clock.now += 60_000;
    await updateLesson(db, slot, { remark: 'Исправлено позже' });

    expect(await replayDrafts(db, storage)).toBe(0);
    expect(await remarkOf(db)).toBe('Исправлено позже');
    const notices = await db.rx.collections.notices.find().exec();
    expect(notices.map((n) => n.toJSON())).toMatchObject([
      {
        kind: 'lost',
        docId: slot.lessonId,
        lostFields: [{ field: 'remark', mine: 'Забыл тетрадь', theirs: 'Исправлено позже' }],
        attempted: { remark: 'Забыл тетрадь' },
      },
    ]);
    expect(storage.keys()).toEqual([]);
  });

  it('[TX2] a draft over an edit made before the last keystroke is written: it would have won (CR1)', async () => {
    const { db, clock } = await device();
    const storage = memoryDrafts();
    // Pulled while the teacher typed: the field on screen still showed the empty remark.
    await updateLesson(db, slot, { remark: 'С другого планшета' });
    clock.now += 5000;
    lessonTextDraft(db, slot, 'remark', storage)!.keep('Моё', '');

    expect(await replayDrafts(db, storage)).toBe(1);
    expect(await remarkOf(db)).toBe('Моё');
  });

  it('[TX2] a replayed draft is stamped at its last keystroke, not when the page opens again', async () => {
    const { db, clock } = await device();
    const storage = memoryDrafts();
    const typedAt = clock.now;
    lessonTextDraft(db, slot, 'remark', storage)!.keep('Моё', '');
    clock.now += 3_600_000; // the tablet is opened again an hour later

    expect(await replayDrafts(db, storage)).toBe(1);
    const lesson = (await db.rx.collections.lessons.findOne(slot.lessonId).exec())!;
    expect(lesson.remark).toBe('Моё');
    // An edit another device made in that hour is later, and wins the merge (CR1).
    expect(lesson.stamps.remark?.at).toBe(typedAt);

    // Still after the stored edit it replaces, when that one is stamped later (a skewed clock).
    const other = lessonTextDraft(db, slot, 'homework', storage)!;
    other.keep('Задача 5', 'Задача 4');
    await updateLesson(db, slot, { homework: 'Задача 4' }, clock.now + 60_000);
    const before = (await db.rx.collections.lessons.findOne(slot.lessonId).exec())!;
    expect(await replayDrafts(db, storage)).toBe(1);
    const after = (await db.rx.collections.lessons.findOne(slot.lessonId).exec())!;
    expect(after.homework).toBe('Задача 5');
    expect(after.stamps.homework?.at).toBe(before.stamps.homework!.at + 1);
  });

  it('[TX2] a draft whose text is already stored writes nothing and goes', async () => {
    const { db } = await device();
    const storage = memoryDrafts();
    await updateLesson(db, slot, { remark: 'Сохранено' });
    const stamp = (await db.rx.collections.lessons.findOne(slot.lessonId).exec())!.stamps.remark;
    lessonTextDraft(db, slot, 'remark', storage)!.keep('Сохранено', '');

    expect(await replayDrafts(db, storage)).toBe(0);
    const after = (await db.rx.collections.lessons.findOne(slot.lessonId).exec())!;
    expect(after.stamps.remark).toEqual(stamp);
    expect(storage.keys()).toEqual([]);
  });

  it('[TX2] a save that reached IndexedDB removes the draft; text typed on stays, over what was stored', async () => {
    const { db } = await device();
    const storage = memoryDrafts();
    const draft = lessonTextDraft(db, slot, 'homework', storage)!;

    draft.keep('с. 12', '');
    draft.saved('с. 12');
    expect(storage.keys()).toEqual([]);

    draft.keep('с. 12', '');
    draft.keep('с. 12–13', '');
    draft.saved('с. 12');
    await updateLesson(db, slot, { homework: 'с. 12' });
    expect(await replayDrafts(db, storage)).toBe(1);
    expect((await db.rx.collections.lessons.findOne(slot.lessonId).exec())?.homework).toBe(
      'с. 12–13',
    );
  });

  it('[TX2] only the signed-in teacher’s drafts are written; a sign-out removes that teacher’s', async () => {
    const storage = memoryDrafts();
    const first = await device('teacher-user');
    const second = await device('teacher-2');
    lessonTextDraft(first.db, slot, 'remark', storage)!.keep('Первой', '');
    lessonTextDraft(second.db, slot, 'remark', storage)!.keep('Второй', '');

    expect(await replayDrafts(first.db, storage)).toBe(1);
    expect(await remarkOf(first.db)).toBe('Первой');
    expect(storage.keys()).toHaveLength(1);

    clearDrafts('teacher-2', storage);
    expect(storage.keys()).toEqual([]);
    expect(await replayDrafts(second.db, storage)).toBe(0);
    expect(await remarkOf(second.db)).toBeUndefined();
  });
});
