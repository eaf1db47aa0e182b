import { hashPassword } from '../../sync-server/src/auth/password.ts';
import {
  orgDbName,
  privateDbName,
  type Store,
  subgroupDbName,
  USERS_DB,
} from '../../sync-server/src/db/store.ts';
import {
  DEFAULT_APPLICATION_STATUSES,
  DEFAULT_ATTENDANCE_CODES,
  type LessonSlot,
  lessonId,
  rosterId,
  type Schedule,
  scheduleId,
} from '../../sync-server/src/shared.ts';

/**
 * The soak's organisation: one admin, one parent, T teachers each teaching one subgroup
 * (Mondays and Wednesdays 15:00–16:30), four learners per subgroup (the fourth joins on
 * 1 October, so early marks for it are refused), the parent's children in every subgroup.
 */

export const SOAK_ORG = 'org-soak';
export const SOAK_PASSWORD = 'soak-password-1';
export const ADMIN_LOGIN = 'soak-admin';
export const PARENT_LOGIN = 'soak-parent';
/** The part of the year the devices write into: September to November 2026. */
export const WINDOW = { from: '2026-09-01', to: '2026-11-30' };
export const MONTHS = ['2026-09', '2026-10', '2026-11'];

export interface SoakTeacher {
  login: string;
  teacherId: string;
  subgroupId: string;
  learners: string[];
}

export const teacherOf = (i: number): SoakTeacher => ({
  login: `teacher-${i}-user`,
  teacherId: `teacher-${i}`,
  subgroupId: `sg-${i}`,
  learners: [1, 2, 3, 4].map((n) => `l-${i}-${n}`),
});

export function baseSchedule(subgroupId: string): Schedule {
  return {
    id: scheduleId(subgroupId),
    type: 'schedule',
    orgId: SOAK_ORG,
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

/** The slots of the base schedule inside WINDOW: what devices believe they may write. */
export function windowSlots(subgroupId: string): LessonSlot[] {
  const slots: LessonSlot[] = [];
  for (let day = new Date('2026-09-01T00:00:00Z'); ; day.setUTCDate(day.getUTCDate() + 1)) {
    const date = day.toISOString().slice(0, 10);
    if (date > WINDOW.to) break;
    const weekday = day.getUTCDay();
    // Civil-date arithmetic on a UTC midnight is only used to enumerate dates here.
    if (weekday !== 1 && weekday !== 3) continue;
    if (date === '2026-11-04') continue;
    slots.push({
      lessonId: lessonId(subgroupId, date, '15:00'),
      subgroupId,
      date,
      start: '15:00',
      end: '16:30',
      academicHours: 2,
      holiday: null,
      ruleId: 'rule-1',
      movedFrom: null,
    });
  }
  return slots;
}

async function user(id: string, role: string, teacherId: string | null, hash: string) {
  return {
    id,
    type: 'user',
    orgId: SOAK_ORG,
    login: id,
    role,
    displayName: `Пользователь ${id}`,
    teacherId,
    passwordHash: hash,
    createdAt: 0,
  };
}

/** Learners (with birth dates) live in the private database; applications in the org one. */
function learnerDocs(t: SoakTeacher) {
  return t.learners.map((learnerId, n) => ({
    id: learnerId,
    type: 'learner',
    orgId: SOAK_ORG,
    parentUserId: PARENT_LOGIN,
    lastName: 'Ученик',
    firstName: `Номер${n + 1}`,
    middleName: '',
    birthDate: '2016-05-05',
    createdAt: 0,
  }));
}

function applicationDocs(t: SoakTeacher) {
  return t.learners.flatMap((learnerId) => [
    {
      id: `app-${learnerId}`,
      type: 'application',
      orgId: SOAK_ORG,
      subgroupId: t.subgroupId,
      learnerId,
      parentUserId: PARENT_LOGIN,
      status: 'обучается',
      history: [{ status: 'обучается', at: 0, by: ADMIN_LOGIN, date: '2026-09-01', comment: '' }],
      createdAt: 0,
    },
  ]);
}

function rosterDocs(t: SoakTeacher) {
  return t.learners.map((learnerId, n) => ({
    id: rosterId(t.subgroupId, learnerId),
    type: 'roster',
    orgId: SOAK_ORG,
    subgroupId: t.subgroupId,
    learnerId,
    name: `Ученик Номер${n + 1}`,
    intervals: [{ from: n === 3 ? '2026-10-01' : '2026-09-01', to: null }],
    stamps: {},
  }));
}

export async function seedSoak(store: Store, teachers: number): Promise<SoakTeacher[]> {
  const hash = await hashPassword(SOAK_PASSWORD);
  const list = Array.from({ length: teachers }, (_, i) => teacherOf(i + 1));
  await store.init();
  await store.ensureOrgDbs(SOAK_ORG);
  const orgDb = orgDbName(SOAK_ORG);
  await store.putMany(orgDb, [
    {
      id: SOAK_ORG,
      type: 'org',
      name: 'ДДТ «Нагрузка»',
      city: 'Оренбург',
      timeZone: 'Asia/Yekaterinburg',
      attendanceCodes: DEFAULT_ATTENDANCE_CODES,
      lockDay: null,
      applicationStatuses: DEFAULT_APPLICATION_STATUSES,
    },
    {
      id: 'prog-soak',
      type: 'programme',
      orgId: SOAK_ORG,
      name: 'Робототехника',
      focus: 'technical',
      level: 'start',
      ageFrom: 8,
      ageTo: 12,
      hoursPerYear: 144,
      gradesEnabled: false,
      description: '',
    },
  ]);
  for (const t of list) {
    await store.ensureSubgroupDb(t.subgroupId);
    await store.putMany(orgDb, [
      {
        id: t.subgroupId,
        type: 'subgroup',
        orgId: SOAK_ORG,
        programmeId: 'prog-soak',
        name: `Группа ${t.subgroupId}`,
        teacherIds: [t.teacherId],
        capacity: 15,
        periodFrom: '2026-09-01',
        periodTo: '2027-05-31',
        hoursPerYear: 144,
      },
      baseSchedule(t.subgroupId),
      { id: t.teacherId, type: 'teacher', orgId: SOAK_ORG, displayName: `Педагог ${t.teacherId}` },
      ...applicationDocs(t),
    ]);
    await store.putMany(privateDbName(SOAK_ORG), learnerDocs(t));
    await store.putMany(subgroupDbName(t.subgroupId), rosterDocs(t));
    await store.putMany(USERS_DB, [await user(t.login, 'teacher', t.teacherId, hash)]);
  }
  await store.putMany(USERS_DB, [
    await user(ADMIN_LOGIN, 'admin', null, hash),
    await user(PARENT_LOGIN, 'parent', null, hash),
  ]);
  return list;
}
