import {
  APPLICATION_STUDYING,
  type Application,
  ageOn,
  FOCUS_LABELS,
  formatRuDate,
  isOpenStatus,
  type Learner,
  newEntityId,
  type Programme,
  type Schedule,
  type Subgroup,
} from '@otmetka/shared';
import {
  applicationViewSchema,
  type ChildInput,
  type ChildView,
  childInputSchema,
  childListResponseSchema,
  childViewSchema,
  type ParentApplicationRequest,
  parentApplicationListResponseSchema,
  parentApplicationRequestSchema,
  parentCatalogResponseSchema,
} from '@otmetka/shared/api';
import type { FastifyInstance } from 'fastify';
import { applicationView, loadNames } from '../admin/applications.ts';
import { learnerDisplayName, OrgData } from '../admin/data.ts';
import { withOverlaps } from '../admin/overlaps.ts';
import type { Doc } from '../db/store.ts';
import { HttpError } from '../http/errors.ts';
import { route } from '../http/route.ts';
import { diaryRoute } from './diary.ts';
import { ownChild } from './own.ts';

/**
 * The parent API under /api/parent: the catalogue of programmes and subgroups, the parent's
 * children (a birth date goes in and never comes back out), applications and the diary. A
 * parent reaches only their own children: another child's id answers 404.
 */

const PARENT = ['parent'] as const;
const TAGS = ['parent'];

type AsDoc<T> = T & Doc;

function childView(learner: Learner): ChildView {
  return {
    id: learner.id,
    lastName: learner.lastName,
    firstName: learner.firstName,
    middleName: learner.middleName,
    displayName: learnerDisplayName(learner),
  };
}

function acceptsApplications(
  subgroup: Subgroup,
  schedule: Schedule | undefined,
  today: string,
): boolean {
  return schedule !== undefined && schedule.rules.length > 0 && today <= subgroup.periodTo;
}

function catalogRoute(app: FastifyInstance) {
  route(
    app,
    {
      method: 'GET',
      url: '/api/parent/catalog',
      summary: 'Каталог: программы и подгруппы с расписанием, педагогами и свободными местами',
      tags: TAGS,
      response: parentCatalogResponseSchema,
      roles: PARENT,
    },
    async ({ user }) => {
      const data = new OrgData(app.store, user.org);
      const [org, programmes, subgroups, schedules, teachers, studying] = await Promise.all([
        data.org(),
        data.programmes(),
        data.subgroups(),
        data.schedules(),
        data.teacherProfiles(),
        data.applications({ status: APPLICATION_STUDYING }),
      ]);
      const today = await data.today(new Date(app.config.now()));
      const scheduleOf = new Map(schedules.map((s) => [s.subgroupId, s]));
      const teacherName = new Map(teachers.map((t) => [t.id, t.displayName]));
      const taken = (id: string) => studying.filter((a) => a.subgroupId === id).length;

      const subgroupEntry = (s: Subgroup) => {
        const schedule = scheduleOf.get(s.id);
        return {
          id: s.id,
          name: s.name,
          teachers: s.teacherIds.map((id) => teacherName.get(id) ?? '').filter(Boolean),
          capacity: s.capacity,
          freePlaces: Math.max(0, s.capacity - taken(s.id)),
          periodFrom: s.periodFrom,
          periodTo: s.periodTo,
          schedule: (schedule?.rules ?? []).map(({ from, to, weekdays, start, end }) => ({
            from,
            to,
            weekdays,
            start,
            end,
          })),
          acceptsApplications: acceptsApplications(s, schedule, today),
        };
      };
      const out = programmes
        .sort((a, b) => a.name.localeCompare(b.name, 'ru'))
        .map((p) => ({
          id: p.id,
          name: p.name,
          focus: p.focus,
          focusLabel: FOCUS_LABELS[p.focus],
          level: p.level,
          ageFrom: p.ageFrom,
          ageTo: p.ageTo,
          hoursPerYear: p.hoursPerYear,
          description: p.description,
          subgroups: subgroups
            .filter((s) => s.programmeId === p.id)
            .sort((a, b) => a.name.localeCompare(b.name, 'ru'))
            .map(subgroupEntry),
        }));
      return { orgName: org.name, programmes: out };
    },
  );
}

/** The oldest learner additional education takes: a birth date further back is a typo. */
const MAX_CHILD_AGE = 25;

/** AP1: a child's birth date is in the past and at most MAX_CHILD_AGE full years back. */
function checkChildBirthDate(birthDate: string, today: string): void {
  const refuse = (message: string) =>
    new HttpError(400, 'INVALID_DATE', `birthDate: ${message}`, { field: 'birthDate' });
  if (birthDate >= today) throw refuse('дата рождения должна быть в прошлом');
  if (ageOn(birthDate, today) > MAX_CHILD_AGE) {
    throw refuse(`ребёнку не может быть больше ${MAX_CHILD_AGE} лет: проверьте дату рождения`);
  }
}

