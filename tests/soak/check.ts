import { orgDbName, type Store, subgroupDbName } from '../../sync-server/src/db/store.ts';
import {
  compareStamps,
  defaultCalendar,
  expandSchedule,
  isOnSchedule,
  isSameContent,
  type Schedule,
  type Stamp,
  type Subgroup,
  scheduleId,
} from '../../sync-server/src/shared.ts';
import { readAudit } from '../../sync-server/src/sync/audit.ts';
import { http, login } from './actors.ts';
import type { Device } from './device.ts';
import type { SoakTeacher } from './fixture.ts';
import { brief } from './history.ts';
import type { DeviceDump, LedgerEntry, NoticeView } from './protocol.ts';

/**
 * The end-of-soak checks: each device against the server; each ledger entry accounted for; a
 * further sync round writes nothing; lessons only on slots or flagged.
 */

type Json = Record<string, unknown>;
type Stamps = Record<string, Stamp>;

export type Verdict = 'kept' | 'superseded' | 'author-later' | 'refused' | 'reported-lost' | 'lost';

export interface LedgerVerdict {
  entry: LedgerEntry;
  verdict: Verdict;
  why: string;
}

/** Every journal document on the server, tombstones included, by id. */
export async function serverTruth(store: Store, teachers: SoakTeacher[]) {
  const docs = new Map<string, Json>();
  for (const t of teachers) {
    const page = await store.changes(subgroupDbName(t.subgroupId), '0', 1_000_000);
    for (const row of page.rows) if (row.doc) docs.set(row.id, row.doc as Json);
  }
  return docs;
}

const cmp = (a: Stamp | undefined, b: Stamp | undefined) => compareStamps(a, b);

function noticeCovers(n: NoticeView, e: LedgerEntry, deleted: boolean): boolean {
  if (n.docId !== e.docId) return false;
  const attempted = (n.attempted.stamps ?? {}) as Stamps;
  if (cmp(attempted[e.field], e.stamp) < 0) return false;
  if (n.kind === 'refused') return true;
  return n.lostFields.some((l) => l.field === e.field || (deleted && l.field === '_deleted'));
}

/** Whether a later write X of the same field legitimately replaced E (its author had seen E). */
function sawIt(x: LedgerEntry, e: LedgerEntry, field: string): boolean {
  return x.device === e.device || cmp(x.seen[field], e.stamp) >= 0;
}

export function judge(
  entry: LedgerEntry,
  truth: Map<string, Json>,
  all: LedgerEntry[],
  notices: NoticeView[],
): LedgerVerdict {
  const doc = truth.get(entry.docId);
  const stamps = (doc?.stamps ?? {}) as Stamps;
  const deleted = doc?._deleted === true;
  const reported = notices.find((n) => noticeCovers(n, entry, deleted));
  const fallback = (why: string): LedgerVerdict =>
    reported
      ? {
          entry,
          verdict: reported.kind === 'refused' ? 'refused' : 'reported-lost',
          why: reported.code,
        }
      : { entry, verdict: 'lost', why };

  if (!doc) return fallback('not on the server');
  const order = cmp(stamps[entry.field], entry.stamp);
  if (order < 0) return fallback('the server holds an older value');
  if (order > 0) {
    const later = all.filter(
      (x) => x.docId === entry.docId && x.field === entry.field && cmp(x.stamp, entry.stamp) > 0,
    );
    if (later.some((x) => sawIt(x, entry, entry.field))) {
      return { entry, verdict: 'superseded', why: 'a later edit made after seeing it' };
    }
    const winner = stamps[entry.field];
    // The same person's later edit on another device that had not pulled this one yet: the
    // author's own newer choice, which the client does not report (lostOnPull treats an edit
    // made after the server acknowledged ours as an ordinary later change). Counted apart.
    if (!reported && winner?.by === entry.stamp.by && winner.dev !== entry.stamp.dev) {
      return { entry, verdict: 'author-later', why: `overwritten by ${winner.dev}` };
    }
    return fallback(`overwritten by a concurrent edit (${winner?.dev})`);
  }
  if (!deleted || entry.field === '_deleted') return { entry, verdict: 'kept', why: '' };

  // The value is there, but in a tombstone: fine when the deletion was made knowing this edit.
  const deletion = stamps._deleted;
  if (deletion?.dev === 'server' && entry.collection === 'lessons') {
    const input =
      doc.status !== 'planned' || doc.topicTitle || doc.homework || doc.remark || doc.topicId;
    if (input) return fallback('a schedule change deleted a lesson with teacher input');
    return { entry, verdict: 'superseded', why: 'an empty lesson left the schedule' };
  }
  const deleters = all.filter(
    (x) => x.docId === entry.docId && x.field === '_deleted' && x.value === true,
  );
  if (deleters.some((x) => sawIt(x, entry, entry.field))) {
    return { entry, verdict: 'superseded', why: 'deleted after it was seen' };
  }
  return fallback(`deleted by a concurrent edit (${deletion?.dev})`);
}

