import type { JournalDoc, Stamp } from '@otmetka/shared';
import { CLIENT_FIELDS, compareStamps } from '@otmetka/shared';

/**
 * Which of this device's edits did not survive a merge (CR5), for the «Требуют внимания» list.
 * Only fields this device itself edited count: a field the device merely carried along with an
 * older value is not a lost edit.
 */

export interface LostField {
  field: string;
  mine: unknown;
  theirs: unknown;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function sameStamp(a: Stamp | undefined, b: Stamp | undefined): boolean {
  return !!a && !!b && compareStamps(a, b) === 0;
}

function fieldOf(doc: JournalDoc, field: string): unknown {
  if (field === '_deleted') return Boolean(doc._deleted);
  return (doc as Record<string, unknown>)[field];
}

function fieldsOf(doc: JournalDoc): string[] {
  return [...(CLIENT_FIELDS[doc.type] as readonly string[]), '_deleted'];
}

/**
 * After a push conflict: the device sent `mine` (assuming `assumed` on the server); the result
 * is `output`. A field is lost when the device edited it and the result holds another value.
 */
export function lostInConflict(
  deviceId: string,
  mine: JournalDoc,
  assumed: JournalDoc | undefined,
  output: JournalDoc,
): LostField[] {
  const lost: LostField[] = [];
  for (const field of fieldsOf(mine)) {
    const stamp = mine.stamps[field];
    if (!stamp || stamp.dev !== deviceId) continue;
    if (assumed && sameStamp(assumed.stamps[field], stamp)) continue;
    // A retried push of an older version of our own edit "loses" to our newer one: not a loss.
    if (output.stamps?.[field]?.dev === deviceId) continue;
    if (same(fieldOf(mine, field), fieldOf(output, field))) continue;
    lost.push({ field, mine: fieldOf(mine, field), theirs: fieldOf(output, field) });
  }
  return lost;
}

/**
 * On a pull: the server's `incoming` version replaces the device's `local` one. A field is lost
 * when the device's own edit of it is beaten by an edit that was made concurrently: while the
 * device's edit was still unsent, or before the server acknowledged it (`ackedAt`). An edit
 * made after the acknowledgement is an ordinary later change, not a conflict.
 */
export function lostOnPull(
  deviceId: string,
  local: JournalDoc,
  incoming: JournalDoc,
  stillPending: boolean,
  ackedAt: number | undefined,
): LostField[] {
  const lost: LostField[] = [];
  for (const field of fieldsOf(local)) {
    const mine = local.stamps[field];
    const theirs = incoming.stamps[field];
    if (!mine || mine.dev !== deviceId || !theirs || theirs.dev === deviceId) continue;
    if (compareStamps(theirs, mine) <= 0) continue;
    if (same(fieldOf(local, field), fieldOf(incoming, field))) continue;
    const concurrent = stillPending || (ackedAt !== undefined && theirs.at < ackedAt);
    if (!concurrent) continue;
    lost.push({ field, mine: fieldOf(local, field), theirs: fieldOf(incoming, field) });
  }
  return lost;
}
