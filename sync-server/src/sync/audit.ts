import { createHash } from 'node:crypto';
import type { AccessUser } from '../auth/claims.ts';
import {
  auditDbName,
  type Doc,
  type Store,
  subgroupDbName,
  type WriteResult,
} from '../db/store.ts';
import {
  type AuditBatch,
  type AuditEntry,
  canonicalJson,
  type JournalDoc,
  lwwFields,
  type Refusal,
  type Stamp,
  type SyncCollection,
  sameJson,
} from '../shared.ts';

/**
 * The audit trail of pushes, in `otm_audit_<orgId>`: an entry per changed field of a lesson or
 * mark (who, when, old → new, device, offline or not), stored as one batch document per push
 * and subgroup, and a record per refused row. Ids are derived from the content, so a repeated
 * push adds nothing.
 */

const shortHash = (value: unknown) =>
  createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16);

const fieldValue = (doc: Record<string, unknown> | undefined, field: string) =>
  field === '_deleted' ? doc?._deleted === true : doc?.[field];

const entryId = (docId: string, field: string, editedAt: number, device: string) =>
  `${docId}:${field}:${editedAt}:${device}`.slice(0, 240);

/** A new document's empty optional fields are noise in the trail; a mark's code is not. */
const worthRecordingNew = (type: JournalDoc['type'], field: string, value: unknown) =>
  !(value === '' || value === null || value === false || value === undefined) ||
  (type === 'mark' && field === 'code');

export function auditEntries(
  before: JournalDoc | undefined,
  after: JournalDoc,
  device: string,
  receivedAt: number,
): AuditEntry[] {
  if (after.type !== 'lesson' && after.type !== 'mark') return [];
  const b = before as unknown as Record<string, unknown> | undefined;
  const a = after as unknown as Record<string, unknown>;
  const entries: AuditEntry[] = [];

  for (const field of lwwFields(after.type)) {
    const old = fieldValue(b, field);
    const next = fieldValue(a, field);
    if (sameJson(old, next)) continue;
    if (!before && !worthRecordingNew(after.type, field, next)) continue;

    const stamp = after.stamps[field];
    entries.push({
      id: entryId(after.id, field, stamp?.at ?? receivedAt, stamp?.dev ?? device),
      type: 'audit',
      orgId: after.orgId,
      subgroupId: after.subgroupId,
      docId: after.id,
      field,
      old: old ?? null,
      new: next ?? null,
      by: stamp?.by ?? 'unknown',
      device: stamp?.dev ?? device,
      editedAt: stamp?.at ?? receivedAt,
      receivedAt,
      offline: stamp?.off ?? false,
    });
  }
  return entries;
}

export function refusalRecord(input: {
  user: AccessUser;
  device: string;
  collection: SyncCollection;
  attempted: Record<string, unknown>;
  code: string;
  message: string;
  at: number;
}): Refusal {
  const docId = String(input.attempted.id ?? '').slice(0, 120);
  const subgroupId = input.attempted.subgroupId;
  return {
    id: `refusal:${docId}:${input.code}:${shortHash(input.attempted)}`.slice(0, 200),
    type: 'refusal',
    orgId: input.user.org,
    subgroupId:
      typeof subgroupId === 'string' && /^[a-z0-9][a-z0-9-]{0,47}$/.test(subgroupId)
        ? subgroupId
        : null,
    userId: input.user.sub,
    deviceId: input.device,
    collection: input.collection,
    docId,
    code: input.code,
    message: input.message.slice(0, 500),
    attempted: input.attempted,
    at: input.at,
  };
}

/**
 * What a batch stores of an entry. The fields every entry of the batch shares are the batch's;
 * `old` is left out when null (a new document), `by` and `device` when they are the batch's
 * (one device's push: nearly always) and `offline` when false. The database's cost of an audit
 * write grows with its bytes, and a year of marks writes one entry per mark.
 */
