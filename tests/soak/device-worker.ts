import { createHmac } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import type { DeviceAction, DeviceInit, DeviceRequest, LedgerEntry } from './protocol.ts';

/**
 * One simulated device in its own worker thread (its own JS realm, so RxDB's limit of open
 * collections counts per device): the real client database (RxDB on fake-indexeddb, a fresh
 * IDBFactory), the real session and replication, talking to the sync servers through the
 * device's proxy. Its clock is skewed through the database's `now` option, which every stamp
 * and sync time of the client reads.
 */

const init = workerData as DeviceInit;

/**
 * The client logs every replication failure it cannot classify as `sync error`; offline periods
 * make many. They are counted here (and returned by `dump`) instead of flooding the output.
 */
const syncErrors: Record<string, number> = {};
const originalError = console.error.bind(console);
const originalWarn = console.warn.bind(console);
// The Dexie storage's one-time "Open Core" banner, once per worker, says nothing about the run.
console.warn = (...args: unknown[]) => {
  if (String(args[0]).includes('RxDB Open Core')) return;
  originalWarn(...args);
};
console.error = (...args: unknown[]) => {
  if (args[0] === 'sync error') {
    const code = String((args[1] as { code?: string } | undefined)?.code ?? 'unknown');
    syncErrors[code] = (syncErrors[code] ?? 0) + 1;
    return;
  }
  originalError(...args);
};
const realNow = Date.now.bind(Date);

const { IDBFactory, IDBKeyRange } = await import('fake-indexeddb');
const shared = await import('../../sync-server/src/shared.ts');
const { openDb, closeDb } = await import('../../client/src/db/database.ts');
const repo = await import('../../client/src/db/repo.ts');
const { Session, memoryStore } = await import('../../client/src/sync/session.ts');
const { startSync } = await import('../../client/src/sync/replication.ts');
const { RequestLog, describeReplications, watchReplicationErrors } = await import('./diagnose.ts');
const { DocHistory, replicationView } = await import('./history.ts');

type Json = Record<string, unknown>;
type Journal = 'lessons' | 'topics' | 'marks';

let offline = false;
const captures: { path: string; body: string }[] = [];

const requests = new RequestLog(init.proxyUrl, realNow);
const history = new DocHistory(realNow);

/** The device's network stack: fetch through its proxy, recording every push body sent. */
const deviceFetch: typeof fetch = requests.wrap(async (input, init2) => {
  const url = String(input);
  if (init2?.method === 'POST' && url.includes('/api/sync/') && url.endsWith('/push')) {
    captures.push({ path: url.slice(init.proxyUrl.length), body: String(init2.body) });
    if (captures.length > 200) captures.shift();
  }
  const res = await fetch(url, init2);
  const journal = /\/api\/sync\/(lessons|topics|marks)\/(pull|push)/.exec(url);
  if (journal && res.ok)
    void recordSync(journal[1]!, journal[2]!, String(init2?.body), res.clone());
  return res;
});

/** Push rows and pulled documents of the journal, for the story of a diverged document. */
async function recordSync(name: string, kind: string, body: string, res: Response) {
  const answer = (await res.json().catch(() => null)) as Json | null;
  if (!answer) return;
  if (kind === 'push') history.push(name, body, answer);
  else history.pull(name, answer);
}

let deviceId: string | undefined;
const session = new Session(
  { baseUrl: init.proxyUrl, fetch: deviceFetch, deviceId: () => deviceId },
  memoryStore(),
);
const user = await session.signIn(init.login, init.password);
const db = await openDb({
  name: `soak-${init.name}`,
  user: { id: user.id, orgId: user.orgId },
  indexedDB: new IDBFactory(),
  IDBKeyRange,
  multiInstance: false,
  isOffline: () => offline,
  now: () => realNow() + init.skewMs,
});
deviceId = db.deviceId;
for (const name of ['lessons', 'topics', 'marks'] as const) {
  history.watchFork(name, db.rx.collections[name].storageInstance as never);
}
const engine = startSync({ db, session, live: true });
history.watchMeta(db.rx.collections, ['lessons', 'topics', 'marks']);
const lastErrors = watchReplicationErrors(db.rx.collections, realNow);

function slotOf(ref: { subgroupId: string; date: string }) {
  return {
    lessonId: shared.lessonId(ref.subgroupId, ref.date, '15:00'),
    subgroupId: ref.subgroupId,
    date: ref.date,
    start: '15:00',
    end: '16:30',
    academicHours: 2,
    holiday: null,
    ruleId: 'rule-1',
    movedFrom: null,
  };
}

