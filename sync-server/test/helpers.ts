import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import { hashPassword } from '../src/auth/password.ts';
import type { Config } from '../src/config.ts';
import { type EmbeddedCouch, startEmbeddedCouch } from '../src/db/embedded.ts';
import { orgDbName, type Store, subgroupDbName, USERS_DB } from '../src/db/store.ts';
import {
  type Checkpoint,
  DEFAULT_APPLICATION_STATUSES,
  DEFAULT_ATTENDANCE_CODES,
  encodeCheckpoint,
  lessonId,
  lockId,
  type MonthLock,
  markId,
  type Org,
  type Programme,
  type RosterEntry,
  rosterId,
  type Schedule,
  type Subgroup,
  scheduleId,
  type User,
} from '../src/shared.ts';

/** A real Fastify on port 0 over a real embedded database (memory adapter), plus its log. */
export interface TestServer {
  app: FastifyInstance;
  url: string;
  couch: EmbeddedCouch | undefined;
  store: Store;
  log: () => string;
  stop(): Promise<void>;
}

export const JWT_SECRET = 'test-secret-0123456789-0123456789-0123456789';

export function testConfig(couchUrl: string, overrides: Partial<Config> = {}): Config {
  return {
    port: 0,
    host: '127.0.0.1',
    couchUrl,
    dataDir: '/tmp/otmetka-test-unused',
    jwtSecret: JWT_SECRET,
    production: false,
    trustProxy: false,
    corsOrigins: [],
    loginRateLimit: 1000,
    accessTokenTtlSeconds: 900,
    clientDist: '/tmp/otmetka-test-no-client',
    now: () => Date.now(),
    logLevel: 'info',
    ...overrides,
  };
}

