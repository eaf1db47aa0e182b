import type {
  ImportedTopicRow,
  JournalDoc,
  Lesson,
  LessonSlot,
  Mark,
  Stamp,
  Topic,
} from '@otmetka/shared';
import {
  compareStamps,
  isUnstampedTombstone,
  markId,
  newEntityId,
  nextStamp,
  sameStamp,
  stampEdit,
} from '@otmetka/shared';
import type { RxCollection } from 'rxdb';
import type { JournalCollectionName, OtmetkaDb } from './database.ts';
import { saveBookkeeping } from './database.ts';
import type { Notice } from './schemas.ts';

/**
 * Every write of the journal goes through these functions: one edit = one stamped document
 * write into IndexedDB, whatever the network does. Each stamps the fields it changes with the
 * device's hybrid clock (shared nextStamp + stampEdit), which the conflict rules (CR1) order.
 * Nothing here knows about replication; the sync layer pushes what changed.
 */

type Patch<D> = Partial<Omit<D, 'id' | 'type' | 'stamps'>> & { _deleted?: boolean };

/**
 * The stamp of an edit made now, or, for an edit made earlier and written only now (a replayed
 * draft, TX2), at `madeAt`: CR1 must order it by when the teacher made it. Such a stamp is
 * still after `after`, the stored stamp of the fields it changes, which it follows here.
 */
function stampNow(db: OtmetkaDb, madeAt?: { at: number; after: number }): Stamp {
  // From now on a pull may overwrite an edit of this device: it must look for lost edits.
  db.editedHere = true;
  if (!madeAt) return nextStamp(db.clock, db.deviceId, db.user.id, db.isOffline(), db.now());
  const at = Math.max(madeAt.at, madeAt.after + 1);
  db.clock.last = Math.max(db.clock.last, at);
  return { at, dev: db.deviceId, by: db.user.id, off: db.isOffline() };
}

/** The newest stored stamp time among the fields a patch changes. */
function lastStampOf(doc: JournalDoc | undefined, patch: object): number {
  const stamps = (doc?.stamps ?? {}) as Record<string, Stamp | undefined>;
  return Math.max(0, ...Object.keys(patch).map((field) => stamps[field]?.at ?? 0));
}

function isNoop<D extends object>(doc: D, patch: Patch<D>): boolean {
  return Object.entries(patch).every(
    ([k, v]) =>
      JSON.stringify((doc as Record<string, unknown>)[k] ?? null) === JSON.stringify(v ?? null),
  );
}

/** A deleted document (tombstone) keeps its stamps, which a resurrecting edit must beat (CR2). */
async function findTombstone<D extends JournalDoc>(
  coll: RxCollection<D>,
  id: string,
): Promise<D | undefined> {
  const [found] = await coll.storageInstance.findDocumentsById([id], true);
  return found ? (stripMeta(found) as unknown as D) : undefined;
}

/** A stored row as a plain journal document, without RxDB's own fields. */
function stripMeta(row: object): JournalDoc {
  const { _meta, _rev, _attachments, ...data } = row as Record<string, unknown>;
  void _meta;
  void _rev;
  void _attachments;
  return data as unknown as JournalDoc;
}

function carriesStamp(doc: JournalDoc, stamp: Stamp): boolean {
  return Object.values(doc.stamps ?? {}).some((s) => sameStamp(s, stamp));
}

function trackPending(db: OtmetkaDb, collection: JournalCollectionName, id: string, at: number) {
  db.pending.set(id, { collection, at });
  void saveBookkeeping(db);
}

/**
 * Writes a patch to one journal document, creating it from `base` when it does not exist.
 * Returns the stored document, or the existing one untouched when the patch changes nothing.
 */
