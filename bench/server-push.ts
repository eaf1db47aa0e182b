/**
 * B5, server push: a teacher's year of marks (12,600) pushed through the real sync server (HTTP,
 * JWT, zod, push rules, merge, audit) in batches of PUSH_BATCH_SIZE, one request at a time as
 * RxDB pushes, against `nano` `_bulk_docs` of the same documents in the same batches straight
 * into the same embedded database. Each side writes into fresh subgroup databases that already
 * hold the roster, topics and lessons, so only the marks are timed. Both loads run in a worker
 * thread (push-load.ts), as PERF.md's B5 puts the load on another core than the server.
 */

import { Worker } from 'node:worker_threads';
import { PUSH_BATCH_SIZE } from '../sync-server/src/shared.ts';
import { allMarks, type TeacherYear, teacherYear } from './fixtures.ts';
import { type Benchmark, type BenchResult, median, percentile } from './harness.ts';
import type { LoadTask, Run } from './push-load.ts';
import { seedOrg, seedTeacher, startBenchServer } from './server-env.ts';

/**
 * Measured rounds per side (PERF.md asks for many; a round is a whole year of marks), after one
 * unmeasured round per side: the first pushes through the server also compile its code paths,
 * which a server that has been up for a minute has long done.
 */
const REPETITIONS = 7;
const WARMUP = 1;
const ORG = 'bench-push';

/** One worker thread for the load of every round, both sides (see push-load.ts). */
function loadWorker() {
  const worker = new Worker(new URL('./push-load-boot.mjs', import.meta.url));
  return {
    run(task: LoadTask): Promise<Run> {
      return new Promise((resolve, reject) => {
        worker.once('message', (msg: { run?: Run; error?: string }) =>
          msg.run ? resolve(msg.run) : reject(new Error(msg.error)),
        );
        worker.postMessage(task);
      });
    },
    stop: () => worker.terminate(),
  };
}

async function run(): Promise<BenchResult> {
  const server = await startBenchServer();
  const load = loadWorker();
  const viaServerOf = (t: TeacherYear) => () =>
    load.run({ kind: 'server', url: server.url, orgId: ORG, key: t.login });
  const directOf = (t: TeacherYear) => () =>
    load.run({ kind: 'direct', url: server.couchUrl, orgId: ORG, key: t.login });
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
        rep % 2 === 0 ? [viaServerOf(s), directOf(d)] : [directOf(d), viaServerOf(s)];
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
    await load.stop();
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
