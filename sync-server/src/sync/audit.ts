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
    // A new doc records what it says; empty optional fields are noise (a mark's code is not).
    const empty = next === '' || next === null || next === false;
    if (!before && empty && !(after.type === 'mark' && field === 'code')) continue;

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

  const batches = await store.find<StoredBatch>(auditDbName(orgId), {
    type: 'audit-batch',
    subgroupId,
  });
  const seen = new Set<string>();
  const entries = batches
    .flatMap(entriesOf)
    .filter((e) => !query.docId || e.docId === query.docId)
    .sort((a, b) => a.receivedAt - b.receivedAt || a.editedAt - b.editedAt)
    // One entry per edit (its id names the field and the edit's stamp): an edit pushed again
    // after a push that died between its two writes is listed once, when first received.
    .filter((e) => !seen.has(e.id) && seen.add(e.id));
  return reachedJournal(entries, await currentDocs(store, subgroupId, entries));
}

async function currentDocs(
  store: Store,
  subgroupId: string,
  entries: AuditEntry[],
): Promise<Map<string, Record<string, unknown>>> {
  const db = subgroupDbName(subgroupId);
  if (entries.length === 0 || !(await store.dbExists(db))) return new Map();
  const stored = await store.getMany(db, [...new Set(entries.map((e) => e.docId))]);
  return new Map([...stored].map(([id, s]) => [id, s.doc as Record<string, unknown>]));
}

/**
 * Leaves out the entries of edits that never reached the journal. A push sends its audit batch
 * with its journal write; a process killed between the two can leave a batch whose rows were
 * never written, and the device may then push a newer edit instead. The stored edits of a field
 * form a chain — each one's `old` is the value the one before it set — so an entry whose
 * successor started from another value was not stored, and the last entry of a field must hold
 * the document's value now.
 */
function reachedJournal(
  entries: AuditEntry[],
  docs: Map<string, Record<string, unknown>>,
): AuditEntry[] {
  const next = new Map<AuditEntry, AuditEntry>();
  const last = new Map<string, AuditEntry>();
  for (const e of entries) {
    const key = `${e.docId}\n${e.field}`;
    const before = last.get(key);
    if (before) next.set(before, e);
    last.set(key, e);
  }
  return entries.filter((e) => {
    const successor = next.get(e);
    if (successor) return sameJson(e.new, successor.old);
    const doc = docs.get(e.docId);
    return doc !== undefined && sameJson(e.new, fieldValue(doc, e.field));
  });
}
