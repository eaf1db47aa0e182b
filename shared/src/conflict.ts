import { DomainError } from './errors.ts';
import { CLIENT_FIELDS, type JournalDoc } from './schemas/journal.ts';
import type { Stamp, StampRef, Stamps } from './schemas/primitives.ts';

/**
 * Conflict rules of the journal documents (CR1–CR6), one pure function used by the server
 * (the authority, on every push) and by the device's RxDB conflict handler, so both reach the
 * same document.
 *
 * Every client-owned field (CLIENT_FIELDS[type]) and `_deleted` is a last-writer-wins register
 * with its own stamp. Tie-break (CR1): stamps order by `at`, then `dev`, then `by`; a missing
 * stamp is older than any stamp. Two different values under equal stamps (which a correct
 * device never produces) are ordered by their JSON text, so the order stays total and the merge
 * is still commutative, associative and idempotent (CR4); so are stamps differing only in `off`. Identity and server-owned fields keep
 * the stored value (CR3, CR6); a roster entry is wholly server-owned.
 */

/** The LWW fields of a kind: its client fields plus `_deleted` (none for roster entries). */
export function lwwFields(type: JournalDoc['type']): readonly string[] {
  const fields = CLIENT_FIELDS[type] as readonly string[] | undefined;
  if (!fields)
    throw new DomainError('VALIDATION_FAILED', 'type', `неизвестный вид документа ${String(type)}`);
  return type === 'roster' ? [] : [...fields, '_deleted'];
}

/** CR1: negative, zero or positive as stamp `a` is older than, equal to or newer than `b`. */
export function compareStamps(a?: Stamp, b?: Stamp): number {
  if (!a || !b) return a ? 1 : b ? -1 : 0;
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  if (a.dev !== b.dev) return a.dev < b.dev ? -1 : 1;
  if (a.by !== b.by) return a.by < b.by ? -1 : 1;
  return 0;
}

/** Whether two stamps are the same edit (both present, equal in the CR1 order). */
export function sameStamp(a?: Stamp, b?: Stamp): boolean {
  return !!a && !!b && compareStamps(a, b) === 0;
}

/**
 * JSON with sorted keys (undefined as null): one text per value, for ordering, hashing and
 * keys.
 */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

/**
 * Whether two JSON values have the same canonical text, without building it (this runs for
 * every field of every pushed row): key order is ignored and undefined counts as null.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || a === null || b === undefined || b === null) {
    return (a === undefined || a === null) && (b === undefined || b === null);
  }
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => sameJson(item, b[i]));
  }
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  const ob = b as Record<string, unknown>;
  return ka.every((k) => k in ob && sameJson((a as Record<string, unknown>)[k], ob[k]));
}

function fieldValue(doc: Record<string, unknown>, field: string): unknown {
  return field === '_deleted' ? doc._deleted === true : doc[field];
}

/**
 * RxDB bookkeeping (`_rev`, `_meta`, `_attachments`) is not content, nor a key whose value is
 * undefined; `_deleted` is, when true.
 */
function isContent(doc: Record<string, unknown>, key: string): boolean {
  const value = doc[key];
  if (key === '_deleted') return value === true;
  return value !== undefined && !key.startsWith('_');
}

/** A document without RxDB's bookkeeping: its content, as isSameContent compares it. */
export function contentOf(doc: object): Record<string, unknown> {
  const source = doc as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source)) if (isContent(source, key)) out[key] = source[key];
  return out;
}

/**
 * Deep equality ignoring key order and RxDB bookkeeping; `_deleted` false equals absent.
 * Compared in place: a push compares every row it answers, and copies cost collections.
 */
export function isSameContent(a: object, b: object): boolean {
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object') {
    throw new DomainError('VALIDATION_FAILED', 'doc', 'ожидаются два документа');
  }
  const da = a as Record<string, unknown>;
  const db = b as Record<string, unknown>;
  let unmatched = 0;
  for (const key of Object.keys(da)) {
    if (!isContent(da, key)) continue;
    if (!isContent(db, key) || !sameJson(da[key], db[key])) return false;
    unmatched++;
  }
  for (const key of Object.keys(db)) if (isContent(db, key)) unmatched--;
  return unmatched === 0;
}

