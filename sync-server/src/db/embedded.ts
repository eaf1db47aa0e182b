import { randomUUID, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express, { type RequestHandler } from 'express';
import expressPouchDB from 'express-pouchdb';
import PouchDB, { type PouchStatic } from 'pouchdb';
import memoryAdapter from 'pouchdb-adapter-memory';
import pouchFind from 'pouchdb-find';

/**
 * The embedded CouchDB-compatible server for the default run and the tests: express-pouchdb over
 * PouchDB (LevelDB files in DATA_DIR, or memory), on 127.0.0.1. The app talks to it through nano
 * exactly as to Apache CouchDB 3, so one code path runs everywhere.
 */

export interface EmbeddedCouch {
  /** Where nano reaches it, with the credentials when it asks for them. */
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** LevelDB directory root; the databases live in `<dataDir>/couch/`. */
  dataDir?: string;
  /** Keep everything in memory (tests). */
  memory?: boolean;
  /** 0 picks a free port. */
  port?: number;
  /**
   * The password every request must bring (Basic, user `otmetka`); unset: none. The default
   * run sets one made up at start (SC6): 127.0.0.1 is not only this server's. Tests, the soak
   * and the benchmarks, on databases of their own, go without.
   */
  password?: string;
}

const USER = 'otmetka';

/** 401 for a request without the password, before express-pouchdb sees it. */
function requireCredentials(password: string): RequestHandler {
  const expected = Buffer.from(`Basic ${Buffer.from(`${USER}:${password}`).toString('base64')}`);
  return (req, res, next) => {
    const sent = Buffer.from(req.headers.authorization ?? '');
    if (sent.length === expected.length && timingSafeEqual(sent, expected)) return next();
    res.status(401).json({ error: 'unauthorized', reason: 'Name or password is incorrect.' });
  };
}

async function pouchFor(options: EmbeddedOptions) {
  const base = PouchDB.plugin(pouchFind);
  if (options.memory) {
    // Memory databases of one name are one database process-wide: each server its own.
    const prefix = `mem-${randomUUID()}-`;
    return base.plugin(memoryAdapter).defaults({ adapter: 'memory', prefix });
  }

  const dir = path.join(options.dataDir ?? './data', 'couch');
  // SC6: the files hold the registry's personal data; no other account of the machine reads
  // them. A folder made before (an earlier version, `mkdir data`) is closed too.
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  return base.defaults({ prefix: `${dir}/` });
}

/**
 * DB3: express-pouchdb checks that a request's database exists by asking for the list of all
 * of them, which it rebuilt on every request (a key walk and a URI-decoding of each name): a
 * request cost about 1 ms more at 3,000 databases than at one. The list is kept between requests
 * and dropped whenever a database is created or destroyed. Installed after express-pouchdb's own
 * wrappers, so it keeps their result. Its callers only read the list. Returns the removal of
 * its listeners, which sit on an emitter every PouchDB of the process shares.
 */
function keepDatabaseList(pouch: PouchStatic): () => void {
  const build = pouch.allDbs.bind(pouch);
  let kept: Promise<string[]> | null = null;
  // A database created while the list is read may be missing from it: dropped then too, and
  // the next request reads a list that pouchdb-all-dbs builds after recording the new one.
  const drop = () => {
    kept = null;
  };
  pouch.on('created', drop);
  pouch.on('destroyed', drop);

  pouch.allDbs = (callback) => {
    if (!kept) {
      const reading = build();
      kept = reading;
      reading.catch(() => {
        if (kept === reading) kept = null;
      });
    }
    if (callback) kept.then((names) => callback(null, names), callback);
    return kept;
  };
  return () => {
    pouch.removeListener('created', drop);
    pouch.removeListener('destroyed', drop);
  };
}

export async function startEmbeddedCouch(options: EmbeddedOptions = {}): Promise<EmbeddedCouch> {
  const pouch = await pouchFor(options);
  const app = express();
  if (options.password) app.use(requireCredentials(options.password));
  // minimumForPouchDB plus Mango (_find/_index). Compression is excluded because it buffers
  // feed=continuous for gzip-accepting clients such as nano (STACK.md §3).
  const couch = expressPouchDB({
    mode: 'minimumForPouchDB',
    overrideMode: { include: ['routes/find'], exclude: ['compression'] },
    logPath: options.dataDir ? path.join(options.dataDir, 'couch-log.txt') : undefined,
    inMemoryConfig: true,
  });
  // Its start-up steps run in order of registration: this one last, after the list exists.
  let forget = () => {};
  const daemon = {
    start: (p: PouchStatic) => (forget = keepDatabaseList(p)),
    stop: () => forget(),
  };
  couch.daemonManager.registerDaemon(daemon);
  await couch.setPouchDB(pouch);
  app.use(couch);

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(options.port ?? 0, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const credentials = options.password ? `${USER}:${encodeURIComponent(options.password)}@` : '';

  return {
    url: `http://${credentials}127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        forget();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
