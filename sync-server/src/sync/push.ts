import type { ZodType } from 'zod';
import type { AccessUser } from '../auth/claims.ts';
import { type Doc, orgDbName, type Store, type Stored, subgroupDbName } from '../db/store.ts';
import { zodMessage } from '../http/error-handler.ts';
import { forbidden } from '../http/errors.ts';
import {
  type Calendar,
  COLLECTION_DOC_SCHEMAS,
  checkParsedJournalWrite,
  contentOf,
  defaultCalendar,
  expandSchedule,
  isSameContent,
  type JournalDoc,
  type Lesson,
  type LessonSlot,
  loadCalendar,
  type MonthLock,
  mergeDocs,
  type Org,
  type Programme,
  type PushResponse,
  type PushRow,
  type RefusedRow,
  type RosterEntry,
  type Schedule,
  SERVER_DEVICE,
  type Stamp,
  type Subgroup,
  type SyncCollection,
  scheduleId,
  type WriteContext,
} from '../shared.ts';
import { type AuditContext, recordAudit, refusalRecord, writeAudited } from './audit.ts';

/**
 * Push: validate each row with the collection's schema, check it with the shared push rules,
 * merge it with the stored version by the shared conflict rules, and write with the stored
 * revision (a 409 re-reads and re-merges). The answer lists the server state of every row whose
 * result differs from what the device sent, and the refused rows with their code. Because the
 * merge is idempotent and commutative, repeated or reordered pushes change nothing.
 */

const MAX_ATTEMPTS = 6;

export interface PushInput {
  user: AccessUser;
  collection: SyncCollection;
  rows: PushRow[];
  device: string;
  now: number;
  /** The org database's sequence, read since the request arrived (see byOrgSeq). */
  orgSeq?: Promise<string>;
}

interface Refusal {
  code: string;
  message: string;
}

/** One valid row, in push order. */
interface Item {
  index: number;
  sent: Record<string, unknown>;
  doc: JournalDoc;
  /** The device sent no assumed master state: it created the document. */
  fresh: boolean;
}

interface GroupContext {
  ctx: Omit<WriteContext, 'storedLesson'>;
  teaches: boolean;
}

interface Outcome {
  item: Item;
  refusal?: Refusal;
  /** The document the server holds for this row after the push. */
  result: Doc;
}

/**
 * What a refused row's device is told the server holds when there is nothing (it may see): the
 * attempt as a tombstone (PR5). Its field stamps stay, so the teacher's next edit of the
 * document carries the refused one and one notice tells both (NT3); its `_deleted` is the
 * server's "nothing here", not a deletion anyone made, so it has no stamp. With the attempt's
 * stamp (a re-created mark's `_deleted: false`) it was a deletion dated at the attempt, newer
 * than a version the server took later from a device with a slower clock.
 */
