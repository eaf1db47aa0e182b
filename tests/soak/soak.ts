import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Store } from '../../sync-server/src/db/store.ts';
import { Admin, deviceAction, login, parentRead } from './actors.ts';
import {
  type Divergence,
  divergence,
  judge,
  type LedgerVerdict,
  lostStory,
  serverStory,
  serverTruth,
  strayLessons,
  updateSeqs,
  type Verdict,
} from './check.ts';
import { DbProcess, freePort, ServerProcess, SOAK_JWT_SECRET } from './cluster.ts';
import { Device } from './device.ts';
import {
  ADMIN_LOGIN,
  PARENT_LOGIN,
  SOAK_ORG,
  SOAK_PASSWORD,
  type SoakTeacher,
  seedSoak,
} from './fixture.ts';
import type { DeviceDump } from './protocol.ts';
import { Rng } from './rng.ts';

/**
 * The soak: seeded random work of teachers' devices, an admin and a parent against two sync
 * server processes on one embedded database, with faults injected, then the checks.
 */

export interface SoakOptions {
  seed: number;
  seconds: number;
  teachers: number;
  devicesPerTeacher: number;
  servers?: number;
  log?: (line: string) => void;
}

export interface SoakResult {
  seed: number;
  edits: number;
  actions: number;
  lost: number;
  refused: number;
  reportedLost: number;
  converged: boolean;
  faults: Record<string, number>;
  problems: string[];
  durationMs: number;
  summary: string;
}

const HOUR = 3_600_000;
const SKEWS = [0, 0, 3 * HOUR, -2 * HOUR, 5 * HOUR, -6 * HOUR, 90_000, -45_000];

interface World {
  rng: Rng;
  db: DbProcess;
  servers: ServerProcess[];
  devices: Device[];
  teachers: SoakTeacher[];
  admin: Admin;
  parentToken: string;
  faults: Record<string, number>;
  problems: string[];
  busy: Set<string>;
  killArmed: boolean;
  dbDown: boolean;
  /**
   * Moves when a process goes down and when it is back: a request answered 5xx is judged by
   * whether any fault began or ended while it was under way, not by the state at its answer
   * (a request refused by a database still starting is answered just after it is marked up).
   */
  faultEpoch: number;
  actions: number;
  log: (line: string) => void;
}

function count(w: World, fault: string): void {
  w.faults[fault] = (w.faults[fault] ?? 0) + 1;
}