export async function writeJournalDoc<D extends JournalDoc>(
  db: OtmetkaDb,
  collection: JournalCollectionName,
  id: string,
  base: () => D,
  patch: Patch<D>,
  madeAt?: number,
  restamp = false,
): Promise<D> {
  const coll = db.rx.collections[collection] as unknown as RxCollection<D>;
  const existing = await coll.findOne(id).exec();
  const stampOf = (stored?: D) =>
    stampNow(
      db,
      madeAt === undefined ? undefined : { at: madeAt, after: lastStampOf(stored, patch) },
    );

  if (existing) {
    const current = existing.toJSON() as unknown as D;
    if (isNoop(current, patch) && !restamp) return current;
    const stamp = stampOf(current);
    // The modifier runs on the stored version, which a pull or a parallel tap may have changed
    // since the read above (three taps at once each mark a planned lesson held): a patch that
    // finds nothing left to change stamps nothing, and no push will ever carry its stamp.
    let stamped = false;
    const saved = await existing.incrementalModify((data) => {
      const next = stampEdit(data as unknown as D, patch as Partial<D>, stamp, restamp);
      stamped = carriesStamp(next, stamp);
      return next as never;
    });
    if (stamped) trackPending(db, collection, id, stamp.at);
    return saved.toJSON() as unknown as D;
  }

  const tombstone = await findTombstone(coll, id);
  const stamp = stampOf(tombstone);
  const doc = newJournalDoc(base(), tombstone, patch, stamp, restamp);
  try {
    await coll.insert(doc as never);
  } catch (err) {
    // Another tab inserted the same id a moment ago: apply the patch to its version instead.
    if (
      (err as { code?: string }).code === 'CONFLICT' ||
      (err as { status?: number }).status === 409
    ) {
      return writeJournalDoc(db, collection, id, base, patch, madeAt, restamp);
    }
    throw err;
  }
  trackPending(db, collection, id, stamp.at);
  return doc;
}

/** A document as it is first written, or written again over its tombstone, with a patch. */
function newJournalDoc<D extends JournalDoc>(
  base: D,
  tombstone: D | undefined,
  patch: Patch<D>,
  stamp: Stamp,
  restamp = false,
): D {
  // A purged document's tombstone holds its identity fields only (RM2): the base fills the rest.
  const start = tombstone ? { ...base, ...tombstone } : base;
  const fullPatch = (tombstone ? { ...patch, _deleted: false } : patch) as Partial<D>;
  const data = stampEdit(start, fullPatch, stamp, restamp);
  // A field set to its default value on a new document is still an edit the rules must order.
  const stamps = { ...data.stamps };
  for (const key of Object.keys(fullPatch)) stamps[key] ??= { ...stamp, prev: null };
  return { ...data, stamps, _deleted: false } as D;
}

// Lessons

/** The lesson document of a slot, as it is created the first time the teacher writes into it. */
export function lessonBase(slot: LessonSlot, orgId: string): Lesson {
  return {
    id: slot.lessonId,
    type: 'lesson',
    orgId,
    subgroupId: slot.subgroupId,
    date: slot.date,
    start: slot.start,
    end: slot.end,
    academicHours: slot.academicHours,
    status: 'planned',
    statusReason: '',
    topicId: null,
    topicTitle: '',
    homework: '',
    remark: '',
    flag: slot.holiday ? 'holiday' : null,
    stamps: {},
  };
}

export type LessonPatch = Partial<
  Pick<Lesson, 'status' | 'statusReason' | 'topicId' | 'topicTitle' | 'homework' | 'remark'>
>;

/** `madeAt`: the edit was made then and is written only now (a replayed draft, TX2). */
export function updateLesson(
  db: OtmetkaDb,
  slot: LessonSlot,
  patch: LessonPatch,
  madeAt?: number,
): Promise<Lesson> {
  return writeJournalDoc<Lesson>(
    db,
    'lessons',
    slot.lessonId,
    () => lessonBase(slot, db.user.orgId),
    patch,
    madeAt,
  );
}

