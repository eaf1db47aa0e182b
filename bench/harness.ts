/**
 * The benchmark harness. A benchmark measures the product and a baseline in the same run (these
 * machines are noisy) and reports their ratio against a goal; it never passes or fails on an
 * absolute time.
 */

export interface BenchResult {
  id: string;
  title: string;
  ratio: number;
  goal: { op: '<=' | '>='; value: number };
  /** Raw figures for the README and results.json (ms, docs/s, bytes). */
  figures: Record<string, number | string>;
}

export interface Benchmark {
  id: string;
  title: string;
  run(): Promise<BenchResult | BenchResult[]>;
}

export function meetsGoal(result: BenchResult): boolean {
  return result.goal.op === '<='
    ? result.ratio <= result.goal.value
    : result.ratio >= result.goal.value;
}

export function formatLine(result: BenchResult): string {
  const verdict = meetsGoal(result) ? 'ok' : 'FAIL';
  return `${result.id} ratio=${result.ratio.toFixed(2)} goal${result.goal.op}${result.goal.value} ${verdict}`;
}

/** Median of samples; benchmarks report medians (and p95 where the goal says so). */
export function median(samples: number[]): number {
  return percentile(samples, 50);
}

export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) throw new Error('percentile of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, rank)]!;
}

/** Times an async function once, in milliseconds. */
export async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** Progress on stderr (stdout keeps one line per benchmark). */
export function progress(message: string): void {
  process.stderr.write(`  [bench] ${message}\n`);
}
