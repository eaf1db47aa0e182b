import type { JournalDoc, PushResponse, SyncCollection } from '@otmetka/shared';
import { COLLECTION_DOC_SCHEMAS, contentFreeTombstone, pushResponseSchema } from '@otmetka/shared';
import type { JournalCollectionName, OtmetkaDb } from '../db/database.ts';
import { saveBookkeeping } from '../db/database.ts';
import { addNotice, settleLanded } from '../db/repo.ts';
import type { Notice } from '../db/schemas.ts';
import { type Ctx, markOnline, markSynced, noticeLost } from './context.ts';
import { errorInfo } from './errors.ts';
import {
  lostInConflict,
  refusalLanded,
  refusedChanges,
  withoutRefusedEdits,
} from './lost-edits.ts';

/**
 * The push side of the replication: rows go out without the edits the server refused before
 * (CR9), refusals become the teacher's notices (PR5), answered versions stop being pending, and
 * a conflict's lost fields are reported.
 */

/** A row RxDB hands the push handler: the device's version and the one it assumes on the server. */
interface PushedRow {
  assumedMasterState?: Record<string, unknown>;
  newDocumentState: Record<string, unknown>;
}

export async function pushHandler(ctx: Ctx, name: JournalCollectionName, rows: PushedRow[]) {
  const { db } = ctx;
  // Fresh attempts: an id refused in an earlier push is judged anew.
  for (const row of rows) {
    db.refusedNow.delete(row.newDocumentState.id as string);
    ctx.sentWithoutRefused.delete(row.newDocumentState.id as string);
  }
  const refusals = await refusalsOf(db, name, rows);
  const reverted = withoutRefused(rows, refusals);
  const body = pushResponseSchema.parse(
    await ctx.session.postJson(`/api/sync/${name}/push`, {
      rows: rows.map((r) => ({
        assumedMasterState: r.assumedMasterState ?? null,
        newDocumentState: reverted.get(r.newDocumentState.id as string) ?? r.newDocumentState,
      })),
    }),
  );
  markOnline(ctx);
  // CR11: the server changed what was sent (a merge, a refusal). A pull page it read before
  // storing that may still be on its way, and RxDB writes it over the answer if it lands after:
  // one more pull brings the stored version.
  if (body.conflicts.length > 0) ctx.pullAgain(name);

  const schema = COLLECTION_DOC_SCHEMAS[name];
  const conflicts = new Map(
    body.conflicts.map((raw) => {
      const doc = schema.parse(raw) as Record<string, unknown>;
      return [doc.id as string, { ...doc, _deleted: Boolean(doc._deleted) }];
    }),
  );
  const at = db.now();
  await noticeRefused(db, name, body.refused, conflicts, at);
  acknowledge(
    db,
    rows.map((r) => r.newDocumentState as unknown as JournalDoc),
    at,
  );
  markSynced(ctx);

  // RM3: a row of a subgroup that is not (or no longer) the teacher's is kept in the notices
  // above; the device's own copy becomes a content-free tombstone, whatever the server's
  // answer held (its tombstone of the attempt, or nothing when the attempt was a deletion).
  for (const refused of body.refused) {
    if (refused.code !== 'NOT_TEACHER_OF_SUBGROUP') continue;
    const sent = rows.find((r) => r.newDocumentState.id === refused.id)?.newDocumentState;
    if (!sent) continue;
    conflicts.set(
      refused.id,
      contentFreeTombstone(sent as unknown as JournalDoc) as unknown as Record<string, unknown> & {
        _deleted: boolean;
      },
    );
  }
  // Only a document refused before this push has a refusal to close (this answer's refusals are
  // of rows the server did not take): most pushes read the notices once.
  if (refusals.length > 0) {
    await settleLanded(
      db,
      name,
      taken(rows, reverted, conflicts, body.refused),
      (attempt, server) => refusalLanded(db.deviceId, attempt, server),
    );
  }
  adoptSentWithoutRefused(ctx, reverted, conflicts, body.refused);
  return [...conflicts.values()];
}

/** PR5: each refused row goes into the teacher's notices, with what it would have changed. */
async function noticeRefused(
  db: OtmetkaDb,
  name: JournalCollectionName,
  refused: PushResponse['refused'],
  conflicts: Map<string, Record<string, unknown>>,
  at: number,
) {
  for (const row of refused) {
    db.refusedNow.add(row.id);
    const attempted = row.attempted as unknown as JournalDoc;
    const server = conflicts.get(row.id) as unknown as JournalDoc | undefined;
    await addNotice(db, {
      kind: 'refused',
      source: name,
      docId: row.id,
      code: row.code,
      message: row.message || errorInfo(row.code).message,
      attempted: row.attempted,
      lostFields: refusedChanges(db.deviceId, attempted, server),
      at,
    });
  }
}