function tombstone(attempted: Record<string, unknown>): Doc {
  const { _deleted: _, ...stamps } = (attempted.stamps ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = { ...attempted, _deleted: true };
  if (attempted.stamps && typeof attempted.stamps === 'object') out.stamps = stamps;
  return out as Doc;
}

// Loading what the rules need

interface OrgBasics {
  org: (Org & Doc) | undefined;
  calendar: ReturnType<typeof defaultCalendar>;
  locks: MonthLock[];
  /** Subgroups read so far under this org sequence (null: none with that id). */
  subgroups: Map<string, (Subgroup & Doc) | null>;
  /** By id (scheduleId of the subgroup). */
  schedules: Map<string, Schedule & Doc>;
  /** The programmes of the subgroups read so far, by id. */
  programmes: Map<string, Programme & Doc>;
  /** Expanded schedules by subgroup id, filled on first use (they change with the basics). */
  slots: Map<string, LessonSlot[]>;
  /** Roster entries of a subgroup by learner id, with when they were read (see rosterOf). */
  rosters: Map<string, { readAt: number; byLearner: Map<string, RosterEntry> }>;
}

/** How long a roster read is trusted when the org database does not move (see rosterOf). */
const ROSTER_MAX_AGE_MS = 10_000;

/**
 * What a push's rules need from the org database: the org, the calendar and the month locks,
 * read once per change of the org database (Store.byOrgSeq), so a run of pushes costs one
 * database-info request each; subgroups and schedules are added as pushes name them. All by
 * id, none by a Mango query: a query after an admin change would first bring its index up to
 * date, which the embedded database does on the spot (about 30 ms a query).
 */
async function loadOrgBasics(
  store: Store,
  orgId: string,
  subgroupIds: string[],
  orgSeq: string,
): Promise<OrgBasics> {
  const orgDb = orgDbName(orgId);
  const load = async (): Promise<OrgBasics> => {
    const [stored, locks] = await Promise.all([
      store.liveDocs(orgDb, [orgId, 'calendar-ru']),
      store.scanPrefix(orgDb, 'lock:', undefined, 100_000),
    ]);
    const calendarDoc = stored.get('calendar-ru') as (Calendar & Doc) | undefined;
    return {
      org: stored.get(orgId) as (Org & Doc) | undefined,
      calendar: calendarDoc ? loadCalendar(calendarDoc) : defaultCalendar(),
      locks: locks.docs as unknown as MonthLock[],
      subgroups: new Map(),
      schedules: new Map(),
      programmes: new Map(),
      slots: new Map(),
      rosters: new Map(),
    };
  };
  const basics = await store.byOrgSeq(orgId, 'push-basics', load, Promise.resolve(orgSeq));

  const missing = subgroupIds.filter((id) => !basics.subgroups.has(id));
  if (missing.length > 0) {
    const docs = await store.liveDocs(orgDb, [...missing, ...missing.map(scheduleId)]);
    for (const id of missing) {
      const subgroup = docs.get(id);
      basics.subgroups.set(id, subgroup?.type === 'subgroup' ? (subgroup as Subgroup & Doc) : null);
      const schedule = docs.get(scheduleId(id));
      if (schedule) basics.schedules.set(schedule.id, schedule as Schedule & Doc);
    }
    const programmeIds = missing.flatMap((id) => {
      const programmeId = basics.subgroups.get(id)?.programmeId;
      return programmeId && !basics.programmes.has(programmeId) ? [programmeId] : [];
    });
    for (const doc of (await store.liveDocs(orgDb, programmeIds)).values()) {
      if (doc.type === 'programme') basics.programmes.set(doc.id, doc as Programme & Doc);
    }
  }
  return basics;
}

/**
 * The subgroup's roster, read whole by id range and kept with the org basics. A roster entry
 * changes only with an application's status, which writes the org database after the roster
 * (admin/applications.ts), so the org sequence that keys the basics moves after every roster
 * change; the age limit covers a process that died between those two writes.
 */
async function rosterOf(
  store: Store,
  basics: OrgBasics,
  subgroupId: string,
): Promise<Map<string, RosterEntry>> {
  const now = Date.now();
  const cached = basics.rosters.get(subgroupId);
  if (cached && now - cached.readAt < ROSTER_MAX_AGE_MS) return cached.byLearner;

  const page = await store.scanPrefix(
    subgroupDbName(subgroupId),
    `roster:${subgroupId}:`,
    undefined,
    100_000,
  );
  const byLearner = new Map<string, RosterEntry>();
  for (const doc of page.docs as unknown as RosterEntry[]) {
    if (doc._deleted !== true && doc.subgroupId === subgroupId) byLearner.set(doc.learnerId, doc);
  }
  basics.rosters.set(subgroupId, { readAt: now, byLearner });
  return byLearner;
}

function loadGroup(
  user: AccessUser,
  subgroupId: string,
  basics: OrgBasics,
  now: number,
): GroupContext {
  const subgroup = basics.subgroups.get(subgroupId) ?? undefined;
  const schedule = basics.schedules.get(scheduleId(subgroupId));
  const teaches =
    !!subgroup && user.role === 'teacher' && !!user.tid && subgroup.teacherIds.includes(user.tid);
  let slots = basics.slots.get(subgroupId) ?? [];
  if (teaches && subgroup && schedule && !basics.slots.has(subgroupId)) {
    slots = expandSchedule({ schedule, subgroup, calendar: basics.calendar });
    basics.slots.set(subgroupId, slots);
  }

  return {
    teaches,
    ctx: {
      user: { id: user.sub, role: user.role, teacherId: user.tid },
      subgroup,
      slots,
      // Filled from the same read as the documents (pushGroup).
      roster: [],
      locks: basics.locks.filter((l) => l.subgroupId === null || l.subgroupId === subgroupId),
      org: basics.org as Org,
      programme: subgroup ? basics.programmes.get(subgroup.programmeId) : undefined,
      now: new Date(now),
    },
  };
}

// Evaluating rows

/** A new lesson takes its server-owned fields from its slot (CR6). */
function normaliseNewLesson(doc: Lesson, slots: LessonSlot[]): Lesson {
  const slot = slots.find((s) => s.lessonId === doc.id);
  if (!slot) return doc;
  return {
    ...doc,
    end: slot.end,
    academicHours: slot.academicHours,
    flag: slot.holiday ? 'holiday' : null,
  };
}

function storedLessonFor(doc: JournalDoc, current: Map<string, Stored>): Lesson | undefined {
  const id = doc.type === 'mark' ? doc.lessonId : doc.type === 'lesson' ? doc.id : undefined;
  const stored = id ? current.get(id) : undefined;
  return stored && !stored.deleted ? (stored.doc as unknown as Lesson) : undefined;
}

/**
 * Applies the rows of one subgroup to `current` (the stored versions, updated in place as rows
 * merge), returning each row's outcome and the ids to write.
 */
function evaluate(items: Item[], group: GroupContext, current: Map<string, Stored>) {
  const outcomes: Outcome[] = [];
  const dirty = new Set<string>();
  const before = new Map<string, JournalDoc | undefined>();

  for (const item of items) {
    const stored = current.get(item.doc.id);
    const storedDoc = stored?.doc as JournalDoc | undefined;
    const check = checkParsedJournalWrite(
      { ...group.ctx, storedLesson: storedLessonFor(item.doc, current) },
      storedDoc,
      item.doc,
    );
    if (!check.ok) {
      // Never reveal a stored doc to someone who may not see the subgroup.
      const result = storedDoc && group.teaches ? storedDoc : tombstone(item.sent);
      outcomes.push({
        item,
        refusal: { code: check.code, message: check.message },
        result: result as Doc,
      });
      continue;
    }

    const incoming =
      !storedDoc && item.doc.type === 'lesson'
        ? normaliseNewLesson(item.doc, group.ctx.slots)
        : item.doc;
    const { merged, changed } = mergeDocs(storedDoc, incoming);
    if (changed) {
      if (!before.has(merged.id)) before.set(merged.id, storedDoc);
      current.set(merged.id, {
        doc: merged as unknown as Doc,
        rev: stored?.rev ?? '',
        deleted: merged._deleted === true,
      });
      dirty.add(merged.id);
    }
    outcomes.push({ item, result: merged as unknown as Doc });
  }
  return { outcomes, dirty, before };
}

async function pushGroup(
  store: Store,
  basics: OrgBasics,
  items: Item[],
  group: GroupContext,
  audit: AuditContext,
): Promise<Outcome[]> {
  if (!group.teaches) return evaluate(items, group, new Map()).outcomes;
  const subgroupId = group.ctx.subgroup!.id;
  const db = subgroupDbName(subgroupId);
  // A mark's lesson matters to the rules only when the lesson is off the schedule (an exception
  // the admin made): lessons on a slot are not read.
  const onSlot = new Set(group.ctx.slots.map((s) => s.lessonId));
  const ids = items.flatMap((i) =>
    i.doc.type === 'mark' && !onSlot.has(i.doc.lessonId) ? [i.doc.id, i.doc.lessonId] : [i.doc.id],
  );
  const hasMarks = items.some((i) => i.doc.type === 'mark');
  const byLearner = hasMarks ? await rosterOf(store, basics, subgroupId) : new Map();
  const roster = [
    ...new Set(items.flatMap((i) => (i.doc.type === 'mark' ? [i.doc.learnerId] : []))),
  ].flatMap((learnerId) => byLearner.get(learnerId) ?? []);
  const withRoster = { ...group, ctx: { ...group.ctx, roster } };

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    // First try: rows the device created are not read. Writing them without a revision fails
    // with 409 if they exist after all (journal deletions stay live documents, see Store), and
    // a refused one must be answered with what is stored: both go round again, reading all.
    const unread = new Set(attempt === 0 ? items.filter((i) => i.fresh).map((i) => i.doc.id) : []);
    const current = await store.getMany(
      db,
      ids.filter((id) => !unread.has(id)),
    );
    const revs = new Map([...current].map(([id, s]) => [id, s.rev]));
    const { outcomes, dirty, before } = evaluate(items, withRoster, current);
    if (outcomes.some((o) => o.refusal && unread.has(o.item.doc.id))) continue;

    const rows = [...dirty].map((id) => ({
      doc: current.get(id)!.doc,
      rev: revs.get(id),
      before: before.get(id),
    }));
    // What is written is audited with it: merged again next round, it changes nothing more.
    const results = await writeAudited(store, db, rows, audit);
    const failed = results.filter((r) => !r.ok);
    if (failed.some((r) => r.error !== 'conflict')) {
      throw new Error(`journal write failed: ${failed.map((r) => r.error).join(', ')}`);
    }
    // A concurrent writer won the revision race: re-read and merge again.
    if (failed.length > 0) continue;
    return outcomes;
  }
  throw new Error('journal write kept conflicting');
}

