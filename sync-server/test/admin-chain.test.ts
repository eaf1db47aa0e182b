import {
  type AuditEntry,
  type Lesson,
  lessonId,
  type Mark,
  markId,
  readXlsx,
  type User,
} from '@otmetka/shared';
import type {
  ApplicationStatusResponse,
  ApplicationView,
  ChildView,
  DiaryResponse,
  HoursResponse,
  RosterResponse,
  SchedulePreviewResponse,
  ScheduleSaveResponse,
  SubgroupView,
  TabelResponse,
  TeacherListResponse,
  TeacherRecordView,
} from '@otmetka/shared/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/auth/password.ts';
import { auditDbName, type Doc, orgDbName, subgroupDbName, USERS_DB } from '../src/db/store.ts';
import { auditBatches } from '../src/sync/audit.ts';
import {
  call,
  createFixture,
  type Fixture,
  holdsValue,
  login,
  ORG_ID,
  PASSWORD,
  startServer,
  type TestServer,
} from './helpers.ts';

/**
 * The whole chain through the admin, parent and report APIs over real HTTP on the embedded
 * database: registry → programme → subgroup → schedule → a parent's application → enrolment →
 * the teacher's marks → табель, hours, diary → withdrawal → a schedule change that keeps marked
 * lessons. The steps share one server and run in order.
 */

const TEACHER_INPUT = {
  lastName: 'Кузнецова',
  firstName: 'Ольга',
  middleName: 'Петровна',
  birthDate: '1984-05-17',
  passport: {
    series: '5304',
    number: '918273',
    issuedBy: 'УМВД России по Оренбургской области',
    issuedOn: '2004-06-01',
  },
  // 112-233-445 95 is the checksum example of DOMAIN.md (S = 95).
  snils: '112-233-445 95',
  experienceTotalYears: 18,
  experienceTeachingYears: 15,
  category: 'highest',
  qualification: 'Педагог дополнительного образования',
};

/** Personal data values of the registry entry above: none may leave through a non-admin route. */
const PERSONAL_VALUES = ['1984-05-17', '918273', '5304', '11223344595', '112-233-445 95'];

let server: TestServer;
let fixture: Fixture;
let admin: string;
let parent: string;
let otherParent: string;
let teacher: string;
const shared: {
  teacherId?: string;
  programmeId?: string;
  subgroup?: SubgroupView;
  childId?: string;
  secondChildId?: string;
  applicationId?: string;
} = {};
/** Every body a teacher or parent received, checked for personal data at the end. */
const nonAdminBodies: unknown[] = [];

async function as(token: string, method: string, url: string, body?: unknown) {
  const res = await call(server.url, method, url, { token, body });
  if (token !== admin) nonAdminBodies.push(res.body);
  return res;
}

function errorOf(body: unknown) {
  return (body as { error: { code: string; message: string; details?: { field?: string } } }).error;
}

const RULE = {
  id: 'rule-mw',
  from: '2026-09-01',
  to: '2027-05-31',
  weekdays: [1, 3],
  start: '15:00',
  end: '16:30',
  academicHours: 2,
  minutesPerHour: 45,
  breakMinutes: 0,
};

beforeAll(async () => {
  server = await startServer();
  fixture = await createFixture(server.store);
  admin = (await login(server.url, fixture.users.admin.login)).accessToken;
  parent = (await login(server.url, fixture.users.parent.login)).accessToken;
  otherParent = (await login(server.url, fixture.users.otherParent.login)).accessToken;
});

afterAll(async () => {
  await server?.stop();
});