function strip(doc: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(doc)) if (!k.startsWith('_')) out[k] = v;
  return out;
}

const COLLECTIONS = ['lessons', 'topics', 'marks', 'roster', 'catalog'] as const;

/** Pulls everything the device's user may see, from scratch, through a server. */
async function pulledState(base: string, token: string) {
  const state = {} as Record<(typeof COLLECTIONS)[number], Map<string, Json>>;
  for (const name of COLLECTIONS) {
    const docs = new Map<string, Json>();
    let checkpoint: string | undefined;
    for (;;) {
      const cp = checkpoint ? `&checkpoint=${checkpoint}` : '';
      const res = await http(base, 'GET', `/api/sync/${name}/pull?limit=1000${cp}`, token);
      if (res.status !== 200) throw new Error(`pull ${name}: ${res.status}`);
      const body = res.body as { documents: Json[]; checkpoint: unknown };
      for (const d of body.documents) docs.set(d.id as string, d);
      checkpoint = Buffer.from(JSON.stringify(body.checkpoint)).toString('base64url');
      if (body.documents.length < 1000) break;
    }
    for (const [id, d] of docs) if (d._deleted) docs.delete(id);
    state[name] = docs;
  }
  return state;
}

export interface Divergence {
  collection: string;
  id: string;
  text: string;
}

/** Differences between a device's live documents and the server's, as short lines. */
export async function divergence(
  device: Device,
  dump: DeviceDump,
  base: string,
  password: string,
): Promise<Divergence[]> {
  const token = await login(base, device.teacherLogin, password);
  const server = await pulledState(base, token);
  const out: Divergence[] = [];
  const push = (name: string, id: string, what: string) =>
    out.push({ collection: name, id, text: `${device.name} ${name} ${id}: ${what}` });
  for (const name of COLLECTIONS) {
    const local = new Map(dump.docs[name].map((d) => [d.id as string, d]));
    for (const [id, doc] of server[name]) {
      const mine = local.get(id);
      if (!mine) push(name, id, `missing on the device; server ${brief(doc)}`);
      else if (!isSameContent(strip(mine), strip(doc)))
        push(name, id, `differs in ${differingKeys(mine, doc)}`);
    }
    for (const id of local.keys()) {
      if (!server[name].has(id))
        push(name, id, `not on the server; device ${brief(local.get(id))}`);
    }
  }
  return out;
}

/**
 * The server's side of a diverged document: its stored version with the sequence of its last
 * change (against the device's pull checkpoint) and its audit trail (who wrote what, when).
 */
export async function serverStory(store: Store, orgId: string, id: string): Promise<string[]> {
  const subgroupId = id.split(':')[1] ?? '';
  const page = await store.changes(subgroupDbName(subgroupId), '0', 1_000_000);
  const row = page.rows.find((r) => r.id === id);
  const doc = row?.doc as Json | undefined;
  const lines = [`server seq ${row?.seq ?? '-'} rev ${String(doc?._rev ?? '-')}: ${brief(doc)}`];
  const audit = await readAudit(store, orgId, { docId: id }).catch(() => []);
  for (const e of audit.slice(-12)) {
    const when = new Date(e.receivedAt).toISOString().slice(11, 23);
    lines.push(
      `server audit ${when} ${e.field}: ${JSON.stringify(e.old)} -> ${JSON.stringify(e.new)} by ${e.device.slice(4, 8)} edited ${e.editedAt % 1_000_000}${e.offline ? ' offline' : ''}`,
    );
  }
  return lines;
}

