import type { JournalDoc, Stamp, StampRef } from '@otmetka/shared';
import {
  CLIENT_FIELDS,
  compareStamps,
  isUnstampedTombstone,
  refersTo,
  sameStamp,
} from '@otmetka/shared';

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

function fieldOf(doc: JournalDoc, field: string): unknown {
  if (field === '_deleted') return Boolean(doc._deleted);
  return (doc as Record<string, unknown>)[field];
}

function fieldsOf(doc: JournalDoc): string[] {
  return [...(CLIENT_FIELDS[doc.type] as readonly string[]), '_deleted'];
}

/**
 * Whether the winning stamp `theirs` was made by someone who had seen our edit `mine` (its
 * `prev` names our stamp): then it is a deliberate later change, not a lost edit. A stamp
 * without `prev` (written before stamps recorded it) cannot tell, so it counts as not seen:
 * a needless notice is better than an edit lost without a word (CR5).
 */
function sawMine(theirs: Stamp | undefined, mine: Stamp): boolean {
  return refersTo(theirs?.prev, mine);
}

/**
 * After a push conflict: the device sent `mine` (assuming `assumed` on the server); the result
 * is `output`. A field is lost when the device edited it and the result holds another value
 * from an edit made without seeing ours (an earlier push of ours may have reached the server
 * although its answer did not reach us; an edit made on top of it is not a loss).
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
    if (sawMine(output.stamps?.[field], stamp)) continue;
    lost.push({ field, mine: fieldOf(mine, field), theirs: fieldOf(output, field) });
  }
  // Our edit may survive inside a tombstone (its field stamp is newer) and still be gone.
  const deleted = deletedUnseen(deviceId, mine, output);
  if (deleted && !lost.some((l) => l.field === '_deleted')) lost.push(deleted);
  return lost;
}

/**
 * On a pull: the server's `incoming` version replaces the device's `local` one. A field is lost
 * when the device's own edit of it is beaten by another device's edit whose `prev` is not our
 * stamp: that device had not seen our value when it wrote over it (still unsent, or sent but
 * not yet pulled there), whatever either clock says. When `prev` is our stamp, the other
 * person saw our value and changed it deliberately: not a loss.
 */
export function lostOnPull(deviceId: string, local: JournalDoc, incoming: JournalDoc): LostField[] {
  const lost: LostField[] = [];
  for (const field of fieldsOf(local)) {
    const mine = local.stamps[field];
    const theirs = incoming.stamps[field];
    if (!mine || mine.dev !== deviceId || !theirs || theirs.dev === deviceId) continue;
    if (compareStamps(theirs, mine) <= 0) continue;
    if (same(fieldOf(local, field), fieldOf(incoming, field))) continue;
    if (sawMine(theirs, mine)) continue;
    lost.push({ field, mine: fieldOf(local, field), theirs: fieldOf(incoming, field) });
  }
  const deleted = deletedUnseen(deviceId, local, incoming);
  if (deleted && !lost.some((l) => l.field === '_deleted')) lost.push(deleted);
  return lost;
}

/** Order of two stamp references by (at, dev), the prefix of the stamp order (CR1). */
function compareRefs(a: { at: number; dev: string }, b: { at: number; dev: string }): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  return a.dev < b.dev ? -1 : a.dev > b.dev ? 1 : 0;
}

/**
 * CR2 + CR5: another device deleted the document without having seen one of this device's
 * edits still in it, so report the deletion. A deletion names per field the edit its device saw
 * (`seen`); one from an earlier version names only the newest edit of the document (`prev`),
 * compared with our newest edit; one with neither cannot tell and is reported.
 */
