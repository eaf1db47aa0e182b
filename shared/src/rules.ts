import { compareStamps, isSameContent, mergeDocs } from './conflict.ts';
import { formatRuMonth } from './dates.ts';
import { isEnrolledOn, notEnrolledReason } from './enrolment.ts';
import { DomainError, type ErrorCode } from './errors.ts';
import { lessonId, markId, rosterId } from './ids.ts';
import { isMonthLocked } from './locks.ts';
import { findSlot, type LessonSlot } from './schedule.ts';
import type { MonthLock, Org, Programme, Subgroup } from './schemas/catalog.ts';
import {
  type JournalDoc,
  journalDocSchema,
  type Lesson,
  type Mark,
  type RosterEntry,
} from './schemas/journal.ts';
import type { Role } from './schemas/registry.ts';
import { IDENTITY_FIELDS } from './tombstones.ts';
import { plannedDateProblem } from './topic-dates.ts';

/**
 * The push rules (PR1–PR4, CR3) the server applies to each journal row before merging it. The
 * device may run the same check before writing, to tell the teacher at once. Messages are
 * Russian: they reach the teacher's refused-edits list as they are.
 */

/** What the server knows when it checks one pushed row. */
export interface WriteContext {
  user: { id: string; role: Role; teacherId: string | null };
  /** The doc's subgroup, from the org database. */
  subgroup: Subgroup | undefined;
  /** The expanded schedule of that subgroup. */
  slots: LessonSlot[];
  /** For lessons: the stored doc; for marks: the mark's lesson (stored). */
  storedLesson: Lesson | undefined;
  /** The subgroup's roster, for marks. */
  roster: RosterEntry[];
  locks: MonthLock[];
  org: Org;
  /** The subgroup's programme (whether it grades); undefined: not known, grades not checked. */
  programme?: Programme;
  now: Date;
}

export type WriteCheck = { ok: true } | { ok: false; code: ErrorCode; message: string };

const OK: WriteCheck = { ok: true };

function refuse(code: ErrorCode, message: string): WriteCheck {
  return { ok: false, code, message };
}

const FIELD_NAMES: Record<string, string> = {
  date: 'дату',
  start: 'время начала',
  end: 'время окончания',
  lessonId: 'занятие',
  learnerId: 'обучающегося',
};

function changedIdentity(stored: JournalDoc, incoming: JournalDoc): string | undefined {
  const s = stored as unknown as Record<string, unknown>;
  const i = incoming as unknown as Record<string, unknown>;
  return IDENTITY_FIELDS[incoming.type].find((f) => JSON.stringify(s[f]) !== JSON.stringify(i[f]));
}

/** A row's own id must be the one its identity fields derive (a lesson is its slot). */
function idMatches(doc: JournalDoc): boolean {
  try {
    if (doc.type === 'lesson') return doc.id === lessonId(doc.subgroupId, doc.date, doc.start);
    if (doc.type === 'mark') {
      const lesson = doc.lessonId.split(':');
      return (
        doc.id === markId(doc.lessonId, doc.learnerId) &&
        lesson[1] === doc.subgroupId &&
        lesson[2] === doc.date
      );
    }
    // Topic ids are random but carry their kind and subgroup, as every journal id does: the
    // server pages a subgroup's changes by id prefix without reading other kinds' bodies.
    if (doc.type === 'topic') return doc.id.startsWith(`topic:${doc.subgroupId}:`);
    if (doc.type === 'roster') return doc.id === rosterId(doc.subgroupId, doc.learnerId);
    return true;
  } catch {
    return false;
  }
}

function checkTeacher(ctx: WriteContext, doc: JournalDoc): WriteCheck {
  const { user, subgroup } = ctx;
  const teaches =
    user.role === 'teacher' &&
    user.teacherId !== null &&
    subgroup !== undefined &&
    !subgroup._deleted &&
    subgroup.id === doc.subgroupId &&
    subgroup.orgId === doc.orgId &&
    subgroup.teacherIds.includes(user.teacherId);
  return teaches
    ? OK
    : refuse(
        'NOT_TEACHER_OF_SUBGROUP',
        'Вы не ведёте эту подгруппу: изменения в её журнале не сохранены.',
      );
}

function checkOnSchedule(ctx: WriteContext, doc: Lesson | Mark): WriteCheck {
  if (ctx.storedLesson) return OK;
  const slot =
    doc.type === 'lesson'
      ? findSlot(ctx.slots, doc.date, doc.start)
      : ctx.slots.find((s) => s.lessonId === doc.lessonId);
  if (slot) return OK;
  return refuse('LESSON_NOT_ON_SCHEDULE', offScheduleMessage(ctx.slots, doc));
}

/** The start of a lesson or of a mark's lesson (`lesson:<sg>:<date>:<HHMM>`). */
function startOf(doc: Lesson | Mark): string {
  if (doc.type === 'lesson') return doc.start;
  const hhmm = doc.lessonId.split(':')[3] ?? '';
  return `${hhmm.slice(0, 2)}:${hhmm.slice(2)}`;
}

