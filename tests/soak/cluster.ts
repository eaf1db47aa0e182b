import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

/**
 * The processes under test: one database process (embedded CouchDB on LevelDB) and several sync
 * servers (`sync-server/src/main.ts`) pointed at it, each on a fixed port so a killed process
 * comes back at the same address.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const MAIN = path.join(ROOT, 'sync-server/src/main.ts');
const DB_MAIN = path.join(ROOT, 'tests/soak/db-process.ts');

export const SOAK_JWT_SECRET = 'soak-secret-0123456789-0123456789-0123456789';

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Every child still running: killed when the soak's own process ends, however it ends. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => process.exit(130));
}

/** Spawns a node process and resolves once its stdout shows `ready`. */
function spawnReady(
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: string,
  label: string,
): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stderr!.on('data', append);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} did not start: ${output}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      append(chunk);
      if (output.includes(ready)) {
        clearTimeout(timer);
        resolve({ child, output: () => output });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited (${code ?? signal}) before ready: ${output}`));
    });
  });
}

async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

export class DbProcess {
  private child: ChildProcess | undefined;
  readonly url: string;
  restarts = 0;

  constructor(
    private readonly dataDir: string,
    readonly port: number,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    const started = await spawnReady(
      [DB_MAIN, this.dataDir, String(this.port)],
      {},
      'ready',
      'database',
    );
    this.child = started.child;
  }

  async restart(downMs: number): Promise<void> {
    await stopChild(this.child, 'SIGTERM');
    await new Promise((r) => setTimeout(r, downMs));
    await this.start();
    this.restarts++;
  }

  stop(): Promise<void> {
    return stopChild(this.child, 'SIGTERM');
  }
}

export class ServerProcess {
  private child: ChildProcess | undefined;
  private output: () => string = () => '';
  readonly url: string;
  kills = 0;
  /** Exits nobody asked for (a crash): each one is a finding. */
  crashes: string[] = [];
  private expectingExit = false;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly couchUrl: string,
    private readonly dataDir: string,
    private readonly clockOffsetMs: number,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    const started = await spawnReady(
      [MAIN],
      {
        PORT: String(this.port),
        HOST: '127.0.0.1',
        COUCHDB_URL: this.couchUrl,
        DATA_DIR: this.dataDir,
        JWT_SECRET: SOAK_JWT_SECRET,
        CLOCK_OFFSET_MS: String(this.clockOffsetMs),
        LOGIN_RATE_LIMIT: '100000',
        LOG_LEVEL: 'warn',
        NODE_ENV: 'test',
      },
      `127.0.0.1:${this.port}`,
      this.name,
    );
    this.child = started.child;
    this.output = started.output;
    this.expectingExit = false;
    started.child.once('exit', (code, signal) => {
      if (!this.expectingExit) {
        this.crashes.push(`${this.name} exited (${code ?? signal}): ${this.output().slice(-2000)}`);
      }
    });
  }

  isUp(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGKILL: no graceful close, requests in flight die with the process. */
  async kill(): Promise<void> {
    this.expectingExit = true;
    await stopChild(this.child, 'SIGKILL');
    this.kills++;
  }

  async stop(): Promise<void> {
    this.expectingExit = true;
    await stopChild(this.child, 'SIGTERM');
  }

  logTail(): string {
    return this.output().slice(-4000);
  }
}
