import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The short soak of CI: a fixed list of seeds, a few seconds each, with 2 teachers × 2 devices
 * and two server processes. Each runs `npm run soak` as a child process (devices need worker
 * threads with the tsx loader, which vitest's own workers do not provide). Seeds that once
 * failed are kept as named tests under `regressions`.
 */

const ROOT = path.resolve(import.meta.dirname, '..');

function soak(seed: number, seconds: number) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'tests/soak/run.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      SOAK_SEED: String(seed),
      SOAK_SECONDS: String(seconds),
      SOAK_TEACHERS: '2',
      SOAK_DEVICES: '2',
    },
    encoding: 'utf8',
    timeout: 170_000,
  });
  const lines = run.stdout.trim().split('\n');
  return { status: run.status, last: lines.at(-1) ?? '', output: run.stdout + run.stderr };
}

/**
 * No retry: the intermittent settle hang of the short seed-1 soak (a device asked to sign in
 * again only after the settle phase's sign-in had passed) is fixed in the soak, so a failure
 * here is a finding (tests/soak/README.md).
 */
const ATTEMPTS = { timeout: 180_000 };

describe('soak (short, fixed seeds)', () => {
  it.each([101])('seed %i: nothing lost, devices converge', ATTEMPTS, (seed) => {
    const result = soak(seed, 6);
    expect(result.last, result.output).toMatch(
      /^soak: \d+ edits, 0 lost, \d+ refused \(all reported\), converged$/,
    );
    expect(result.status, result.output).toBe(0);
  });
});

describe('regressions', () => {
  it(
    'seed 1: a topic overwritten by the same teacher’s later edit on an unsynced device is accounted for, not lost',
    ATTEMPTS,
    () => {
      const result = soak(1, 10);
      expect(result.last, result.output).toMatch(/ 0 lost, .* converged$/);
    },
  );
});
