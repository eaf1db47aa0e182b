import { DomainError, type ErrorCode } from './errors.ts';
import { isEntityId, isLocalDate, isLocalTime, isMonth } from './formats.ts';

/**
 * Derived document ids. A lesson's id is a function of its slot, so the same slot gives the
 * same id on every device and on the server and a lesson is never created twice.
 */

function check<T>(
  valid: (v: unknown) => boolean,
  value: T,
  field: string,
  code: ErrorCode = 'VALIDATION_FAILED',
): T {
  if (!valid(value)) {
    throw new DomainError(code, field, `invalid value ${JSON.stringify(value)}`);
  }
  return value;
}

export function lessonId(subgroupId: string, date: string, start: string): string {
  check(isEntityId, subgroupId, 'subgroupId');
  check(isLocalDate, date, 'date', 'INVALID_DATE');
  check(isLocalTime, start, 'start', 'INVALID_TIME');
  return `lesson:${subgroupId}:${date}:${start.replace(':', '')}`;
}

export function markId(lessonDocId: string, learnerId: string): string {
  if (
    typeof lessonDocId !== 'string' ||
    !/^lesson:[a-z0-9-]+:\d{4}-\d{2}-\d{2}:\d{4}$/.test(lessonDocId)
  ) {
    throw new DomainError(
      'VALIDATION_FAILED',
      'lessonId',
      `invalid lesson id ${JSON.stringify(lessonDocId)}`,
    );
  }
  check(isEntityId, learnerId, 'learnerId');
  return `${markIdPrefix(lessonDocId)}${learnerId}`;
}

/**
 * What the ids of a lesson's marks begin with. Entity ids hold no ':', and dates and times have
 * fixed widths, so the marks of a lesson, a day or a month of a subgroup are each one range of
 * ids: the device finds them by id, with no index of their own.
 */
export function markIdPrefix(lessonDocId: string): string {
  return `mark:${lessonDocId.replace(/^lesson:/, '')}:`;
}

/** What the ids of a subgroup's marks on a date begin with: a month's marks are one range. */
export function markIdDayPrefix(subgroupId: string, date: string): string {
  return `mark:${subgroupId}:${date}:`;
}

/** The parts of a mark's id (markId), or null for any other id. */
export function parseMarkId(
  id: string,
): { subgroupId: string; date: string; start: string; learnerId: string } | null {
  const m = /^mark:([a-z0-9-]+):(\d{4}-\d{2}-\d{2}):(\d{2})(\d{2}):([a-z0-9-]+)$/.exec(id);
  if (!m) return null;
  const [, subgroupId, date, hh, mm, learnerId] = m as unknown as string[];
  return { subgroupId: subgroupId!, date: date!, start: `${hh}:${mm}`, learnerId: learnerId! };
}

export function rosterId(subgroupId: string, learnerId: string): string {
  return `roster:${check(isEntityId, subgroupId, 'subgroupId')}:${check(isEntityId, learnerId, 'learnerId')}`;
}

export function scheduleId(subgroupId: string): string {
  return `schedule:${check(isEntityId, subgroupId, 'subgroupId')}`;
}

/** subgroupId null locks the month for the whole organisation. */
export function lockId(subgroupId: string | null, month: string): string {
  check(isMonth, month, 'month', 'INVALID_DATE');
  return `lock:${subgroupId === null ? 'all' : check(isEntityId, subgroupId, 'subgroupId')}:${month}`;
}

/** A random entity id of 16 base-36 characters. */
export function newEntityId(prefix = ''): string {
  const bytes = new Uint8Array(10);
  crypto.getRandomValues(bytes);
  let out = '';
  for (const b of bytes) out += (b % 36).toString(36);
  return prefix ? `${prefix}-${out}` : out;
}

/**
 * The device named in the stamps of the server's own edits: a schedule save's deletion of an
 * empty lesson (SCH8), and a lesson brought back for a mark written in that race (PR12).
 */
export const SERVER_DEVICE = 'server';