function deletedUnseen(
  deviceId: string,
  local: JournalDoc,
  incoming: JournalDoc,
): LostField | undefined {
  const deletion = incoming.stamps?._deleted;
  if (local._deleted || !incoming._deleted || !deletion || deletion.dev === deviceId) return;

  const mine = Object.entries(local.stamps ?? {}).filter(
    ([field, stamp]) => stamp.dev === deviceId && !isListPlace(local, field),
  );
  if (mine.length === 0) return;
  if (deletion.seen) {
    const seen = deletion.seen;
    if (mine.every(([field, stamp]) => knew(seen[field], stamp))) return;
  } else {
    const newest = mine.reduce((a, b) => (compareStamps(b[1], a[1]) > 0 ? b : a))[1];
    if (knew(deletion.prev, newest)) return;
  }
  return { field: '_deleted', mine: false, theirs: true };
}

/**
 * CR10: a topic's place in the plan changes when ↑/↓ renumbers the list around it, no edit of
 * the topic itself: a deletion elsewhere that had not seen it loses nothing the teacher wrote.
 * Reported, it read «удаление: ваше «есть»», and «Повторить» brought the deleted topic back.
 */
function isListPlace(doc: JournalDoc, field: string): boolean {
  return doc.type === 'topic' && field === 'order';
}

/** Whether a reference names `stamp` or an edit ordered after it (CR1 on (at, dev)). */
function knew(ref: StampRef | null | undefined, stamp: Stamp): boolean {
  return !!ref && compareRefs(stamp, ref) <= 0;
}

/** Whether this device edited any field of `doc` (only such a document can lose an edit). */
export function editedHere(deviceId: string, doc: JournalDoc): boolean {
  for (const stamp of Object.values(doc.stamps ?? {})) if (stamp.dev === deviceId) return true;
  return false;
}

/**
 * The time that names a lost edit's notice (its id): the newest of this device's stamps among
 * the fields lost, so the same lost edit seen by a push and by a pull gives one notice. A
 * deletion that beat us has no stamp of ours on `_deleted`: what it took is all our edits in
 * the document, so the newest of those names it. (It was 0, and an older attempt retried
 * after a newer one — both lost to the same deletion — took the newer one's notice.)
 */
export function lostNoticeAt(deviceId: string, mine: JournalDoc, lost: LostField[]): number {
  const own = Object.values(mine.stamps ?? {}).filter((stamp) => stamp.dev === deviceId);
  const newestOwn = Math.max(0, ...own.map((stamp) => stamp.at));
  return Math.max(
    0,
    ...lost.map((l) => (l.field === '_deleted' ? newestOwn : (mine.stamps[l.field]?.at ?? 0))),
  );
}

/**
 * CR7: a pulled version that is older than the device's own on some field and newer on none
 * (CR1 order) is stale: a page the server read before this device's push landed, arriving
 * after the push was acknowledged. RxDB writes it over the local version (the local version is
 * what it assumes the server holds) and the device showed the older value until a later page
 * brought the newer one back. A deletion judged in between found none of the device's edits in
 * the local version, and an edit the deleter had not seen went unreported (the soak's lost
 * title). The merge of the two is the local version, so the pull leaves it out.
 */
export function isStalePull(local: JournalDoc | undefined, incoming: JournalDoc): boolean {
  if (!local) return false;
  // A tombstone nobody stamped is the server's "nothing here" (a refused new document, PR5;
  // a subgroup's purge): its field stamps are refused attempts, which no version is older than.
  if (isUnstampedTombstone(local)) return false;
  const fields = new Set([
    ...Object.keys(local.stamps ?? {}),
    ...Object.keys(incoming.stamps ?? {}),
  ]);
  let older = false;
  for (const field of fields) {
    const order = compareStamps(incoming.stamps?.[field], local.stamps?.[field]);
    if (order > 0) return false;
    if (order < 0) older = true;
  }
  return older;
}

/**
 * CR9: an edit the server refused goes back to it only through «Повторить», which stamps it
 * anew. A copy can still hold a refused edit after the refusal: CR8 merged a pulled version
 * under it, or the teacher edited the document again before the answer (RxDB keeps the copy
 * then). Each field whose stamp is that of a refused attempt (`refused`, from the notices) and
 * not the one of the stored version (`assumed`) goes out with the stored value and stamp; a
 * refused deletion too, but not a refused re-creation, which later edits stand on. Returns the
 * row to send, or null when it carries no refused edit.
 */
