/**
 * The real sync server over the real embedded database, as the benchmarks start it: buildApp
 * with a config like the tests', the embedded express-pouchdb (LevelDB files in a temp dir, or
 * memory), and direct `nano` access to the same database for baselines and seeding.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import nano, { type ServerScope } from 'nano';
import { buildApp } from '../sync-server/src/app.ts';
import { hashPassword } from '../sync-server/src/auth/password.ts';
import type { Config } from '../sync-server/src/config.ts';
import { type EmbeddedCouch, startEmbeddedCouch } from '../sync-server/src/db/embedded.ts';
import { orgDbName, subgroupDbName, USERS_DB } from '../sync-server/src/db/store.ts';
import {
  catalogDocs,
  type Doc,
  journalDocs,
  orgDoc,
  programmeDoc,
  type TeacherYear,
  userDoc,
} from './fixtures.ts';

export const PASSWORD = 'bench-password-1';

export interface BenchServer {
  app: FastifyInstance;
  url: string;
  couchUrl: string;
  couch: ServerScope;
  storage: string;
  /**
   * Collects the garbage of the database's process (a child process only) and of this one
   * (when node runs with --expose-gc): what seeding left behind is no part of a measurement.
   */
  collectGarbage(): Promise<void>;
  stop(): Promise<void>;
}

let hash: Promise<string> | undefined;
export function passwordHash(): Promise<string> {
  hash ??= hashPassword(PASSWORD);
  return hash;
}

function devNull(): Writable {
  return new Writable({
    write(_chunk, _enc, done) {
      done();
    },
  });
}

/** The embedded database in a child process with its own (large) heap. */
type ChildCouch = EmbeddedCouch & { collectGarbage(): Promise<void> };

async function startChildCouch(memory: boolean, dataDir: string): Promise<ChildCouch> {
  const script = new URL('./couch-child.ts', import.meta.url).pathname;
  const child = spawn(
    process.execPath,
    [
      '--max-old-space-size=12000',
      '--expose-gc',
      '--import',
      'tsx',
      script,
      memory ? 'memory' : 'leveldb',
      dataDir,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`embedded database exited with ${code}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      const m = /COUCH_URL (\S+)/.exec(chunk.toString('utf8'));
      if (m) resolve(m[1]!);
    });
  });
  child.removeAllListeners('exit');
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
    collectGarbage: () =>
      new Promise<void>((resolve) => {
        const done = (chunk: Buffer) => {
          if (!chunk.toString('utf8').includes('GC_DONE')) return;
          child.stdout.off('data', done);
          resolve();
        };
        child.stdout.on('data', done);
        child.stdin.write('gc\n');
      }),
  };
}

export interface BenchServerOptions {
  /** Memory instead of LevelDB files (LevelDB cannot hold 12,000 open databases here). */
  memory?: boolean;
  /** Run the embedded database in its own process (a large region needs its own heap). */
  childProcess?: boolean;
  clientDist?: string;
}

export async function startBenchServer(options: BenchServerOptions = {}): Promise<BenchServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'otm-bench-'));
  const memory = options.memory ?? false;
  const embedded: EmbeddedCouch & Partial<ChildCouch> = options.childProcess
    ? await startChildCouch(memory, dataDir)
    : await startEmbeddedCouch(memory ? { memory: true } : { dataDir });
  const config: Config = {
    port: 0,
    host: '127.0.0.1',
    couchUrl: embedded.url,
    dataDir,
    jwtSecret: 'bench-secret-0123456789-0123456789-0123456789',
    production: false,
    trustProxy: false,
    corsOrigins: [],
    loginRateLimit: 100_000,
    accessTokenTtlSeconds: 900,
    clientDist: options.clientDist ?? path.join(dataDir, 'no-client'),
    now: () => Date.now(),
    // Production logs every request at info; the lines go nowhere, but their cost is paid.
    logLevel: 'info',
    logStream: devNull(),
  };
  const app = await buildApp(config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };

  return {
    app,
    url: `http://127.0.0.1:${port}`,
    couchUrl: embedded.url,
    couch: nano({ url: embedded.url }),
    storage: `${memory ? 'memory' : 'leveldb'}${options.childProcess ? ', own process' : ', in the server process'}`,
    collectGarbage: async () => {
      await embedded.collectGarbage?.();
      (globalThis as { gc?: () => void }).gc?.();
    },
    stop: async () => {
      await app.close();
      await embedded.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** `_bulk_docs` of new documents (no revisions) in chunks; throws on any failed row. */
export async function bulkInsert(
  couch: ServerScope,
  db: string,
  docs: Doc[],
  chunk = 2000,
): Promise<void> {
  for (let i = 0; i < docs.length; i += chunk) {
    const part = docs.slice(i, i + chunk).map((d) => ({ ...d, _id: d.id }));
    let res: { id?: string; error?: string }[];
    try {
      res = await couch.use(db).bulk({ docs: part });
    } catch (error) {
      // A keep-alive socket the database closed just then; rows already written answer 409.
      if (!String(error).includes('other side closed')) throw error;
      res = (await couch.use(db).bulk({ docs: part })).filter((r) => r.error !== 'conflict');
    }
    const failed = res.find((r) => r.error);
    if (failed) throw new Error(`bulk into ${db}: ${failed.id} ${failed.error}`);
  }
}

export async function createDb(couch: ServerScope, name: string): Promise<void> {
  try {
    await couch.db.create(name);
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 412) throw error;
  }
}

/** An organisation's databases (through the server's Store, as the admin API creates them). */
export async function seedOrg(server: BenchServer, orgId: string): Promise<void> {
  await server.app.store.ensureOrgDbs(orgId);
  await bulkInsert(server.couch, orgDbName(orgId), [
    orgDoc(orgId),
    programmeDoc(orgId),
  ] as unknown as Doc[]);
}

/**
 * A teacher's account, catalog and subgroup databases. `journal`: which journal docs to write
 * straight into the subgroup databases ('all', 'no-marks' or 'none'). `indexes`: create the
 * subgroup databases through the Store (with their Mango indexes), as the admin API does.
 */
export async function seedTeacher(
  server: BenchServer,
  t: TeacherYear,
  options: { journal: 'all' | 'no-marks' | 'none'; indexes: boolean },
): Promise<void> {
  await bulkInsert(server.couch, USERS_DB, [userDoc(t, await passwordHash())] as unknown as Doc[]);
  await bulkInsert(server.couch, orgDbName(t.orgId), catalogDocs(t));
  for (const g of t.groups) {
    const db = subgroupDbName(g.subgroup.id);
    if (options.indexes) await server.app.store.ensureSubgroupDb(g.subgroup.id);
    else await createDb(server.couch, db);
    if (options.journal === 'none') continue;
    await bulkInsert(server.couch, db, journalDocs(g, options.journal === 'all'));
  }
}

export async function login(url: string, loginName: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: loginName, password: PASSWORD }),
  });
  if (!res.ok) throw new Error(`login ${loginName}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}