export async function startServer(
  options: { couchUrl?: string; config?: Partial<Config> } = {},
): Promise<TestServer> {
  const couch = options.couchUrl ? undefined : await startEmbeddedCouch({ memory: true });
  const logStream = new PassThrough();
  let logText = '';
  logStream.on('data', (chunk: Buffer) => {
    logText += chunk.toString('utf8');
  });

  const config = testConfig(options.couchUrl ?? couch!.url, { logStream, ...options.config });
  const app = await buildApp(config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address() as { port: number };

  return {
    app,
    url: `http://127.0.0.1:${address.port}`,
    couch,
    store: app.store,
    log: () => logText,
    stop: async () => {
      await app.close();
      await couch?.stop();
    },
  };
}

/**
 * Whether `text` holds `value` as a value of its own, not as characters inside a longer number
 * or id: a log line's time, port or request id (a random UUID) holds «5309», a passport series,
 * by chance now and then.
 */
export function holdsValue(text: string, value: string): boolean {
  const escaped = value.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
  return new RegExp(`(?<![0-9A-Za-z])${escaped}(?![0-9A-Za-z])`).test(text);
}

// Fixtures

export const PASSWORD = 'test-password-1';
export const ORG_ID = 'org-test';
export const PERSONAL = {
  birthDate: '1987-03-14',
  passportNumber: '654321',
  passportSeries: '5309',
  // 123-456-789 64: a valid checksum (S = 165 mod 101), not the registry example the admin chain adds.
  snils: '12345678964',
};

export interface Fixture {
  org: Org;
  programme: Programme;
  subgroupA: Subgroup;
  subgroupB: Subgroup;
  users: Record<'admin' | 'teacherA' | 'teacherB' | 'parent' | 'otherParent', User>;
}

let passwordHash: Promise<string> | undefined;

function user(id: string, role: User['role'], teacherId: string | null = null): Promise<User> {
  passwordHash ??= hashPassword(PASSWORD);
  return passwordHash.then((hash) => ({
    id,
    type: 'user',
    orgId: ORG_ID,
    login: id,
    role,
    displayName: `Пользователь ${id}`,
    teacherId,
    passwordHash: hash,
    createdAt: 0,
  }));
}

function subgroup(id: string, teacherIds: string[]): Subgroup {
  return {
    id,
    type: 'subgroup',
    orgId: ORG_ID,
    programmeId: 'prog-robots',
    name: `Группа ${id}`,
    teacherIds,
    capacity: 15,
    periodFrom: '2026-09-01',
    periodTo: '2027-05-31',
    hoursPerYear: 72,
  };
}

/** The fixture's schedule: Mondays and Wednesdays 15:00–16:30 for the whole study year. */
export function fixtureSchedule(subgroupId: string): Schedule {
  return {
    id: scheduleId(subgroupId),
    type: 'schedule',
    orgId: ORG_ID,
    subgroupId,
    rules: [
      {
        id: 'rule-1',
        from: '2026-09-01',
        to: '2027-05-31',
        weekdays: [1, 3],
        start: '15:00',
        end: '16:30',
        academicHours: 2,
        minutesPerHour: 45,
        breakMinutes: 0,
      },
    ],
    exceptions: [],
    holidayRule: 'skip',
  };
}

/** A month closed by the admin, as stored in the org database. */
export function monthLock(subgroupId: string, month: string, reason: string): MonthLock {
  return {
    id: lockId(subgroupId, month),
    type: 'lock',
    orgId: ORG_ID,
    subgroupId,
    month,
    locked: true,
    reason,
    at: 0,
    by: 'admin',
  };
}

export function rosterEntry(
  subgroupId: string,
  learnerId: string,
  name: string,
  from: string,
): RosterEntry {
  return {
    id: rosterId(subgroupId, learnerId),
    type: 'roster',
    orgId: ORG_ID,
    subgroupId,
    learnerId,
    name,
    intervals: [{ from, to: null }],
    stamps: {},
  };
}

/**
 * One organisation: teacher A teaches subgroup A, teacher B subgroup B; the parent's child
 * (learner-kid) is in subgroup A from 1 September, another parent's child (learner-other) too,
 * and learner-late joins subgroup A only on 1 October.
 */
export async function createFixture(store: Store): Promise<Fixture> {
  const org: Org = {
    id: ORG_ID,
    type: 'org',
    name: 'ДДТ «Тест»',
    city: 'Оренбург',
    timeZone: 'Asia/Yekaterinburg',
    attendanceCodes: DEFAULT_ATTENDANCE_CODES,
    lockDay: null,
    applicationStatuses: DEFAULT_APPLICATION_STATUSES,
  };
  const programme: Programme = {
    id: 'prog-robots',
    type: 'programme',
    orgId: ORG_ID,
    name: 'Робототехника',
    focus: 'technical',
    level: 'start',
    ageFrom: 8,
    ageTo: 12,
    hoursPerYear: 72,
    gradesEnabled: false,
    description: '',
  };
  const subgroupA = subgroup('sg-a', ['teacher-a']);
  const subgroupB = subgroup('sg-b', ['teacher-b']);
  const users = {
    admin: await user('admin', 'admin'),
    teacherA: await user('teacher-a-user', 'teacher', 'teacher-a'),
    teacherB: await user('teacher-b-user', 'teacher', 'teacher-b'),
    parent: await user('parent', 'parent'),
    otherParent: await user('other-parent', 'parent'),
  };

  await store.ensureOrgDbs(ORG_ID);
  await store.ensureSubgroupDb('sg-a');
  await store.ensureSubgroupDb('sg-b');
  const orgDb = orgDbName(ORG_ID);
  await store.putMany(orgDb, [
    org,
    programme,
    subgroupA,
    subgroupB,
    fixtureSchedule('sg-a'),
    fixtureSchedule('sg-b'),
    { id: 'teacher-a', type: 'teacher', orgId: ORG_ID, displayName: 'Иванова А. А.' },
    { id: 'teacher-b', type: 'teacher', orgId: ORG_ID, displayName: 'Петров Б. Б.' },
    application('app-kid', 'sg-a', 'learner-kid', 'parent'),
    application('app-other', 'sg-a', 'learner-other', 'other-parent'),
    application('app-kid-b', 'sg-b', 'learner-kid-b', 'parent'),
  ]);
  // Personal data lives only in the private database; sync must never read it.
  await store.putMany(`otm_private_${ORG_ID}`, [teacherRecord()]);
  await store.putMany(subgroupDbName('sg-a'), [
    rosterEntry('sg-a', 'learner-kid', 'Смирнов Кирилл', '2026-09-01'),
    rosterEntry('sg-a', 'learner-other', 'Орлова Вера', '2026-09-01'),
    rosterEntry('sg-a', 'learner-late', 'Зайцев Лев', '2026-10-01'),
  ]);
  await store.putMany(subgroupDbName('sg-b'), [
    rosterEntry('sg-b', 'learner-kid-b', 'Смирнова Маша', '2026-09-01'),
  ]);
  for (const u of Object.values(users)) await store.putMany(USERS_DB, [u]);
  return { org, programme, subgroupA, subgroupB, users };
}

/**
 * `count` open («новая») applications of the parent's child, each to a subgroup of its own
 * (`sg-<prefix>-<i>`), stored straight in the org database: the child's other open cards.
 */
export async function storeOpenApplications(
  store: Store,
  learnerId: string,
  prefix: string,
  count: number,
): Promise<void> {
  const docs = Array.from({ length: count }, (_, i) => ({
    id: `app-${prefix}-${i}`,
    type: 'application',
    orgId: ORG_ID,
    subgroupId: `sg-${prefix}-${i}`,
    learnerId,
    parentUserId: 'parent',
    status: 'новая',
    history: [{ status: 'новая', at: 0, by: 'parent', date: null, comment: '' }],
    createdAt: 0,
  }));
  await store.putMany(orgDbName(ORG_ID), docs);
}

function application(id: string, subgroupId: string, learnerId: string, parentUserId: string) {
  return {
    id,
    type: 'application',
    orgId: ORG_ID,
    subgroupId,
    learnerId,
    parentUserId,
    status: 'обучается',
    history: [{ status: 'обучается', at: 0, by: 'admin', date: '2026-09-01', comment: '' }],
    createdAt: 0,
  };
}

function teacherRecord() {
  return {
    id: 'teacher-a',
    type: 'teacherRecord',
    orgId: ORG_ID,
    lastName: 'Иванова',
    firstName: 'Анна',
    middleName: 'Андреевна',
    birthDate: PERSONAL.birthDate,
    passport: {
      series: PERSONAL.passportSeries,
      number: PERSONAL.passportNumber,
      issuedBy: 'УМВД',
      issuedOn: '2010-01-01',
    },
    snils: PERSONAL.snils,
    experienceTotalYears: 10,
    experienceTeachingYears: 8,
    category: 'first',
    qualification: '',
    createdAt: 0,
    updatedAt: 0,
  };
}

// HTTP

export interface Http {
  status: number;
  body: unknown;
  headers: Headers;
}

export async function call(
  base: string,
  method: string,
  url: string,
  options: {
    token?: string;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<Http> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) {
    body = options.rawBody;
    headers['content-type'] ??= 'application/json';
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(`${base}${url}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Non-JSON bodies (HTML, XLSX) stay text.
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

export async function login(base: string, loginName: string, password = PASSWORD) {
  const res = await call(base, 'POST', '/api/auth/login', {
    body: { login: loginName, password },
  });
  if (res.status !== 200) throw new Error(`login ${loginName} failed: ${JSON.stringify(res.body)}`);
  return res.body as { accessToken: string; refreshToken: string; user: { id: string } };
}

// Journal documents as a device builds them

export function stamp(at: number, dev = 'dev-1', by = 'teacher-a-user', off = false) {
  return { at, dev, by, off };
}

export function lessonDoc(
  subgroupId: string,
  date: string,
  at = 1000,
  patch: Record<string, unknown> = {},
) {
  const s = stamp(at, 'dev-1', subgroupId === 'sg-b' ? 'teacher-b-user' : 'teacher-a-user');
  return {
    id: lessonId(subgroupId, date, '15:00'),
    type: 'lesson',
    orgId: ORG_ID,
    subgroupId,
    date,
    start: '15:00',
    end: '16:30',
    academicHours: 2,
    status: 'held',
    statusReason: '',
    topicId: null,
    topicTitle: 'Введение',
    homework: '',
    remark: '',
    flag: null,
    stamps: {
      status: s,
      statusReason: s,
      topicId: s,
      topicTitle: s,
      homework: s,
      remark: s,
    },
    ...patch,
  };
}

export function markDoc(
  subgroupId: string,
  date: string,
  learnerId: string,
  code: string,
  at = 1000,
  dev = 'dev-1',
) {
  const lesson = lessonId(subgroupId, date, '15:00');
  const s = stamp(at, dev, subgroupId === 'sg-b' ? 'teacher-b-user' : 'teacher-a-user');
  return {
    id: markId(lesson, learnerId),
    type: 'mark',
    orgId: ORG_ID,
    subgroupId,
    lessonId: lesson,
    learnerId,
    date,
    code,
    grade: null,
    note: '',
    stamps: { code: s, grade: s, note: s },
  };
}

export function pushRows(docs: Record<string, unknown>[]) {
  return { rows: docs.map((d) => ({ assumedMasterState: null, newDocumentState: d })) };
}

export interface PullPage {
  documents: Record<string, unknown>[];
  checkpoint: Checkpoint;
}

/** One pull request; the checkpoint as the client sends it. */
export async function pullOnce(
  base: string,
  token: string,
  collection: string,
  checkpoint: PullPage['checkpoint'] | undefined,
  limit: number,
): Promise<PullPage> {
  const cp = checkpoint ? `&checkpoint=${encodeCheckpoint(checkpoint)}` : '';
  const res = await call(base, 'GET', `/api/sync/${collection}/pull?limit=${limit}${cp}`, {
    token,
  });
  if (res.status !== 200)
    throw new Error(`pull ${collection}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as PullPage;
}

/** Pulls until a short batch, as RxDB does; returns the docs by id (last version wins). */
export async function pullAll(
  base: string,
  token: string,
  collection: string,
  limit = 1000,
  start?: PullPage['checkpoint'],
) {
  const docs = new Map<string, Record<string, unknown>>();
  let checkpoint = start;
  const sizes: number[] = [];
  for (;;) {
    const page = await pullOnce(base, token, collection, checkpoint, limit);
    sizes.push(page.documents.length);
    for (const d of page.documents) docs.set(d.id as string, d);
    checkpoint = page.checkpoint;
    if (page.documents.length < limit) break;
  }
  return { docs, checkpoint, sizes };
}