/**
 * Marking attendance means the lesson took place: a new lesson document starts as held, and so
 * does one still «по плану» because its topic or homework was planned ahead (LS7); the hours
 * delivered count held lessons only. A cancellation or move the teacher chose stays.
 */
async function ensureLessonHeld(db: OtmetkaDb, slot: LessonSlot): Promise<void> {
  const existing = await db.rx.collections.lessons.findOne(slot.lessonId).exec();
  if (!existing || existing.status === 'planned') await updateLesson(db, slot, { status: 'held' });
}

// Marks

export type MarkPatch = Partial<Pick<Mark, 'code' | 'grade' | 'note'>>;

function markBase(slot: LessonSlot, orgId: string, learnerId: string): Mark {
  return {
    id: markId(slot.lessonId, learnerId),
    type: 'mark',
    orgId,
    subgroupId: slot.subgroupId,
    lessonId: slot.lessonId,
    learnerId,
    date: slot.date,
    code: '',
    grade: null,
    note: '',
    stamps: {},
  };
}

/** One tap: sets the attendance code (and/or grade, note) of one learner on one lesson. */
export async function setMark(
  db: OtmetkaDb,
  slot: LessonSlot,
  learnerId: string,
  patch: MarkPatch,
): Promise<Mark> {
  // The mark and its lesson live in separate IndexedDB databases: written side by side, the
  // first tap of a lesson costs one write's time instead of two.
  const [mark] = await Promise.all([
    writeJournalDoc<Mark>(
      db,
      'marks',
      markId(slot.lessonId, learnerId),
      () => markBase(slot, db.user.orgId, learnerId),
      patch,
    ),
    ensureLessonHeld(db, slot),
  ]);
  return mark;
}

/**
 * «Все присутствуют»: marks present only the learners who have no mark when it writes, so a
 * reopened register never writes defaults over saved marks, and a code the teacher taps while
 * it is being written stands (LS8). The new marks go in one write: one at a time took seconds
 * on a slow tablet, and a tap in that window was overwritten with «✓». Returns how many marks
 * were written.
 */
export async function markAllPresent(
  db: OtmetkaDb,
  slot: LessonSlot,
  learnerIds: string[],
): Promise<number> {
  const coll = db.rx.collections.marks as unknown as RxCollection<Mark>;
  const ids = learnerIds.map((l) => markId(slot.lessonId, l));
  // Tombstones too (a refused mark comes back as one, PR5): written again over their stamps.
  const stored = await coll.storageInstance.findDocumentsById(ids, true);
  const byId = new Map(stored.map((d) => [d.id, stripMeta(d) as Mark]));
  const docs = learnerIds.flatMap((learnerId) => {
    const before = byId.get(markId(slot.lessonId, learnerId));
    if (before && !before._deleted) return [];
    const base = markBase(slot, db.user.orgId, learnerId);
    return [newJournalDoc(base, before, { code: '' }, stampNow(db))];
  });
  if (docs.length === 0) return 0;

  const [written] = await Promise.all([coll.bulkInsert(docs), ensureLessonHeld(db, slot)]);
  // A conflict is a mark a tap (or another tab) created meanwhile: that mark stands.
  const failed = written.error.find((e) => e.status !== 409);
  if (failed) throw new Error(`mark ${failed.documentId} not written (${failed.status})`);
  for (const doc of written.success) trackPending(db, 'marks', doc.primary, doc.stamps.code!.at);
  return written.success.length;
}

// Topics

export type TopicFields = Pick<
  Topic,
  'section' | 'title' | 'hours' | 'form' | 'control' | 'plannedDate'
>;

/**
 * TP4: a topic's own fields out of anything that has them (a stored topic, a form's state, an
 * imported row): what a write of a topic may patch. The whole document as the patch would
 * try to change `id`, which the device refuses.
 */
export function topicFieldsOf(source: TopicFields): TopicFields {
  return {
    section: source.section,
    title: source.title,
    hours: source.hours,
    form: source.form,
    control: source.control,
    plannedDate: source.plannedDate,
  };
}