/** CR1 with the value tie-break: > 0 when (stampA, valueA) beats (stampB, valueB). */
function compareEntries(
  sa: Stamp | undefined,
  va: unknown,
  sb: Stamp | undefined,
  vb: unknown,
): number {
  const byStamp = compareStamps(sa, sb);
  if (byStamp !== 0) return byStamp;
  if (!sameJson(va, vb)) {
    const ca = canonicalJson(va);
    const cb = canonicalJson(vb);
    return ca < cb ? -1 : 1;
  }
  // Same time, device, author and value: the stamps may still differ in `off`; order them too,
  // or the merged stamp would depend on the order of arrival.
  const ka = canonicalJson(sa);
  const kb = canonicalJson(sb);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function checkDocs(stored: JournalDoc | undefined, incoming: JournalDoc): void {
  if (!incoming || typeof incoming !== 'object')
    throw new DomainError('VALIDATION_FAILED', 'incoming', 'нет документа');
  lwwFields(incoming.type);
  if (stored && (stored.type !== incoming.type || stored.id !== incoming.id)) {
    throw new DomainError(
      'IMMUTABLE_FIELD',
      stored.type !== incoming.type ? 'type' : 'id',
      'сливаются разные документы',
    );
  }
}

/**
 * CR1–CR6: the merge of a stored document and an incoming one (RxDB: realMasterState and
 * newDocumentState). `lostFields` names the incoming edits that lost (CR5); `changed` says
 * whether the merged content differs from the stored one (no write needed when false).
 */
export function mergeDocs<D extends JournalDoc>(
  stored: D | undefined,
  incoming: D,
): { merged: D; lostFields: string[]; changed: boolean } {
  checkDocs(stored, incoming);
  if (!stored) return { merged: incoming, lostFields: [], changed: true };

  const merged: Record<string, unknown> = { ...stored };
  const stamps: Stamps = {};
  const lostFields: string[] = [];
  let newerEdit = false;
  const hasDeletedKey = '_deleted' in stored || '_deleted' in incoming;
  const s = stored as unknown as Record<string, unknown>;
  const inc = incoming as unknown as Record<string, unknown>;

  for (const field of lwwFields(stored.type)) {
    const ss = stored.stamps?.[field];
    const si = incoming.stamps?.[field];
    const vs = fieldValue(s, field);
    const vi = fieldValue(inc, field);
    const incomingWins = compareEntries(si, vi, ss, vs) > 0;
    const stamp = incomingWins ? si : ss;
    const value = incomingWins ? vi : vs;

    if (field === '_deleted') {
      if (hasDeletedKey) merged._deleted = value === true;
      else delete merged._deleted;
    } else merged[field] = value;
    if (stamp) stamps[field] = stamp;
    if (!incomingWins && si && !sameJson(vi, vs)) lostFields.push(field);
    if (incomingWins && si && field !== '_deleted') newerEdit = true;
  }

  // CR2: a newer edit of a document that stays deleted is as good as lost: report the deletion.
  if (
    newerEdit &&
    merged._deleted === true &&
    inc._deleted !== true &&
    !lostFields.includes('_deleted')
  ) {
    lostFields.push('_deleted');
  }

  if (stored.type !== 'roster') merged.stamps = stamps;
  const result = merged as D;
  return { merged: result, lostFields, changed: !isSameContent(stored, result) };
}

/** The reference a new stamp keeps to the stamp it replaces (null: the field had none). */
export function stampRef(stamp: Stamp | undefined): StampRef | null {
  return stamp ? { at: stamp.at, dev: stamp.dev } : null;
}

/** Whether `ref` (a stamp's `prev`) names exactly `stamp`: the editor had seen that edit. */
export function refersTo(ref: StampRef | null | undefined, stamp: Stamp | undefined): boolean {
  return !!ref && !!stamp && ref.at === stamp.at && ref.dev === stamp.dev;
}

/**
 * What a deletion knew (CR2 + CR5): `prev`, the newest edit of the whole document its device had
 * seen (all that deletions of earlier versions carry), and `seen`, the edit it saw on each
 * field. A device checks its own edits against `seen` field by field: with clocks hours apart
 * an edit of another field can carry a newer stamp than an edit the deleter never saw.
 */
function deletionRefs(doc: JournalDoc): Pick<Stamp, 'prev' | 'seen'> {
  let newest: Stamp | undefined;
  const seen: Record<string, StampRef | null> = {};
  for (const [field, stamp] of Object.entries(doc.stamps ?? {})) {
    if (compareStamps(stamp, newest) > 0) newest = stamp;
    seen[field] = stampRef(stamp);
  }
  return { prev: stampRef(newest), seen };
}

/**
 * Applies an edit made on this device: sets the patched fields and stamps those whose value
 * changes (every patched field with `restamp`: a redo says the value anew even where the copy
 * shows it), each stamp recording in `prev` the stamp the device saw on the field (CR5). A
 * field that is not client-owned (identity, server-owned) throws IMMUTABLE_FIELD.
 */
export function stampEdit<D extends JournalDoc>(
  doc: D,
  patch: Partial<D>,
  stamp: Stamp,
  restamp = false,
): D {
  const allowed = lwwFields(doc.type);
  const out: Record<string, unknown> = { ...doc, stamps: { ...doc.stamps } };
  const stamps = out.stamps as Stamps;

  for (const [field, value] of Object.entries(patch)) {
    if (!allowed.includes(field)) {
      throw new DomainError('IMMUTABLE_FIELD', field, 'это поле нельзя изменить на устройстве');
    }
    const unchanged = sameJson(
      fieldValue(out, field),
      field === '_deleted' ? value === true : value,
    );
    if (unchanged && !restamp) continue;
    out[field] = value;
    stamps[field] =
      field === '_deleted' && value === true
        ? { ...stamp, ...deletionRefs(doc) }
        : { ...stamp, prev: stampRef(doc.stamps?.[field]) };
  }
  return out as D;
}

/** Stamps every client field of a document the device creates, so its values win over nothing. */
export function stampNew<D extends JournalDoc>(doc: D, stamp: Stamp): D {
  const stamps: Stamps = {};
  for (const field of lwwFields(doc.type)) {
    if (field !== '_deleted') stamps[field] = { ...stamp, prev: null };
  }
  return { ...doc, stamps };
}

/**
 * The device's hybrid clock: `at` is the wall clock, but never less than one past the last
 * stamp seen, so an edit always beats what the device already knows even if its clock lags.
 */
export function nextStamp(
  clock: { last: number },
  dev: string,
  by: string,
  off: boolean,
  now: number = Date.now(),
): Stamp {
  if (!dev || !by)
    throw new DomainError(
      'VALIDATION_FAILED',
      dev ? 'by' : 'dev',
      'нужны устройство и автор правки',
    );
  if (!Number.isFinite(now)) throw new DomainError('VALIDATION_FAILED', 'now', 'неверное время');
  const at = Math.max(Math.floor(now), clock.last + 1);
  clock.last = at;
  return { at, dev, by, off };
}

/** Raises the clock to the greatest stamp of a document received from elsewhere. */
export function observeStamp(clock: { last: number }, doc: JournalDoc): void {
  for (const stamp of Object.values(doc.stamps ?? {})) {
    if (stamp.at > clock.last) clock.last = stamp.at;
  }
}
