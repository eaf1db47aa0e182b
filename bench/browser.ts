/**
 * Browser benchmarks in Debian's Chromium (playwright-core, never a downloaded browser):
 * (a) a tap to persisted through the client's real write path vs a raw IndexedDB put;
 * (b) the first sync of a teacher's year from the real server vs one JSON file and one raw
 *     IndexedDB transaction;
 * (c) the gzipped JavaScript that opening the app loads vs Preact + RxDB (Dexie) + replication.
 * The bench page (bench/browser/) and the reference page (bench/reference/) are built here with
 * the same Vite into temp directories; client/ is built into a temp directory too, with its own
 * config, so client/dist is never touched.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import preact from '@preact/preset-vite';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { teacherYear } from './fixtures.ts';
import { type Benchmark, type BenchResult, median, percentile, progress } from './harness.ts';
import { login, PASSWORD, seedOrg, seedTeacher, startBenchServer } from './server-env.ts';
import { pullEverything } from './server-pull.ts';
import { round1 } from './server-push.ts';

export const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const TAPS = 200;
const TAP_WARMUP = 10;
/** Five, interleaved with the baseline: its raw IndexedDB run alone varies 0.75–1.2 s here. */
const SYNC_REPETITIONS = 5;
const ORG = 'bench-browser';
const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, '..');

export function chromiumVersion(): string {
  try {
    return execFileSync(CHROMIUM, ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return 'unknown';
  }
}

async function buildPage(dir: string, outDir: string, withPreact: boolean): Promise<void> {
  await build({
    configFile: false,
    root: dir,
    logLevel: 'warn',
    plugins: withPreact ? [preact()] : [],
    build: { outDir, emptyOutDir: true, target: 'es2022' },
  });
}

// (c) bundle

const STATIC_IMPORT =
  /(?:^|[;}\n])\s*(?:import|export)\s*(?:[\w$*{}\s,]+?\s*from\s*)?["']([^"']+\.js)["']/g;

/**
 * The JS a browser must fetch to open the page: index.html's module scripts and modulepreloads,
 * then every static import of those, transitively (dynamic `import()` chunks load later).
 */