/** What the teacher reads when the device refused a write: its own words, or plain Russian. */
export function writeFailure(err: unknown): string {
  const message = err instanceof Error ? err.message : '';
  return /[а-яё]/i.test(message) ? message : 'устройство не смогло записать данные';
}

function newTopicId(subgroupId: string): string {
  return `topic:${subgroupId}:${newEntityId()}`;
}

/** The order after the plan's last topic (`topics` as the plan shows them). */
export function nextTopicOrder(topics: readonly Topic[]): number {
  return (topics.at(-1)?.order ?? 0) + 1;
}

/** A new topic of the plan before the teacher's fields are written into it. */
function topicBase(db: OtmetkaDb, subgroupId: string, id: string, order: number): Topic {
  return {
    id,
    type: 'topic',
    orgId: db.user.orgId,
    subgroupId,
    order,
    section: '',
    title: '',
    hours: 0,
    form: '',
    control: '',
    plannedDate: null,
    stamps: {},
  };
}

export async function addTopic(
  db: OtmetkaDb,
  subgroupId: string,
  fields: TopicFields,
  order: number,
): Promise<Topic> {
  const id = newTopicId(subgroupId);
  const base = () => ({ ...topicBase(db, subgroupId, id, order), title: fields.title });
  return writeJournalDoc<Topic>(db, 'topics', id, base, { ...fields, order });
}

export function updateTopic(
  db: OtmetkaDb,
  topic: Topic,
  patch: Partial<TopicFields & { order: number }>,
) {
  return writeJournalDoc<Topic>(db, 'topics', topic.id, () => topic, patch);
}

export function deleteTopic(db: OtmetkaDb, topic: Topic) {
  return writeJournalDoc<Topic>(db, 'topics', topic.id, () => topic, { _deleted: true });
}

/**
 * Moves the topic at `index` of the plan as shown one place up (-1) or down (+1): the ↑/↓
 * buttons. Neighbours with distinct orders swap them (two writes). Neighbours on the same order
 * (two devices each added a topic offline after the same plan) cannot be told apart by
 * swapping, so the whole plan is numbered 1..n in its new sequence, writing only the topics
 * whose order changes.
 */
export async function moveTopic(
  db: OtmetkaDb,
  plan: Topic[],
  index: number,
  delta: -1 | 1,
): Promise<void> {
  const a = plan[index];
  const b = plan[index + delta];
  if (!a || !b) return;
  if (a.order !== b.order) {
    await updateTopic(db, a, { order: b.order });
    await updateTopic(db, b, { order: a.order });
    return;
  }
  const moved = [...plan];
  moved[index] = b;
  moved[index + delta] = a;
  for (const [i, topic] of moved.entries()) {
    if (topic.order !== i + 1) await updateTopic(db, topic, { order: i + 1 });
  }
}

/**
 * TI9: saves the rows of an imported template after the existing topics, in file order, in one
 * write (one IndexedDB transaction: a failure of the device refuses it whole). One write per
 * row took 0.1–0.15 s each on a loaded machine (a plan of 72 topics about ten seconds, with the
 * save button still live), and a tab closed meanwhile left half a plan. The new ids are
 * random, so no tombstone can stand in the way.
 */
export async function importTopics(
  db: OtmetkaDb,
  subgroupId: string,
  rows: ImportedTopicRow[],
  firstOrder: number,
): Promise<number> {
  const docs = rows.map((row, i) => {
    const order = firstOrder + i;
    const base = topicBase(db, subgroupId, newTopicId(subgroupId), order);
    const stamp = stampNow(db);
    const patch = { ...topicFieldsOf(row), order };
    return { doc: newJournalDoc(base, undefined, patch, stamp), at: stamp.at };
  });
  const written = await db.rx.collections.topics.bulkInsert(docs.map((d) => d.doc) as never[]);
  // What was written is sent, even when some rows were refused (RxDB reports them one by one).
  const stored = new Set(written.success.map((d) => d.primary));
  for (const { doc, at } of docs) {
    if (stored.has(doc.id)) trackPending(db, 'topics', doc.id, at);
  }
  if (written.error.length > 0) {
    throw new Error(`не записано тем: ${written.error.length} из ${docs.length}`);
  }
  return docs.length;
}