/** A timeline of the faults on stderr: what a failed run is read against. */
function diag(line: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 23)} DIAG ${line}\n`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function upServer(w: World): ServerProcess {
  return w.servers.find((s) => s.isUp()) ?? w.servers[0]!;
}

/** A server killed mid-push comes back on the same port after a short pause. */
function killMidPush(w: World, port: number): void {
  if (!w.killArmed || w.busy.has('server')) return;
  const server = w.servers.find((s) => s.port === port && s.isUp());
  if (!server) return;
  w.killArmed = false;
  w.busy.add('server');
  const delay = w.rng.int(0, 15);
  const down = w.rng.int(200, 1500);
  void (async () => {
    await sleep(delay);
    diag(`killing ${server.name} mid-push`);
    w.faultEpoch++;
    await server.kill();
    count(w, 'server SIGKILL mid-push');
    await sleep(down);
    await startWithRetry(w, server);
    diag(`${server.name} up again`);
  })()
    .catch((err) => w.problems.push(`restart ${server.name}: ${err}`))
    .finally(() => {
      w.faultEpoch++;
      w.busy.delete('server');
    });
}

/** A server cannot start while the database is down (a fault of its own): try again. */
async function startWithRetry(w: World, server: ServerProcess): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await server.start();
      return;
    } catch (err) {
      if (attempt >= 20) throw err;
      count(w, 'server start retried (database down)');
      await sleep(500);
    }
  }
}

function restartDb(w: World): void {
  if (w.busy.has('db')) return;
  w.busy.add('db');
  const down = w.rng.int(200, 1500);
  void (async () => {
    w.dbDown = true;
    w.faultEpoch++;
    diag(`database going down for ${down} ms`);
    await w.db.restart(down);
    w.dbDown = false;
    diag('database up again');
    count(w, 'database restart');
  })()
    .catch((err) => w.problems.push(`database restart: ${err}`))
    .finally(() => {
      w.dbDown = false;
      w.faultEpoch++;
      w.busy.delete('db');
    });
}

/**
 * Judges a 5xx: expected only from a request under way while the database or a server was
 * being restarted (`sentAt`: the fault epoch when the request was sent).
 */
function judgeStatus(w: World, what: string, status: number, sentAt: number): void {
  if (status < 500) return;
  if (w.dbDown || w.busy.has('db') || w.busy.has('server') || w.faultEpoch !== sentAt) return;
  w.problems.push(`${what}: HTTP ${status} with every process up`);
  // The servers' own error lines of the moment, on the timeline (pino, level 50).
  for (const server of w.servers) {
    const errors = server
      .logTail()
      .split('\n')
      .filter((line) => line.includes('"level":50'));
    if (errors.length > 0) diag(`${server.name} errors:\n${errors.slice(-3).join('\n')}`);
  }
}

async function deviceStep(w: World): Promise<void> {
  const device = w.rng.pick(w.devices);
  const teacher = w.teachers.find((t) => t.subgroupId === device.subgroupId)!;
  const kind = w.rng.weighted({ edit: 80, offline: 10, move: 4, expire: 3, replay: 3 });
  if (kind === 'edit') {
    await device.edit(deviceAction(w.rng, teacher));
    w.actions++;
  } else if (kind === 'offline') {
    diag(`${device.name} goes ${device.offline ? 'online' : 'offline'}`);
    await device.setOffline(!device.offline);
  } else if (kind === 'move') {
    const other = w.rng.pick(w.servers);
    device.proxy.retarget(other.port);
    diag(`${device.name} moved to ${other.name}`);
    count(w, 'device moved to another server');
  } else if (kind === 'expire') {
    if (!device.offline) await device.setOffline(true);
    const refreshToo = w.rng.chance(0.4);
    diag(`${device.name}: access token expired${refreshToo ? ', refresh token revoked' : ''}`);
    await device.call({ op: 'expire', refreshToo });
    count(w, 'token expired while offline');
  } else {
    await replay(w, device);
  }
}

/** Pushes this device sent before, delivered again, some twice, in shuffled order. */
async function replay(w: World, device: Device): Promise<void> {
  const n = await device.call<number>({ op: 'captures' });
  if (n === 0) return;
  const picks = Array.from({ length: w.rng.int(1, Math.min(6, n)) }, () => w.rng.int(0, n - 1));
  const indexes = w.rng.shuffle([...picks, ...picks.filter(() => w.rng.chance(0.5))]);
  const server = w.rng.pick(w.servers);
  const sentAt = w.faultEpoch;
  const statuses = await device.call<number[]>({
    op: 'replay',
    indexes,
    baseUrl: server.url,
  });
  for (const s of statuses) judgeStatus(w, `replayed push to ${server.name}`, s, sentAt);
  count(w, 'pushes replayed (twice, out of order)');
  diag(`${indexes.length} pushes of ${device.name} replayed to ${server.name}`);
}

async function worldStep(w: World): Promise<void> {
  const kind = w.rng.weighted({ device: 86, admin: 4, parent: 3, kill: 2, db: 1, cut: 4 });
  if (kind === 'device') return deviceStep(w);
  if (kind === 'admin') {
    const sentAt = w.faultEpoch;
    const { what, res, expected } = await w.admin.act(w.rng, upServer(w).url);
    if (res.status === 401) {
      w.admin.setToken(await login(upServer(w).url, ADMIN_LOGIN, SOAK_PASSWORD));
      return;
    }
    judgeStatus(w, `admin ${what}`, res.status, sentAt);
    if (res.status !== 200 && res.status < 500 && res.status !== 0 && !expected) {
      w.problems.push(`admin ${what}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    }
    return;
  }
  if (kind === 'parent') {
    const sentAt = w.faultEpoch;
    const res = await parentRead(w.rng, upServer(w).url, w.parentToken, w.teachers);
    judgeStatus(w, 'parent diary', res.status, sentAt);
    if (res.status !== 200 && res.status < 500 && res.status !== 0)
      w.problems.push(`parent diary: ${res.status}`);
    count(w, 'parent diary reads');
    return;
  }
  if (kind === 'kill') {
    w.killArmed = true;
    return;
  }
  if (kind === 'db') return restartDb(w);
  const device = w.rng.pick(w.devices);
  const bytes = w.rng.int(0, 600);
  diag(`cut armed on ${device.name} after ${bytes} bytes`);
  device.proxy.armCut(bytes);
}