export function eagerJs(dist: string): { files: string[]; raw: number; gzip: number } {
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const queue = [
    ...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g),
    ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g),
  ].map((m) => m[1]!.replace(/^\//, ''));
  const seen = new Set<string>();
  let raw = 0;
  let gzip = 0;
  while (queue.length > 0) {
    const file = path.normalize(queue.shift()!);
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(path.join(dist, file));
    raw += code.length;
    gzip += gzipSync(code).length;
    for (const m of code.toString('utf8').matchAll(STATIC_IMPORT)) {
      queue.push(path.join(path.dirname(file), m[1]!));
    }
  }
  return { files: [...seen], raw, gzip };
}

async function bundle(tmp: string): Promise<BenchResult> {
  const appDist = path.join(tmp, 'client-dist');
  const refDist = path.join(tmp, 'reference-dist');
  await build({
    configFile: path.join(root, 'client/vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: appDist, emptyOutDir: true },
  });
  await buildPage(path.join(here, 'reference'), refDist, true);
  const app = eagerJs(appDist);
  const ref = eagerJs(refDist);
  return {
    id: 'browser-bundle',
    title: 'Gzipped JS needed to open the app vs Preact + RxDB (Dexie) + replication',
    ratio: app.gzip / ref.gzip,
    goal: { op: '<=', value: 1.5 },
    figures: {
      appGzipBytes: app.gzip,
      appRawBytes: app.raw,
      appFiles: app.files.join(' '),
      referenceGzipBytes: ref.gzip,
      referenceRawBytes: ref.raw,
      referenceFiles: ref.files.join(' '),
      build: 'vite build of client/ with its own config into a temp dir; gzip level 6',
    },
  };
}

// (a) and (b)

async function inBrowser(tmp: string): Promise<BenchResult[]> {
  const pageDist = path.join(tmp, 'page-dist');
  await buildPage(path.join(here, 'browser'), pageDist, false);
  const server = await startBenchServer({ clientDist: pageDist });
  // A profile on disk, as an installed app has: an incognito context keeps IndexedDB in memory,
  // which in some Chromium builds is several times slower and slows further as databases pile up.
  const browser = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
  });
  try {
    await seedOrg(server, ORG);
    const teacher = teacherYear({ orgId: ORG, key: 'sync-me' });
    await seedTeacher(server, teacher, { journal: 'all', indexes: true });
    // The "one JSON file": exactly the documents a full pull returns.
    const docs: unknown[] = [];
    await pullEverything(server.url, await login(server.url, teacher.login), docs);
    writeFileSync(path.join(pageDist, 'bench-year.json'), JSON.stringify(docs));
    progress(`browser: server seeded, ${docs.length} docs in the year file`);

    const page = await browser.newPage();
    page.on('pageerror', (e) => progress(`page error: ${e.message}`));
    await page.goto(`${server.url}/`);
    await page.waitForFunction(() => document.title === 'bench-ready');

    const tap = await page.evaluate(({ count, warmup }) => window.bench.taps(count, warmup), {
      count: TAPS,
      warmup: TAP_WARMUP,
    });
    progress('browser: taps done');

    const syncMs: number[] = [];
    const rawMs: number[] = [];
    let counts: Record<string, number> = {};
    for (let rep = 0; rep < SYNC_REPETITIONS; rep++) {
      const raw = () => page.evaluate((file) => window.bench.rawSync(file), '/bench-year.json');
      if (rep % 2 === 1) rawMs.push((await raw()).ms);
      const sync = await page.evaluate(
        ({ login, password }) => window.bench.firstSync(login, password),
        { login: teacher.login, password: PASSWORD },
      );
      syncMs.push(sync.ms);
      counts = sync.counts;
      if (rep % 2 === 0) rawMs.push((await raw()).ms);
      progress(`browser: sync ${Math.round(sync.ms)} ms, raw ${Math.round(rawMs.at(-1)!)} ms`);
    }
    // Where the time goes: the pull requests alone, then the first sync with their answers
    // served from memory (the client's own share). Figures only; the ratio is the real thing.
    const pull = await page.evaluate(
      ({ login, password }) => window.bench.pullOnly(login, password),
      { login: teacher.login, password: PASSWORD },
    );
    const clientOnlyMs: number[] = [];
    for (let rep = 0; rep < 2; rep++) {
      const run = await page.evaluate(
        ({ login, password }) => window.bench.firstSync(login, password, true),
        { login: teacher.login, password: PASSWORD },
      );
      clientOnlyMs.push(run.ms);
    }
    progress(
      `browser: pulls alone ${Math.round(pull.ms)} ms (${pull.requests} requests), first sync from memory ${clientOnlyMs.map(Math.round).join(' ')} ms`,
    );
    // The floor of the storage layout: the same documents with RxDB's Dexie indexes, raw.
    const floorMs: number[] = [];
    for (let rep = 0; rep < SYNC_REPETITIONS; rep++) {
      floorMs.push(
        (await page.evaluate((file) => window.bench.storageFloor(file), '/bench-year.json')).ms,
      );
    }
    progress(`browser: storage floor ${floorMs.map(Math.round).join(' ')} ms`);
    const synced = Object.values(counts).reduce((a, b) => a + b, 0);
    if (synced !== docs.length) {
      throw new Error(`first sync stored ${synced} docs, the pull has ${docs.length}`);
    }

    const tapP95 = percentile(tap.tapMs, 95);
    const rawP95 = percentile(tap.rawMs, 95);
    const common = {
      chromium: browser.browser()?.version() ?? chromiumVersion(),
      cpuThrottling: '1x',
    };
    return [
      {
        id: 'browser-tap',
        title: `A mark from tap to persisted (setMark) vs a raw IndexedDB put, p95 of ${TAPS}`,
        ratio: tapP95 / rawP95,
        goal: { op: '<=', value: 6 },
        figures: {
          ...common,
          taps: TAPS,
          tapP50Ms: round1(percentile(tap.tapMs, 50)),
          tapP95Ms: round1(tapP95),
          tapMaxMs: round1(Math.max(...tap.tapMs)),
          rawP50Ms: round1(percentile(tap.rawMs, 50)),
          rawP95Ms: round1(rawP95),
        },
      },
      {
        id: 'browser-sync',
        title:
          "First sync of a teacher's year into the browser vs one JSON file + one raw IDB transaction",
        ratio: median(syncMs) / median(rawMs),
        goal: { op: '<=', value: 2.5 },
        figures: {
          ...common,
          docs: docs.length,
          counts: JSON.stringify(counts),
          repetitions: SYNC_REPETITIONS,
          syncMsMedian: Math.round(median(syncMs)),
          rawMsMedian: Math.round(median(rawMs)),
          syncRunsMs: syncMs.map(Math.round).join(' '),
          rawRunsMs: rawMs.map(Math.round).join(' '),
          pullRequestsAloneMs: Math.round(pull.ms),
          pullRequests: pull.requests,
          clientOnlyMsMedian: Math.round(median(clientOnlyMs)),
          clientOnlyRunsMs: clientOnlyMs.map(Math.round).join(' '),
          storageFloorMsMedian: Math.round(median(floorMs)),
          storageFloorRunsMs: floorMs.map(Math.round).join(' '),
          storageFloorRatio: round1(median(floorMs) / median(rawMs)),
          yearFileBytes: JSON.stringify(docs).length,
          storage: `server on embedded express-pouchdb, ${server.storage}`,
        },
      },
    ];
  } finally {
    await browser.close();
    await server.stop();
  }
}

async function run(): Promise<BenchResult[]> {
  const tmp = mkdtempSync(path.join(tmpdir(), 'otm-bench-web-'));
  try {
    const results = await inBrowser(tmp);
    results.push(await bundle(tmp));
    return results;
  } finally {
    // A Chromium helper process can still write into the profile a moment after the browser quit.
    rmSync(tmp, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}

export const benchmarks: Benchmark[] = [
  {
    id: 'browser',
    title: 'Tap to persisted, first sync and bundle size in Chromium',
    run,
  },
];