async function readDocs(collection: Journal, ids: string[]): Promise<Map<string, Json>> {
  const coll = db.rx.collections[collection];
  const found = await coll.storageInstance.findDocumentsById(ids, true);
  return new Map(found.map((d) => [d.id as string, plain(d as unknown as Json)]));
}

function plain(doc: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(doc)) if (!k.startsWith('_') || k === '_deleted') out[k] = v;
  if (!out._deleted) delete out._deleted;
  return out;
}

async function topicsOf(subgroupId: string) {
  const all = await db.rx.collections.topics.find({ selector: { subgroupId } }).exec();
  return all
    .map((d) => d.toJSON() as never as import('../../sync-server/src/shared.ts').Topic)
    .sort((a, b) => a.id.localeCompare(b.id));
}

type Stamps = Record<string, import('../../sync-server/src/shared.ts').Stamp>;

/** Every field whose stamp this device changed between two versions of a document. */
function diff(collection: Journal, before: Json | undefined, after: Json | undefined) {
  if (!after) return [];
  const entries: LedgerEntry[] = [];
  const was = (before?.stamps ?? {}) as Stamps;
  for (const [field, stamp] of Object.entries(after.stamps as Stamps)) {
    if (stamp.dev !== db.deviceId) continue;
    if (was[field] && shared.compareStamps(was[field], stamp) === 0) continue;
    entries.push({
      device: init.name,
      collection,
      docId: after.id as string,
      field,
      value: field === '_deleted' ? Boolean(after._deleted) : after[field],
      stamp,
      prev: was[field] ?? null,
      seen: was,
    });
  }
  return entries;
}

async function tracked(collection: Journal, ids: string[], act: () => Promise<unknown>) {
  const before = await readDocs(collection, ids);
  await act();
  const after = await readDocs(collection, ids);
  return ids.flatMap((id) => diff(collection, before.get(id), after.get(id)));
}

async function edit(action: DeviceAction): Promise<LedgerEntry[]> {
  switch (action.kind) {
    case 'mark': {
      const slot = slotOf(action.slot);
      const id = shared.markId(slot.lessonId, action.learnerId);
      const lessonBefore = await readDocs('lessons', [slot.lessonId]);
      const marks = await tracked('marks', [id], () =>
        repo.setMark(db, slot, action.learnerId, { code: action.code }),
      );
      const lessonAfter = await readDocs('lessons', [slot.lessonId]);
      const lesson = diff(
        'lessons',
        lessonBefore.get(slot.lessonId),
        lessonAfter.get(slot.lessonId),
      );
      return [...marks, ...lesson];
    }
    case 'lesson': {
      const slot = slotOf(action.slot);
      return tracked('lessons', [slot.lessonId], () => repo.updateLesson(db, slot, action.patch));
    }
    case 'topicAdd': {
      const topic = await repo.addTopic(
        db,
        action.subgroupId,
        {
          section: 'Раздел 1',
          title: action.title,
          hours: action.hours,
          form: '',
          control: '',
          plannedDate: null,
        },
        action.order,
      );
      const after = await readDocs('topics', [topic.id]);
      return diff('topics', undefined, after.get(topic.id));
    }
    case 'topicEdit':
    case 'topicDelete': {
      const topics = await topicsOf(action.subgroupId);
      if (topics.length === 0) return [];
      const topic = topics[Math.floor(action.pick * topics.length)]!;
      return tracked('topics', [topic.id], () =>
        action.kind === 'topicEdit'
          ? repo.updateTopic(db, topic, { title: action.title })
          : repo.deleteTopic(db, topic),
      );
    }
  }
}

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

