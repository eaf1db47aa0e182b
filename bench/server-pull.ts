/**
 * B6, server pull. One teacher's full pull (every collection, PULL_BATCH_SIZE per request,
 * until a short batch, as RxDB pulls) through the real sync server, against reading the same
 * sources straight from the database (`_changes?include_docs=true` of the org catalog and the
 * teacher's 12 subgroup databases, in pages of the same size, via nano). Then the same pull
 * after the database has grown from 10 teachers' data to 1,000 teachers' (time ratio).
 *
 * Data: the measured teacher has a full year (12 subgroups × 15 learners × 70 lessons, topics,
 * roster). The other teachers, to keep the run short, have the full catalog (account, subgroups,
 * schedules) for 3 subgroups each (12,000 databases would take the embedded server several
 * minutes to create), and in each subgroup database the roster and the first week (2 lessons,
 * 30 marks), written straight with `_bulk_docs`. Organisations of 100 teachers: the
 * measured teacher's organisation holds 10 of them first, then 100, plus 9 more organisations.
 */
import type { ServerScope } from 'nano';
import { orgDbName, subgroupDbName, USERS_DB } from '../sync-server/src/db/store.ts';
import {
  encodeCheckpoint,
  PROTOCOL_HEADER,
  PROTOCOL_VERSION,
  PULL_BATCH_SIZE,
  SYNC_COLLECTIONS,
} from '../sync-server/src/shared.ts';
import {
  catalogDocs,
  countDocs,
  type Doc,
  journalDocs,
  type TeacherYear,
  teacherYear,
  userDoc,
} from './fixtures.ts';
import { type Benchmark, type BenchResult, median, progress } from './harness.ts';
import {
  type BenchServer,
  bulkInsert,
  createDb,
  login,
  passwordHash,
  seedOrg,
  seedTeacher,
  startBenchServer,
} from './server-env.ts';

const REPETITIONS = 7;
const TEACHERS_PER_ORG = 100;
const SMALL = 10;
const LARGE = 1000;
const OTHER_LESSONS = 2;
/** 12,000 databases take the embedded server minutes to create; other teachers teach 3 groups. */
const OTHER_SUBGROUPS = 3;
const orgKey = (n: number) => `bench-org${String(n).padStart(2, '0')}`;

interface PullRun {
  ms: number;
  docs: number;
  requests: number;
  bytes: number;
}

/** What RxDB does for each collection: pull pages until one comes back short. */
export async function pullEverything(
  url: string,
  token: string,
  sink?: unknown[],
): Promise<PullRun> {
  const headers = { authorization: `Bearer ${token}`, [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) };
  let docs = 0;
  let requests = 0;
  let bytes = 0;
  const start = performance.now();
  for (const collection of SYNC_COLLECTIONS) {
    let checkpoint: unknown;
    for (;;) {
      const query = new URLSearchParams({ limit: String(PULL_BATCH_SIZE) });
      if (checkpoint) query.set('checkpoint', encodeCheckpoint(checkpoint as never));
      const res = await fetch(`${url}/api/sync/${collection}/pull?${query}`, { headers });
      const text = await res.text();
      if (!res.ok) throw new Error(`pull ${collection}: ${res.status} ${text.slice(0, 200)}`);
      const body = JSON.parse(text) as { documents: unknown[]; checkpoint: unknown };
      requests++;
      bytes += text.length;
      docs += body.documents.length;
      sink?.push(...body.documents);
      checkpoint = body.checkpoint;
      if (body.documents.length < PULL_BATCH_SIZE) break;
    }
  }
  return { ms: performance.now() - start, docs, requests, bytes };
}

/** The same sources read straight from the database, page by page. */
async function readDirect(couch: ServerScope, t: TeacherYear): Promise<PullRun> {
  const dbs = [orgDbName(t.orgId), ...t.groups.map((g) => subgroupDbName(g.subgroup.id))];
  let docs = 0;
  let requests = 0;
  let bytes = 0;
  const start = performance.now();
  for (const db of dbs) {
    let since: string | number = 0;
    for (;;) {
      const page: { results: unknown[]; last_seq: string } = await couch
        .use(db)
        .changes({ since, limit: PULL_BATCH_SIZE, include_docs: true });
      requests++;
      bytes += JSON.stringify(page).length;
      docs += page.results.length;
      since = page.last_seq;
      if (page.results.length < PULL_BATCH_SIZE) break;
    }
  }
  return { ms: performance.now() - start, docs, requests, bytes };
}

