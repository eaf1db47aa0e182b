import nano, { type DocumentScope, type MangoQuery, type ServerScope } from 'nano';
import type { User } from '../shared.ts';
import { CONNECTION_ERRORS, CouchHttp } from './couch-http.ts';

/**
 * All database access of the server, through nano, as to Apache CouchDB 3 (the requests of every
 * push batch through CouchHttp, the same API over a leaner client: see couch-http.ts).
 *
 * Layout (why per-subgroup databases: a pull reads the `_changes` of the caller's own sources
 * only, so its cost follows the caller's data, and CouchDB's sequence orders changes, so clocks
 * of several server processes never matter):
 * - `otm_users`: user accounts and refresh sessions;
 * - `otm_org_<orgId>`: catalog docs (org, programme, subgroup, schedule, teacher profile, lock,
 *   calendar), learners' public docs and applications;
 * - `otm_private_<orgId>`: teacher registry entries and other personal data (never read by sync),
 *   and the leases that take one change at a time of a subgroup's places (db/lease.ts);
 * - `otm_sg_<subgroupId>`: journal docs of one subgroup (lessons, topics, marks, roster entries);
 * - `otm_audit_<orgId>`: audit entries of mark/lesson field changes and push refusals.
 *
 * A document's `_id` is its `id`; `_id` and `_rev` never leave this module in returned docs.
 * Deleted docs keep their full body plus `_deleted: true` (RxDB needs full tombstones). In a
 * journal database a deleted document stays a live CouchDB document marked `tombstone: true`
 * (translated here, so callers only see `_deleted`): then every id that was ever written
 * exists, and inserting a document without a revision fails with 409 when it exists in any
 * state. A push of new marks can therefore write them without reading them first; a CouchDB
 * deletion would instead let a revision-less write silently recreate the document over it.
 */

export type Doc = { id: string; _deleted?: boolean } & Record<string, unknown>;

/** A stored document with its revision, deleted or not. */
export interface Stored<T extends Doc = Doc> {
  doc: T;
  rev: string;
  deleted: boolean;
}

export interface ChangeRow {
  seq: string;
  id: string;
  deleted: boolean;
  doc: Doc | undefined;
}

export interface WriteResult {
  id: string;
  ok: boolean;
  rev?: string;
  /** CouchDB's error name, e.g. 'conflict'. */
  error?: string;
}

export const USERS_DB = 'otm_users';
/** A read-modify-write (`Store.update`) that lost every race for its document. */
export class WriteConflictError extends Error {
  constructor(readonly id: string) {
    super(`write of ${id} kept conflicting`);
  }
}

/** The sign-in limits' counters (auth/shared-rate-limit.ts). */
export const RATE_LIMIT_DB = 'otm_ratelimits';
export const orgDbName = (orgId: string) => `otm_org_${orgId}`;
export const privateDbName = (orgId: string) => `otm_private_${orgId}`;
export const subgroupDbName = (subgroupId: string) => `otm_sg_${subgroupId}`;
export const auditDbName = (orgId: string) => `otm_audit_${orgId}`;

/** Mango indexes of each kind of database, created idempotently. */
const INDEXES: Record<string, string[][]> = {
  users: [
    ['type', 'login'],
    ['type', 'familyId'],
    ['type', 'userId'],
  ],
  org: [['type'], ['type', 'parentUserId'], ['type', 'subgroupId']],
  private: [['type']],
  sg: [['type'], ['type', 'learnerId']],
  audit: [
    ['type', 'subgroupId'],
    ['type', 'docId'],
  ],
};

function kindOf(dbName: string): keyof typeof INDEXES | undefined {
  if (dbName === USERS_DB) return 'users';
  const m = /^otm_(org|private|sg|audit)_/.exec(dbName);
  return m?.[1] as keyof typeof INDEXES | undefined;
}

/**
 * Whether a failure is the database not answering (connection refused, reset or silent while it
 * restarts, CouchDB's own 503 while a cluster is degraded, a proxy's 502 or 504 in front of it),
 * rather than a bug: the caller may simply try again. nano reports a socket failure only through
 * its message; CouchHttp by its code.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const couch = error as Error & { scope?: string; statusCode?: number; code?: string };
  // 502 and 504: a proxy in front of the database did not reach it.
  if (couch.scope === 'couch') return [502, 503, 504].includes(couch.statusCode ?? 0);
  if (couch.code && CONNECTION_ERRORS.has(couch.code)) return true;
  return error.message.startsWith('error happened in your connection');
}

function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number })?.statusCode;
}

/** The flag of a deleted document in a journal database (see the layout above). */
const TOMBSTONE = 'tombstone';

