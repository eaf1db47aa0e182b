import type { JournalDoc } from './schemas/journal.ts';

/**
 * Identity fields and content-free tombstones (CR3, RM2), apart from the push rules so the
 * device's start-up code can use them without the zod schemas the rules check against.
 */

/**
 * CR3: the identity fields of each kind. Server-owned fields (a lesson's `flag`, its hours) are
 * not here: a device's stale copy of them is no offence, the merge keeps the stored value (CR6).
 */
export const IDENTITY_FIELDS: Record<JournalDoc['type'], readonly string[]> = {
  lesson: ['id', 'type', 'orgId', 'subgroupId', 'date', 'start', 'end'],
  topic: ['id', 'type', 'orgId', 'subgroupId'],
  mark: ['id', 'type', 'orgId', 'subgroupId', 'lessonId', 'learnerId', 'date'],
  roster: ['id', 'type', 'orgId', 'subgroupId', 'learnerId'],
};

/**
 * RM2: a journal document of a subgroup the device no longer sees, as the device keeps it: a
 * tombstone with the identity fields only (no names, marks, notes, titles or stamps), so the
 * learners' data leaves the device while RxDB still knows the id it has already handled.
 */
export function contentFreeTombstone(doc: JournalDoc): JournalDoc {
  const source = doc as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { stamps: {}, _deleted: true };
  for (const field of IDENTITY_FIELDS[doc.type] ?? ['id', 'type', 'orgId', 'subgroupId']) {
    if (source[field] !== undefined) out[field] = source[field];
  }
  return out as unknown as JournalDoc;
}

/**
 * A tombstone nobody stamped: the server's "nothing here" (its answer to a refused insert, PR5,
 * or a purged document, RM2), not a deletion anyone made nor a version the server stores.
 */
export function isUnstampedTombstone(doc: JournalDoc): boolean {
  return doc._deleted === true && !doc.stamps?._deleted;
}

/** Whether a stored document is already what contentFreeTombstone makes of it. */
export function isContentFree(doc: JournalDoc): boolean {
  if (doc._deleted !== true || Object.keys(doc.stamps ?? {}).length > 0) return false;
  const kept = new Set<string>(IDENTITY_FIELDS[doc.type] ?? []);
  return Object.keys(doc).every((key) => kept.has(key) || key === 'stamps' || key.startsWith('_'));
}
