import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
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

/** Runs `src/main.ts` to its exit; returns the exit code and everything it printed. */
async function runMain(
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'warn', NODE_ENV: 'test', ...env },
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
  return { code, output };
}

describe('start-up', () => {
  it('[ST1] a taken port stops the server with one line saying how to start on another, before anything is written', async () => {
    const { code, output } = await runMain({ PORT: String(port), DATA_DIR: dataDir });

    expect(code).toBe(1);
    expect(output).toContain(
      `Порт ${port} на 127.0.0.1 уже занят другой программой. Запустите на свободном порту, например: PORT=${port + 1} npm start. Если это другая копия Отметки, дайте второй и свою папку данных: PORT=${port + 1} DATA_DIR=/tmp/otmetka-2 npm run dev`,
    );
    expect(output).not.toMatch(/EADDRINUSE|\n\s+at /);
    // No database was created or seeded (the JWT secret of the configuration may be there).
    expect(await readdir(dataDir)).not.toContain('couch');
  }, 120_000);

  it('[ST2] a data folder a running copy holds stops the second copy with one line, not five stack traces', async () => {
    const held = await mkdtemp(path.join(tmpdir(), 'otm-main-dir-'));
    try {
      // This test's own process stands for the running copy.
      await writeFile(path.join(held, 'otmetka.pid'), String(process.pid));
      const { code, output } = await runMain({ PORT: '0', DATA_DIR: held });

      expect(code).toBe(1);
      expect(output).toContain(
        `Папка данных ${held} занята другой запущенной копией Отметки (процесс ${process.pid}).`,
      );
      expect(output).not.toMatch(/LOCK|\n\s+at /);
    } finally {
      await rm(held, { recursive: true, force: true });
    }
  }, 120_000);
});
