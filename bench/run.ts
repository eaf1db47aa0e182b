/**
 * `npm run bench`: runs every benchmark (or those named as arguments), prints one line each,
 * `<id> ratio=<x> goal<op><y> ok|FAIL`, and writes bench/results.json with the raw figures.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform } from 'node:os';
import { chromiumVersion } from './browser.ts';
import { type Benchmark, type BenchResult, formatLine, meetsGoal } from './harness.ts';

async function loadBenchmarks(): Promise<Benchmark[]> {
  const modules = await Promise.all([
    import('./server-push.ts'),
    import('./server-pull.ts'),
    import('./browser.ts'),
  ]);
  return modules.flatMap((m) => m.benchmarks);
}

function packageVersion(name: string): string {
  const file = new URL(`../node_modules/${name}/package.json`, import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const all = await loadBenchmarks();
  // A name selects a benchmark by its id or by the id of one of its results (browser-bundle).
  const selected = only.length
    ? all.filter((b) => only.some((o) => b.id.startsWith(o) || o.startsWith(b.id)))
    : all;
  const results: BenchResult[] = [];

  for (const bench of selected) {
    const out = await bench.run();
    for (const result of Array.isArray(out) ? out : [out]) {
      results.push(result);
      console.info(formatLine(result));
    }
  }

  const report = {
    at: new Date().toISOString(),
    node: process.version,
    versions: {
      node: process.version,
      chromium: chromiumVersion(),
      rxdb: packageVersion('rxdb'),
      dexie: packageVersion('dexie'),
      fastify: packageVersion('fastify'),
      pouchdb: packageVersion('pouchdb'),
      vite: packageVersion('vite'),
    },
    // The V8 flags the server ran with (npm start's young generation, see the README).
    nodeFlags: process.execArgv.filter((f) => f.startsWith('--') && f !== '--import'),
    machine: { platform: platform(), arch: arch(), cpus: cpus().length, model: cpus()[0]?.model },
    results: results.map((r) => ({ ...r, ok: meetsGoal(r) })),
  };
  writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(report, null, 2)}\n`);
  process.exitCode = results.every(meetsGoal) ? 0 : 1;
}

await main();