type BatchedEntry = Pick<AuditEntry, 'docId' | 'field' | 'new' | 'editedAt'> &
  Partial<Pick<AuditEntry, 'old' | 'by' | 'device' | 'offline'>>;

/** The entries of one push grouped into one document per subgroup. */
export function auditBatches(entries: AuditEntry[], receivedAt: number): AuditBatch[] {
  const bySubgroup = new Map<string, AuditEntry[]>();
  for (const e of entries) {
    const list = bySubgroup.get(e.subgroupId);
    if (list) list.push(e);
    else bySubgroup.set(e.subgroupId, [e]);
  }
  return [...bySubgroup].map(([subgroupId, list]) => {
    const { by, device } = list[0]!;
    const batched = list.map((e): BatchedEntry => {
      const out: BatchedEntry = {
        docId: e.docId,
        field: e.field,
        new: e.new,
        editedAt: e.editedAt,
      };
      if (e.old !== null) out.old = e.old;
      if (e.by !== by) out.by = e.by;
      if (e.device !== device) out.device = e.device;
      if (e.offline) out.offline = true;
      return out;
    });
    return {
      id: `audit:${subgroupId}:${receivedAt}:${shortHash(list.map((e) => [e.id, e.new]))}`,
      type: 'audit-batch',
      orgId: list[0]!.orgId,
      subgroupId,
      receivedAt,
      by,
      device,
      entriesJson: JSON.stringify(batched),
    };
  });
}

/** What a journal write needs to be audited: where the entries go and what they say. */
export interface AuditContext {
  orgId: string;
  device: string;
  receivedAt: number;
}

export interface AuditedRow {
  doc: Doc;
  rev: string | undefined;
  before: JournalDoc | undefined;
}

/**
 * Writes journal rows and their audit batch at once: two databases, so two requests, sent
 * together rather than one after the other (the push's answer waits for both). The batch is
 * written for every row; rows that lost the revision race (or a write that failed) are taken
 * out of it again, so the trail names what was written. A process that dies in between leaves
 * an entry for an edit its device will push again: readAudit keeps one entry per edit.
 */
export async function writeAudited(
  store: Store,
  dbName: string,
  rows: AuditedRow[],
  audit: AuditContext,
): Promise<WriteResult[]> {
  const entries = rows.flatMap((r) =>
    auditEntries(r.before, r.doc as unknown as JournalDoc, audit.device, audit.receivedAt),
  );
  const batches = auditBatches(entries, audit.receivedAt) as unknown as Doc[];
  const auditDb = auditDbName(audit.orgId);
  await store.ensureDb(auditDb);

  const [journal, batchWrite] = await Promise.allSettled([
    store.bulkWrite(dbName, rows),
    store.bulkWrite(
      auditDb,
      batches.map((doc) => ({ doc, rev: undefined })),
    ),
  ]);
  const written = new Set(
    journal.status === 'fulfilled' ? journal.value.filter((r) => r.ok).map((r) => r.id) : [],
  );
  if (journal.status === 'rejected') {
    // Best effort: the error that matters is the journal's.
    if (batchWrite.status === 'fulfilled') {
      await withdrawUnwritten(store, auditDb, batches, batchWrite.value, entries, written).catch(
        () => {},
      );
    }
    throw journal.reason;
  }
  if (batchWrite.status === 'fulfilled' && written.size < rows.length) {
    await withdrawUnwritten(store, auditDb, batches, batchWrite.value, entries, written);
  }
  if (batchWrite.status === 'rejected') throw batchWrite.reason;
  const failed = batchWrite.value.find((r) => !r.ok && r.error !== 'conflict');
  if (failed) throw new Error(`audit write of ${failed.id} failed: ${failed.error}`);
  return journal.value;
}