/** What the server holds for each row it took: its answer, or else the row as sent. */
function taken(
  rows: PushedRow[],
  reverted: Map<string, Record<string, unknown>>,
  conflicts: Map<string, Record<string, unknown>>,
  refused: { id: string }[],
): JournalDoc[] {
  const refusedIds = new Set(refused.map((r) => r.id));
  const out: JournalDoc[] = [];
  for (const row of rows) {
    const id = row.newDocumentState.id as string;
    if (refusedIds.has(id)) continue;
    const held = conflicts.get(id) ?? reverted.get(id) ?? row.newDocumentState;
    out.push(held as unknown as JournalDoc);
  }
  return out;
}

/**
 * CR9: the copy drops the refused edit it still held. The server's state is the row sent when
 * it answered no other; as for a refusal, the conflict handler takes it as it is. The lost
 * edits of a row taken are judged against what was sent (recordConflict).
 */
function adoptSentWithoutRefused(
  ctx: Ctx,
  reverted: Map<string, Record<string, unknown>>,
  conflicts: Map<string, Record<string, unknown> & { _deleted: boolean }>,
  refused: { id: string }[],
): void {
  for (const [id, sent] of reverted) {
    if (!conflicts.has(id)) conflicts.set(id, { ...sent, _deleted: Boolean(sent._deleted) });
    ctx.db.refusedNow.add(id);
    if (!refused.some((r) => r.id === id)) ctx.sentWithoutRefused.set(id, sent);
  }
}

/** The teacher's refused notices (dismissed ones too) of the documents a push sends. */
async function refusalsOf(
  db: OtmetkaDb,
  name: JournalCollectionName,
  rows: PushedRow[],
): Promise<Notice[]> {
  const ids = rows.map((r) => r.newDocumentState.id as string);
  const notices = await db.rx.collections.notices
    .find({ selector: { kind: 'refused', source: name, docId: { $in: ids } } })
    .exec();
  return notices.map((n) => n.toJSON() as Notice);
}

/**
 * CR9: the rows that carry an edit the server refused earlier (`notices`, dismissed ones too),
 * as they go out instead: with the server's value in those fields.
 */
function withoutRefused(
  rows: PushedRow[],
  notices: Notice[],
): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  if (notices.length === 0) return out;

  for (const row of rows) {
    const id = row.newDocumentState.id as string;
    const attempts = notices
      .filter((n) => n.docId === id)
      .map((n) => n.attempted as unknown as JournalDoc);
    if (attempts.length === 0) continue;
    const sent = withoutRefusedEdits(
      row.newDocumentState as unknown as JournalDoc,
      row.assumedMasterState as unknown as JournalDoc | undefined,
      attempts,
    );
    if (sent) out.set(id, sent as unknown as Record<string, unknown>);
  }
  return out;
}

/** The server answered for these versions: they are no longer pending. */
function acknowledge(db: OtmetkaDb, docs: JournalDoc[], at: number): void {
  for (const doc of docs) {
    const newest = Math.max(0, ...Object.values(doc.stamps ?? {}).map((s) => s.at));
    const pending = db.pending.get(doc.id);
    if (pending && pending.at <= newest) db.pending.delete(doc.id);
    const previous = db.acked.get(doc.id);
    db.acked.set(doc.id, { time: at, upTo: Math.max(newest, previous?.upTo ?? 0) });
  }
  void saveBookkeeping(db);
}

export async function recordConflict(
  ctx: Ctx,
  name: SyncCollection,
  input: PushedRow,
  output: Record<string, unknown>,
) {
  const pushed = input.newDocumentState as unknown as JournalDoc;
  // What went out for a row that carried a refused edit (CR9): only the rest can have lost.
  const sent = ctx.sentWithoutRefused.get(pushed.id) as unknown as JournalDoc | undefined;
  ctx.sentWithoutRefused.delete(pushed.id);
  const refused = ctx.db.refusedNow.delete(pushed.id);
  // A refused row already has its notice with the server's reason.
  if (refused && !sent) return;
  const mine = sent ?? pushed;
  const lost = lostInConflict(
    ctx.db.deviceId,
    mine,
    input.assumedMasterState as unknown as JournalDoc | undefined,
    output as unknown as JournalDoc,
  );
  if (lost.length > 0) await noticeLost(ctx, name as JournalCollectionName, mine, lost);
}
