import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

/**
 * End-to-end harness: the real sync server (a child process on a free loopback port with a
 * throw-away DATA_DIR, seeded with the demo organisation), the real built client it serves, and
 * Debian's Chromium driven by playwright-core. Nothing is mocked; every wait is a bounded poll
 * on a condition, never a sleep that a test relies on.
 */

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SCREENSHOTS = path.join(ROOT, 'docs', 'screenshots');
export const DEMO_PASSWORD = 'otmetka-demo';

const CLIENT = path.join(ROOT, 'client');
const CHROMIUM = '/usr/bin/chromium';
/** No outside network here: every background fetch Chromium would try is switched off. */
const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const LANDSCAPE = { width: 1024, height: 768 };
export const PORTRAIT = { width: 768, height: 1024 };

// Waiting

/** Polls `check` until it returns a value that is not false/undefined/null, or throws on timeout. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | false | undefined | null> | T | false | undefined | null,
  { timeout = 20_000, every = 200 }: { timeout?: number; every?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeout;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== false && value !== undefined && value !== null) return value as T;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${reason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, every));
  }
}

// Client build

function newestMtime(target: string): number {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(target)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  }
  return newest;
}

/** Everything the bundle is built from: a change in any of these makes dist stale. */
function clientSourcesMtime(): number {
  const sources = [
    path.join(CLIENT, 'src'),
    path.join(CLIENT, 'public'),
    path.join(CLIENT, 'index.html'),
    path.join(CLIENT, 'vite.config.ts'),
    path.join(ROOT, 'shared', 'src'),
    // How the bundler treats the packages (`sideEffects`) changes the build too.
    path.join(CLIENT, 'package.json'),
    path.join(ROOT, 'shared', 'package.json'),
    path.join(ROOT, 'manifest'),
  ];
  return Math.max(...sources.map(newestMtime));
}

/**
 * The e2e run's own build of the client. Not client/dist: other work rebuilds that folder at any
 * moment (vite empties it first), and a server serving a half-written folder fails a test for
 * nothing. `npm start` and CI still use client/dist; this is the same vite build.
 */
export const CLIENT_DIST = path.join(ROOT, 'node_modules', '.cache', 'otmetka-e2e', 'dist');

/** Builds the client with vite when its build is missing or older than its sources. */
export function ensureClientBuilt(): void {
  const index = path.join(CLIENT_DIST, 'index.html');
  const built = existsSync(index) ? statSync(index).mtimeMs : 0;
  if (built > clientSourcesMtime()) return;

  const vite = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(
    process.execPath,
    [vite, 'build', '--outDir', CLIENT_DIST, '--emptyOutDir', '--logLevel', 'warn'],
    { cwd: CLIENT, encoding: 'utf8', timeout: 110_000 },
  );
  if (result.status !== 0) {
    throw new Error(`client build failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
}

// Server

export interface E2EServer {
  url: string;
  dataDir: string;
  /** Everything the server printed so far (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) });
    return res.ok && ((await res.json()) as { ok?: boolean }).ok === true;
  } catch {
    return false;
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Signals the server's whole process group (node plus anything it spawned). */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Starts `node --import tsx sync-server/src/main.ts` in its own process group on a free port
 * with an empty DATA_DIR, so it seeds the demo organisation, and waits for /api/health.
 */
export async function startServer(env: Record<string, string> = {}): Promise<E2EServer> {
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'otmetka-e2e-'));
  let output = '';

  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'sync-server', 'src', 'main.ts')],
    {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        CLIENT_DIST,
        LOG_LEVEL: 'warn',
        NODE_ENV: 'test',
        ...env,
      },
    },
  );
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });

  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    signalGroup(child, 'SIGTERM');
    const killer = setTimeout(() => signalGroup(child, 'SIGKILL'), 5000);
    await exited(child);
    clearTimeout(killer);
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    // Seeding the demo organisation happens before listen; it can take a while on 2 cores.
    await waitFor(
      'the sync server to answer /api/health',
      async () => {
        if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
        return healthy(url);
      },
      { timeout: 90_000, every: 250 },
    );
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- server output ---\n${output}`);
  }
  return { url, dataDir, output: () => output, stop };
}

// Server HTTP API (the test's own view of the server, independent of the browser)

export interface ApiResult<T = unknown> {
  status: number;
  body: T;
}

export async function api<T = unknown>(
  server: E2EServer,
  method: string,
  url: string,
  options: { token?: string; body?: unknown } = {},
): Promise<ApiResult<T>> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: keep the text.
  }
  return { status: res.status, body: body as T };
}