/** Rewrites each written batch with the entries of written rows only (deleted when none). */
async function withdrawUnwritten(
  store: Store,
  auditDb: string,
  batches: Doc[],
  results: WriteResult[],
  entries: AuditEntry[],
  written: Set<string>,
): Promise<void> {
  const corrections = batches.flatMap((batch, i) => {
    const rev = results[i]?.ok ? results[i]!.rev : undefined;
    if (!rev) return [];
    const kept = entries.filter(
      (e) => e.subgroupId === (batch as unknown as AuditBatch).subgroupId && written.has(e.docId),
    );
    const [rewritten] = auditBatches(kept, (batch as unknown as AuditBatch).receivedAt);
    const doc = rewritten
      ? ({ ...rewritten, id: batch.id } as unknown as Doc)
      : ({ ...batch, _deleted: true } as Doc);
    return [{ doc, rev }];
  });
  await store.bulkWrite(auditDb, corrections);
}

export async function recordAudit(store: Store, orgId: string, docs: Doc[]): Promise<void> {
  if (docs.length === 0) return;
  await store.ensureDb(auditDbName(orgId));
  await store.insertIfAbsent(auditDbName(orgId), docs);
}

type StoredBatch = Doc &
  Omit<AuditBatch, 'entriesJson'> & {
    entriesJson?: string;
    entries?: AuditEntry[];
  };

/** A batch's entries, from its JSON text or, in batches of earlier versions, its array. */
function entriesOf(batch: StoredBatch): AuditEntry[] {
  if (typeof batch.entriesJson !== 'string') return batch.entries ?? [];
  const { orgId, subgroupId, receivedAt } = batch;
  return (JSON.parse(batch.entriesJson) as BatchedEntry[]).map((e) => {
    const device = e.device ?? batch.device;
    return {
      id: entryId(e.docId, e.field, e.editedAt, device),
      type: 'audit',
      orgId,
      subgroupId,
      docId: e.docId,
      field: e.field,
      old: e.old ?? null,
      new: e.new,
      by: e.by ?? batch.by,
      device,
      editedAt: e.editedAt,
      receivedAt,
      offline: e.offline === true,
    };
  });
}

/** The subgroup a lesson or mark id names (`lesson:<sg>:…`, `mark:<sg>:…`). */
function subgroupOfDocId(docId: string): string | undefined {
  return /^(?:lesson|mark):([a-z0-9][a-z0-9-]*):/.exec(docId)?.[1];
}

/** The audit entries of a subgroup, or of one lesson or mark, oldest first. */
export async function readAudit(
  store: Store,
  orgId: string,
  query: { subgroupId?: string; docId?: string },
): Promise<AuditEntry[]> {
  const subgroupId = query.subgroupId ?? (query.docId && subgroupOfDocId(query.docId));
  if (!subgroupId) return [];

  const [batches, docs] = await Promise.all([
    store.find<StoredBatch>(auditDbName(orgId), { type: 'audit-batch', subgroupId }),
    journalDocs(store, subgroupId, query.docId),
  ]);
  const seen = new Set<string>();
  const entries = batches
    .flatMap(entriesOf)
    .filter((e) => !query.docId || e.docId === query.docId)
    .sort(byArrival)
    // One entry per edit (its id names the field and the edit's stamp): an edit pushed again
    // after a push that died between its two writes is listed once, when first received.
    .filter((e) => !seen.has(e.id) && seen.add(e.id));
  const reached = reachedJournal(entries, docs);
  return [...reached, ...unrecordedEdits(reached, docs)].sort(byArrival);
}

const byArrival = (a: AuditEntry, b: AuditEntry) =>
  a.receivedAt - b.receivedAt || a.editedAt - b.editedAt;

/** The lessons and marks of the subgroup as stored now (or the one asked for). */
async function journalDocs(
  store: Store,
  subgroupId: string,
  docId: string | undefined,
): Promise<Map<string, JournalDoc>> {
  const db = subgroupDbName(subgroupId);
  if (!(await store.dbExists(db))) return new Map();
  const docs = docId
    ? [...(await store.getMany(db, [docId])).values()].map((s) => s.doc)
    : (
        await Promise.all(
          ['lesson', 'mark'].map((kind) =>
            store.scanPrefix(db, `${kind}:${subgroupId}:`, undefined, 1_000_000),
          ),
        )
      ).flatMap((page) => page.docs);
  return new Map(docs.map((doc) => [doc.id, doc as unknown as JournalDoc]));
}

