import {
  APPLICATION_STUDYING,
  DEFAULT_APPLICATION_STATUSES,
  DEFAULT_ATTENDANCE_CODES,
  DEFAULT_CALENDAR_DOC,
  defaultCalendar,
  expandSchedule,
  nowTimeIn,
  type Org,
  type Programme,
  todayIn,
  type User,
} from '@otmetka/shared';
import { hashPassword } from '../auth/password.ts';
import {
  type Doc,
  orgDbName,
  privateDbName,
  type Store,
  subgroupDbName,
  USERS_DB,
} from '../db/store.ts';
import { PROGRAMMES } from './data.ts';
import { type Families, makeFamilies } from './families.ts';
import { makeLessons, makeTopics } from './journal.ts';
import { makeTeacher, teacherProfile } from './people.ts';
import { Random } from './random.ts';
import { makeSchedule, planSubgroups } from './schedules.ts';

/**
 * The demo organisation seeded by `npm start` on an empty database: МАУДО «Дом детского
 * творчества», Orenburg (Asia/Yekaterinburg), academic year 2026/27, with 8 programmes, 20
 * subgroups, 12 teachers, 250 learners and their parents, applications in every status, and
 * the journal kept up to `now`. Deterministic: the same `now` gives the same data. Written with
 * `_bulk_docs`, so it takes seconds. Does nothing when the database already holds an
 * organisation.
 */

export const DEMO_ORG_ID = 'ddt-orenburg';
export const DEMO_PASSWORD = 'otmetka-demo';
const TIME_ZONE = 'Asia/Yekaterinburg';
const SEED = 20_260_901;
const BULK_CHUNK = 2000;

export interface SeedOptions {
  /** The instant the journal is kept up to; default: the real current time. */
  now?: Date;
}

export interface SeedSummary {
  orgId: string;
  orgName: string;
  today: string;
  programmes: number;
  subgroups: number;
  teachers: number;
  learners: number;
  parents: number;
  applications: Record<string, number>;
  topics: number;
  lessons: number;
  marks: number;
  accounts: { login: string; role: string; displayName: string }[];
  password: string;
  millis: number;
}

type AsDoc<T> = T & Doc;

async function hasData(store: Store): Promise<boolean> {
  if ((await store.listDbs('otm_org_')).length > 0) return true;
  return (await store.getUserByLogin('admin')) !== undefined;
}

function demoOrg(): Org {
  return {
    id: DEMO_ORG_ID,
    type: 'org',
    name: 'МАУДО «Дом детского творчества»',
    city: 'Оренбург',
    timeZone: TIME_ZONE,
    attendanceCodes: DEFAULT_ATTENDANCE_CODES,
    lockDay: 10,
    applicationStatuses: DEFAULT_APPLICATION_STATUSES,
  };
}

function programmeDocs(): Programme[] {
  return PROGRAMMES.map((spec) => ({
    id: `p-${spec.key}`,
    type: 'programme',
    orgId: DEMO_ORG_ID,
    name: spec.name,
    focus: spec.focus,
    level: spec.level,
    ageFrom: spec.ageFrom,
    ageTo: spec.ageTo,
    hoursPerYear: spec.hoursPerYear,
    gradesEnabled: spec.gradesEnabled,
    description: spec.description,
  }));
}

function staffUser(
  id: string,
  login: string,
  role: User['role'],
  displayName: string,
  teacherId: string | null,
  createdAt: number,
) {
  return {
    id,
    type: 'user' as const,
    orgId: DEMO_ORG_ID,
    login,
    role,
    displayName,
    teacherId,
    createdAt,
  };
}