/**
 * PR11: lessons written under a schedule the admin has replaced since. A schedule save stores
 * the new schedule, then reads the lessons and sweeps them (admin/schedule.ts); a push that read
 * the old schedule before that save and wrote a new lesson after the sweep's read would leave it
 * on a slot that no longer exists, unflagged. So a push that wrote lessons or marks reads the
 * org sequence again: one of the two then sees the other's write. A lesson off the new schedule
 * is flagged 'off-schedule' (the teacher's input is kept, as SCH8 keeps it) and its device is
 * sent the flag. PR12: the lesson of a mark written, when it is off the schedule now stored,
 * is kept (keepLessonOfMark), whether or not the sequence moved: a push that read the new
 * schedule took the mark because its lesson was still stored, and a sweep may be about to
 * delete that lesson.
 */
async function settleOnNewSchedule(
  store: Store,
  input: PushInput,
  judged: { seq: string; basics: OrgBasics },
  written: Outcome[],
): Promise<void> {
  if (written.length === 0) return;
  const orgId = input.user.org;
  const now = await store.updateSeq(orgDbName(orgId));
  const moved = now !== judged.seq;
  const subgroupIds = [...new Set(written.map((o) => o.item.doc.subgroupId))];
  const basics = moved ? await loadOrgBasics(store, orgId, subgroupIds, now) : judged.basics;
  const slotIds = new Map(
    subgroupIds.map((id) => {
      const { slots } = loadGroup(input.user, id, basics, input.now).ctx;
      return [id, new Set(slots.map((s) => s.lessonId))];
    }),
  );

  // Lessons of live marks off the schedule, by lesson id, with their subgroup.
  const offSchedule = new Map<string, string>();
  for (const outcome of written) {
    const doc = outcome.result;
    const onSchedule = slotIds.get(outcome.item.doc.subgroupId)!;
    if (moved && doc.type === 'lesson') await flagLesson(store, outcome, onSchedule);
    if (doc.type === 'mark' && !doc._deleted && !onSchedule.has(doc.lessonId as string)) {
      offSchedule.set(doc.lessonId as string, doc.subgroupId as string);
    }
  }
  for (const [lessonId, subgroupId] of offSchedule) {
    await keepLessonOfMark(store, input, subgroupId, lessonId);
  }
}