/** «1 год», «3 года», «7 лет». */
function yearsWord(n: number): string {
  const tens = n % 100;
  const units = n % 10;
  if (tens >= 11 && tens <= 19) return 'лет';
  if (units === 1) return 'год';
  return units >= 2 && units <= 4 ? 'года' : 'лет';
}

/**
 * AP2: the child's age on the day they would start in the subgroup (the start of its study
 * period, or today once the period has begun) is within the programme's ages. The message says
 * the age and the range, never the birth date.
 */
function checkApplicantAge(
  learner: Pick<Learner, 'birthDate'>,
  programme: Programme,
  subgroup: Subgroup,
  today: string,
  field: 'learnerId' | 'birthDate' = 'learnerId',
): void {
  const startsOn = subgroup.periodFrom > today ? subgroup.periodFrom : today;
  const age = ageOn(learner.birthDate, startsOn);
  if (age >= programme.ageFrom && age <= programme.ageTo) return;
  throw new HttpError(
    400,
    'VALIDATION_FAILED',
    `${field}: на ${formatRuDate(startsOn)} ребёнку ${age} ${yearsWord(age)}, а программа ` +
      `«${programme.name}» — для детей от ${programme.ageFrom} до ${programme.ageTo} лет`,
    { field },
  );
}

/**
 * AP5: what one parent account may hold. Anyone can register through the organisation's public
 * link (AC2), so without a bound one account could fill the organisation's databases and bury
 * the admin's applications board; real families stay far below both.
 */
export const MAX_CHILDREN_PER_PARENT = 12;
export const MAX_OPEN_APPLICATIONS_PER_CHILD = 10;

function childrenRoutes(app: FastifyInstance) {
  route(
    app,
    {
      method: 'GET',
      url: '/api/parent/children',
      summary: 'Мои дети',
      tags: TAGS,
      response: childListResponseSchema,
      roles: PARENT,
    },
    async ({ user }) => {
      const learners = await new OrgData(app.store, user.org).learners({ parentUserId: user.sub });
      learners.sort((a, b) => learnerDisplayName(a).localeCompare(learnerDisplayName(b), 'ru'));
      return { children: learners.map(childView) };
    },
  );
  route(
    app,
    {
      method: 'POST',
      url: '/api/parent/children',
      summary: 'Добавить ребёнка (дата рождения хранится только на сервере)',
      tags: TAGS,
      body: childInputSchema,
      response: childViewSchema,
      status: 201,
      roles: PARENT,
    },
    async ({ user, body }) => {
      const { forSubgroupId, ...child } = body;
      const data = new OrgData(app.store, user.org);
      const today = await data.today(new Date(app.config.now()));
      checkChildBirthDate(child.birthDate, today);
      // AP10: registered from the application form, a child the programme's ages leave out is
      // not kept (the application was refused and the child stayed in the parent's list).
      if (forSubgroupId) {
        const subgroup = await data.subgroup(forSubgroupId);
        const programme = await data.programme(subgroup.programmeId);
        checkApplicantAge(child, programme, subgroup, today, 'birthDate');
      }
      return data.exclusive(`parent:${user.sub}`, () => addChild(app, data, user.sub, child));
    },
  );
}

type ChildIdentity = Pick<ChildInput, 'lastName' | 'firstName' | 'middleName' | 'birthDate'>;

/** AP14: one person, one child record: ФИО compared as a parent retypes it, and the birth date. */
function samePerson(a: ChildIdentity, b: ChildIdentity): boolean {
  const key = (c: ChildIdentity) =>
    [c.lastName, c.firstName, c.middleName, c.birthDate]
      .map((part) => part.trim().toLocaleLowerCase('ru').replaceAll('ё', 'е').replace(/\s+/g, ' '))
      .join('|');
  return key(a) === key(b);
}

/**
 * Stores a parent's new child; AP14: a child the parent already has (the form sent again after
 * its answer was lost on a weak signal, a double tap) is answered as stored, and nothing new
 * is stored: a second record let the child take two places under two applications.
 */
async function addChild(
  app: FastifyInstance,
  data: OrgData,
  parentUserId: string,
  child: Omit<ChildInput, 'forSubgroupId'>,
): Promise<ChildView> {
  const children = await data.learners({ parentUserId });
  const known = children.find((c) => samePerson(c, child));
  if (known) return childView(known);
  if (children.length >= MAX_CHILDREN_PER_PARENT) {
    throw new HttpError(
      409,
      'CONFLICT',
      `В одной учётной записи — не больше ${MAX_CHILDREN_PER_PARENT} детей. Обратитесь в организацию.`,
      { field: 'lastName' },
    );
  }
  const learner: Learner = {
    id: newEntityId('l'),
    type: 'learner',
    orgId: data.orgId,
    parentUserId,
    ...child,
    createdAt: app.config.now(),
  };
  await app.store.put(data.privateDb, learner as AsDoc<Learner>);
  return childView(learner);
}