/** Binary download (XLSX) with a token. */
export async function apiBytes(server: E2EServer, url: string, token: string) {
  const res = await fetch(`${server.url}${url}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return new Uint8Array(await res.arrayBuffer());
}

export async function apiLogin(server: E2EServer, login: string, password = DEMO_PASSWORD) {
  const res = await api<{ accessToken: string; user: { id: string; teacherId?: string | null } }>(
    server,
    'POST',
    '/api/auth/login',
    { body: { login, password } },
  );
  if (res.status !== 200)
    throw new Error(`login ${login}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

// Browser

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * The set-up of a test file of screens: the built client, a server of its own on a fresh data
 * folder, and Chromium, from before the first test to after the last.
 */
export function serverAndBrowser(): { server: E2EServer; browser: Browser } {
  const env = {} as { server: E2EServer; browser: Browser };
  beforeAll(async () => {
    ensureClientBuilt();
    env.server = await startServer();
    env.browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await env.browser?.close();
    await env.server?.stop();
  });
  return env;
}

/**
 * A device: one browser context, i.e. its own IndexedDB, service worker, local storage and
 * network switch. It lives until closed, so pages can be closed and opened again on it.
 */
export async function newDevice(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: LANDSCAPE,
    locale: 'ru-RU',
    timezoneId: 'Asia/Yekaterinburg',
    hasTouch: true,
    serviceWorkers: 'allow',
    ...options,
  });
  context.setDefaultTimeout(20_000);
  return context;
}

/**
 * A device whose profile lives in `userDataDir`: closing it quits the browser, and launching it
 * again on the same folder is the same tablet after a restart (IndexedDB, service worker and
 * local storage kept). `offline: true` starts it with no network.
 */
export async function launchPersistentDevice(
  userDataDir: string,
  options: BrowserContextOptions = {},
): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    viewport: LANDSCAPE,
    locale: 'ru-RU',
    timezoneId: 'Asia/Yekaterinburg',
    hasTouch: true,
    serviceWorkers: 'allow',
    ...options,
  });
  context.setDefaultTimeout(20_000);
  return context;
}

/**
 * Kills every Chromium process of the profile in `userDataDir` at once (SIGKILL), as a tablet's
 * battery or the system's memory killer ends a browser: nothing is flushed on the way out.
 * Returns how many processes were killed.
 */
export function killBrowserOf(userDataDir: string): number {
  let killed = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue; // Gone meanwhile.
    }
    if (!cmdline.includes(userDataDir)) continue;
    try {
      process.kill(Number(pid), 'SIGKILL');
      killed++;
    } catch {
      // Exited meanwhile.
    }
  }
  return killed;
}

/**
 * Waits until no process holds a file of the profile in `userDataDir` open. Chromium's helper
 * processes (storage, network) carry no profile flag, so a kill by profile misses them; they
 * end a moment after the browser, writing into the profile on their way out. A tablet whose
 * browser was killed starts again only after all of it is gone, and so does a test's.
 */
export async function profileReleased(userDataDir: string, timeoutMs = 15_000): Promise<void> {
  const holds = (pid: string) => {
    try {
      return readdirSync(`/proc/${pid}/fd`).some((fd) => {
        try {
          return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(userDataDir);
        } catch {
          return false; // Closed meanwhile.
        }
      });
    } catch {
      return false; // Gone, or not ours to read.
    }
  };
  await waitFor(
    'the killed browser’s processes to leave its profile',
    () => !readdirSync('/proc').some((name) => /^\d+$/.test(name) && holds(name)),
    { timeout: timeoutMs, every: 100 },
  );
}

/**
 * Deletes a device's profile folder. A Chromium helper process can outlive the browser it served
 * by a moment and still write into the folder, which makes a plain recursive delete fail with
 * ENOTEMPTY: any process left on the profile is killed first, and the delete is retried.
 */
export async function removeProfile(userDataDir: string): Promise<void> {
  killBrowserOf(userDataDir);
  await profileReleased(userDataDir).catch(() => undefined);
  await rm(userDataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
}

/** Collects uncaught page errors, so a test can report them when something fails. */
export function watchErrors(page: Page, errors: string[] = []): string[] {
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return errors;
}

/** Opens the app and signs in through the sign-in form. */
export async function signIn(
  page: Page,
  server: E2EServer,
  login: string,
  password = DEMO_PASSWORD,
): Promise<void> {
  await page.goto(`${server.url}/`);
  try {
    await page.getByTestId('signin-form').waitFor();
  } catch (error) {
    const shown = (await page.locator('body').textContent()) ?? '';
    throw new Error(`no sign-in form; the page shows:\n${shown.slice(0, 500)}`, { cause: error });
  }
  await page.getByTestId('signin-login').fill(login);
  await page.getByTestId('signin-password').fill(password);
  await page.getByTestId('signin-submit').click();
  await page.getByTestId('signin-form').waitFor({ state: 'detached' });
}

/** Waits until the page is controlled by the service worker (the shell is then precached). */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await waitFor(
    'the service worker to control the page',
    () => page.evaluate(() => navigator.serviceWorker?.controller !== null),
    { timeout: 30_000 },
  );
  // The precache is filled during install; wait until the shell is in Cache Storage.
  await waitFor(
    'the app shell in the precache',
    () =>
      page.evaluate(async () => {
        for (const name of await caches.keys()) {
          const cache = await caches.open(name);
          for (const request of await cache.keys()) {
            if (new URL(request.url).pathname === '/index.html') return true;
          }
        }
        return false;
      }),
    { timeout: 30_000 },
  );
}

/**
 * A PNG under docs/screenshots/. Headless Chromium never grants persistent storage, so the app
 * rightly shows its storage warning; it is dismissed (its own «Понятно») to show the screen
 * itself. Focus is dropped so no field shows a selection.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const dismiss = page.getByTestId('storage-warning-dismiss');
  if (await dismiss.isVisible()) {
    await dismiss.click();
    await dismiss.waitFor({ state: 'detached' });
  }
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}
