import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createParser } from 'eventsource-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedCouch, startEmbeddedCouch } from '../src/db/embedded.ts';
import { subgroupDbName } from '../src/db/store.ts';
import { FlakyDatabase } from './flaky-database.ts';
import {
  call,
  createFixture,
  JWT_SECRET,
  lessonDoc,
  login,
  markDoc,
  pullAll,
  pullOnce,
  pushRows,
  startServer,
  type TestServer,
} from './helpers.ts';

/**
 * Two server processes on one database: this test's in-process server (with the embedded
 * database) and a second `node --import tsx src/main.ts` pointed at it with COUCHDB_URL and a
 * clock 7 seconds ahead.
 */

const MAIN = path.resolve(import.meta.dirname, '../src/main.ts');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function spawnServer(couchUrl: string, dataDir: string) {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      COUCHDB_URL: couchUrl,
      DATA_DIR: dataDir,
      JWT_SECRET,
      CLOCK_OFFSET_MS: '7000',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'test',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(`127.0.0.1:${port}`)) resolve();
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`second server exited ${code}: ${output}`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

interface Stream {
  events: { collections: string[] }[];
  waitFor(pred: (e: { collections: string[] }) => boolean, from: number): Promise<void>;
  close(): void;
}

async function openStream(base: string, token: string): Promise<Stream> {
  const abort = new AbortController();
  const res = await fetch(`${base}/api/sync/stream`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    signal: abort.signal,
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/event-stream');

  const events: { collections: string[] }[] = [];
  const waiters: (() => void)[] = [];
  const parser = createParser({
    onEvent(event) {
      events.push(JSON.parse(event.data));
      for (const w of waiters.splice(0)) w();
    },
  });
  void (async () => {
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        parser.feed(value);
      }
    } catch {
      // Aborted by close().
    }
  })();

  return {
    events,
    async waitFor(pred, from) {
      while (!events.slice(from).some(pred)) await new Promise<void>((r) => waiters.push(r));
    },
    close: () => abort.abort(),
  };
}

describe('two server processes on one database', () => {
  let one: TestServer;
  let two: { child: ChildProcess; url: string };
  let dataDir: string;
  let tokenOne: string;
  let tokenTwo: string;

  beforeAll(async () => {
    one = await startServer();
    await createFixture(one.store);
    dataDir = await mkdtemp(path.join(tmpdir(), 'otmetka-two-'));
    two = await spawnServer(one.couch!.url, dataDir);
    tokenOne = (await login(one.url, 'teacher-a-user')).accessToken;
    // A token from one process is valid at the other: they share the secret, not a session.
    tokenTwo = (await login(two.url, 'teacher-a-user')).accessToken;
  });
  afterAll(async () => {
    two.child.kill('SIGTERM');
    await new Promise((r) => two.child.once('exit', r));
    await one.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a write through one process reaches an SSE client of the other', async () => {
    const stream = await openStream(two.url, tokenTwo);
    await stream.waitFor((e) => e.collections.length === 5, 0);
    const mark = stream.events.length;

    const push = await call(one.url, 'POST', '/api/sync/lessons/push', {
      token: tokenOne,
      body: pushRows([lessonDoc('sg-a', '2026-09-02')]),
    });
    expect(push.body).toEqual({ conflicts: [], refused: [] });
    await stream.waitFor((e) => e.collections.includes('lessons'), mark);

    const afterLesson = stream.events.length;
    await call(one.url, 'POST', '/api/sync/marks/push', {
      token: tokenOne,
      body: pushRows([markDoc('sg-a', '2026-09-02', 'learner-kid', 'Н')]),
    });
    await stream.waitFor((e) => e.collections.includes('marks'), afterLesson);
    stream.close();

    const pulled = await pullAll(two.url, tokenTwo, 'marks');
    expect(pulled.docs.size).toBe(1);
  });

  it('pulls through either process miss nothing while both write, with clocks 7 s apart', async () => {
    const dates = [
      '2026-09-07',
      '2026-09-09',
      '2026-09-14',
      '2026-09-16',
      '2026-09-21',
      '2026-09-23',
    ];
    const servers = [
      { url: one.url, token: tokenOne },
      { url: two.url, token: tokenTwo },
    ];
    for (const d of dates) {
      await call(one.url, 'POST', '/api/sync/lessons/push', {
        token: tokenOne,
        body: pushRows([lessonDoc('sg-a', d)]),
      });
    }
    let checkpoint: Awaited<ReturnType<typeof pullOnce>>['checkpoint'] | undefined;
    const seen = new Map<string, Record<string, unknown>>();
    let at = 100_000;

    for (let round = 0; round < 12; round++) {
      const writer = servers[round % 2]!;
      const reader = servers[(round + 1) % 2]!;
      const date = dates[round % dates.length]!;
      const rows = [
        markDoc('sg-a', date, 'learner-kid', round % 3 === 0 ? 'Н' : 'Б', at++, `dev-${round % 2}`),
        markDoc('sg-a', date, 'learner-other', '', at++, `dev-${round % 2}`),
      ];
      const res = await call(writer.url, 'POST', '/api/sync/marks/push', {
        token: writer.token,
        body: pushRows(rows),
      });
      expect((res.body as { refused: unknown[] }).refused).toEqual([]);

      const page = await pullOnce(reader.url, reader.token, 'marks', checkpoint, 2);
      for (const d of page.documents) seen.set(d.id as string, d);
      checkpoint = page.checkpoint;
    }
    for (const s of servers) {
      const rest = await pullAll(s.url, s.token, 'marks', 2, checkpoint);
      const merged = new Map(seen);
      for (const [id, d] of rest.docs) merged.set(id, d);
      const stored = await one.store.listByType(subgroupDbName('sg-a'), 'mark');
      expect(merged.size).toBe(stored.length);
      for (const m of stored)
        expect(merged.get(m.id)).toMatchObject({ code: m.code, stamps: m.stamps });
    }
  });
});

describe('a server process starting while the database restarts', () => {
  let couch: EmbeddedCouch;
  let database: FlakyDatabase;
  let child: ChildProcess | undefined;
  let dataDir = '';

  beforeAll(async () => {
    couch = await startEmbeddedCouch({ memory: true });
    database = new FlakyDatabase(couch.url);
    await database.start();
    dataDir = await mkdtemp(path.join(tmpdir(), 'otm-start-'));
    // Databases to set up at start-up, as a running organisation has.
    const setup = await startServer({ couchUrl: couch.url });
    await createFixture(setup.store);
    await setup.app.close();
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await database.stop();
    await couch.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts again instead of exiting when the database goes away in the middle of start-up', async () => {
    // The first request answers (the database is up); one made while databases and indexes are
    // being created fails, as if the database restarted then.
    database.failRequest(6);
    const started = await spawnServer(database.url, dataDir);
    child = started.child;

    expect(database.armed).toBe(false);
    const health = await call(started.url, 'GET', '/api/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ ok: true, database: { reachable: true } });
  });

  it('keeps serving when the database goes away right after it starts listening', async () => {
    child?.kill('SIGKILL');
    // The last start-up lookup (the demo accounts line) is made after listening.
    database.failPath(/^\/otm_users\/_find/);
    const started = await spawnServer(database.url, dataDir);
    child = started.child;

    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(database.armed).toBe(false);
    expect(child.exitCode).toBeNull();
    expect((await call(started.url, 'GET', '/api/health')).status).toBe(200);
  });
});
