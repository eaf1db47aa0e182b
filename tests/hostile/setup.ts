import { createHmac } from 'node:crypto';
import { hashPassword } from '../../sync-server/src/auth/password.ts';
import {
  orgDbName,
  privateDbName,
  RATE_LIMIT_DB,
  type Store,
  subgroupDbName,
  USERS_DB,
} from '../../sync-server/src/db/store.ts';
import {
  DEFAULT_APPLICATION_STATUSES,
  DEFAULT_ATTENDANCE_CODES,
  rosterId,
  scheduleId,
} from '../../sync-server/src/shared.ts';
import { JWT_SECRET } from '../../sync-server/test/helpers.ts';

/**
 * Helpers of the hostile-input suite: a second organisation whose ids the first one's users
 * send, hand-made tokens (forged, expired, `alg: none`), bodies built from the OpenAPI schemas,
 * and a snapshot of every database's update sequence.
 */

export const OTHER_ORG = 'org-other';
export const OTHER_PASSWORD = 'other-password-1';

/** The other organisation: its admin, a subgroup with a schedule, a learner, an application. */
export async function createOtherOrg(store: Store): Promise<void> {
  await store.ensureOrgDbs(OTHER_ORG);
  await store.ensureSubgroupDb('sg-x');
  await store.putMany(orgDbName(OTHER_ORG), [
    {
      id: OTHER_ORG,
      type: 'org',
      name: 'Чужая организация',
      city: 'Орск',
      timeZone: 'Asia/Yekaterinburg',
      attendanceCodes: DEFAULT_ATTENDANCE_CODES,
      lockDay: null,
      applicationStatuses: DEFAULT_APPLICATION_STATUSES,
    },
    {
      id: 'prog-x',
      type: 'programme',
      orgId: OTHER_ORG,
      name: 'Шахматы',
      focus: 'technical',
      level: 'start',
      ageFrom: 8,
      ageTo: 12,
      hoursPerYear: 72,
      gradesEnabled: false,
      description: '',
    },
    {
      id: 'sg-x',
      type: 'subgroup',
      orgId: OTHER_ORG,
      programmeId: 'prog-x',
      name: 'Чужая группа',
      teacherIds: ['teacher-x'],
      capacity: 10,
      periodFrom: '2026-09-01',
      periodTo: '2027-05-31',
      hoursPerYear: 72,
    },
    {
      id: scheduleId('sg-x'),
      type: 'schedule',
      orgId: OTHER_ORG,
      subgroupId: 'sg-x',
      rules: [
        {
          id: 'rule-1',
          from: '2026-09-01',
          to: '2027-05-31',
          weekdays: [2],
          start: '10:00',
          end: '11:00',
          academicHours: 1,
          minutesPerHour: 45,
          breakMinutes: 0,
        },
      ],
      exceptions: [],
      holidayRule: 'skip',
    },
    { id: 'teacher-x', type: 'teacher', orgId: OTHER_ORG, displayName: 'Чужой педагог' },
    {
      id: 'app-x',
      type: 'application',
      orgId: OTHER_ORG,
      subgroupId: 'sg-x',
      learnerId: 'learner-x',
      parentUserId: 'other-org-parent',
      status: 'обучается',
      history: [],
      createdAt: 0,
    },
  ]);
  await store.putMany(privateDbName(OTHER_ORG), [
    {
      id: 'learner-x',
      type: 'learner',
      orgId: OTHER_ORG,
      parentUserId: 'other-org-parent',
      lastName: 'Чужой',
      firstName: 'Ребёнок',
      middleName: '',
      birthDate: '2016-01-01',
      createdAt: 0,
    },
  ]);
  await store.putMany(subgroupDbName('sg-x'), [
    {
      id: rosterId('sg-x', 'learner-x'),
      type: 'roster',
      orgId: OTHER_ORG,
      subgroupId: 'sg-x',
      learnerId: 'learner-x',
      name: 'Чужой Ребёнок',
      intervals: [{ from: '2026-09-01', to: null }],
      stamps: {},
    },
  ]);
  await store.putMany(USERS_DB, [
    {
      id: 'other-org-admin',
      type: 'user',
      orgId: OTHER_ORG,
      login: 'other-org-admin',
      role: 'admin',
      displayName: 'Чужой администратор',
      teacherId: null,
      passwordHash: await hashPassword(OTHER_PASSWORD),
      createdAt: 0,
    },
  ]);
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

function sign(header: object, payload: object, secret: string): string {
  const head = `${b64(header)}.${b64(payload)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

/** Tokens that must all be refused with 401 and a token code. */
export function badTokens(claims: Record<string, unknown>): Record<string, string> {
  const now = Math.floor(Date.now() / 1000);
  const live = { ...claims, iat: now, exp: now + 600 };
  return {
    forged: sign({ alg: 'HS256', typ: 'JWT' }, live, 'not-the-server-secret-at-all-0123456789'),
    expired: sign(
      { alg: 'HS256', typ: 'JWT' },
      { ...claims, iat: now - 7200, exp: now - 3600 },
      JWT_SECRET,
    ),
    algNone: `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...live, role: 'admin' })}.`,
    algNoneSigned: `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...live, role: 'admin' })}.${'A'.repeat(43)}`,
    hs512: (() => {
      const head = `${b64({ alg: 'HS512', typ: 'JWT' })}.${b64(live)}`;
      return `${head}.${createHmac('sha512', JWT_SECRET).update(head).digest('base64url')}`;
    })(),
    garbage: 'not.a.token',
    empty: '',
  };
}

type Schema = Record<string, unknown>;

const TEXT = 'Ёжик 🦔 <script>alert("x")</script> «ёлка» =1+2';

/** Values for fields whose format a free text cannot meet (ids, dates, times). */
const KNOWN: Record<string, unknown> = {
  id: 'hostile-1',
  subgroupId: 'sg-a',
  programmeId: 'prog-robots',
  learnerId: 'learner-kid',
  teacherId: 'teacher-a',
  date: '2026-09-02',
  from: '2026-09-01',
  to: '2027-05-31',
  periodFrom: '2026-09-01',
  periodTo: '2027-05-31',
  birthDate: '2016-05-05',
  month: '2026-09',
  start: '15:00',
  end: '16:30',
  snils: '112-233-445 95',
  login: 'hostile-user',
  password: 'Пароль-🦔-12345',
  weekdays: [1],
  teacherIds: ['teacher-a'],
};

/** A body shaped like the schema, every free text field filled with Cyrillic, emoji, a script. */
export function sampleFrom(schema: Schema | undefined, depth = 0, key = ''): unknown {
  if (key in KNOWN) return KNOWN[key];
  if (!schema || depth > 6) return TEXT;
  const variants = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (variants?.length)
    return sampleFrom(variants.find((v) => v.type !== 'null') ?? variants[0], depth + 1);
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      for (const [k, v] of Object.entries(props)) out[k] = sampleFrom(v, depth + 1, k);
      return out;
    }
    case 'array':
      return [sampleFrom(schema.items as Schema, depth + 1)];
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return TEXT;
  }
}

/** The same shape with every leaf of the wrong type. */
export function wrongTypes(schema: Schema | undefined, depth = 0): unknown {
  if (!schema || depth > 6) return 12345;
  if (schema.type === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries((schema.properties ?? {}) as Record<string, Schema>))
      out[k] = wrongTypes(v, depth + 1);
    return out;
  }
  if (schema.type === 'array') return { not: 'an array' };
  if (schema.type === 'string') return 12345;
  return 'не число';
}

/** Every database and its update sequence (nano, as the server sees them). */
export async function snapshot(store: Store): Promise<Record<string, string>> {
  const names = (await store.couch.db.list()).filter((n) => n.startsWith('otm_'));
  const out: Record<string, string> = {};
  for (const name of names) {
    // Refused pushes are recorded in the audit trail on purpose (PR5): not a change of data.
    if (name.startsWith('otm_audit_')) continue;
    // Sign-in and sign-up attempts are counted however they end (SC9): not a change of data.
    if (name === RATE_LIMIT_DB) continue;
    out[name] = String((await store.couch.db.get(name)).update_seq);
  }
  return out;
}