describe('admin → parent → teacher chain', () => {
  it('[SN2] a registry entry with a wrong СНИЛС checksum is refused naming the field snils', async () => {
    const res = await as(admin, 'POST', '/api/admin/teachers', {
      ...TEACHER_INPUT,
      snils: '112-233-445 96',
    });
    expect(res.status).toBe(400);
    expect(errorOf(res.body).code).toBe('INVALID_SNILS');
    expect(errorOf(res.body).details?.field).toBe('snils');

    const list = await as(admin, 'GET', '/api/admin/teachers');
    expect(
      (list.body as TeacherListResponse).teachers.some((t) => t.lastName === 'Кузнецова'),
    ).toBe(false);
  });

  it('registry fields are checked one by one: passport number, birth date', async () => {
    const passport = await as(admin, 'POST', '/api/admin/teachers', {
      ...TEACHER_INPUT,
      passport: { ...TEACHER_INPUT.passport, number: '91827' },
    });
    expect(passport.status).toBe(400);
    expect(errorOf(passport.body).details?.field).toBe('passport.number');

    const birth = await as(admin, 'POST', '/api/admin/teachers', {
      ...TEACHER_INPUT,
      birthDate: '1984-02-30',
    });
    expect(birth.status).toBe(400);
    expect(errorOf(birth.body).details?.field).toBe('birthDate');
  });

  it('registry entries must be plausible: age, passport at 14, experience within the age', async () => {
    const post = (patch: Record<string, unknown>) =>
      as(admin, 'POST', '/api/admin/teachers', { ...TEACHER_INPUT, ...patch });
    const fieldOf = async (patch: Record<string, unknown>) => {
      const res = await post(patch);
      expect(res.status).toBe(400);
      return errorOf(res.body).details?.field;
    };
    expect(await fieldOf({ birthDate: '1800-01-01' })).toBe('birthDate');
    const young = { ...TEACHER_INPUT.passport, issuedOn: '2026-02-01' };
    expect(await fieldOf({ birthDate: '2012-01-01', passport: young })).toBe('birthDate');
    expect(await fieldOf({ passport: { ...TEACHER_INPUT.passport, issuedOn: '1990-06-01' } })).toBe(
      'passport.issuedOn',
    );
    expect(await fieldOf({ experienceTotalYears: 70, experienceTeachingYears: 1 })).toBe(
      'experienceTotalYears',
    );
  });

  it('[RG2] every problem of a registry entry comes back in one answer, each naming its field', async () => {
    const res = await as(admin, 'POST', '/api/admin/teachers', {
      ...TEACHER_INPUT,
      birthDate: '2999-01-01',
      passport: { ...TEACHER_INPUT.passport, issuedOn: '2999-02-01' },
      experienceTotalYears: 5,
      experienceTeachingYears: 9,
    });
    expect(res.status).toBe(400);
    const error = errorOf(res.body) as { details?: { field?: string; issues?: unknown } };
    expect(error.details?.field).toBe('birthDate');
    const issues = error.details?.issues as { field: string; message: string }[];
    expect(issues.map((i) => i.field)).toEqual([
      'birthDate',
      'passport.issuedOn',
      'experienceTeachingYears',
    ]);
    for (const issue of issues) expect(issue.message).toMatch(/^[А-ЯЁ]/);
  });

  it('[RG3] a surname typed with a Latin letter among Russian ones is refused naming lastName', async () => {
    const res = await as(admin, 'POST', '/api/admin/teachers', {
      ...TEACHER_INPUT,
      lastName: 'Kузнецова',
      // Its own СНИЛС: were the entry taken, the chain's entry below would still be new.
      snils: '001-001-998 00',
    });
    expect(res.status).toBe(400);
    expect(errorOf(res.body).details?.field).toBe('lastName');
    expect(errorOf(res.body).message).toContain('раскладку');
  });

  it('an admin adds a teacher; the list masks СНИЛС and omits passport and birth date', async () => {
    const created = await as(admin, 'POST', '/api/admin/teachers', TEACHER_INPUT);
    expect(created.status).toBe(201);
    const record = created.body as TeacherRecordView;
    expect(record.snils).toBe('11223344595');
    shared.teacherId = record.id;

    const list = (await as(admin, 'GET', '/api/admin/teachers')).body as TeacherListResponse;
    const row = list.teachers.find((t) => t.id === record.id)!;
    expect(row.snilsMasked).toBe('***-***-*45 95');
    expect(JSON.stringify(list)).not.toContain('918273');
    expect(JSON.stringify(list)).not.toContain('1984-05-17');
    expect(Object.keys(row)).not.toContain('passport');

    const full = (await as(admin, 'GET', `/api/admin/teachers/${record.id}`))
      .body as TeacherRecordView;
    expect(full.passport.number).toBe('918273');

    const profile = await server.store.get(orgDbName(ORG_ID), record.id);
    expect(profile).toEqual({
      id: record.id,
      type: 'teacher',
      orgId: ORG_ID,
      displayName: 'Кузнецова Ольга Петровна',
    });
  });

  it('one person, one registry entry: the same СНИЛС or passport again is a 409 naming the field', async () => {
    const again = await as(admin, 'POST', '/api/admin/teachers', {
      ...TEACHER_INPUT,
      passport: { ...TEACHER_INPUT.passport, number: '111111' },
    });
    expect(again.status).toBe(409);
    expect(errorOf(again.body).details?.field).toBe('snils');

    const samePassport = await as(admin, 'POST', '/api/admin/teachers', {
      ...TEACHER_INPUT,
      snils: '987-654-321 83',
    });
    expect(samePassport.status).toBe(409);
    expect(errorOf(samePassport.body).details?.field).toBe('passport.number');
  });

  it('the teacher gets an account and signs in; a taken login is a 409 naming login', async () => {
    const res = await as(admin, 'POST', `/api/admin/teachers/${shared.teacherId}/account`, {
      login: 'kuznetsova',
      password: PASSWORD,
    });
    expect(res.status).toBe(201);
    teacher = (await login(server.url, 'kuznetsova')).accessToken;

    const again = await as(admin, 'POST', `/api/admin/teachers/${shared.teacherId}/account`, {
      login: 'kuznetsova2',
      password: PASSWORD,
    });
    expect(again.status).toBe(409);
    expect(errorOf(again.body).details?.field).toBe('login');
  });

  it('a programme and a subgroup with the registry teacher; an unknown teacher names teacherIds[i]', async () => {
    const programme = await as(admin, 'POST', '/api/admin/programmes', {
      name: 'Юный художник',
      focus: 'arts',
      level: 'start',
      ageFrom: 7,
      ageTo: 11,
      hoursPerYear: 144,
      gradesEnabled: true,
    });
    expect(programme.status).toBe(201);
    shared.programmeId = (programme.body as { id: string }).id;

    const input = {
      programmeId: shared.programmeId,
      name: 'Группа 1',
      teacherIds: [shared.teacherId],
      capacity: 1,
      periodFrom: '2026-09-01',
      periodTo: '2027-05-31',
      hoursPerYear: 144,
    };
    const bad = await as(admin, 'POST', '/api/admin/subgroups', {
      ...input,
      teacherIds: [shared.teacherId, 'nobody'],
    });
    expect(bad.status).toBe(400);
    expect(errorOf(bad.body).details?.field).toBe('teacherIds[1]');
    const twice = await as(admin, 'POST', '/api/admin/subgroups', {
      ...input,
      teacherIds: [shared.teacherId, shared.teacherId],
    });
    expect(twice.status).toBe(400);
    expect(errorOf(twice.body)).toMatchObject({ details: { field: 'teacherIds[1]' } });
    expect(errorOf(twice.body).message).toContain('дважды');

    const created = await as(admin, 'POST', '/api/admin/subgroups', input);
    expect(created.status).toBe(201);
    shared.subgroup = created.body as SubgroupView;
    expect(shared.subgroup.teachers).toEqual([
      { id: shared.teacherId, displayName: 'Кузнецова Ольга Петровна' },
    ]);
    expect(shared.subgroup.hasSchedule).toBe(false);
    expect(await server.store.dbExists(subgroupDbName(shared.subgroup.id))).toBe(true);
  });

  it('a parent registers a child; the answer carries no birth date', async () => {
    const res = await as(parent, 'POST', '/api/parent/children', {
      lastName: 'Лебедева',
      firstName: 'Алиса',
      birthDate: '2017-04-02',
    });
    expect(res.status).toBe(201);
    const child = res.body as ChildView;
    expect(child.displayName).toBe('Лебедева Алиса');
    expect(JSON.stringify(res.body)).not.toContain('2017-04-02');
    shared.childId = child.id;

    const list = await as(parent, 'GET', '/api/parent/children');
    expect((list.body as { children: ChildView[] }).children.map((c) => c.id)).toContain(child.id);
  });

  it('SCHEDULE_REQUIRED: no application to a subgroup without a schedule', async () => {
    const res = await as(parent, 'POST', '/api/parent/applications', {
      learnerId: shared.childId,
      subgroupId: shared.subgroup!.id,
    });
    expect(res.status).toBe(409);
    expect(errorOf(res.body).code).toBe('SCHEDULE_REQUIRED');

    const catalog = await as(parent, 'GET', '/api/parent/catalog');
    const entry = (
      catalog.body as {
        programmes: { subgroups: { id: string; acceptsApplications: boolean }[] }[];
      }
    ).programmes
      .flatMap((p) => p.subgroups)
      .find((s) => s.id === shared.subgroup!.id);
    expect(entry?.acceptsApplications).toBe(false);
  });

  it('[SCH5] the schedule preview refuses a rule ending before it starts, naming rules[0].to', async () => {
    const res = await as(
      admin,
      'POST',
      `/api/admin/subgroups/${shared.subgroup!.id}/schedule/preview`,
      {
        rules: [{ ...RULE, to: '2026-08-01' }],
        exceptions: [],
        holidayRule: 'skip',
      },
    );
    expect(res.status).toBe(400);
    expect(errorOf(res.body).code).toBe('INVALID_SCHEDULE');
    expect(errorOf(res.body).details?.field).toBe('rules[0].to');
  });

  it('[SCH13] a cancelled or moved lesson without a reason is refused naming exceptions[i].reason; an added one needs none', async () => {
    const url = `/api/admin/subgroups/${shared.subgroup!.id}/schedule`;
    const move = {
      kind: 'move',
      date: '2026-09-07',
      start: '15:00',
      toDate: '2026-09-08',
      toStart: '15:00',
      toEnd: '16:30',
      reason: '  ',
    };
    const cancel = { kind: 'cancel', date: '2026-09-09', start: '15:00', reason: '' };
    const add = {
      kind: 'add',
      date: '2026-09-12',
      start: '10:00',
      end: '11:30',
      academicHours: 2,
      reason: '',
    };
    for (const [i, exceptions, text] of [
      [1, [add, move], 'Укажите причину переноса занятия 07.09.2026 в 15:00'],
      [0, [cancel], 'Укажите причину отмены занятия 09.09.2026 в 15:00'],
    ] as const) {
      const res = await as(admin, 'PUT', url, { rules: [RULE], exceptions, holidayRule: 'skip' });
      expect(res.status).toBe(400);
      expect(errorOf(res.body).code).toBe('INVALID_SCHEDULE');
      expect(errorOf(res.body).details?.field).toBe(`exceptions[${i}].reason`);
      expect(errorOf(res.body).message).toContain(text.slice(1));
    }
    const got = await as(admin, 'GET', url);
    expect((got.body as { schedule: unknown }).schedule).toBeNull();
  });

  it('[SCH3] the preview marks holidays: 4 November kept with its name under "flag", dropped under "skip"', async () => {
    const url = `/api/admin/subgroups/${shared.subgroup!.id}/schedule/preview`;
    const flag = (
      await as(admin, 'POST', url, { rules: [RULE], exceptions: [], holidayRule: 'flag' })
    ).body as SchedulePreviewResponse;
    const nov4 = flag.slots.find((s) => s.date === '2026-11-04');
    expect(nov4?.holiday).toBe('День народного единства');
    expect(flag.holidays.map((h) => h.date)).toContain('2026-11-04');
    expect(flag.totals.onHolidays).toBeGreaterThan(0);

    const skip = (
      await as(admin, 'POST', url, { rules: [RULE], exceptions: [], holidayRule: 'skip' })
    ).body as SchedulePreviewResponse;
    expect(skip.slots.some((s) => s.date === '2026-11-04')).toBe(false);
    expect(skip.slots[0]).toMatchObject({ date: '2026-09-02', start: '15:00', end: '16:30' });
    expect(skip.totals.lessons).toBe(skip.slots.length);
    expect(skip.impact.added.length).toBe(skip.slots.length);
  });

  it('the schedule is saved; the subgroup now takes applications', async () => {
    const res = await as(admin, 'PUT', `/api/admin/subgroups/${shared.subgroup!.id}/schedule`, {
      rules: [RULE],
      exceptions: [{ kind: 'cancel', date: '2026-09-07', start: '15:00', reason: 'Выставка' }],
      holidayRule: 'skip',
    });
    expect(res.status).toBe(200);
    expect((res.body as ScheduleSaveResponse).schedule.rules).toHaveLength(1);

    const got = await as(admin, 'GET', `/api/admin/subgroups/${shared.subgroup!.id}/schedule`);
    expect((got.body as { schedule: { exceptions: unknown[] } }).schedule.exceptions).toHaveLength(
      1,
    );
  });

  it('a parent applies; the application shows for the admin with status «новая»', async () => {
    const res = await as(parent, 'POST', '/api/parent/applications', {
      learnerId: shared.childId,
      subgroupId: shared.subgroup!.id,
    });
    expect(res.status).toBe(201);
    const application = res.body as ApplicationView;
    expect(application.status).toBe('новая');
    expect(application.learnerName).toBe('Лебедева Алиса');
    shared.applicationId = application.id;

    const twice = await as(parent, 'POST', '/api/parent/applications', {
      learnerId: shared.childId,
      subgroupId: shared.subgroup!.id,
    });
    expect(twice.status).toBe(409);

    const list = await as(
      admin,
      'GET',
      `/api/admin/applications?status=${encodeURIComponent('новая')}`,
    );
    const ids = (list.body as { applications: ApplicationView[] }).applications.map((a) => a.id);
    expect(ids).toEqual([application.id]);
  });

  it('a parent cannot apply for another parent’s child (404)', async () => {
    const res = await as(otherParent, 'POST', '/api/parent/applications', {
      learnerId: shared.childId,
      subgroupId: shared.subgroup!.id,
    });
    expect(res.status).toBe(404);
  });

  it('[EN2] «обучается» from 1 October puts the learner on the roster with that interval', async () => {
    const url = `/api/admin/applications/${shared.applicationId}/status`;
    const noDate = await as(admin, 'POST', url, { status: 'обучается' });
    expect(noDate.status).toBe(400);
    expect(errorOf(noDate.body).details?.field).toBe('date');

    const unknown = await as(admin, 'POST', url, { status: 'в космосе', date: '2026-10-01' });
    expect(errorOf(unknown.body).code).toBe('INVALID_STATUS_CHANGE');

    const res = await as(admin, 'POST', url, {
      status: 'обучается',
      date: '2026-10-01',
      comment: 'Зачислена',
    });
    expect(res.status).toBe(200);
    const body = res.body as ApplicationStatusResponse;
    expect(body.application.status).toBe('обучается');
    expect(body.roster?.intervals).toEqual([{ from: '2026-10-01', to: null }]);
    expect(body.application.history.map((h) => h.status)).toEqual(['новая', 'обучается']);

    const roster = (await as(admin, 'GET', `/api/admin/subgroups/${shared.subgroup!.id}/roster`))
      .body as RosterResponse;
    expect(roster.entries.map((e) => e.name)).toEqual(['Лебедева Алиса']);
  });

  it('[EN3] «обучается» again with another date corrects the date the journal lists the learner from', async () => {
    const url = `/api/admin/applications/${shared.applicationId}/status`;
    const later = await as(admin, 'POST', url, { status: 'обучается', date: '2026-10-05' });
    expect(later.status).toBe(200);
    const body = later.body as ApplicationStatusResponse;
    // The history the parent reads and the journal say the same date.
    expect(body.application.history.at(-1)?.date).toBe('2026-10-05');
    expect(body.roster?.intervals).toEqual([{ from: '2026-10-05', to: null }]);

    // And back: an earlier date moves the start back too (the chain below counts on 1 October).
    const back = await as(admin, 'POST', url, { status: 'обучается', date: '2026-10-01' });
    expect((back.body as ApplicationStatusResponse).roster?.intervals).toEqual([
      { from: '2026-10-01', to: null },
    ]);
  });

  it('CAPACITY_EXCEEDED: a second learner does not fit a subgroup of capacity 1', async () => {
    const child = await as(parent, 'POST', '/api/parent/children', {
      lastName: 'Лебедев',
      firstName: 'Глеб',
      birthDate: '2016-01-20',
    });
    shared.secondChildId = (child.body as ChildView).id;
    const application = await as(parent, 'POST', '/api/parent/applications', {
      learnerId: shared.secondChildId,
      subgroupId: shared.subgroup!.id,
    });
    const res = await as(
      admin,
      'POST',
      `/api/admin/applications/${(application.body as ApplicationView).id}/status`,
      {
        status: 'обучается',
        date: '2026-10-01',
      },
    );
    expect(res.status).toBe(409);
    expect(errorOf(res.body).code).toBe('CAPACITY_EXCEEDED');
  });

  it('[RP3][RP8] the teacher’s marks reach the табель XLSX with dates and start–end times, signed by the subgroup’s teacher; a formula-like remark stays text', async () => {
    await writeLessonWithMark('2026-10-05', 'Н', '=HYPERLINK("http://127.0.0.1/x","клик")');
    const res = await fetch(
      `${server.url}/api/reports/tabel.xlsx?subgroupId=${shared.subgroup!.id}&month=2026-10`,
      { headers: { authorization: `Bearer ${teacher}` } },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    // [RP3] The file is named for people, with the ids as the plain fallback.
    const disposition = res.headers.get('content-disposition') ?? '';
    expect(disposition).toContain(`filename="tabel-${shared.subgroup!.id}-2026-10.xlsx"`);
    const named = decodeURIComponent(/filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1] ?? '');
    expect(named).toMatch(/^Табель .+ октябрь 2026\.xlsx$/);
    expect(named).toContain(shared.subgroup!.name);
    const rows = readXlsx(new Uint8Array(await res.arrayBuffer())).sheets[0]!.rows;
    const cells = rows.flat().map((c) => (c === null ? '' : String(c)));

    expect(cells).toContain('05.10.2026');
    expect(cells).toContain('15:00–16:30');
    expect(cells).toContain('=HYPERLINK("http://127.0.0.1/x","клик")');
    const learnerRow = rows.find((r) => r.includes('Лебедева Алиса'))!;
    expect(learnerRow).toContain('Н');
    // Absences total: one «Н».
    expect(learnerRow.at(-2)).toBe(1);
    // RP8: the signature line names the subgroup's teacher.
    expect(cells).toContain('Педагог ____________ / Кузнецова Ольга Петровна /');
  });

  it('the табель JSON: the learner is not enrolled before 1 October and the cell links to the mark', async () => {
    const res = await as(
      teacher,
      'GET',
      `/api/reports/tabel?subgroupId=${shared.subgroup!.id}&month=2026-10`,
    );
    const tabel = res.body as TabelResponse;
    const oct5 = tabel.lessons.findIndex((l) => l.date === '2026-10-05');
    const row = tabel.rows[0]!;
    expect(row.cells[oct5]).toBe('Н');
    expect(row.markIds[oct5]).toBe(
      markId(lessonId(shared.subgroup!.id, '2026-10-05', '15:00'), shared.childId!),
    );

    const sept = (
      await as(admin, 'GET', `/api/reports/tabel?subgroupId=${shared.subgroup!.id}&month=2026-09`)
    ).body as TabelResponse;
    expect(sept.rows).toEqual([]);
    expect(sept.lessons.some((l) => l.date === '2026-09-07')).toBe(false);
  });

  it('a teacher of another subgroup gets 403 for this subgroup’s reports', async () => {
    const other = (await login(server.url, fixture.users.teacherB.login)).accessToken;
    const res = await call(
      server.url,
      'GET',
      `/api/reports/hours?subgroupId=${shared.subgroup!.id}`,
      { token: other },
    );
    expect(res.status).toBe(403);
  });

  it('the hours report: planned from the schedule, delivered from held lessons', async () => {
    const res = await as(admin, 'GET', `/api/reports/hours?subgroupId=${shared.subgroup!.id}`);
    const hours = res.body as HoursResponse;
    expect(hours.hoursPerYear).toBe(144);
    const oct = hours.months.find((m) => m.month === '2026-10')!;
    expect(oct.heldLessons).toBe(1);
    expect(oct.deliveredHours).toBe(2);
    expect(oct.plannedHours).toBe(oct.plannedLessons * 2);
    expect(hours.months[0]!.month).toBe('2026-09');
    expect(hours.months.at(-1)!.month).toBe('2027-05');
    expect(hours.scheduledHours).toBe(hours.months.reduce((s, m) => s + m.plannedHours, 0));
  });

  it('[RP13] the hours report as XLSX: a row per month in numbers, the totals, the plan; named for people; 403 for another teacher', async () => {
    const url = `${server.url}/api/reports/hours.xlsx?subgroupId=${shared.subgroup!.id}`;
    const res = await fetch(url, { headers: { authorization: `Bearer ${admin}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    const disposition = res.headers.get('content-disposition') ?? '';
    expect(disposition).toContain(`filename="hours-${shared.subgroup!.id}.xlsx"`);
    const named = decodeURIComponent(/filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1] ?? '');
    expect(named).toBe(`Часы Юный художник ${shared.subgroup!.name}.xlsx`);

    const json = (await as(admin, 'GET', `/api/reports/hours?subgroupId=${shared.subgroup!.id}`))
      .body as HoursResponse;
    const rows = readXlsx(new Uint8Array(await res.arrayBuffer())).sheets[0]!.rows;
    const oct = json.months.find((m) => m.month === '2026-10')!;
    expect(rows.find((r) => r[0] === 'октябрь 2026')).toEqual([
      'октябрь 2026',
      oct.plannedLessons,
      oct.heldLessons,
      oct.plannedHours,
      oct.deliveredHours,
      oct.cancelledLessons,
    ]);
    expect(rows.filter((r) => /^\S+ 20\d\d$/.test(String(r[0])))).toHaveLength(json.months.length);
    const total = rows.find((r) => r[0] === 'Итого')!;
    expect(total.slice(3, 5)).toEqual([json.scheduledHours, json.deliveredHours]);
    expect(rows.find((r) => r[0] === 'Часов по учебному плану')?.[1]).toBe(144);

    const other = (await login(server.url, fixture.users.teacherB.login)).accessToken;
    const refused = await fetch(url, { headers: { authorization: `Bearer ${other}` } });
    expect(refused.status).toBe(403);
  });

  it('the diary shows the child’s own mark, topic and homework; another parent gets 404', async () => {
    const res = await as(parent, 'GET', `/api/parent/diary/${shared.childId}?month=2026-10`);
    expect(res.status).toBe(200);
    const diary = res.body as DiaryResponse;
    const lesson = diary.subgroups[0]!.lessons.find((l) => l.date === '2026-10-05')!;
    expect(lesson).toMatchObject({
      code: 'Н',
      codeLabel: expect.any(String),
      topicTitle: 'Акварель',
      homework: 'Эскиз',
    });
    expect(diary.subgroups[0]!.gradesEnabled).toBe(true);

    const other = await as(otherParent, 'GET', `/api/parent/diary/${shared.childId}?month=2026-10`);
    expect(other.status).toBe(404);
  });

  it('[GR1] grades turned off for the programme leave the diary and the табель without them; turned on again, the stored grade is back', async () => {
    const url = `/api/parent/diary/${shared.childId}?month=2026-10`;
    const gradeOn5October = async () => {
      const diary = (await as(parent, 'GET', url)).body as DiaryResponse;
      const lesson = diary.subgroups[0]!.lessons.find((l) => l.date === '2026-10-05')!;
      return { gradesEnabled: diary.subgroups[0]!.gradesEnabled, grade: lesson.grade };
    };
    expect(await gradeOn5October()).toEqual({ gradesEnabled: true, grade: '5' });

    await setProgrammeGrades(false);
    expect(await gradeOn5October()).toEqual({ gradesEnabled: false, grade: null });
    const tabel = (
      await as(admin, 'GET', `/api/reports/tabel?subgroupId=${shared.subgroup!.id}&month=2026-10`)
    ).body as TabelResponse;
    expect(JSON.stringify(tabel.rows)).not.toContain('"5"');

    await setProgrammeGrades(true);
    expect(await gradeOn5October()).toEqual({ gradesEnabled: true, grade: '5' });
  });

  it('[PD12][PD15][RP9] a lesson the admin moves or cancels shows in the diary (where it went and came from, a holiday named, no reason), the табель (with the reason) and the hours', async () => {
    const sg = shared.subgroup!.id;
    const saved = await as(admin, 'PUT', `/api/admin/subgroups/${sg}/schedule`, {
      rules: [RULE],
      exceptions: [
        { kind: 'cancel', date: '2026-09-07', start: '15:00', reason: 'Выставка' },
        {
          kind: 'move',
          date: '2026-10-19',
          start: '15:00',
          toDate: '2026-10-20',
          toStart: '15:00',
          toEnd: '16:30',
          reason: 'Зал занят',
        },
        { kind: 'cancel', date: '2026-10-26', start: '15:00', reason: 'Карантин' },
        {
          kind: 'move',
          date: '2026-11-02',
          start: '15:00',
          toDate: '2026-11-04',
          toStart: '17:00',
          toEnd: '18:30',
          reason: 'Выставка',
        },
      ],
      holidayRule: 'skip',
    });
    expect(saved.status).toBe(200);

    const diary = (await as(parent, 'GET', `/api/parent/diary/${shared.childId}?month=2026-10`))
      .body as DiaryResponse;
    const on = (date: string) => diary.subgroups[0]!.lessons.filter((l) => l.date === date);
    expect(on('2026-10-19')).toEqual([
      expect.objectContaining({ status: 'moved', movedTo: { date: '2026-10-20', start: '15:00' } }),
    ]);
    expect(on('2026-10-20')).toEqual([
      expect.objectContaining({
        status: 'planned',
        movedFrom: { date: '2026-10-19', start: '15:00' },
        holiday: null,
      }),
    ]);
    expect(on('2026-10-26')).toEqual([
      expect.objectContaining({ status: 'cancelled', code: null }),
    ]);
    expect(JSON.stringify(diary)).not.toMatch(/Зал занят|Карантин/);
    // [PD15] Moved onto a holiday: the diary names it.
    const november = (await as(parent, 'GET', `/api/parent/diary/${shared.childId}?month=2026-11`))
      .body as DiaryResponse;
    expect(november.subgroups[0]!.lessons.find((l) => l.date === '2026-11-04')).toMatchObject({
      status: 'planned',
      movedFrom: { date: '2026-11-02', start: '15:00' },
      holiday: 'День народного единства',
    });

    const tabel = (await as(admin, 'GET', `/api/reports/tabel?subgroupId=${sg}&month=2026-10`))
      .body as TabelResponse;
    expect(tabel.notHeld?.map((l) => [l.date, l.status, l.reason])).toEqual([
      ['2026-10-19', 'moved', 'Зал занят'],
      ['2026-10-26', 'cancelled', 'Карантин'],
    ]);
    const hours = (await as(admin, 'GET', `/api/reports/hours?subgroupId=${sg}`))
      .body as HoursResponse;
    expect(hours.months.find((m) => m.month === '2026-10')?.cancelledLessons).toBe(1);
    expect(hours.months.find((m) => m.month === '2026-09')?.cancelledLessons).toBe(1);
  });

  it('[EN2] withdrawal from 1 December closes the interval on 30 November', async () => {
    const res = await as(admin, 'POST', `/api/admin/applications/${shared.applicationId}/status`, {
      status: 'отчислен',
      date: '2026-12-01',
      comment: 'Переезд',
    });
    expect(res.status).toBe(200);
    expect((res.body as ApplicationStatusResponse).roster?.intervals).toEqual([
      { from: '2026-10-01', to: '2026-11-30' },
    ]);
    const dec = (
      await as(admin, 'GET', `/api/reports/tabel?subgroupId=${shared.subgroup!.id}&month=2026-12`)
    ).body as TabelResponse;
    expect(dec.rows).toEqual([]);
  });

  it('[EN4][AP12] the child applies again; a status change of the older, closed application leaves the roster alone and does not open it again', async () => {
    const again = await as(parent, 'POST', '/api/parent/applications', {
      learnerId: shared.childId,
      subgroupId: shared.subgroup!.id,
    });
    expect(again.status).toBe(201);
    const newer = (again.body as ApplicationView).id;
    const enrolled = await as(admin, 'POST', `/api/admin/applications/${newer}/status`, {
      status: 'обучается',
      date: '2026-12-15',
    });
    expect(enrolled.status).toBe(200);
    const intervals = [
      { from: '2026-10-01', to: '2026-11-30' },
      { from: '2026-12-15', to: null },
    ];
    expect((enrolled.body as ApplicationStatusResponse).roster?.intervals).toEqual(intervals);

    const old = `/api/admin/applications/${shared.applicationId}/status`;
    // [AP12] Opening the closed card again («новая», «обучается») is refused while the newer is
    // open: one open card per child and subgroup.
    for (const [body, message] of [
      [{ status: 'отчислен', date: '2027-01-15' }, /более поздняя заявка .*«обучается»/],
      [{ status: 'обучается', date: '2027-02-01' }, /уже есть открытая заявка .*«обучается»/],
      [{ status: 'новая' }, /уже есть открытая заявка .*«обучается»/],
    ] as const) {
      const res = await as(admin, 'POST', old, body);
      expect(res.status, body.status).toBe(409);
      expect(errorOf(res.body).details?.field).toBe('status');
      expect(errorOf(res.body).message).toMatch(message);
    }
    const roster = (await as(admin, 'GET', `/api/admin/subgroups/${shared.subgroup!.id}/roster`))
      .body as RosterResponse;
    expect(roster.entries.map((e) => e.intervals)).toEqual([intervals]);

    // A status that moves nobody still goes on the old card; the newer one withdraws the child.
    const note = await as(admin, 'POST', old, { status: 'отклонена', comment: 'Архив' });
    expect(note.status).toBe(200);
    const withdrawn = await as(admin, 'POST', `/api/admin/applications/${newer}/status`, {
      status: 'отчислен',
      date: '2026-12-20',
    });
    expect((withdrawn.body as ApplicationStatusResponse).roster?.intervals).toEqual([
      intervals[0],
      { from: '2026-12-15', to: '2026-12-19' },
    ]);

    // AP11: the other child's enrolment before the place frees says from when it is free.
    const list = (await as(admin, 'GET', '/api/admin/applications')).body as {
      applications: ApplicationView[];
    };
    const second = list.applications.find((a) => a.learnerId === shared.secondChildId)!;
    const full = await as(admin, 'POST', `/api/admin/applications/${second.id}/status`, {
      status: 'обучается',
      date: '2026-12-16',
    });
    expect(full.status).toBe(409);
    expect(errorOf(full.body).message).toContain(
      'В подгруппе нет свободных мест на 16.12.2026: 1 из 1; место освободится с 20.12.2026',
    );
  });

  it('[LK1] lock and unlock a month; an unlock without a reason is refused naming reason', async () => {
    const sg = shared.subgroup!.id;
    const lock = await as(admin, 'POST', '/api/admin/locks', {
      subgroupId: sg,
      month: '2026-10',
      locked: true,
    });
    expect(lock.status).toBe(200);

    const bare = await as(admin, 'POST', '/api/admin/locks', {
      subgroupId: sg,
      month: '2026-10',
      locked: false,
    });
    expect(bare.status).toBe(400);
    expect(errorOf(bare.body).details?.field).toBe('reason');

    const unlock = await as(admin, 'POST', '/api/admin/locks', {
      subgroupId: sg,
      month: '2026-10',
      locked: false,
      reason: 'Исправление ошибки педагога',
    });
    expect(unlock.status).toBe(200);
    const list = (await as(admin, 'GET', `/api/admin/locks?subgroupId=${sg}`)).body as {
      locks: { month: string; locked: boolean; reason: string }[];
    };
    expect(list.locks).toEqual([
      expect.objectContaining({
        month: '2026-10',
        locked: false,
        reason: 'Исправление ошибки педагога',
      }),
    ]);
  });

  it('[SCH8] a schedule change keeps the marked lesson flagged off-schedule and deletes an empty one', async () => {
    const sg = shared.subgroup!.id;
    const db = subgroupDbName(sg);
    const empty = lessonDoc('2026-10-12', {
      status: 'planned',
      topicTitle: '',
      homework: '',
      remark: '',
    });
    await server.store.putMany(db, [empty]);

    const wednesdays = { rules: [{ ...RULE, weekdays: [3] }], exceptions: [], holidayRule: 'skip' };
    const preview = (
      await as(admin, 'POST', `/api/admin/subgroups/${sg}/schedule/preview`, wednesdays)
    ).body as SchedulePreviewResponse;
    expect(preview.impact.keptWithMarks.map((s) => s.date)).toEqual(['2026-10-05']);

    const saved = (await as(admin, 'PUT', `/api/admin/subgroups/${sg}/schedule`, wednesdays))
      .body as ScheduleSaveResponse;
    expect(saved.lessonsFlagged).toBe(1);
    expect(saved.lessonsDeleted).toBe(1);

    const marked = await server.store.get<Lesson & { id: string }>(
      db,
      lessonId(sg, '2026-10-05', '15:00'),
    );
    expect(marked?.flag).toBe('off-schedule');
    const gone = (await server.store.getMany(db, [empty.id])).get(empty.id);
    expect(gone?.deleted).toBe(true);
    // A full-body tombstone: devices can validate it.
    expect(gone?.doc).toMatchObject({ type: 'lesson', date: '2026-10-12', start: '15:00' });

    const tabel = (await as(admin, 'GET', `/api/reports/tabel?subgroupId=${sg}&month=2026-10`))
      .body as TabelResponse;
    expect(tabel.lessons.find((l) => l.date === '2026-10-05')?.flag).toBe('off-schedule');
  });

  it('the audit trail of a mark and of a subgroup month; refused edits', async () => {
    const sg = shared.subgroup!.id;
    const mark = markId(lessonId(sg, '2026-10-05', '15:00'), shared.childId!);
    const teacherUser = (await server.store.getUserByLogin('kuznetsova')) as User;
    const stored = [
      auditEntry(`a1:${mark}`, sg, mark, teacherUser.id),
      auditEntry(
        'a2:other',
        sg,
        markId(lessonId(sg, '2026-11-02', '15:00'), shared.childId!),
        teacherUser.id,
      ),
    ];
    // The audit lists edits that reached the journal: the other mark holds what its entry set.
    const other = markId(lessonId(sg, '2026-11-02', '15:00'), shared.childId!);
    await server.store.putMany(subgroupDbName(sg), [
      {
        id: other,
        type: 'mark',
        orgId: ORG_ID,
        subgroupId: sg,
        lessonId: lessonId(sg, '2026-11-02', '15:00'),
        learnerId: shared.childId!,
        date: '2026-11-02',
        code: 'Н',
        grade: null,
        note: '',
        stamps: {},
      } as Doc,
    ]);
    await server.store.putMany(auditDbName(ORG_ID), [
      ...(auditBatches(stored, 2) as unknown as Doc[]),
      {
        id: 'refusal-1',
        type: 'refusal',
        orgId: ORG_ID,
        subgroupId: sg,
        userId: teacherUser.id,
        deviceId: 'tab-1',
        collection: 'marks',
        docId: mark,
        code: 'MONTH_LOCKED',
        message: 'Месяц закрыт',
        attempted: { code: 'Б' },
        at: 5,
      },
    ]);

    const byDoc = await as(admin, 'GET', `/api/admin/audit?docId=${encodeURIComponent(mark)}`);
    const entries = (
      byDoc.body as { entries: { old: unknown; new: unknown; byName: string; offline: boolean }[] }
    ).entries;
    expect(entries).toEqual([
      expect.objectContaining({
        old: '',
        new: 'Н',
        byName: 'Кузнецова Ольга Петровна',
        offline: true,
      }),
    ]);

    const byMonth = await as(admin, 'GET', `/api/admin/audit?subgroupId=${sg}&month=2026-11`);
    expect((byMonth.body as { entries: unknown[] }).entries).toHaveLength(1);

    const neither = await as(admin, 'GET', '/api/admin/audit');
    expect(neither.status).toBe(400);

    const refusals = await as(admin, 'GET', `/api/admin/refusals?subgroupId=${sg}`);
    expect((refusals.body as { refusals: { code: string }[] }).refusals.map((r) => r.code)).toEqual(
      ['MONTH_LOCKED'],
    );
  });

  it('[AP4] a subgroup cannot get fewer places than learners on its roster', async () => {
    const { id: _id, type: _t, orgId: _o, ...input } = fixture.subgroupA;
    const url = `/api/admin/subgroups/${fixture.subgroupA.id}`;

    const below = await as(admin, 'PUT', url, { ...input, capacity: 2 });
    expect(below.status).toBe(409);
    expect(errorOf(below.body)).toMatchObject({
      code: 'CAPACITY_EXCEEDED',
      details: { field: 'capacity' },
    });
    expect(errorOf(below.body).message).toContain('(3)');
    const stored = (await as(admin, 'GET', '/api/admin/subgroups')).body as {
      subgroups: SubgroupView[];
    };
    expect(stored.subgroups.find((s) => s.id === fixture.subgroupA.id)?.capacity).toBe(
      fixture.subgroupA.capacity,
    );

    const exact = await as(admin, 'PUT', url, { ...input, capacity: 3 });
    expect(exact.status).toBe(200);
    await as(admin, 'PUT', url, input);
  });

  it('[SCH10] a study period that would cut the schedule is refused naming the period field, with the rule', async () => {
    const { id: _id, type: _t, orgId: _o, ...input } = fixture.subgroupA;
    const url = `/api/admin/subgroups/${fixture.subgroupA.id}`;

    const shorter = await as(admin, 'PUT', url, { ...input, periodTo: '2027-03-31' });
    expect(shorter.status).toBe(400);
    const error = errorOf(shorter.body);
    expect(error).toMatchObject({ code: 'INVALID_SCHEDULE', details: { field: 'periodTo' } });
    expect(error.message).toMatch(/^periodTo: Расписание идёт дольше: /);
    expect(error.message).toContain('правило «Пн, Ср 15:00–16:30» идёт до 31.05.2027');
    expect(error.message).toContain('кончалось не позже 31.03.2027');
    expect(error.message).not.toMatch(/rules\[/);

    const later = await as(admin, 'PUT', url, { ...input, periodFrom: '2026-10-01' });
    expect(errorOf(later.body)).toMatchObject({ details: { field: 'periodFrom' } });
    expect(errorOf(later.body).message).toContain('начинается 01.09.2026');

    const stored = (await as(admin, 'GET', '/api/admin/subgroups')).body as {
      subgroups: SubgroupView[];
    };
    expect(stored.subgroups.find((s) => s.id === fixture.subgroupA.id)).toMatchObject({
      periodFrom: fixture.subgroupA.periodFrom,
      periodTo: fixture.subgroupA.periodTo,
    });
  });

  it('the calendar: replaced by the admin, refused when a date is listed twice', async () => {
    const got = (await as(admin, 'GET', '/api/admin/calendar')).body as {
      calendar: { days: { date: string }[] };
    };
    const days = got.calendar.days;
    const twice = await as(admin, 'PUT', '/api/admin/calendar', {
      ...got.calendar,
      days: [...days, days[0]],
    });
    expect(twice.status).toBe(400);
    expect(errorOf(twice.body).details?.field).toMatch(/^days\[\d+\]\.date$/);

    const extra = {
      date: '2026-12-30',
      kind: 'holiday',
      name: 'Региональный выходной',
      status: 'expected',
    };
    const put = await as(admin, 'PUT', '/api/admin/calendar', {
      ...got.calendar,
      days: [...days, extra],
    });
    expect(put.status).toBe(200);
    const stored = await server.store.get(orgDbName(ORG_ID), 'calendar-ru');
    expect(JSON.stringify(stored)).toContain('Региональный выходной');
  });

  it('roles and organisations: a teacher or parent gets 403 on admin routes, another org’s admin 404', async () => {
    expect((await as(teacher, 'GET', '/api/admin/teachers')).status).toBe(403);
    expect((await as(parent, 'GET', '/api/admin/subgroups')).status).toBe(403);
    expect((await call(server.url, 'GET', '/api/admin/teachers')).status).toBe(401);

    const otherAdmin = await otherOrgAdmin();
    const sg = shared.subgroup!.id;
    expect(
      (await call(server.url, 'GET', `/api/admin/subgroups/${sg}/schedule`, { token: otherAdmin }))
        .status,
    ).toBe(404);
    expect(
      (
        await call(server.url, 'GET', `/api/admin/teachers/${shared.teacherId}`, {
          token: otherAdmin,
        })
      ).status,
    ).toBe(404);
    expect(
      (await call(server.url, 'GET', `/api/reports/hours?subgroupId=${sg}`, { token: otherAdmin }))
        .status,
    ).toBe(404);
  });

  it('the OpenAPI document lists the admin, parent and report routes', async () => {
    const res = await call(server.url, 'GET', '/api/openapi.json');
    expect(res.status).toBe(200);
    const paths = Object.keys((res.body as { paths: Record<string, unknown> }).paths);
    for (const path of [
      '/api/admin/teachers',
      '/api/admin/subgroups/{id}/schedule/preview',
      '/api/admin/applications/{id}/status',
      '/api/reports/tabel.xlsx',
      '/api/parent/diary/{learnerId}',
    ]) {
      expect(paths).toContain(path);
    }
  });

  it('no birth date, passport or СНИЛС value in any teacher or parent response, nor in the log', () => {
    expect(nonAdminBodies.length).toBeGreaterThan(10);
    const text = JSON.stringify(nonAdminBodies);
    for (const value of [...PERSONAL_VALUES, '2017-04-02', '2016-01-20']) {
      expect(holdsValue(text, value)).toBe(false);
      expect(holdsValue(server.log(), value)).toBe(false);
    }
    expect(text).not.toMatch(/"(birthDate|passport|snils)"/);
  });
});

function lessonDoc(date: string, content: Partial<Lesson>): Lesson {
  const sg = shared.subgroup!.id;
  return {
    id: lessonId(sg, date, '15:00'),
    type: 'lesson',
    orgId: ORG_ID,
    subgroupId: sg,
    stamps: {},
    date,
    start: '15:00',
    end: '16:30',
    academicHours: 2,
    status: 'held',
    statusReason: '',
    topicId: null,
    topicTitle: 'Акварель',
    homework: 'Эскиз',
    remark: '',
    flag: null,
    ...content,
  };
}

/** The admin turns grading of the chain's programme on or off, changing nothing else. */
async function setProgrammeGrades(gradesEnabled: boolean) {
  const list = (await as(admin, 'GET', '/api/admin/programmes')).body as {
    programmes: { id: string; type?: string; orgId?: string }[];
  };
  const {
    id,
    type: _t,
    orgId: _o,
    ...input
  } = list.programmes.find((p) => p.id === shared.programmeId)!;
  const res = await as(admin, 'PUT', `/api/admin/programmes/${id}`, { ...input, gradesEnabled });
  expect(res.status).toBe(200);
}

/** What the teacher's device would have pushed: a held lesson and one mark. */
async function writeLessonWithMark(date: string, code: string, remark: string) {
  const sg = shared.subgroup!.id;
  const lesson = lessonDoc(date, { remark });
  const mark: Mark = {
    id: markId(lesson.id, shared.childId!),
    type: 'mark',
    orgId: ORG_ID,
    subgroupId: sg,
    stamps: {},
    lessonId: lesson.id,
    learnerId: shared.childId!,
    date,
    code,
    grade: '5',
    note: '',
  };
  await server.store.putMany(subgroupDbName(sg), [lesson, mark]);
}

function auditEntry(id: string, subgroupId: string, docId: string, by: string): AuditEntry {
  return {
    id,
    type: 'audit',
    orgId: ORG_ID,
    subgroupId,
    docId,
    field: 'code',
    old: '',
    new: 'Н',
    by,
    device: 'tab-1',
    editedAt: 1,
    receivedAt: 2,
    offline: true,
  };
}

/** An admin of a second organisation, to prove ids do not cross organisations. */
async function otherOrgAdmin(): Promise<string> {
  const orgId = 'org-other';
  await server.store.ensureOrgDbs(orgId);
  await server.store.putMany(orgDbName(orgId), [{ ...fixture.org, id: orgId }]);
  await server.store.putMany(USERS_DB, [
    {
      ...fixture.users.admin,
      id: 'admin-other',
      login: 'admin-other',
      orgId,
      passwordHash: await hashPassword(PASSWORD),
    },
  ]);
  return (await login(server.url, 'admin-other')).accessToken;
}