/** Everything of the demo organisation, as documents by database. Pure apart from `now`. */
export function buildDemo(now: Date) {
  const rng = new Random(SEED);
  const nowMs = now.getTime();
  const today = todayIn(TIME_ZONE, now);
  const nowTime = nowTimeIn(TIME_ZONE, now);
  const calendar = defaultCalendar();

  const teachers = Array.from({ length: 12 }, (_, i) => makeTeacher(rng, DEMO_ORG_ID, i, nowMs));
  const plans = planSubgroups(
    DEMO_ORG_ID,
    PROGRAMMES,
    teachers.map((t) => t.id),
  );
  const schedules = plans.map((p) => makeSchedule(p, calendar));

  const staff = [
    staffUser('u-admin', 'admin', 'admin', 'Соколова Марина Викторовна', null, nowMs),
    ...teachers.map((t, i) =>
      staffUser(
        `u-teacher-${i + 1}`,
        i === 0 ? 'teacher' : `teacher${String(i + 1).padStart(2, '0')}`,
        'teacher',
        teacherProfile(t).displayName,
        t.id,
        nowMs,
      ),
    ),
  ];
  // The demo teacher (t-01) teaches Robotics 1–3 and Lego 1; the demo parent's children study there.
  const families = makeFamilies(
    { rng, orgId: DEMO_ORG_ID, adminId: 'u-admin', today, nowMs, plans },
    [plans[0]!, plans[3]!],
  );

  const journals = plans.map((plan, i) => {
    const slots = expandSchedule({ schedule: schedules[i]!, subgroup: plan.subgroup, calendar });
    const teacherUserId = staff.find((u) => u.teacherId === plan.subgroup.teacherIds[0])!.id;
    const ctx = {
      rng,
      spec: plan.spec,
      orgId: DEMO_ORG_ID,
      subgroupId: plan.subgroup.id,
      slots,
      roster: families.roster.get(plan.subgroup.id) ?? [],
      teacherUserId,
      today,
      nowTime,
      nowMs,
    };
    const topics = makeTopics(ctx);
    const { lessons, marks } = makeLessons(ctx, topics);
    return {
      subgroupId: plan.subgroup.id,
      docs: [...ctx.roster, ...topics, ...lessons, ...marks],
      topics,
      lessons,
      marks,
    };
  });

  return { today, teachers, plans, schedules, staff, families, journals };
}

async function insertAll(store: Store, db: string, docs: object[]): Promise<void> {
  for (let i = 0; i < docs.length; i += BULK_CHUNK) {
    await store.insertIfAbsent(db, docs.slice(i, i + BULK_CHUNK) as Doc[]);
  }
}

function statusCounts(families: Families): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const a of families.applications) counts[a.status] = (counts[a.status] ?? 0) + 1;
  return counts;
}

export async function seedDemo(
  store: Store,
  options: SeedOptions = {},
): Promise<SeedSummary | null> {
  if (await hasData(store)) return null;
  const started = performance.now();
  const demo = buildDemo(options.now ?? new Date());
  // One hash for every demo account: scrypt is deliberately slow, and they share a password.
  const passwordHash = await hashPassword(DEMO_PASSWORD);

  await store.ensureOrgDbs(DEMO_ORG_ID);
  for (const plan of demo.plans) await store.ensureSubgroupDb(plan.subgroup.id);
  await insertAll(store, orgDbName(DEMO_ORG_ID), [
    demoOrg(),
    DEFAULT_CALENDAR_DOC,
    ...programmeDocs(),
    ...demo.teachers.map(teacherProfile),
    ...demo.plans.map((p) => p.subgroup),
    ...demo.schedules,
    ...demo.families.applications,
  ]);
  await insertAll(store, privateDbName(DEMO_ORG_ID), [...demo.teachers, ...demo.families.learners]);
  for (const journal of demo.journals)
    await insertAll(store, subgroupDbName(journal.subgroupId), journal.docs);
  const users: AsDoc<User>[] = [...demo.staff, ...demo.families.parents].map((u) => ({
    ...u,
    passwordHash,
  }));
  await insertAll(store, USERS_DB, users);

  return {
    orgId: DEMO_ORG_ID,
    orgName: demoOrg().name,
    today: demo.today,
    programmes: PROGRAMMES.length,
    subgroups: demo.plans.length,
    teachers: demo.teachers.length,
    learners: demo.families.learners.length,
    parents: demo.families.parents.length,
    applications: statusCounts(demo.families),
    topics: demo.journals.reduce((n, j) => n + j.topics.length, 0),
    lessons: demo.journals.reduce((n, j) => n + j.lessons.length, 0),
    marks: demo.journals.reduce((n, j) => n + j.marks.length, 0),
    accounts: users
      .filter((u) => ['admin', 'teacher', 'parent'].includes(u.login))
      .map((u) => ({ login: u.login, role: u.role, displayName: u.displayName })),
    password: DEMO_PASSWORD,
    millis: Math.round(performance.now() - started),
  };
}

/** The lines main.ts prints after seeding. */
export function formatSeedSummary(s: SeedSummary): string {
  const studying = s.applications[APPLICATION_STUDYING] ?? 0;
  return [
    `Демо-организация: ${s.orgName} (${s.orgId}), сегодня ${s.today}`,
    `  программ ${s.programmes}, подгрупп ${s.subgroups}, педагогов ${s.teachers}, обучающихся ${s.learners} (обучается ${studying}), родителей ${s.parents}`,
    `  тем ${s.topics}, занятий ${s.lessons}, отметок ${s.marks}; заполнено за ${s.millis} мс`,
    `  входы: ${s.accounts.map((a) => `${a.login} (${a.role})`).join(', ')}; пароль ${s.password}`,
  ].join('\n');
}
