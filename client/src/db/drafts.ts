import type { Lesson, LessonSlot } from '@otmetka/shared';
import type { OtmetkaDb } from './database.ts';
import { addNotice, updateLesson } from './repo.ts';

/**
 * Drafts of a lesson's text fields (TX2): what the teacher typed and IndexedDB does not hold
 * yet, kept in localStorage at every keystroke. A write to IndexedDB is asynchronous and a
 * page torn down (a reload, the tab closed, the tablet killing the browser) drops the one the
 * `pagehide` flush started; localStorage is written before the keystroke's handler returns.
 * A draft is removed once the write of its text resolved; the drafts a page left behind are
 * written into the journal at the next start, through updateLesson, as an edit stamped at its
 * last keystroke that syncs like any other. Keyed by user, lesson and field: a shared tablet replays
 * only the signed-in teacher's drafts, and a teacher's sign-out removes them.
 */

export type LessonTextField = 'topicTitle' | 'homework' | 'remark';

interface Draft {
  /** The lesson's slot: a draft of a lesson never written before creates its document. */
  slot: LessonSlot;
  field: LessonTextField;
  value: string;
  /** The stored value the typing started from, or the last one stored while typing went on. */
  base: string;
  /** The stamp time (`at`) the edit would have had at the last keystroke. */
  at: number;
}

/** The part of localStorage drafts use; a test passes its own. */
export interface DraftStorage {
  readonly length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** What a text field tells its draft: each keystroke, and each save that reached IndexedDB. */
export interface TextDraft {
  keep(value: string, base: string): void;
  saved(value: string): void;
}

const PREFIX = 'otmetka.draft:';

function browserStorage(): DraftStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    // Storage disabled (some private modes): the field still saves as before, without drafts.
    return null;
  }
}

function userPrefix(userId: string): string {
  return `${PREFIX}${encodeURIComponent(userId)}:`;
}

function draftKey(userId: string, lessonId: string, field: LessonTextField): string {
  return `${userPrefix(userId)}${lessonId}:${field}`;
}

function read(storage: DraftStorage, key: string): Draft | null {
  try {
    const draft = JSON.parse(storage.getItem(key) ?? 'null') as Draft | null;
    const valid =
      typeof draft?.value === 'string' &&
      typeof draft.base === 'string' &&
      typeof draft.at === 'number' &&
      typeof draft.slot?.lessonId === 'string' &&
      ['topicTitle', 'homework', 'remark'].includes(draft.field);
    return valid ? draft : null;
  } catch {
    return null;
  }
}

/** A full or disabled storage must not break typing: the field saves as it did without drafts. */
function write(storage: DraftStorage, key: string, draft: Draft): void {
  try {
    storage.setItem(key, JSON.stringify(draft));
  } catch (err) {
    console.warn('draft not kept', err);
  }
}

/** The draft of one text field of one lesson, for the signed-in teacher. */
export function lessonTextDraft(
  db: OtmetkaDb,
  slot: LessonSlot,
  field: LessonTextField,
  storage = browserStorage(),
): TextDraft | undefined {
  if (!storage) return undefined;
  const key = draftKey(db.user.id, slot.lessonId, field);
  return {
    keep(value, base) {
      // The hybrid clock's next stamp, without taking it: later than every edit stored here.
      const at = Math.max(db.now(), db.clock.last + 1);
      write(storage, key, { slot, field, value, base, at });
    },
    saved(value) {
      const draft = read(storage, key);
      if (!draft) return;
      if (draft.value === value) storage.removeItem(key);
      // Typed on while it was being saved: the newer text stays a draft over what is stored.
      else write(storage, key, { ...draft, base: value });
    },
  };
}

function keysOf(storage: DraftStorage, prefix: string): string[] {
  const keys: string[] = [];
  for (let i = 0; i < storage.length; i++) {
    const key = storage.key(i);
    if (key?.startsWith(prefix)) keys.push(key);
  }
  return keys;
}

/**
 * Writes the drafts a page left behind into the journal of the signed-in teacher (`db.user`),
 * as edits stamped at their last keystroke. A draft is written when the stored value is still the one the typing
 * started from, or was stored by an edit older than the last keystroke (the draft, had it
 * been saved, would have won it, CR1). A draft whose field holds a newer edit (another tab,
 * another device) does not overwrite it: it goes to «Требуют внимания» as a lost edit, to be
 * redone or dismissed. A draft that cannot be written now stays for the next start. Returns
 * how many drafts were written.
 */
export async function replayDrafts(db: OtmetkaDb, storage = browserStorage()): Promise<number> {
  if (!storage) return 0;
  let written = 0;
  for (const key of keysOf(storage, userPrefix(db.user.id))) {
    const draft = read(storage, key);
    if (!draft) {
      storage.removeItem(key);
      continue;
    }
    try {
      if (await replayOne(db, draft)) written++;
      storage.removeItem(key);
    } catch (err) {
      console.warn('draft not written; kept for the next start', err);
    }
  }
  return written;
}

async function replayOne(db: OtmetkaDb, draft: Draft): Promise<boolean> {
  const { slot, field, value } = draft;
  const found = await db.rx.collections.lessons.findOne(slot.lessonId).exec();
  const lesson = found?.toJSON() as Lesson | undefined;
  const stored = lesson?.[field] ?? '';
  if (stored === value) return false;

  const stamp = lesson?.stamps[field];
  if (!lesson || stored === draft.base || !stamp || stamp.at < draft.at) {
    // Stamped at the last keystroke: an edit made elsewhere after it still wins (CR1).
    await updateLesson(db, slot, { [field]: value }, draft.at);
    return true;
  }
  await addNotice(db, {
    kind: 'lost',
    source: 'lessons',
    docId: slot.lessonId,
    code: 'CONFLICT',
    message: 'Текст, не сохранённый до закрытия страницы, не записан: поле позже изменено ещё раз.',
    attempted: { ...lesson, [field]: value } as unknown as Record<string, unknown>,
    lostFields: [{ field, mine: value, theirs: stored }],
    at: draft.at,
  });
  return false;
}

/** Removes every draft of a user: their journal leaves the device at sign-out. */
export function clearDrafts(userId: string, storage = browserStorage()): void {
  if (!storage) return;
  for (const key of keysOf(storage, userPrefix(userId))) storage.removeItem(key);
}