function applicationRoutes(app: FastifyInstance) {
  route(
    app,
    {
      method: 'GET',
      url: '/api/parent/applications',
      summary: 'Мои заявки: статус и история',
      tags: TAGS,
      response: parentApplicationListResponseSchema,
      roles: PARENT,
    },
    async ({ user }) => {
      const data = new OrgData(app.store, user.org);
      const [org, applications, names] = await Promise.all([
        data.org(),
        data.applications({ parentUserId: user.sub }),
        loadNames(data, [user.sub]),
      ]);
      applications.sort((a, b) => b.createdAt - a.createdAt);
      const views = applications.map((a) => applicationView(a, names));
      return { applications: await withOverlaps(data, views, names, org, app.config.now()) };
    },
  );
  route(
    app,
    {
      method: 'POST',
      url: '/api/parent/applications',
      summary: 'Подать заявку в подгруппу (только в подгруппу с расписанием)',
      tags: TAGS,
      body: parentApplicationRequestSchema,
      response: applicationViewSchema,
      status: 201,
      roles: PARENT,
    },
    async ({ user, body }) => {
      const data = new OrgData(app.store, user.org);
      const learner = await ownChild(data, user.sub, body.learnerId);
      await data.subgroup(body.subgroupId); // 404 for an unknown one, before a lease is named.
      // AP13: AP3's check and the write under the subgroup's lease (three sends at once stored
      // three applications), AP5's count of the child's open ones under the family's (sends to
      // two subgroups at once each counted nine of ten).
      const application = await data.exclusive(`subgroup:${body.subgroupId}`, () =>
        data.exclusive(`parent:${user.sub}`, () =>
          addApplication(app, data, user.sub, learner, body),
        ),
      );
      const [org, names] = await Promise.all([data.org(), loadNames(data, [user.sub])]);
      const views = [applicationView(application, names)];
      const [view] = await withOverlaps(data, views, names, org, application.createdAt);
      return view!;
    },
  );
}

async function addApplication(
  app: FastifyInstance,
  data: OrgData,
  parentUserId: string,
  learner: Learner,
  body: ParentApplicationRequest,
): Promise<Application> {
  const [org, subgroup, schedule, childApplications] = await Promise.all([
    data.org(),
    data.subgroup(body.subgroupId),
    data.schedule(body.subgroupId),
    data.applications({ learnerId: body.learnerId }),
  ]);
  const existing = childApplications.filter((a) => a.subgroupId === body.subgroupId);
  const today = await data.today(new Date(app.config.now()));
  if (!schedule || schedule.rules.length === 0) {
    throw new HttpError(
      409,
      'SCHEDULE_REQUIRED',
      'У подгруппы ещё нет расписания: заявки не принимаются',
      {
        field: 'subgroupId',
      },
    );
  }
  if (!acceptsApplications(subgroup, schedule, today)) {
    throw new HttpError(409, 'CONFLICT', 'Учебный период подгруппы завершён', {
      field: 'subgroupId',
    });
  }
  checkApplicantAge(learner, await data.programme(subgroup.programmeId), subgroup, today);
  const initial = org.applicationStatuses[0]!;
  if (existing.some((a) => isOpenStatus(a.status, org.applicationStatuses))) {
    throw new HttpError(409, 'CONFLICT', 'Заявка в эту подгруппу уже подана', {
      field: 'subgroupId',
    });
  }
  const open = childApplications.filter((a) => isOpenStatus(a.status, org.applicationStatuses));
  if (open.length >= MAX_OPEN_APPLICATIONS_PER_CHILD) {
    throw new HttpError(
      409,
      'CONFLICT',
      `У ребёнка уже ${MAX_OPEN_APPLICATIONS_PER_CHILD} действующих заявок: новую можно подать, когда по одной из них будет решение`,
      { field: 'subgroupId' },
    );
  }

  const now = app.config.now();
  const application: Application = {
    id: newEntityId('a'),
    type: 'application',
    orgId: data.orgId,
    subgroupId: subgroup.id,
    learnerId: body.learnerId,
    parentUserId,
    status: initial,
    history: [{ status: initial, at: now, by: parentUserId, date: null, comment: '' }],
    createdAt: now,
  };
  await app.store.put(data.orgDb, application as AsDoc<Application>);
  return application;
}

export async function parentPlugin(app: FastifyInstance): Promise<void> {
  catalogRoute(app);
  childrenRoutes(app);
  applicationRoutes(app);
  diaryRoute(app);
}

export default parentPlugin;