const isJournalDb = (dbName: string) => dbName.startsWith('otm_sg_');

/** Strip CouchDB's `_id`/`_rev`; keep `_deleted: true` only on tombstones. */
export function toPlain<T extends Doc = Doc>(raw: Record<string, unknown>): T {
  const { _id, _rev, _deleted, [TOMBSTONE]: tombstone, ...rest } = raw;
  const doc = { ...rest, id: (rest.id as string | undefined) ?? (_id as string) } as T;
  if (_deleted || tombstone === true) (doc as Doc)._deleted = true;
  return doc;
}

export function toCouch(
  doc: Doc,
  rev: string | undefined,
  softDelete = false,
): Record<string, unknown> {
  const { _deleted, ...rest } = doc;
  const out: Record<string, unknown> = { ...rest, _id: doc.id };
  if (rev) out._rev = rev;
  if (_deleted) out[softDelete ? TOMBSTONE : '_deleted'] = true;
  return out;
}

export class Store {
  readonly couch: ServerScope;
  readonly url: string;
  private readonly http: CouchHttp;
  private readonly known = new Set<string>();
  /** Values derived from an org database, each under the update_seq it was read at (byOrgSeq). */
  private readonly orgValues = new Map<string, { seq: string; value: unknown }>();

  constructor(couchUrl: string) {
    this.url = couchUrl.replace(/\/$/, '');
    this.couch = nano({ url: this.url });
    this.http = new CouchHttp(this.url);
  }

  /** Ends the kept-alive connections (nano's close by themselves). */
  close(): void {
    this.http.close();
  }

  private path(dbName: string, rest = ''): string {
    return `${encodeURIComponent(dbName)}${rest}`;
  }

  db<T extends object = Record<string, unknown>>(name: string): DocumentScope<T> {
    return this.couch.use<T>(name);
  }

  // Databases and indexes

  /**
   * Creates otm_users, (re)creates the indexes of every otm_* database and brings journal
   * databases to the current layout. Idempotent.
   */
  async init(): Promise<void> {
    await this.ensureDb(USERS_DB);
    await this.ensureDb(RATE_LIMIT_DB);
    const names = await this.couch.db.list();
    for (const name of names.filter((n) => n.startsWith('otm_'))) {
      await this.ensureDb(name);
      if (isJournalDb(name)) await this.migrateTombstones(name);
    }
  }

  /**
   * Journal databases written before deletions were kept live hold CouchDB deletions: turn each
   * into a live `tombstone` document with the same body, once per database (a `_local` marker,
   * which neither replicates nor shows in `_changes`). Safe with several processes at once: a
   * second recreation of the same document gets 409 and is skipped.
   */
  private async migrateTombstones(dbName: string): Promise<void> {
    const marker = '_local/otm-live-tombstones';
    try {
      await this.db(dbName).get(marker);
      return;
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }

    const res = await this.db(dbName).changes({ include_docs: true });
    const bodies = res.results.flatMap((r) => {
      const raw = (r as unknown as { doc?: Record<string, unknown> }).doc;
      return r.deleted && raw ? [toCouch(toPlain(raw), undefined, true)] : [];
    });
    for (let i = 0; i < bodies.length; i += 500) {
      await this.db(dbName).bulk({ docs: bodies.slice(i, i + 500) });
    }
    await this.couch.request({ db: dbName, method: 'put', path: marker, body: {} });
  }

  async ensureDb(name: string): Promise<void> {
    if (this.known.has(name)) return;
    try {
      await this.couch.db.create(name);
    } catch (error) {
      // 412: it exists already, which is the idempotent case.
      if (statusOf(error) !== 412) throw error;
    }
    await this.ensureIndexes(name);
    this.known.add(name);
  }

  private async ensureIndexes(name: string): Promise<void> {
    const kind = kindOf(name);
    if (!kind) return;
    for (const fields of INDEXES[kind] ?? []) {
      const id = `idx-${fields.join('-')}`;
      await this.db(name).createIndex({ index: { fields }, ddoc: id, name: id });
    }
  }

  async ensureOrgDbs(orgId: string): Promise<void> {
    await this.ensureDb(orgDbName(orgId));
    await this.ensureDb(privateDbName(orgId));
    await this.ensureDb(auditDbName(orgId));
  }

  /** Call when a subgroup is created: its journal database and indexes. */
  async ensureSubgroupDb(subgroupId: string): Promise<void> {
    await this.ensureDb(subgroupDbName(subgroupId));
  }

