/**
 * B5, server push: a teacher's year of marks (12,600) pushed through the real sync server (HTTP,
 * JWT, zod, push rules, merge, audit) in batches of PUSH_BATCH_SIZE, one request at a time as
 * RxDB pushes, against `nano` `_bulk_docs` of the same documents in the same batches straight
 * into the same embedded database. Each side writes into fresh subgroup databases that already
 * hold the roster, topics and lessons, so only the marks are timed.
 */
import { subgroupDbName } from '../sync-server/src/db/store.ts';
import {
  DEVICE_HEADER,
  type Mark,
  PROTOCOL_HEADER,
  PROTOCOL_VERSION,
  PUSH_BATCH_SIZE,
} from '../sync-server/src/shared.ts';
import { allMarks, type Doc, type TeacherYear, teacherYear } from './fixtures.ts';
import { type Benchmark, type BenchResult, median, percentile } from './harness.ts';
import {
  type BenchServer,
  bulkInsert,
  login,
  seedOrg,
  seedTeacher,
  startBenchServer,
} from './server-env.ts';

/**
 * Measured rounds per side (PERF.md asks for many; a round is a whole year of marks), after one
 * unmeasured round per side: the first pushes through the server also compile its code paths,
 * which a server that has been up for a minute has long done.
 */
const REPETITIONS = 7;
const WARMUP = 1;
const ORG = 'bench-push';

function batches<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function bySubgroup(marks: Mark[]): Map<string, Mark[]> {
  const groups = new Map<string, Mark[]>();
  for (const m of marks) groups.set(m.subgroupId, [...(groups.get(m.subgroupId) ?? []), m]);
  return groups;
}

interface Run {
  totalMs: number;
  batchMs: number[];
}

async function pushThroughServer(server: BenchServer, t: TeacherYear): Promise<Run> {
  const token = await login(server.url, t.login);
  const headers = {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
    [DEVICE_HEADER]: `dev-${t.login}`,
  };
  const batchMs: number[] = [];
  const start = performance.now();
  for (const batch of batches(allMarks(t), PUSH_BATCH_SIZE)) {
    const t0 = performance.now();
    const rows = batch.map((m) => ({
      assumedMasterState: null,
      newDocumentState: { ...m, _deleted: false },
    }));
    const res = await fetch(`${server.url}/api/sync/marks/push`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ rows }),
    });
    const body = (await res.json()) as { conflicts: unknown[]; refused: { code: string }[] };
    if (!res.ok || body.refused.length > 0 || body.conflicts.length > 0) {
      throw new Error(`push answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
    }
    batchMs.push(performance.now() - t0);
  }
  return { totalMs: performance.now() - start, batchMs };
}

async function writeDirect(server: BenchServer, t: TeacherYear): Promise<Run> {
  const batchMs: number[] = [];
  const start = performance.now();
  for (const batch of batches(allMarks(t), PUSH_BATCH_SIZE)) {
    const t0 = performance.now();
    for (const [subgroupId, marks] of bySubgroup(batch)) {
      await bulkInsert(server.couch, subgroupDbName(subgroupId), marks as unknown as Doc[]);
    }
    batchMs.push(performance.now() - t0);
  }
  return { totalMs: performance.now() - start, batchMs };
}

async function run(): Promise<BenchResult> {
  const server = await startBenchServer();
  try {
    await seedOrg(server, ORG);
    const viaServer: Run[] = [];
    const direct: Run[] = [];
    let marks = 0;

    for (let rep = 0; rep < WARMUP + REPETITIONS; rep++) {
      // Same shape and id lengths on both sides: only the key differs.
      const s = teacherYear({ orgId: ORG, key: `push-s${rep}` });
      const d = teacherYear({ orgId: ORG, key: `push-d${rep}` });
      await seedTeacher(server, s, { journal: 'no-marks', indexes: true });
      await seedTeacher(server, d, { journal: 'no-marks', indexes: true });
      marks = allMarks(s).length;
      // Alternate the order so database growth does not favour one side.
      const [first, second] =
        rep % 2 === 0
          ? [() => pushThroughServer(server, s), () => writeDirect(server, d)]
          : [() => writeDirect(server, d), () => pushThroughServer(server, s)];
      const a = await first();
      const b = await second();
      if (rep < WARMUP) continue;
      viaServer.push(rep % 2 === 0 ? a : b);
      direct.push(rep % 2 === 0 ? b : a);
    }

    const serverMs = median(viaServer.map((r) => r.totalMs));
    const directMs = median(direct.map((r) => r.totalMs));
    const serverRate = marks / (serverMs / 1000);
    const directRate = marks / (directMs / 1000);
    const serverBatches = viaServer.flatMap((r) => r.batchMs);
    const directBatches = direct.flatMap((r) => r.batchMs);
    return {
      id: 'server-push',
      title: `Push ${marks} marks through the sync server vs nano _bulk_docs (batch ${PUSH_BATCH_SIZE})`,
      ratio: serverRate / directRate,
      goal: { op: '>=', value: 0.5 },
      figures: {
        storage: `embedded express-pouchdb, ${server.storage}`,
        marks,
        batchSize: PUSH_BATCH_SIZE,
        repetitions: REPETITIONS,
        warmupRounds: WARMUP,
        serverMsMedian: Math.round(serverMs),
        directMsMedian: Math.round(directMs),
        serverMarksPerSec: Math.round(serverRate),
        directMarksPerSec: Math.round(directRate),
        serverBatchP50Ms: round1(percentile(serverBatches, 50)),
        serverBatchP95Ms: round1(percentile(serverBatches, 95)),
        directBatchP50Ms: round1(percentile(directBatches, 50)),
        directBatchP95Ms: round1(percentile(directBatches, 95)),
        serverRunsMs: viaServer.map((r) => Math.round(r.totalMs)).join(' '),
        directRunsMs: direct.map((r) => Math.round(r.totalMs)).join(' '),
      },
    };
  } finally {
    await server.stop();
  }
}

export function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

export const benchmarks: Benchmark[] = [
  {
    id: 'server-push',
    title: 'Server push throughput vs direct bulk writes',
    run,
  },
];