export function withoutRefusedEdits(
  sent: JournalDoc,
  assumed: JournalDoc | undefined,
  refused: JournalDoc[],
): JournalDoc | null {
  // Without a version of the server's to fall back on, the row is judged as it is. A tombstone
  // nobody stamped is the server's answer to a refused insert (PR5), not a version it stores:
  // its values are the refused attempt's own.
  if (!assumed || isUnstampedTombstone(assumed)) return null;
  let out: Record<string, unknown> | null = null;
  for (const attempt of refused) {
    for (const [field, stamp] of Object.entries(attempt.stamps ?? {})) {
      // Sent as a tombstone, the edits made on a refused re-creation were stored deleted
      // without a word (the soak's three lost marks): the re-creation goes with them.
      if (field === '_deleted' && !sent._deleted) continue;
      const mine = sent.stamps?.[field];
      if (!sameStamp(mine, stamp) || sameStamp(assumed.stamps?.[field], stamp)) continue;
      out ??= { ...sent, stamps: { ...sent.stamps } };
      const stamps = out.stamps as Record<string, Stamp>;
      out[field] = fieldOf(assumed, field);
      if (assumed.stamps?.[field]) stamps[field] = assumed.stamps[field];
      else delete stamps[field];
    }
  }
  return out as JournalDoc | null;
}

/**
 * NT7: whether the server's version holds what the teacher did in a refused attempt. Each field
 * this device stamped in the attempt holds the attempt's stamp (the refused edit was taken
 * later, carried by the next edit of a refused new mark); or a later stamp of this device with
 * the attempt's value (the teacher set it again, where «Все присутствуют» writing «✓» over a
 * refused «Н», or a tap making a refused cancelled lesson held, does not count); or another
 * device's edit made over the attempt's stamp, which it can only have seen stored (an older
 * edit the attempt carried, or the refused one taken since).
 */
export function refusalLanded(
  deviceId: string,
  attempted: JournalDoc,
  server: JournalDoc,
): boolean {
  if (server._deleted && !attempted._deleted) return false;
  const was = (attempted.stamps ?? {}) as Record<string, Stamp | undefined>;
  const now = (server.stamps ?? {}) as Record<string, Stamp | undefined>;
  const held = (field: string) => {
    const [attempt, stored] = [was[field], now[field]];
    if (sameStamp(stored, attempt)) return true;
    if (!stored || !attempt || compareStamps(stored, attempt) < 0) return false;
    if (stored.dev === deviceId) return same(fieldOf(server, field), fieldOf(attempted, field));
    return refersTo(stored.prev, attempt);
  };
  const mine = Object.keys(was).filter((field) => was[field]?.dev === deviceId);
  return mine.length > 0 && mine.every(held);
}

/**
 * NT9: what a refused attempt would have changed, for its notice (the fields of a lost edit's
 * notice, in the same shape): each field this device stamped in the attempt whose stamp would
 * have won over the server's version with another value; against a server that has nothing (a
 * refused new document: its answer is the unstamped tombstone of the attempt, PR5), each field
 * this device stamped. An older edit the attempt merely carried is not named.
 */
export function refusedChanges(
  deviceId: string,
  attempted: JournalDoc,
  server: JournalDoc | undefined,
): LostField[] {
  const stored = server && !isUnstampedTombstone(server) ? server : undefined;
  const changes: LostField[] = [];
  for (const field of fieldsOf(attempted)) {
    const mine = attempted.stamps?.[field];
    if (!mine || mine.dev !== deviceId) continue;
    if (!stored) {
      // A new document's `_deleted: false` says nothing the other fields do not.
      if (field !== '_deleted')
        changes.push({ field, mine: fieldOf(attempted, field), theirs: null });
      continue;
    }
    if (compareStamps(mine, stored.stamps?.[field]) <= 0) continue;
    if (same(fieldOf(attempted, field), fieldOf(stored, field))) continue;
    changes.push({ field, mine: fieldOf(attempted, field), theirs: fieldOf(stored, field) });
  }
  return changes;
}
