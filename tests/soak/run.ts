import { runSoak } from './soak.ts';

/**
 * `npm run soak`: SOAK_SECONDS, SOAK_TEACHERS, SOAK_DEVICES (per teacher), SOAK_SEED from the
 * environment, or --seconds/--teachers/--devices/--seed options. Exits non-zero when an edit is
 * lost, the devices diverge, or a process failed.
 */

function option(name: string, env: string, fallback: number): number {
  const flag = process.argv.find((a) => a.startsWith(`--${name}=`));
  const raw = flag ? flag.split('=')[1] : process.env[env];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${env} must be a whole number`);
  return value;
}

/** The soak's own output: plain lines on stdout (the last one is the verdict). */
function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

const seed = option('seed', 'SOAK_SEED', Math.floor(Math.random() * 2 ** 31));
print(`soak: seed ${seed} (replay with SOAK_SEED=${seed})`);
const result = await runSoak({
  seed,
  seconds: option('seconds', 'SOAK_SECONDS', 30),
  teachers: option('teachers', 'SOAK_TEACHERS', 3),
  devicesPerTeacher: option('devices', 'SOAK_DEVICES', 2),
  log: print,
});
print(
  `soak: ${result.actions} actions in ${Math.round(result.durationMs / 1000)} s, ${result.problems.length} problems`,
);
print(result.summary);
process.exit(result.lost > 0 || !result.converged || result.problems.length > 0 ? 1 : 0);