// Notices

/** Each database's notice writes, one after another (see addNotice). */
const noticeWrites = new WeakMap<OtmetkaDb, Promise<void>>();

/**
 * Adds a notice after the ones still being added: NT3 compares a new notice with the open ones,
 * and two answers about one document handled side by side (the retried first push and the last
 * tap) each saw the other missing, so both stayed open.
 */
export function addNotice(db: OtmetkaDb, notice: Omit<Notice, 'id' | 'dismissed'>) {
  return afterNoticeWrites(db, () => addNoticeNow(db, notice));
}

function afterNoticeWrites(db: OtmetkaDb, write: () => Promise<void>): Promise<void> {
  const previous = noticeWrites.get(db) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(write);
  noticeWrites.set(db, next);
  return next;
}

async function addNoticeNow(db: OtmetkaDb, notice: Omit<Notice, 'id' | 'dismissed'>) {
  const id = `${notice.kind}:${notice.docId}:${notice.at}`;
  const same = (await db.rx.collections.notices.findOne(id).exec())?.toJSON() as Notice | undefined;
  const merged = same ? withSameEdit(same, notice) : notice;
  const news = !same || merged.lostFields.length > same.lostFields.length;
  const stale = await settleCovered(db, merged, id);
  await db.rx.collections.notices.upsert({
    ...merged,
    id,
    // What the teacher already dismissed stays dismissed unless the edit lost something more.
    dismissed: stale || (!news && same.dismissed),
  });
}

/**
 * One edit can come back lost twice, from the push's answer and from a pull (the same id: its
 * newest stamp), each naming what it saw lost: the fields of both are kept. Replacing the
 * first notice with the second dropped a field the first had named (the soak's one lost edit:
 * a topic's title, lost to a deletion).
 */
function withSameEdit(
  same: Notice,
  notice: Omit<Notice, 'id' | 'dismissed'>,
): Omit<Notice, 'id' | 'dismissed'> {
  const fields = new Set(notice.lostFields.map((l) => l.field));
  const kept = same.lostFields.filter((l) => !fields.has(l.field));
  return { ...notice, lostFields: [...kept, ...notice.lostFields] };
}

/**
 * NT3: one document, one notice of each kind for what the teacher last did. A device offline
 * for days retries its first push of a document with the state it had then (RxDB retries the
 * same rows) and sends the newer state after it, so one document came back refused, or lost to
 * a colleague's edit, once per state: «✓» and then «Н» for one tap too many. An open notice
 * the new one covers is dismissed; a new one an open notice covers arrives dismissed. Returns
 * whether the new one is covered.
 */
async function settleCovered(db: OtmetkaDb, notice: Omit<Notice, 'id' | 'dismissed'>, id: string) {
  const open = await db.rx.collections.notices
    .find({ selector: { docId: notice.docId, kind: notice.kind, dismissed: false } })
    .exec();
  let stale = false;
  // The notice being written again is no other notice (withSameEdit merged it).
  for (const older of open.filter((n) => n.id !== id)) {
    if (covers(db.deviceId, notice, older)) await older.incrementalPatch({ dismissed: true });
    else if (covers(db.deviceId, older, notice)) stale = true;
  }
  return stale;
}

type NoticeBody = Pick<Notice, 'kind' | 'attempted' | 'lostFields'>;

/**
 * Whether `newer` holds everything `older` tells: for a refusal, each field this device edited
 * in the older attempt, edited as late or later; for a lost edit, each field it lost, lost in
 * the newer one too by an edit as late or later.
 */