async function flagLesson(store: Store, outcome: Outcome, slotIds: Set<string>) {
  const lesson = outcome.result as unknown as Lesson;
  if (lesson._deleted || lesson.flag === 'off-schedule' || slotIds.has(lesson.id)) return;

  const flagged = await store.update<Lesson & Doc>(
    subgroupDbName(lesson.subgroupId),
    lesson.id,
    (current) =>
      current && current.flag !== 'off-schedule' && !slotIds.has(current.id)
        ? { ...current, flag: 'off-schedule' }
        : undefined,
  );
  if (flagged) outcome.result = flagged;
}

/**
 * PR12: the lesson, off the schedule, of a mark this push wrote stays, flagged. The sweep
 * deletes only lessons without marks, and one that read no marks before this one was written
 * may have deleted it (it comes back, its deletion outdated by a newer stamp) or be about to
 * (this write gives the lesson a new revision, so the sweep's deletion conflicts and its retry
 * reads the mark). Even a lesson flagged already is written again, for that revision. A lesson
 * the teacher deleted (a device's stamp, not the sweep's) stays deleted.
 */
async function keepLessonOfMark(
  store: Store,
  input: PushInput,
  subgroupId: string,
  lessonId: string,
) {
  await store.update<Lesson & Doc>(
    subgroupDbName(subgroupId),
    lessonId,
    (current) => {
      if (!current) return undefined;
      if (!current._deleted) return { ...current, flag: 'off-schedule' };

      const deletion = current.stamps._deleted;
      if (deletion?.dev !== SERVER_DEVICE) return undefined;
      const restored: Stamp = {
        at: Math.max(input.now, deletion.at + 1),
        dev: SERVER_DEVICE,
        by: input.user.sub,
        off: false,
        prev: { at: deletion.at, dev: deletion.dev },
      };
      const { _deleted: _, ...body } = current;
      return { ...body, flag: 'off-schedule', stamps: { ...current.stamps, _deleted: restored } };
    },
    { withDeleted: true },
  );
}

// The push