/** Runs `work` over `items` with a few requests in flight (the database is one process). */
async function parallel<T>(items: T[], width: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/** Other teachers' accounts, catalog and first week of journal, straight into the database. */
async function seedOthers(server: BenchServer, teachers: TeacherYear[]): Promise<number> {
  const hash = await passwordHash();
  let docs = 0;
  await bulkInsert(
    server.couch,
    USERS_DB,
    teachers.map((t) => userDoc(t, hash)) as unknown as Doc[],
  );
  const byOrg = new Map<string, Doc[]>();
  for (const t of teachers) byOrg.set(t.orgId, [...(byOrg.get(t.orgId) ?? []), ...catalogDocs(t)]);
  for (const [orgId, catalog] of byOrg) {
    await bulkInsert(server.couch, orgDbName(orgId), catalog);
    docs += catalog.length;
  }
  const groups = teachers.flatMap((t) => t.groups);
  await parallel(groups, 6, async (g) => {
    const db = subgroupDbName(g.subgroup.id);
    await createDb(server.couch, db);
    const journal = journalDocs(g);
    await bulkInsert(server.couch, db, journal);
    docs += journal.length;
  });
  return docs;
}

function others(from: number, to: number): TeacherYear[] {
  const out: TeacherYear[] = [];
  for (let n = from; n < to; n++) {
    const org = Math.floor(n / TEACHERS_PER_ORG);
    out.push(
      teacherYear({
        orgId: orgKey(org),
        key: `o${String(n).padStart(4, '0')}`,
        lessons: OTHER_LESSONS,
        topics: 0,
        subgroups: OTHER_SUBGROUPS,
      }),
    );
  }
  return out;
}

async function measurePulls(server: BenchServer, t: TeacherYear, token: string, direct: boolean) {
  const viaServer: PullRun[] = [];
  const viaDb: PullRun[] = [];
  // Right after seeding, both processes still hold the garbage of ~150,000 generated and
  // written documents, and collecting it slowed the next rounds at 1,000 teachers for about
  // ten seconds (1.2–1.3 s against 0.97 s after, the direct reads alike): it is collected
  // first, then one unmeasured round of each runs.
  await server.collectGarbage();
  await pullEverything(server.url, token);
  if (direct) await readDirect(server.couch, t);
  for (let rep = 0; rep < REPETITIONS; rep++) {
    if (direct && rep % 2 === 1) viaDb.push(await readDirect(server.couch, t));
    viaServer.push(await pullEverything(server.url, token));
    if (direct && rep % 2 === 0) viaDb.push(await readDirect(server.couch, t));
  }
  return { viaServer, viaDb };
}

const ms = (runs: PullRun[]) => median(runs.map((r) => r.ms));
const list = (runs: PullRun[]) => runs.map((r) => Math.round(r.ms)).join(' ');

async function run(): Promise<BenchResult[]> {
  const server = await startBenchServer({ memory: true, childProcess: true });
  try {
    for (let o = 0; o < LARGE / TEACHERS_PER_ORG; o++) await seedOrg(server, orgKey(o));
    const teacher = teacherYear({ orgId: orgKey(0), key: 'pull-me' });
    await seedTeacher(server, teacher, { journal: 'all', indexes: true });
    progress('pull: measured teacher seeded');
    let seedStart = performance.now();
    let otherDocs = await seedOthers(server, others(1, SMALL));
    const smallSeedMs = performance.now() - seedStart;
    const token = await login(server.url, teacher.login);

    progress(`pull: ${SMALL} teachers seeded in ${Math.round(smallSeedMs)} ms`);
    const small = await measurePulls(server, teacher, token, true);
    const serverMs = ms(small.viaServer);
    const directMs = ms(small.viaDb);
    const pulled = small.viaServer[0]!;
    const read = small.viaDb[0]!;

    seedStart = performance.now();
    otherDocs += await seedOthers(server, others(SMALL, LARGE));
    const largeSeedMs = performance.now() - seedStart;
    progress(`pull: ${LARGE} teachers seeded in ${Math.round(largeSeedMs)} ms`);
    const large = await measurePulls(server, teacher, token, true);
    const largeMs = ms(large.viaServer);

    const common = {
      storage: `embedded express-pouchdb, ${server.storage}`,
      teacherDocs: countDocs(teacher),
      pullBatchSize: PULL_BATCH_SIZE,
      repetitions: REPETITIONS,
    };
    return [
      {
        id: 'server-pull',
        title: "One teacher's full pull through the sync server vs _changes read via nano",
        ratio: pulled.docs / serverMs / (read.docs / directMs),
        goal: { op: '>=', value: 0.5 },
        figures: {
          ...common,
          teachersInDb: SMALL,
          serverMsMedian: Math.round(serverMs),
          directMsMedian: Math.round(directMs),
          serverDocs: pulled.docs,
          directDocs: read.docs,
          serverDocsPerSec: Math.round(pulled.docs / (serverMs / 1000)),
          directDocsPerSec: Math.round(read.docs / (directMs / 1000)),
          serverRequests: pulled.requests,
          directRequests: read.requests,
          serverJsonBytes: pulled.bytes,
          directJsonBytes: read.bytes,
          serverRunsMs: list(small.viaServer),
          directRunsMs: list(small.viaDb),
        },
      },
      {
        id: 'server-pull-scale',
        title: `The same teacher's pull with ${LARGE} teachers' data vs ${SMALL}`,
        ratio: largeMs / serverMs,
        goal: { op: '<=', value: 1.5 },
        figures: {
          ...common,
          smallMsMedian: Math.round(serverMs),
          largeMsMedian: Math.round(largeMs),
          directSmallMsMedian: Math.round(directMs),
          directLargeMsMedian: Math.round(ms(large.viaDb)),
          directLargeRunsMs: list(large.viaDb),
          smallRunsMs: list(small.viaServer),
          largeRunsMs: list(large.viaServer),
          largeDocsPulled: large.viaServer[0]!.docs,
          teachersPerOrg: TEACHERS_PER_ORG,
          otherTeacherShape: `${OTHER_SUBGROUPS} subgroups × (15 roster + ${OTHER_LESSONS} lessons + ${OTHER_LESSONS * 15} marks), catalog and account`,
          otherTeachersDocs: otherDocs,
          subgroupDatabases: 12 + (LARGE - 1) * OTHER_SUBGROUPS,
          seedSmallMs: Math.round(smallSeedMs),
          seedLargeMs: Math.round(largeSeedMs),
        },
      },
    ];
  } finally {
    await server.stop();
  }
}

export const benchmarks: Benchmark[] = [
  {
    id: 'server-pull',
    title: 'Server pull vs direct reads, and at 1,000 teachers vs 10',
    run,
  },
];