/** `update_seq` of every journal database and the org database. */
export async function updateSeqs(store: Store, teachers: SoakTeacher[], orgId: string) {
  const names = [orgDbName(orgId), ...teachers.map((t) => subgroupDbName(t.subgroupId))];
  const seqs: Record<string, string> = {};
  for (const name of names) {
    const info = await store.db(name).info();
    seqs[name] = String(info.update_seq);
  }
  return seqs;
}

/** Lessons that are neither on a slot of the current schedule nor flagged 'off-schedule'. */
export async function strayLessons(
  store: Store,
  teachers: SoakTeacher[],
  truth: Map<string, Json>,
  orgId: string,
): Promise<string[]> {
  const stray: string[] = [];
  const calendar = defaultCalendar();
  for (const t of teachers) {
    const schedule = await store.get<Schedule & Json & { id: string }>(
      orgDbName(orgId),
      scheduleId(t.subgroupId),
    );
    const subgroup = await store.get<Subgroup & Json & { id: string }>(
      orgDbName(orgId),
      t.subgroupId,
    );
    if (!schedule || !subgroup) continue;
    const slots = expandSchedule({ schedule, subgroup, calendar });
    for (const doc of truth.values()) {
      if (doc.type !== 'lesson' || doc._deleted || doc.subgroupId !== t.subgroupId) continue;
      const on = isOnSchedule(slots, doc.date as string, doc.start as string);
      if (!on && doc.flag !== 'off-schedule') stray.push(`${doc.id} (flag ${doc.flag})`);
    }
  }
  return stray;
}

const ref = (stamp: { at: number; dev: string } | null | undefined) =>
  stamp ? `${stamp.at}@${stamp.dev}` : '-';

/**
 * What a lost edit's story was, for the log: the edit, every ledger edit of the same document,
 * the server's stamps of the field and of the deletion (with what the deletion had seen), and
 * the author's notices on the document. A lost edit is rare and timing-bound; the next run
 * may not repeat it, so the first one must explain itself.
 */
export function lostStory(
  v: LedgerVerdict,
  truth: Map<string, Json>,
  all: LedgerEntry[],
  notices: NoticeView[],
): string[] {
  const e = v.entry;
  const doc = truth.get(e.docId);
  const stamps = (doc?.stamps ?? {}) as Stamps;
  const deletion = stamps._deleted;
  const edits = all
    .filter((x) => x.docId === e.docId)
    .map(
      (x) =>
        `${x.device} ${x.field}=${JSON.stringify(x.value).slice(0, 40)} ${ref(x.stamp)} saw ${ref(x.seen[e.field])}`,
    );
  const own = notices
    .filter((n) => n.docId === e.docId)
    .map((n) => {
      const attempted = (n.attempted.stamps ?? {}) as Stamps;
      const lost = n.lostFields.map((l) => l.field).join(',');
      return `${n.kind}/${n.code} lost [${lost}] attempted ${e.field} ${ref(attempted[e.field])}`;
    });
  return [
    `edit ${ref(e.stamp)} prev ${ref(e.prev)}; server ${e.field} ${ref(stamps[e.field])}, ` +
      `_deleted=${doc?._deleted === true} ${ref(deletion)} seen ${ref(deletion?.seen?.[e.field])}`,
    ...edits.map((line) => `ledger: ${line}`),
    ...(own.length > 0 ? own.map((line) => `notice: ${line}`) : ['notice: none']),
  ];
}

/** Which top-level fields of two versions differ, with the device's and the server's value. */
function differingKeys(mine: Json, theirs: Json): string {
  const keys = new Set([...Object.keys(strip(mine)), ...Object.keys(strip(theirs))]);
  const show = (v: unknown) => JSON.stringify(v ?? null).slice(0, 120);
  return [...keys]
    .filter((k) => JSON.stringify(mine[k] ?? null) !== JSON.stringify(theirs[k] ?? null))
    .map((k) => `${k}: device ${show(mine[k])} server ${show(theirs[k])}`)
    .join('; ');
}