function validate(input: PushInput, refusedOut: Outcome[]): Item[] {
  const schema = COLLECTION_DOC_SCHEMAS[input.collection] as ZodType;
  const items: Item[] = [];

  input.rows.forEach((row, index) => {
    const sent = row.newDocumentState;
    // The schema drops RxDB's bookkeeping (`_rev`, `_meta`, `_attachments`) with every other key
    // it does not know; `_deleted: false` stays, which the rules and the merge read as absent.
    // Failing that, without the bookkeeping (a `_deleted` that is not `true` means not deleted),
    // and saying what kind of value came (ER1).
    const parsed = schema.safeParse(sent);
    const checked = parsed.success
      ? parsed
      : schema.safeParse(contentOf(sent), { reportInput: true });
    if (checked.success) {
      items.push({ index, sent, doc: checked.data as JournalDoc, fresh: !row.assumedMasterState });
      return;
    }
    const { message } = zodMessage(checked.error, `rows.${index}.newDocumentState`);
    refusedOut.push({
      item: { index, sent, doc: sent as unknown as JournalDoc, fresh: false },
      refusal: { code: 'VALIDATION_FAILED', message },
      result: tombstone(sent),
    });
  });
  return items;
}

function groupBySubgroup(items: Item[]): Map<string, Item[]> {
  const groups = new Map<string, Item[]>();
  for (const item of items) {
    const list = groups.get(item.doc.subgroupId) ?? [];
    list.push(item);
    groups.set(item.doc.subgroupId, list);
  }
  return groups;
}

function respond(outcomes: Outcome[]): PushResponse<Doc> {
  const conflicts = new Map<string, Doc>();
  const refused: RefusedRow[] = [];
  outcomes.sort((a, b) => a.item.index - b.item.index);

  for (const { item, refusal, result } of outcomes) {
    const id = String(item.sent.id ?? '');
    if (!isSameContent(result, item.sent)) conflicts.set(id, contentOf(result) as Doc);
    else conflicts.delete(id);
    if (refusal)
      refused.push({ id, code: refusal.code, message: refusal.message, attempted: item.sent });
  }
  return { conflicts: [...conflicts.values()], refused };
}

/**
 * A malformed row is never stored; the device gets back the stored doc when there is one it may
 * see (so its copy is repaired), otherwise a tombstone of its attempt.
 */
async function repairMalformed(store: Store, user: AccessUser, outcomes: Outcome[]) {
  for (const o of outcomes) {
    const { id, subgroupId } = o.item.sent;
    if (typeof id !== 'string' || typeof subgroupId !== 'string') continue;
    if (!/^[a-z0-9][a-z0-9-]{0,47}$/.test(subgroupId)) continue;

    const subgroup = await store.get<Subgroup & Doc>(orgDbName(user.org), subgroupId);
    if (!subgroup || !user.tid || !subgroup.teacherIds.includes(user.tid)) continue;
    const stored = (await store.getMany(subgroupDbName(subgroupId), [id])).get(id);
    if (stored) o.result = stored.doc;
  }
}

export async function push(store: Store, input: PushInput): Promise<PushResponse<Doc>> {
  const outcomes: Outcome[] = [];
  const items = validate(input, outcomes);
  await repairMalformed(store, input.user, outcomes);
  const groups = groupBySubgroup(items);
  const orgSeq = await (input.orgSeq ?? store.updateSeq(orgDbName(input.user.org)));
  const basics = await loadOrgBasics(store, input.user.org, [...groups.keys()], orgSeq);
  if (!basics.org) throw forbidden('Организация не найдена');
  const audit = { orgId: input.user.org, device: input.device, receivedAt: input.now };

  const written: Outcome[] = [];
  for (const [subgroupId, groupItems] of groups) {
    const group = loadGroup(input.user, subgroupId, basics, input.now);
    const groupOutcomes = await pushGroup(store, basics, groupItems, group, audit);
    outcomes.push(...groupOutcomes);
    written.push(...groupOutcomes.filter((o) => !o.refusal));
  }
  await settleOnNewSchedule(store, input, { seq: orgSeq, basics }, written);

  const refusals: Doc[] = [];
  for (const o of outcomes) {
    if (!o.refusal) continue;
    refusals.push(
      refusalRecord({
        user: input.user,
        device: input.device,
        collection: input.collection,
        attempted: o.item.sent,
        code: o.refusal.code,
        message: o.refusal.message,
        at: input.now,
      }) as unknown as Doc,
    );
  }
  await recordAudit(store, input.user.org, refusals);
  return respond(outcomes);
}