function covers(deviceId: string, newer: NoticeBody, older: NoticeBody): boolean {
  const stampsOf = (n: NoticeBody) =>
    ((n.attempted as unknown as JournalDoc).stamps ?? {}) as Record<string, Stamp | undefined>;
  const [was, now] = [stampsOf(older), stampsOf(newer)];
  const later = (field: string) => compareStamps(now[field], was[field]) >= 0;
  if (older.kind === 'refused') {
    return Object.keys(was).every((f) => was[f]?.dev !== deviceId || later(f));
  }
  const lostNow = new Set(newer.lostFields.map((l) => l.field));
  return older.lostFields.every((l) => lostNow.has(l.field) && later(l.field));
}

/**
 * NT7: the open refusals of documents the server took that `landed` judges stored after all
 * (the sync layer's rule, refusalLanded) are closed. `held` are the versions the server
 * answered for the rows it took.
 */
export function settleLanded(
  db: OtmetkaDb,
  source: JournalCollectionName,
  held: JournalDoc[],
  landed: (attempted: JournalDoc, server: JournalDoc) => boolean,
) {
  return afterNoticeWrites(db, () => settleLandedNow(db, source, held, landed));
}

async function settleLandedNow(
  db: OtmetkaDb,
  source: JournalCollectionName,
  held: JournalDoc[],
  landed: (attempted: JournalDoc, server: JournalDoc) => boolean,
) {
  const byId = new Map(held.map((d) => [d.id, d]));
  if (byId.size === 0) return;
  const open = await db.rx.collections.notices
    .find({
      selector: { kind: 'refused', source, docId: { $in: [...byId.keys()] }, dismissed: false },
    })
    .exec();
  for (const notice of open) {
    const server = byId.get(notice.docId);
    if (server && landed(notice.attempted as unknown as JournalDoc, server)) {
      await notice.incrementalPatch({ dismissed: true });
    }
  }
}

export async function dismissNotice(db: OtmetkaDb, id: string): Promise<void> {
  const doc = await db.rx.collections.notices.findOne(id).exec();
  if (doc) await doc.incrementalPatch({ dismissed: true });
}

/**
 * NT2: «Повторить» writes the teacher's attempt again as a new edit (a fresh stamp) and
 * dismisses the notice; a refused edit may be refused again, and a new notice says so. Only
 * what the teacher did is written: the attempt carries every field of the document as it was
 * then, and writing the untouched ones again would silently undo whatever changed them since
 * (a colleague's edit, or a later notice of the same document redone first).
 */
export async function redoNotice(db: OtmetkaDb, notice: Notice, onto?: LessonSlot): Promise<void> {
  const attempted = notice.attempted as unknown as JournalDoc;
  const collection = notice.source as JournalCollectionName;
  const target = onto ? movedAttempt(attempted, onto, db.user.orgId) : undefined;
  const id = target?.id ?? attempted.id;
  const coll = db.rx.collections[collection] as unknown as RxCollection<JournalDoc>;
  const current = await findTombstone(coll, id);

  const patch: Record<string, unknown> = {};
  for (const field of redoFields(db.deviceId, notice, current)) {
    if (field === '_deleted') {
      if (attempted._deleted) patch._deleted = true;
    } else {
      patch[field] = (attempted as Record<string, unknown>)[field];
    }
  }
  // A deletion redone while the copy is deleted: done if the server has it deleted too; else the
  // copy still holds the refused deletion (CR9's window, before the refusal puts the server's
  // version back), which cannot be written again now (as a new edit of a tombstone it brought
  // the document back), so the notice stays for a later «Повторить».
  if (patch._deleted === true && current?._deleted) {
    const server = await db.serverVersion?.(collection, id);
    if (server?._deleted) await dismissNotice(db, notice.id);
    return;
  }
  const fresh = target ? patch : await withoutHeldValues(db, collection, attempted, current, patch);
  if (Object.keys(fresh).length > 0) {
    // A mark on the lesson it moved to says that lesson took place, as a tap there does.
    if (onto && attempted.type === 'mark') await ensureLessonHeld(db, onto);
    const base = () =>
      (target ?? ({ ...attempted, _deleted: false, stamps: {} } as JournalDoc)) as JournalDoc;
    await writeJournalDoc(db, collection, id, base, fresh as Patch<JournalDoc>, undefined, true);
  }
  await dismissNotice(db, notice.id);
}