/** An access token that expired a minute ago, signed with the servers' real secret. */
function expiredToken(current: string): string {
  const claims = JSON.parse(Buffer.from(current.split('.')[1]!, 'base64url').toString());
  const nowSec = Math.floor(realNow() / 1000);
  const payload = { ...claims, iat: nowSec - 1000, exp: nowSec - 60 };
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify(payload));
  const sig = createHmac('sha256', init.jwtSecret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

/** A sync round that timed out explains itself on stderr. */
async function diagnose(): Promise<string> {
  const lines = [
    ...(await describeReplications(db.rx.collections, lastErrors)),
    ...requests.describe(),
    `needsSignIn=${session.needsSignIn.value} pending=${db.pending.size} offline=${offline}`,
  ];
  return lines.map((l) => `  ${l}`).join('\n');
}

/**
 * While a sync round waits, the teacher answers the app's «войдите снова» as soon as it shows:
 * a refused refresh may come only after the round has started (the first request with the
 * expired token is sent then), and until the same user signs in again the pending edits cannot
 * go out, so the round could never finish. A failed sign-in (no network yet, a server or the
 * database still starting) is tried again, as a teacher would.
 */
function answerSignInPrompts(): () => void {
  let stopped = false;
  let signingIn = false;
  const signInUntilDone = async () => {
    if (signingIn) return;
    signingIn = true;
    originalError(
      `${init.name}: asked to sign in again during a sync round (${requests.lastAuthRefusal})\n  ${requests.describe().join('\n  ')}`,
    );
    while (!stopped && session.needsSignIn.value) {
      try {
        await session.signIn(init.login, init.password);
      } catch {
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    signingIn = false;
  };
  const unsubscribe = session.needsSignIn.subscribe((needed) => {
    if (needed) void signInUntilDone();
  });
  return () => {
    stopped = true;
    unsubscribe();
  };
}

async function sync(timeoutMs: number): Promise<boolean> {
  const stopAnswering = answerSignInPrompts();
  engine.syncNow();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<boolean>((r) => {
    timer = setTimeout(() => r(false), timeoutMs);
  });
  const done = engine.awaitInSync().then(() => true);
  const result = await Promise.race([done, timeout]);
  clearTimeout(timer);
  stopAnswering();
  if (!result) originalError(`${init.name}: sync round timed out\n${await diagnose()}`);
  return result;
}

async function dump() {
  const docs = {} as Record<string, Json[]>;
  for (const name of ['lessons', 'topics', 'marks', 'roster', 'catalog'] as const) {
    const all = await db.rx.collections[name].find().exec();
    docs[name] = all.map((d) => plain(d.toJSON() as Json));
  }
  const notices = await db.rx.collections.notices.find().exec();
  return {
    docs,
    notices: notices.map((n) => n.toJSON()),
    pending: [...db.pending].map(([id, p]) => `${p.collection}/${id}@${p.at}`),
    needsSignIn: session.needsSignIn.value,
    syncErrors,
  };
}

/** The story of diverged documents: their recent history and their replication state now. */
async function explain(collection: Journal, ids: string[]): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const id of ids) {
    const now = await replicationView(db.rx.collections[collection] as never, id);
    out[id] = [
      ...history.of(id),
      ...now,
      `last replication error ${lastErrors.get(collection) ?? '-'}`,
    ];
  }
  return out;
}

async function replay(indexes: number[], baseUrl: string) {
  const statuses: number[] = [];
  for (const i of indexes) {
    const capture = captures[i];
    if (!capture) continue;
    const res = await fetch(baseUrl + capture.path, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${session.current.value?.accessToken ?? ''}`,
        [shared.PROTOCOL_HEADER]: String(shared.PROTOCOL_VERSION),
      },
      body: capture.body,
    }).catch(() => null);
    statuses.push(res?.status ?? 0);
    await res?.text();
  }
  return statuses;
}

async function handle(req: DeviceRequest): Promise<unknown> {
  switch (req.op) {
    case 'edit':
      return edit(req.action);
    case 'offline':
      offline = req.value;
      if (!offline) engine.syncNow();
      return null;
    case 'expire': {
      requests.note(`token expired, refresh token revoked too: ${req.refreshToo}`);
      const current = session.current.value!;
      session.current.value = {
        ...current,
        accessToken: expiredToken(current.accessToken),
        refreshToken: req.refreshToo ? 'revoked-refresh-token' : current.refreshToken,
      };
      return null;
    }
    case 'signInIfNeeded':
      if (!session.needsSignIn.value) return false;
      await session.signIn(init.login, init.password);
      originalError(`${init.name}: signed in again (${requests.lastAuthRefusal})`);
      return true;
    case 'sync':
      return sync(req.timeoutMs);
    case 'dump':
      return dump();
    case 'captures':
      return captures.length;
    case 'explain':
      return explain(req.collection, req.ids);
    case 'replay':
      return replay(req.indexes, req.baseUrl);
    case 'close':
      await engine.stop();
      await closeDb(db);
      return null;
  }
}

parentPort!.on('message', async (msg: { id: number; req: DeviceRequest }) => {
  try {
    const result = await handle(msg.req);
    parentPort!.postMessage({ id: msg.id, ok: true, result });
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, ok: false, error: String((err as Error)?.stack ?? err) });
  }
});
parentPort!.postMessage({ ready: true, deviceId: db.deviceId });