/**
 * PR2's refusal names the lesson by its date and time and, when the schedule moved it (a
 * `move` exception saved while the teacher's tablet was offline), where it went: the teacher
 * then knows to enter the lesson there, and the admin reads the same in the refusals.
 */
function offScheduleMessage(slots: LessonSlot[], doc: Lesson | Mark): string {
  const start = startOf(doc);
  const moved = slots.find((s) => s.movedFrom?.date === doc.date && s.movedFrom.start === start);
  if (moved) {
    return `Занятие ${ruDate(doc.date)} в ${start} перенесено в расписании на ${ruDate(moved.date)} в ${moved.start}.`;
  }
  return `Занятия ${ruDate(doc.date)} в ${start} нет в расписании подгруппы.`;
}

function checkEnrolled(ctx: WriteContext, mark: Mark): WriteCheck {
  const entry = ctx.roster.find((r) => r.learnerId === mark.learnerId && !r._deleted);
  if (entry && isEnrolledOn(entry.intervals, mark.date)) return OK;
  const reason = entry ? notEnrolledReason(entry.intervals, mark.date) : null;
  const why = reason ? `: ${reason}` : '';
  return refuse(
    'LEARNER_NOT_ENROLLED',
    `Обучающийся не зачислен в подгруппу на ${ruDate(mark.date)}${why}.`,
  );
}

function checkLock(ctx: WriteContext, doc: Lesson | Mark): WriteCheck {
  const month = doc.date.slice(0, 7);
  const locked = isMonthLocked({
    locks: ctx.locks,
    org: ctx.org,
    subgroupId: doc.subgroupId,
    month,
    now: ctx.now,
  });
  return locked
    ? refuse(
        'MONTH_LOCKED',
        `${formatRuMonth(month, true)} закрыт для изменений: исправить можно, когда администратор откроет месяц.`,
      )
    : OK;
}

/** A deletion's `seen` names each field of its document once: no kind has more. */
const MAX_SEEN_FIELDS = 24;

/** How far past the server's clock a new stamp may be: device clocks are hours off at worst. */
export const MAX_STAMP_AHEAD_MS = 24 * 3_600_000;

/**
 * PR6: every stamp the row brings that would win over the stored one names the caller as its
 * author and is not more than a day ahead of the server's clock. Otherwise a device could
 * credit an edit to someone else in the audit, or stamp it years ahead so that it beats every
 * later edit of everyone (a tablet with a wrong date would do that by accident). Stamps that
 * lose the merge change nothing and are not checked.
 */
function checkStamps(
  ctx: WriteContext,
  stored: JournalDoc | undefined,
  incoming: JournalDoc,
): WriteCheck {
  const latest = ctx.now.getTime() + MAX_STAMP_AHEAD_MS;
  for (const [field, stamp] of Object.entries(incoming.stamps ?? {})) {
    if (Object.keys(stamp.seen ?? {}).length > MAX_SEEN_FIELDS) {
      return refuse('VALIDATION_FAILED', 'Метка удаления называет слишком много полей.');
    }
    if (compareStamps(stamp, stored?.stamps?.[field]) <= 0) continue;
    if (stamp.by !== ctx.user.id) {
      return refuse('STAMP_REFUSED', 'Изменение подписано другим пользователем: оно не принято.');
    }
    if (stamp.at > latest) {
      return refuse(
        'STAMP_REFUSED',
        'Часы устройства спешат: проверьте дату и время на устройстве. Изменение не принято.',
      );
    }
  }
  return OK;
}

/**
 * PR7: values a device sets must make sense for the organisation: a mark's code is one of the
 * org's attendance codes (or '' for present), a grade only where the programme grades, and a
 * lesson's topic is one of its own subgroup's. Only the values this row sets are checked (a new
 * document's, or fields whose stamp wins), so a code the org has since dropped stays on the
 * marks that already carry it.
 */
function checkContent(
  ctx: WriteContext,
  stored: JournalDoc | undefined,
  incoming: JournalDoc,
): WriteCheck {
  const sets = (field: string) =>
    !stored || compareStamps(incoming.stamps?.[field], stored.stamps?.[field]) > 0;

  if (incoming.type === 'mark') {
    const { code, grade } = incoming;
    if (sets('code') && code !== '' && !ctx.org.attendanceCodes.some((c) => c.code === code)) {
      return refuse('VALIDATION_FAILED', `Неизвестная отметка посещаемости «${code}».`);
    }
    if (sets('grade') && grade && ctx.programme && !ctx.programme.gradesEnabled) {
      return refuse('VALIDATION_FAILED', 'В этой программе оценки не ставятся.');
    }
  }
  if (incoming.type === 'lesson' && sets('topicId') && incoming.topicId !== null) {
    if (!incoming.topicId.startsWith(`topic:${incoming.subgroupId}:`)) {
      return refuse('VALIDATION_FAILED', 'Тема занятия должна быть из плана этой подгруппы.');
    }
  }
  if (incoming.type === 'topic' && sets('plannedDate') && incoming.plannedDate !== null) {
    return checkPlannedDate(ctx, incoming.plannedDate);
  }
  if (incoming.type === 'lesson') {
    return checkStatusReason(incoming, stored as Lesson | undefined, sets);
  }
  return OK;
}

