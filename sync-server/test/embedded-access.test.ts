import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedCouch } from '../src/db/embedded.ts';
import { call } from './helpers.ts';

/**
 * The embedded database of the default run (`npm start` without COUCHDB_URL) listens on
 * 127.0.0.1. It answered every request: any other account or process on the machine, or a web
 * page in the machine's browser through DNS rebinding, read the teacher registry and wrote user
 * accounts (an admin with a password of its choosing). The server and its database are one
 * process here; the database now wants the credentials that process made up at start.
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

/** `npm start`'s process on a fresh DATA_DIR: the demo seed on the embedded database. */
async function startDefaultRun(dataDir: string, port: number, dbPort: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      EMBEDDED_COUCH_PORT: String(dbPort),
      DATA_DIR: dataDir,
      CLIENT_DIST: path.join(dataDir, 'no-client'),
      LOG_LEVEL: 'warn',
      NODE_ENV: 'test',
      COUCHDB_URL: '',
      JWT_SECRET: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      // The demo accounts line comes once the seed is done and the server listens.
      if (output.includes('Демо-входы') || output.includes('входы:')) resolve();
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`the server exited ${code}: ${output}`)));
  });
  return child;
}

describe('the embedded database of the default run', () => {
  let child: ChildProcess;
  let dataDir: string;
  let app: string;
  let database: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'otmetka-embedded-'));
    const [port, dbPort] = [await freePort(), await freePort()];
    child = await startDefaultRun(dataDir, port, dbPort);
    app = `http://127.0.0.1:${port}`;
    database = `http://127.0.0.1:${dbPort}`;
  }, 120_000);
  afterAll(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('[SC6] answers nobody but the server: no registry to read, no account to write', async () => {
    const registry = await fetch(
      `${database}/otm_private_ddt-orenburg/_all_docs?include_docs=true`,
    );
    const text = await registry.text();
    expect(registry.status).toBe(401);
    expect(text).not.toMatch(/passport|snils|birthDate/);

    const intruder = await fetch(`${database}/otm_users/intruder`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'user', login: 'intruder', role: 'admin' }),
    });
    expect(intruder.status).toBe(401);

    const guessed = await fetch(`${database}/_all_dbs`, {
      headers: { authorization: `Basic ${btoa('otmetka:otmetka')}` },
    });
    expect(guessed.status).toBe(401);
  });

  it('[SC6] the server itself still reads and writes it', async () => {
    const session = await call(app, 'POST', '/api/auth/login', {
      body: { login: 'admin', password: 'otmetka-demo' },
    });
    expect(session.status).toBe(200);
    const token = (session.body as { accessToken: string }).accessToken;
    const teachers = await call(app, 'GET', '/api/admin/teachers', { token });
    expect(teachers.status).toBe(200);
    expect((teachers.body as { teachers: unknown[] }).teachers.length).toBeGreaterThan(0);
    const health = await call(app, 'GET', '/api/health');
    expect(health.body).toMatchObject({ ok: true, database: { reachable: true } });
  });
});

describe('the embedded database’s files', () => {
  it('[SC6] are the server account’s alone, also in a folder made before', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'otmetka-files-'));
    try {
      // As an earlier version (or `mkdir data`) left it under the usual umask.
      await mkdir(path.join(dataDir, 'couch'), { mode: 0o755 });
      await chmod(path.join(dataDir, 'couch'), 0o755);
      const couch = await startEmbeddedCouch({ dataDir, password: 'test-only' });
      await couch.stop();
      const { mode } = await stat(path.join(dataDir, 'couch'));
      expect(mode & 0o077).toBe(0);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