async function startWorld(opts: SoakOptions, dir: string, rng: Rng): Promise<World> {
  const db = new DbProcess(path.join(dir, 'db'), await freePort());
  await db.start();
  const store = new Store(db.url);
  const teachers = await seedSoak(store, opts.teachers);
  const servers: ServerProcess[] = [];
  for (let i = 0; i < (opts.servers ?? 2); i++) {
    const server = new ServerProcess(
      `server-${i + 1}`,
      await freePort(),
      db.url,
      path.join(dir, `server-${i + 1}`),
      i * 7000,
    );
    await server.start();
    servers.push(server);
  }
  const w: World = {
    rng,
    db,
    servers,
    devices: [],
    teachers,
    admin: new Admin(teachers, await login(servers[0]!.url, ADMIN_LOGIN, SOAK_PASSWORD)),
    parentToken: await login(servers[0]!.url, PARENT_LOGIN, SOAK_PASSWORD),
    faults: {},
    problems: [],
    busy: new Set(),
    killArmed: false,
    dbDown: false,
    faultEpoch: 0,
    actions: 0,
    log: opts.log ?? (() => undefined),
  };
  for (const t of teachers) {
    for (let d = 0; d < opts.devicesPerTeacher; d++) {
      const skew = w.devices.length === 0 ? 0 : rng.pick(SKEWS);
      const device = await Device.create(
        `${t.subgroupId}-dev${d + 1}`,
        t.login,
        t.subgroupId,
        skew,
        rng.pick(servers).port,
        { onPush: (port) => killMidPush(w, port) },
        { password: SOAK_PASSWORD, jwtSecret: SOAK_JWT_SECRET },
      );
      w.devices.push(device);
      if (skew !== 0) count(w, 'device clock skewed');
    }
  }
  return w;
}

/** Brings every part back and syncs every device until quiet. */
async function settle(w: World): Promise<void> {
  // A fault that never finishes is a finding, not a reason to hang the run: wait a minute, then
  // name it and go on bringing everything back.
  for (let waited = 0; w.busy.size > 0; waited += 100) {
    if (waited >= 60_000) {
      w.problems.push(`faults still running after 60 s: ${[...w.busy].join(', ')}`);
      break;
    }
    await sleep(100);
  }
  for (const s of w.servers) if (!s.isUp()) await startWithRetry(w, s);
  for (const d of w.devices) {
    d.proxy.armCut(Number.POSITIVE_INFINITY);
    if (d.offline) await d.setOffline(false);
    for (let i = 0; i < 20 && !(await d.signInIfNeeded()); i++) await sleep(500);
  }
  // A device that missed a round is stuck: later rounds wait for it briefly, so the run still
  // reports (what is pending, what diverged) within CI's time limit instead of being killed.
  const late = new Set<Device>();
  for (let round = 0; round < 3; round++) {
    const results = await Promise.all(
      w.devices.map((d) =>
        d.call<boolean>({ op: 'sync', timeoutMs: late.has(d) ? 10_000 : 60_000 }),
      ),
    );
    for (const [i, ok] of results.entries()) {
      const d = w.devices[i]!;
      if (ok) {
        late.delete(d);
        continue;
      }
      late.add(d);
      diag(`round ${round}: ${d.name} not in sync; ${d.proxy.describe()}; ${serversUp(w)}`);
      if (round === 2) w.problems.push(`${d.name} never got in sync`);
    }
    await sleep(300);
  }
}

function serversUp(w: World): string {
  return w.servers.map((s) => `${s.name} :${s.port} ${s.isUp() ? 'up' : 'down'}`).join(', ');
}

export async function runSoak(opts: SoakOptions): Promise<SoakResult> {
  const started = Date.now();
  const log = opts.log ?? (() => undefined);
  const rng = new Rng(opts.seed);
  const dir = await mkdtemp(path.join(tmpdir(), 'otmetka-soak-'));
  let w: World | undefined;
  try {
    w = await startWorld(opts, dir, rng);
    log(`soak: seed ${opts.seed}, ${w.devices.length} devices, ${w.servers.length} servers`);
    const deadline = Date.now() + opts.seconds * 1000;
    while (Date.now() < deadline) {
      await worldStep(w);
      await sleep(rng.int(5, 60));
    }
    log('soak: settling (every fault off, a final quiet sync)');
    diag('settling');
    await settle(w);
    return await finalChecks(w, opts, started);
  } finally {
    if (w) await teardown(w);
    await rm(dir, { recursive: true, force: true });
  }
}

async function teardown(w: World): Promise<void> {
  for (const d of w.devices) await d.close().catch(() => undefined);
  for (const s of w.servers) await s.stop();
  await w.db.stop();
}