/**
 * CR9: the fields of a redo that must be stamped anew. A field whose value the copy already
 * shows is written again only while the copy holds the refused edit itself (its stamp, which
 * the server does not hold): pushes leave that stamp out, so without a new one the redo was
 * dropped. Every other such field is the teacher's older edit carried in the attempt, which the
 * server has: stamped anew, it beat a refused edit of that field redone next («Повторить все»,
 * newest first, lost the older notice's edit without a word).
 */
async function withoutHeldValues(
  db: OtmetkaDb,
  collection: JournalCollectionName,
  attempted: JournalDoc,
  current: JournalDoc | undefined,
  patch: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  // A copy that is a tombstone shows nothing: the redo creates the document again.
  if (!current || current._deleted) return patch;
  const lookup = db.serverVersion;
  // Without the sync engine nothing tells what the server holds: the shown values stay as they are.
  const server = lookup ? await lookup(collection, current.id) : undefined;
  // The unstamped tombstone that answers a refused insert (PR5) is no version the server holds.
  const held = server && !isUnstampedTombstone(server) ? server : undefined;
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(patch)) {
    const stamp = attempted.stamps?.[field];
    const stillRefused =
      !!lookup &&
      sameStamp(current.stamps?.[field], stamp) &&
      !sameStamp(held?.stamps?.[field], stamp);
    if (!isNoop(current, { [field]: value }) || stillRefused) out[field] = value;
  }
  return out;
}

/**
 * NT4: a refused lesson or mark as a new document of the slot the schedule moved its lesson
 * to: the redo writes the teacher's fields there («Перенести на …»).
 */
function movedAttempt(doc: JournalDoc, onto: LessonSlot, orgId: string): JournalDoc {
  if (doc.type === 'lesson') return lessonBase(onto, orgId);
  if (doc.type === 'mark') return markBase(onto, orgId, doc.learnerId);
  throw new Error(`a ${doc.type} has no lesson to move to`);
}

/**
 * The fields a redo writes. A refused attempt: the fields this device edited in it, unless a
 * newer edit of the field is stored now (it would have beaten the attempt had it been taken).
 * A lost edit: the fields lost, which the redo makes win on purpose, unless the teacher has
 * changed them again here since; an edit lost to a deletion brings back the fields edited here.
 */
function redoFields(deviceId: string, notice: Notice, current: JournalDoc | undefined): string[] {
  const attempted = notice.attempted as unknown as JournalDoc;
  const stamps = (attempted.stamps ?? {}) as Record<string, Stamp | undefined>;
  const now = (current?.stamps ?? {}) as Record<string, Stamp | undefined>;
  const editedHere = Object.keys(stamps).filter((f) => stamps[f]?.dev === deviceId);

  if (notice.kind === 'refused') {
    return editedHere.filter((f) => compareStamps(now[f], stamps[f]) <= 0);
  }
  const lost = notice.lostFields.map((l) => l.field);
  const undeleted = lost.includes('_deleted') && !attempted._deleted;
  const fields = undeleted ? [...new Set([...lost, ...editedHere])] : lost;
  const changedAgainHere = (f: string) =>
    now[f]?.dev === deviceId && compareStamps(now[f], stamps[f]) > 0;
  return fields.filter((f) => !changedAgainHere(f));
}