const REASON_NEEDED: Partial<Record<Lesson['status'], string>> = {
  cancelled: 'отменённого',
  moved: 'перенесённого',
};

/**
 * PR9: a cancelled or moved lesson keeps a reason. Status and reason merge field by field, so
 * the check is on what the lesson becomes: the row's status or reason where its stamp wins,
 * the stored one elsewhere. The device asks for the reason first (LS1); this stops a client
 * that does not.
 */
function checkStatusReason(
  incoming: Lesson,
  stored: Lesson | undefined,
  sets: (field: string) => boolean,
): WriteCheck {
  const status = sets('status') || !stored ? incoming.status : stored.status;
  const reason = sets('statusReason') || !stored ? incoming.statusReason : stored.statusReason;
  const which = REASON_NEEDED[status];
  if (!which || reason.trim() !== '') return OK;
  if (!sets('status') && !sets('statusReason')) return OK;
  return refuse('VALIDATION_FAILED', `Укажите причину ${which} занятия.`);
}

/**
 * PR8: a topic's planned date lies in its subgroup's study period: lessons happen only there,
 * and a date like 1900 is a typo that would sit in the plan and the reports for good.
 */
function checkPlannedDate(ctx: WriteContext, plannedDate: string): WriteCheck {
  const period = ctx.subgroup
    ? { from: ctx.subgroup.periodFrom, to: ctx.subgroup.periodTo }
    : undefined;
  const problem = plannedDateProblem(plannedDate, period);
  return problem ? refuse('VALIDATION_FAILED', `Плановая ${problem}.`) : OK;
}

function ruDate(date: string): string {
  return `${date.slice(8, 10)}.${date.slice(5, 7)}.${date.slice(0, 4)}`;
}

/** A row that is not a journal document at all is a caller's bug, not a refusal: throw. */
function checkShape(doc: unknown, name: string): void {
  const parsed = journalDocSchema.safeParse(doc);
  if (parsed.success) return;
  const issue = parsed.error.issues[0];
  const path = (issue?.path ?? []).map(String).join('.');
  throw new DomainError(
    'VALIDATION_FAILED',
    path ? `${name}.${path}` : name,
    issue?.message ?? 'неверный документ',
  );
}

/**
 * Checks one pushed row, in this order: roster rows are server-owned (READ_ONLY_COLLECTION);
 * PR1 teacher of the subgroup; CR3 identity unchanged and the id derived from it; a row that
 * changes nothing passes (a repeated push); PR2 on the schedule (lessons, marks); PR3 learner
 * enrolled (marks; a deletion passes); PR4 month not locked (lessons, marks). A row that is
 * not a valid journal document throws VALIDATION_FAILED naming the field (`incoming.date`).
 */
export function checkJournalWrite(
  ctx: WriteContext,
  stored: JournalDoc | undefined,
  incoming: JournalDoc,
): WriteCheck {
  checkShape(incoming, 'incoming');
  if (stored) checkShape(stored, 'stored');
  return checkParsedJournalWrite(ctx, stored, incoming);
}

/**
 * checkJournalWrite for documents already known to be valid: `incoming` parsed by its
 * collection's schema, `stored` read back from what the server wrote. The push runs this for
 * every row, where parsing both again cost as much as the rules themselves.
 */
export function checkParsedJournalWrite(
  ctx: WriteContext,
  stored: JournalDoc | undefined,
  incoming: JournalDoc,
): WriteCheck {
  if (incoming.type === 'roster') {
    return refuse('READ_ONLY_COLLECTION', 'Список обучающихся меняет только администратор.');
  }
  const teacher = checkTeacher(ctx, incoming);
  if (!teacher.ok) return teacher;

  if (incoming.orgId !== ctx.org.id || !idMatches(incoming)) {
    return refuse('IMMUTABLE_FIELD', 'Идентификатор записи не соответствует её содержимому.');
  }
  const field = stored ? changedIdentity(stored, incoming) : undefined;
  if (field)
    return refuse(
      'IMMUTABLE_FIELD',
      `Нельзя изменить ${FIELD_NAMES[field] ?? field} у сохранённой записи.`,
    );
  const stamps = checkStamps(ctx, stored, incoming);
  if (!stamps.ok) return stamps;
  const content = checkContent(ctx, stored, incoming);
  if (!content.ok) return content;
  if (stored && (isSameContent(stored, incoming) || !mergeDocs(stored, incoming).changed))
    return OK;
  if (incoming.type === 'topic') return OK;

  const onSchedule = checkOnSchedule(ctx, incoming);
  if (!onSchedule.ok) return onSchedule;
  if (incoming.type === 'mark' && !incoming._deleted) {
    const enrolled = checkEnrolled(ctx, incoming);
    if (!enrolled.ok) return enrolled;
  }
  return checkLock(ctx, incoming);
}