async function finalChecks(w: World, opts: SoakOptions, started: number): Promise<SoakResult> {
  const store = new Store(w.db.url);
  const base = upServer(w).url;
  const dumps: DeviceDump[] = [];
  for (const d of w.devices) dumps.push(await d.dump());

  // No growing revisions: one more sync round on every device must write nothing.
  const before = await updateSeqs(store, w.teachers, SOAK_ORG);
  await Promise.all(w.devices.map((d) => d.call({ op: 'sync', timeoutMs: 30_000 })));
  await sleep(500);
  const after = await updateSeqs(store, w.teachers, SOAK_ORG);
  const growing = Object.keys(before).filter((k) => before[k] !== after[k]);

  const diverged: string[] = [];
  const divergedStories: string[] = [];
  for (const [i, d] of w.devices.entries()) {
    const found = await divergence(d, dumps[i]!, base, SOAK_PASSWORD);
    diverged.push(...found.map((f) => f.text));
    for (const f of found.filter((f) => JOURNAL.has(f.collection)).slice(0, 3)) {
      divergedStories.push(`story of ${f.text.slice(0, 120)}`);
      divergedStories.push(...(await divergedStory(d, f)));
      divergedStories.push(...(await serverStory(store, SOAK_ORG, f.id)).map((l) => `  ${l}`));
    }
  }
  const truth = await serverTruth(store, w.teachers);
  const all = w.devices.flatMap((d) => d.ledger);
  const verdicts: LedgerVerdict[] = w.devices.flatMap((d, i) =>
    d.ledger.map((e) => judge(e, truth, all, dumps[i]!.notices)),
  );
  const stray = await strayLessons(store, w.teachers, truth, SOAK_ORG);
  const stories = verdicts
    .filter((v) => v.verdict === 'lost')
    .slice(0, 5)
    .map((v) => {
      const i = w.devices.findIndex((d) => d.name === v.entry.device);
      return lostStory(v, truth, all, dumps[i]?.notices ?? []);
    });
  return report(w, opts, started, {
    verdicts,
    diverged,
    divergedStories,
    growing,
    stray,
    dumps,
    stories,
  });
}

const JOURNAL = new Set(['lessons', 'topics', 'marks']);

/** The device's recent history of a diverged document and its replication state now. */
async function divergedStory(device: Device, f: Divergence): Promise<string[]> {
  const stories = await device.call<Record<string, string[]>>({
    op: 'explain',
    collection: f.collection as 'lessons' | 'topics' | 'marks',
    ids: [f.id],
  });
  return (stories[f.id] ?? []).map((line) => `  ${line}`);
}

function report(
  w: World,
  opts: SoakOptions,
  started: number,
  r: {
    verdicts: LedgerVerdict[];
    diverged: string[];
    /** Each diverged journal document's story on its device and on the server (first few). */
    divergedStories: string[];
    growing: string[];
    stray: string[];
    dumps: DeviceDump[];
    /** Per lost edit (the first five), what happened to it. */
    stories: string[][];
  },
): SoakResult {
  const by = (v: Verdict) => r.verdicts.filter((x) => x.verdict === v);
  const lost = by('lost');
  const problems = [
    ...w.problems,
    ...w.servers.flatMap((s) => s.crashes),
    ...w.devices.flatMap((d) => d.failures),
    ...r.growing.map((db) => `revisions still growing in ${db}`),
    ...r.stray.map((l) => `lesson off the schedule without a flag: ${l}`),
    ...r.dumps.flatMap((d, i) =>
      d.pending.length > 0
        ? [`${w.devices[i]!.name}: ${d.pending.length} pending (${d.pending.join(', ')})`]
        : [],
    ),
  ];
  const log = w.log;
  log(`soak: faults ${JSON.stringify(w.faults)}`);
  const { scheduleChanges, lockChanges, lockedRefusals } = w.admin;
  log(
    `soak: admin ${scheduleChanges} schedule changes, ${lockChanges} lock changes, ` +
      `${lockedRefusals} schedule changes refused for a locked month`,
  );
  log(
    `soak: ledger kept ${by('kept').length}, superseded ${by('superseded').length}, overwritten unreported by the same author's later edit on another device ${by('author-later').length}, refused ${by('refused').length}, conflict-lost and reported ${by('reported-lost').length}, silently lost ${lost.length}`,
  );
  for (const [i, v] of lost.slice(0, 20).entries()) {
    log(
      `soak: LOST ${v.entry.device} ${v.entry.docId} ${v.entry.field}=${JSON.stringify(v.entry.value)} (${v.why})`,
    );
    for (const line of r.stories[i] ?? []) log(`soak:   ${line}`);
  }
  for (const line of r.diverged.slice(0, 20)) log(`soak: DIVERGED ${line}`);
  for (const line of r.divergedStories.slice(0, 400)) log(`soak: ${line}`);
  for (const p of problems.slice(0, 20)) log(`soak: PROBLEM ${p.slice(0, 600)}`);
  const converged = r.diverged.length === 0 && r.growing.length === 0 && r.stray.length === 0;
  const refused = by('refused').length + by('reported-lost').length;
  const edits = r.verdicts.length;
  const summary = `soak: ${edits} edits, ${lost.length} lost, ${refused} refused (all reported), ${converged ? 'converged' : 'DIVERGED'}`;
  return {
    seed: opts.seed,
    edits,
    actions: w.actions,
    lost: lost.length,
    refused,
    reportedLost: by('reported-lost').length,
    converged,
    faults: w.faults,
    problems,
    durationMs: Date.now() - started,
    summary,
  };
}
