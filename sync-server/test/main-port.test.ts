import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `npm start` as a newcomer runs it: the real `src/main.ts` with the embedded database, on a
 * port another program already listens on.
 */

const MAIN = path.resolve(import.meta.dirname, '../src/main.ts');

let holder: Server;
let port: number;
let dataDir: string;

beforeAll(async () => {
  holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  port = (holder.address() as { port: number }).port;
  dataDir = await mkdtemp(path.join(tmpdir(), 'otm-main-port-'));
});

afterAll(async () => {
  await new Promise((resolve) => holder.close(resolve));
  await rm(dataDir, { recursive: true, force: true });
});

describe('start-up', () => {
  it('[ST1] a taken port stops the server with one line saying how to start on another, not a stack trace', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        NODE_ENV: 'test',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));

    expect(code).toBe(1);
    expect(output).toContain(
      `Порт ${port} на 127.0.0.1 уже занят другой программой. Запустите на свободном порту, например: PORT=${port + 1} npm start`,
    );
    expect(output).not.toMatch(/EADDRINUSE|\n\s+at /);
  }, 120_000);
});
