/**
 * The load of the server-push benchmark, run in a worker thread: a device pushing its marks to
 * the sync server, or `nano` writing the same marks straight to the database. PERF.md's B5 puts
 * the load on another core than the server; in the server's own thread, the pushing device's
 * JSON and HTTP work would be counted as the server's.
 */
import { parentPort } from 'node:worker_threads';
import nano from 'nano';
import { subgroupDbName } from '../sync-server/src/db/store.ts';
import {
  DEVICE_HEADER,
  type Mark,
  PROTOCOL_HEADER,
  PROTOCOL_VERSION,
  PUSH_BATCH_SIZE,
} from '../sync-server/src/shared.ts';
import { allMarks, type Doc, teacherYear } from './fixtures.ts';
import { bulkInsert, login } from './server-env.ts';

export interface LoadTask {
  kind: 'server' | 'direct';
  /** The sync server (server) or the database (direct). */
  url: string;
  orgId: string;
  /** The teacher-year fixture's key: the worker builds the same marks the main thread seeded. */
  key: string;
}

export interface Run {
  totalMs: number;
  batchMs: number[];
}

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

async function pushThroughServer(url: string, marks: Mark[], loginName: string): Promise<Run> {
  const token = await login(url, loginName);
  const headers = {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
    [DEVICE_HEADER]: `dev-${loginName}`,
  };
  const batchMs: number[] = [];
  const start = performance.now();
  for (const batch of batches(marks, PUSH_BATCH_SIZE)) {
    const t0 = performance.now();
    const rows = batch.map((m) => ({
      assumedMasterState: null,
      newDocumentState: { ...m, _deleted: false },
    }));
    const res = await fetch(`${url}/api/sync/marks/push`, {
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

async function writeDirect(couchUrl: string, marks: Mark[]): Promise<Run> {
  const couch = nano({ url: couchUrl });
  const batchMs: number[] = [];
  const start = performance.now();
  for (const batch of batches(marks, PUSH_BATCH_SIZE)) {
    const t0 = performance.now();
    for (const [subgroupId, group] of bySubgroup(batch)) {
      await bulkInsert(couch, subgroupDbName(subgroupId), group as unknown as Doc[]);
    }
    batchMs.push(performance.now() - t0);
  }
  return { totalMs: performance.now() - start, batchMs };
}

export async function runLoad(task: LoadTask): Promise<Run> {
  const t = teacherYear({ orgId: task.orgId, key: task.key });
  return task.kind === 'server'
    ? pushThroughServer(task.url, allMarks(t), t.login)
    : writeDirect(task.url, allMarks(t));
}

parentPort?.on('message', (task: LoadTask) => {
  runLoad(task).then(
    (run) => parentPort!.postMessage({ run }),
    (error: unknown) => parentPort!.postMessage({ error: String(error) }),
  );
});