/** The stamp of the edit that set a field's value now, if the document has one. */
function stampOf(doc: JournalDoc | undefined, field: string) {
  return (doc?.stamps as Record<string, Stamp | undefined> | undefined)?.[field];
}

const fieldKey = (docId: string, field: string) => `${docId}\n${field}`;

/**
 * Leaves out the entries of edits that never reached the journal. A push sends its audit batch
 * with its journal write; a process killed between the two can leave a batch whose rows were
 * never written, and the device may then push a newer edit instead. The stored edits of a field
 * form a chain — each one's `old` is the value the one before it set — so an entry whose
 * successor started from another value was not stored, and the last entry of a field must hold
 * the document's value now, unless that value came from a later edit whose own entry was lost
 * (unrecordedEdits then stands for it, starting from this one).
 */
function reachedJournal(entries: AuditEntry[], docs: Map<string, JournalDoc>): AuditEntry[] {
  const next = new Map<AuditEntry, AuditEntry>();
  const last = new Map<string, AuditEntry>();
  const ids = new Set(entries.map((e) => e.id));
  for (const e of entries) {
    const key = fieldKey(e.docId, e.field);
    const before = last.get(key);
    if (before) next.set(before, e);
    last.set(key, e);
  }
  return entries.filter((e) => {
    const successor = next.get(e);
    if (successor) return sameJson(e.new, successor.old);
    const doc = docs.get(e.docId);
    if (!doc) return false;
    if (sameJson(e.new, fieldValue(doc as never, e.field))) return true;
    const stamp = stampOf(doc, e.field);
    return (
      !!stamp && !ids.has(entryId(doc.id, e.field, stamp.at, stamp.dev)) && e.editedAt <= stamp.at
    );
  });
}

/**
 * The edits that reached the journal without their entry: the journal write landed and the
 * audit batch beside it did not (the audit database failed, or the process died in between),
 * and the device, answered with an error, pushed the same edit again, which then changed
 * nothing and so recorded nothing. The document's stamp still says who made the value it holds,
 * when, on which device and whether offline, so the trail is completed from it, marked
 * `recovered`: when it arrived is not known, and the value before it only when an earlier entry
 * of the field reached the journal.
 */
function unrecordedEdits(reached: AuditEntry[], docs: Map<string, JournalDoc>): AuditEntry[] {
  const last = new Map<string, AuditEntry>();
  for (const e of reached) last.set(fieldKey(e.docId, e.field), e);
  const out: AuditEntry[] = [];

  for (const doc of docs.values()) {
    if (doc.type !== 'lesson' && doc.type !== 'mark') continue;
    for (const field of lwwFields(doc.type)) {
      const stamp = stampOf(doc, field);
      const value = fieldValue(doc as never, field);
      const before = last.get(fieldKey(doc.id, field));
      if (!stamp) continue;
      if (before ? sameJson(before.new, value) : !worthRecordingNew(doc.type, field, value)) {
        continue;
      }
      out.push({
        id: entryId(doc.id, field, stamp.at, stamp.dev),
        type: 'audit',
        orgId: doc.orgId,
        subgroupId: doc.subgroupId,
        docId: doc.id,
        field,
        old: before ? before.new : null,
        new: value ?? null,
        by: stamp.by,
        device: stamp.dev,
        editedAt: stamp.at,
        // Unknown; no earlier than the edit itself or the entry it follows, so it sorts there.
        receivedAt: Math.max(stamp.at, before?.receivedAt ?? 0),
        offline: stamp.off,
        recovered: true,
      });
    }
  }
  return out;
}