  async dbExists(name: string): Promise<boolean> {
    if (this.known.has(name)) return true;
    try {
      await this.couch.db.get(name);
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }

  /** The server's welcome document: reachable and its version. */
  async info(): Promise<{ version: string; vendor: string }> {
    const root = (await this.couch.request({ path: '' })) as Record<string, unknown>;
    const vendor = root.couchdb
      ? 'couchdb'
      : root['express-pouchdb']
        ? 'express-pouchdb'
        : 'unknown';
    return { version: String(root.version ?? 'unknown'), vendor };
  }

  // Reads

  /** A live (not deleted) document, or undefined. */
  async get<T extends Doc = Doc>(dbName: string, id: string): Promise<T | undefined> {
    try {
      const doc = toPlain<T>((await this.db(dbName).get(id)) as unknown as Record<string, unknown>);
      return doc._deleted ? undefined : doc;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /**
   * Stored versions of the ids, deleted ones included with their full body. A journal database
   * has no CouchDB deletions (see the layout above), so one `_bulk_get` reads them all. Elsewhere
   * two requests: the revisions of all ids (`_all_docs?keys`, which also names deleted ones),
   * then the bodies of those revisions (`_bulk_get`).
   */
  async getMany<T extends Doc = Doc>(
    dbName: string,
    ids: string[],
  ): Promise<Map<string, Stored<T>>> {
    const out = new Map<string, Stored<T>>();
    const keys = [...new Set(ids)];
    if (keys.length === 0) return out;

    const wanted = isJournalDb(dbName)
      ? keys.map((id) => ({ id }))
      : await this.revisions(dbName, keys);
    if (wanted.length === 0) return out;

    for (const body of await this.bulkGet(dbName, wanted)) {
      const doc = toPlain<T>(body);
      out.set(doc.id, { doc, rev: body._rev as string, deleted: doc._deleted === true });
    }
    return out;
  }

  /** The live documents among `ids` (absent and deleted ones left out), in one request. */
  async liveDocs(dbName: string, ids: string[]): Promise<Map<string, Doc>> {
    const out = new Map<string, Doc>();
    const keys = [...new Set(ids)];
    if (keys.length === 0) return out;
    const res = await this.http.json<{ rows: { doc?: Record<string, unknown> | null }[] }>(
      'POST',
      this.path(dbName, '/_all_docs?include_docs=true'),
      { keys },
    );
    for (const row of res.rows) {
      if (!row.doc) continue;
      const doc = toPlain<Doc>(row.doc);
      if (doc._deleted !== true) out.set(doc.id, doc);
    }
    return out;
  }

  /** The current revision of each id that exists, deleted or not. */
  private async revisions(dbName: string, ids: string[]): Promise<{ id: string; rev: string }[]> {
    const res = await this.http.json<{ rows: Record<string, unknown>[] }>(
      'POST',
      this.path(dbName, '/_all_docs'),
      { keys: ids },
    );
    return res.rows.flatMap((row) => {
      const value = row.value as { rev: string } | undefined;
      return row.error || !value ? [] : [{ id: row.id as string, rev: value.rev }];
    });
  }

  /**
   * `_bulk_get` of documents (a given revision, or the current one). Absent ones are left out;
   * a listed revision that cannot be read (only a compaction in between could do that) throws.
   */
  private async bulkGet(
    dbName: string,
    docs: { id: string; rev?: string }[],
  ): Promise<Record<string, unknown>[]> {
    const res = await this.http.json<{
      results: { id: string; docs: { ok?: Record<string, unknown> }[] }[];
    }>('POST', this.path(dbName, '/_bulk_get'), { docs });

    return res.results.flatMap((result, i) => {
      const body = result.docs[0]?.ok;
      if (!body && docs[i]!.rev)
        throw new Error(`revision ${docs[i]!.rev} of ${result.id} could not be read`);
      return body ? [body] : [];
    });
  }

  async find<T extends Doc = Doc>(
    dbName: string,
    selector: MangoQuery['selector'],
    options: Omit<MangoQuery, 'selector'> = {},
  ): Promise<T[]> {
    // A journal database's deleted documents are live to CouchDB: keep them out, as CouchDB does.
    const live = isJournalDb(dbName) ? { ...selector, [TOMBSTONE]: { $exists: false } } : selector;
    const res = await this.db(dbName).find({ limit: 100_000, ...options, selector: live });
    return res.docs.map((d) => toPlain<T>(d as unknown as Record<string, unknown>));
  }

  /** Live documents of one type. */
  async listByType<T extends Doc = Doc>(dbName: string, type: string): Promise<T[]> {
    return this.find<T>(dbName, { type });
  }

  /** One page of `_changes` (https://docs.couchdb.org/en/stable/api/database/changes.html). */
  async changes(
    dbName: string,
    since: string,
    limit: number,
  ): Promise<{ rows: ChangeRow[]; lastSeq: string }> {
    const res = await this.db(dbName).changes({ since, limit, include_docs: true });
    const rows = res.results.map((r) => {
      const raw = (r as unknown as { doc?: Record<string, unknown> }).doc;
      return {
        seq: String(r.seq),
        id: r.id,
        deleted: Boolean(r.deleted) || raw?.[TOMBSTONE] === true,
        doc: raw && !r.id.startsWith('_design/') ? toPlain(raw) : undefined,
      };
    });
    return { rows, lastSeq: String(res.last_seq) };
  }

  /** The database's current update sequence (opaque; a valid `since` for `_changes`). */
  async updateSeq(dbName: string): Promise<string> {
    const info = await this.http.json<{ update_seq: unknown }>('GET', this.path(dbName));
    return String(info.update_seq);
  }

  /**
   * Live documents whose id starts with `prefix`, in id order, after the id `after` (exclusive):
   * one `_all_docs` range read, which costs what the documents cost and nothing for other kinds
   * or for the history of edits. Deleted documents are not listed, except a journal database's,
   * which stay live tombstones (see above) and come with `_deleted: true`. `updateSeq` is the
   * database's sequence as of the read (CouchDB: its snapshot; PouchDB: its end), for telling
   * whether anything was written since an earlier sequence.
   */
  async scanPrefix(
    dbName: string,
    prefix: string,
    after: string | undefined,
    limit: number,
  ): Promise<{ docs: Doc[]; updateSeq: string | undefined }> {
    // '\u0000' sorts right after `after` itself, so a deleted `after` cannot shift the page.
    const res = (await this.db(dbName).list({
      startkey: after === undefined ? prefix : `${after}\u0000`,
      endkey: `${prefix}\ufff0`,
      include_docs: true,
      update_seq: true,
      limit,
    })) as { rows: { doc?: unknown }[]; update_seq?: string | number };
    const docs = res.rows.flatMap((r) =>
      r.doc ? [toPlain(r.doc as Record<string, unknown>)] : [],
    );
    return { docs, updateSeq: res.update_seq === undefined ? undefined : String(res.update_seq) };
  }

  /**
   * One page of `_changes` without bodies: ids and sequences only, so a pull can pick the rows of
   * one document kind by id prefix and fetch just those bodies.
   */
  async changeIds(
    dbName: string,
    since: string,
    limit: number,
  ): Promise<{ rows: { seq: string; id: string }[]; lastSeq: string }> {
    const res = await this.db(dbName).changes({ since, limit });
    const rows = res.results.map((r) => ({ seq: String(r.seq), id: r.id }));
    return { rows, lastSeq: String(res.last_seq) };
  }

  // Writes

  /** `_bulk_docs` with the given revisions; a stale revision gives `error: 'conflict'`. */
  async bulkWrite(
    dbName: string,
    docs: { doc: Doc; rev: string | undefined }[],
  ): Promise<WriteResult[]> {
    if (docs.length === 0) return [];
    const soft = isJournalDb(dbName);
    const res = await this.http.json<
      { id?: string; rev?: string; error?: string; reason?: string }[]
    >('POST', this.path(dbName, '/_bulk_docs'), {
      docs: docs.map((d) => toCouch(d.doc, d.rev, soft)),
    });
    return res.map((r, i) => ({
      id: r.id ?? docs[i]!.doc.id,
      ok: !r.error,
      rev: r.rev,
      error: r.error,
    }));
  }

  /**
   * Read-modify-write of one document with retries on 409. `change` gets the stored version
   * (undefined when absent or deleted) and returns the new one, or undefined to write nothing;
   * it may read more first, which a retry reads again. `withDeleted`: a deleted version is
   * handed over as it is stored (its body with `_deleted: true`).
   */
  async update<T extends Doc>(
    dbName: string,
    id: string,
    change: (current: T | undefined) => T | undefined | Promise<T | undefined>,
    { attempts = 8, withDeleted = false } = {},
  ): Promise<T | undefined> {
    for (let i = 0; i < attempts; i++) {
      const stored = (await this.getMany<T>(dbName, [id])).get(id);
      const seen = stored && (withDeleted || !stored.deleted) ? stored.doc : undefined;
      const next = await change(seen);
      if (next === undefined) return seen;

      const [result] = await this.bulkWrite(dbName, [{ doc: next, rev: stored?.rev }]);
      if (result?.ok) return next;
      if (result?.error !== 'conflict') throw new Error(`write of ${id} failed: ${result?.error}`);
    }
    throw new WriteConflictError(id);
  }

  /** Insert or replace whole documents (last write wins; for server-owned docs). */
  async put<T extends Doc>(dbName: string, doc: T): Promise<T> {
    await this.update<T>(dbName, doc.id, () => doc);
    return doc;
  }

  async putMany<T extends Doc>(dbName: string, docs: T[]): Promise<void> {
    let pending = docs;
    for (let attempt = 0; attempt < 8 && pending.length > 0; attempt++) {
      const stored = await this.getMany(
        dbName,
        pending.map((d) => d.id),
      );
      const results = await this.bulkWrite(
        dbName,
        pending.map((doc) => ({ doc, rev: stored.get(doc.id)?.rev })),
      );
      const failed = results.filter((r) => !r.ok);
      const other = failed.find((r) => r.error !== 'conflict');
      if (other) throw new Error(`write of ${other.id} failed: ${other.error}`);
      const retry = new Set(failed.map((r) => r.id));
      pending = pending.filter((d) => retry.has(d.id));
    }
    if (pending.length > 0) throw new Error('bulk write kept conflicting');
  }

  /** Insert only; returns false when the id exists (deterministic ids make this idempotent). */
  async insertIfAbsent(dbName: string, docs: Doc[]): Promise<void> {
    const results = await this.bulkWrite(
      dbName,
      docs.map((doc) => ({ doc, rev: undefined })),
    );
    const failed = results.find((r) => !r.ok && r.error !== 'conflict');
    if (failed) throw new Error(`insert of ${failed.id} failed: ${failed.error}`);
  }

  /** Delete keeping the full body (a tombstone RxDB can validate). */
  async remove(dbName: string, id: string): Promise<void> {
    await this.update<Doc>(dbName, id, (current) =>
      current ? { ...current, _deleted: true } : undefined,
    );
  }

  // Users

  async getUser(id: string): Promise<User | undefined> {
    return this.get<User & Doc>(USERS_DB, id);
  }

  async getUserByLogin(login: string): Promise<User | undefined> {
    const [user] = await this.find<User & Doc>(USERS_DB, { type: 'user', login }, { limit: 1 });
    return user;
  }

  /**
   * Stores a new account, or answers false when its login is taken. The login is reserved
   * first by a document keyed by it, written without a revision: of two sign-ups racing for
   * one login exactly one gets it (a look-up then a write would let both through). Accounts
   * made before reservations are found by the look-up.
   */
  async createUser(user: User): Promise<boolean> {
    if (await this.getUserByLogin(user.login)) return false;
    const reservation = { id: `login:${user.login}`, type: 'login', userId: user.id } as Doc;
    const [reserved] = await this.bulkWrite(USERS_DB, [{ doc: reservation, rev: undefined }]);
    if (!reserved?.ok) return false;
    await this.put(USERS_DB, user as User & Doc);
    return true;
  }

  async putUser(user: User): Promise<User> {
    const existing = await this.getUserByLogin(user.login);
    if (existing && existing.id !== user.id) throw new Error(`login ${user.login} is taken`);
    return this.put(USERS_DB, user as User & Doc);
  }

  // Organisation shortcuts

  async catalog<T extends Doc = Doc>(orgId: string, type: string): Promise<T[]> {
    return this.listByType<T>(orgDbName(orgId), type);
  }

  /**
   * A value derived from an org database (its subgroups, what a push's rules need), re-read only
   * when the database has changed since: its update_seq is read first, so a cached value is never
   * older than the sequence it is kept under. Every sync request needs one; a burst of them then
   * costs one database-info request each instead of queries. `seqRead`: that request, started
   * earlier by the caller (it must have started after the caller's request arrived).
   */
  async byOrgSeq<T>(
    orgId: string,
    key: string,
    load: () => Promise<T>,
    seqRead: Promise<string> = this.updateSeq(orgDbName(orgId)),
  ): Promise<T> {
    const seq = await seqRead;
    const cacheKey = `${orgId}\n${key}`;
    const hit = this.orgValues.get(cacheKey);
    if (hit && hit.seq === seq) return hit.value as T;

    const value = await load();
    this.orgValues.set(cacheKey, { seq, value });
    return value;
  }

  /** The organisation's subgroups (deleted ones excluded by the query), cached by byOrgSeq. */
  async orgSubgroups<T extends Doc = Doc>(orgId: string): Promise<T[]> {
    return this.byOrgSeq(orgId, 'subgroups', () =>
      this.listByType<T>(orgDbName(orgId), 'subgroup'),
    );
  }

  async listDbs(prefix: string): Promise<string[]> {
    return (await this.couch.db.list()).filter((n) => n.startsWith(prefix));
  }
}
