import {
  APPLICATION_STUDYING,
  APPLICATION_WITHDRAWN,
  type Application,
  addDays,
  applyStatusChange,
  type EnrolmentInterval,
  type Learner,
  type RosterEntry,
  rosterId,
  type User,
} from '@otmetka/shared';
import { fullName, learnerDisplayName } from '../admin/data.ts';
import { SURNAMES } from './names.ts';
import { makeLearner, person } from './people.ts';
import type { Random } from './random.ts';
import type { SubgroupPlan } from './schedules.ts';

/**
 * Parents, their children and the children's applications. Statuses follow a fixed pattern of
 * 50 so every status occurs: most children study from the start of the year, some were
 * enrolled mid-year, a few withdrawn or finished, the rest wait, were refused or are in
 * reserve. A full subgroup puts a child in reserve instead of over its capacity.
 */

export const LEARNER_COUNT = 250;

type Kind =
  | 'study'
  | 'mid-year'
  | 'withdrawn'
  | 'finished'
  | 'новая'
  | 'подтверждена'
  | 'в резерве'
  | 'отклонена';

const PATTERN: Kind[] = [
  ...Array<Kind>(37).fill('study'),
  ...Array<Kind>(4).fill('mid-year'),
  'withdrawn',
  'withdrawn',
  'finished',
  'новая',
  'новая',
  'подтверждена',
  'в резерве',
  'в резерве',
  'отклонена',
];

export type ParentUser = Omit<User, 'passwordHash'>;

export interface Families {
  parents: ParentUser[];
  learners: Learner[];
  applications: Application[];
  /** Roster entries by subgroup id. */
  roster: Map<string, RosterEntry[]>;
}

interface Ctx {
  rng: Random;
  orgId: string;
  adminId: string;
  today: string;
  nowMs: number;
  plans: SubgroupPlan[];
  out: Families;
  enrolled: Map<string, number>;
}

/** An instant for a history event on a local date: 09:00 in Asia/Yekaterinburg (UTC+5, no DST). */
function eventAt(ctx: Ctx, date: string): number {
  return Math.min(Date.parse(`${date}T09:00:00+05:00`), ctx.nowMs);
}

function kindOf(ctx: Ctx, n: number, plan: SubgroupPlan): Kind {
  const kind = PATTERN[(n * 17) % PATTERN.length]!;
  const takesPlace =
    kind === 'study' || kind === 'mid-year' || kind === 'withdrawn' || kind === 'finished';
  const full = (ctx.enrolled.get(plan.subgroup.id) ?? 0) >= plan.subgroup.capacity;
  return takesPlace && full ? 'в резерве' : kind;
}

/** The status history and the roster change of one application. */
function timeline(ctx: Ctx, kind: Kind, plan: SubgroupPlan) {
  const from = plan.subgroup.periodFrom;
  const applied = addDays(from, -ctx.rng.int(5, 25));
  const events: { status: string; date: string | null; on: string }[] = [
    { status: 'новая', date: null, on: applied },
  ];
  const changes: { kind: 'enrol' | 'withdraw'; date: string }[] = [];
  const enrol = (date: string) => {
    events.push({ status: 'подтверждена', date: null, on: addDays(applied, 2) });
    events.push({ status: APPLICATION_STUDYING, date, on: date });
    changes.push({ kind: 'enrol', date });
  };
  // Dates of past events: never after today (nor before the period starts).
  const latest = [ctx.today, from].sort().at(-1)!;
  const within = (offset: number, span: number) =>
    [addDays(from, offset + ctx.rng.int(0, span)), latest].sort()[0]!;

  if (kind === 'study') enrol(from);
  if (kind === 'mid-year') enrol(within(30, 90));
  if (kind === 'withdrawn' || kind === 'finished') {
    enrol(from);
    const date = within(20, 60);
    const status = kind === 'withdrawn' ? APPLICATION_WITHDRAWN : 'завершила обучение';
    events.push({ status, date, on: date });
    changes.push({ kind: 'withdraw', date });
  }
  if (kind === 'подтверждена' || kind === 'в резерве' || kind === 'отклонена') {
    events.push({ status: kind, date: null, on: addDays(applied, 3) });
  }
  return { applied, events, changes };
}

function apply(
  ctx: Ctx,
  learner: Learner,
  plan: SubgroupPlan,
  n: number,
  forceStudy = false,
): void {
  const kind = forceStudy ? 'study' : kindOf(ctx, n, plan);
  const { applied, events, changes } = timeline(ctx, kind, plan);
  const id = `a-${String(ctx.out.applications.length + 1).padStart(4, '0')}`;
  ctx.out.applications.push({
    id,
    type: 'application',
    orgId: ctx.orgId,
    subgroupId: plan.subgroup.id,
    learnerId: learner.id,
    parentUserId: learner.parentUserId,
    status: events.at(-1)!.status,
    history: events.map((e) => ({
      status: e.status,
      at: eventAt(ctx, e.on),
      by: e.status === 'новая' ? learner.parentUserId : ctx.adminId,
      date: e.date,
      comment: '',
    })),
    createdAt: eventAt(ctx, applied),
  });
  if (changes.length === 0) return;

  let intervals: EnrolmentInterval[] = [];
  for (const change of changes) intervals = applyStatusChange(intervals, change);
  if (intervals.some((iv) => iv.to === null)) {
    ctx.enrolled.set(plan.subgroup.id, (ctx.enrolled.get(plan.subgroup.id) ?? 0) + 1);
  }
  const list = ctx.out.roster.get(plan.subgroup.id) ?? [];
  list.push({
    id: rosterId(plan.subgroup.id, learner.id),
    type: 'roster',
    orgId: ctx.orgId,
    subgroupId: plan.subgroup.id,
    learnerId: learner.id,
    name: learnerDisplayName(learner),
    intervals,
    stamps: {},
  });
  ctx.out.roster.set(plan.subgroup.id, list);
}

function makeParent(ctx: Ctx, n: number, login: string): { user: ParentUser; surname: string } {
  const surname = ctx.rng.pick(SURNAMES);
  const who = person(ctx.rng, ctx.rng.chance(0.85), surname);
  return {
    surname,
    user: {
      id: `u-parent-${String(n).padStart(3, '0')}`,
      type: 'user',
      orgId: ctx.orgId,
      login,
      role: 'parent',
      displayName: fullName(who),
      teacherId: null,
      createdAt: ctx.nowMs,
    },
  };
}

function child(ctx: Ctx, parent: ParentUser, surname: string, plan: SubgroupPlan): Learner {
  const id = `l-${String(ctx.out.learners.length + 1).padStart(3, '0')}`;
  const { ageFrom, ageTo } = plan.spec;
  const learner = makeLearner(
    ctx.rng,
    ctx.orgId,
    id,
    parent.id,
    surname,
    { from: ageFrom, to: ageTo },
    ctx.nowMs,
  );
  ctx.out.learners.push(learner);
  return learner;
}

/** A second subgroup for some children: one whose programme fits the child's age. */
function secondChoice(
  ctx: Ctx,
  learner: Learner,
  first: SubgroupPlan,
  n: number,
): SubgroupPlan | undefined {
  // Age on 1 September 2026, near enough for choosing a programme.
  const age =
    2026 - Number(learner.birthDate.slice(0, 4)) - (learner.birthDate.slice(5) > '09-01' ? 1 : 0);
  const fits = ctx.plans.filter(
    (p) => p.spec.key !== first.spec.key && p.spec.ageFrom <= age && age <= p.spec.ageTo,
  );
  return fits.length > 0 ? fits[n % fits.length] : undefined;
}

/**
 * The demo parent (login `parent`) comes first: two children studying in subgroups of the demo
 * teacher (`demoSubgroups`). Then families of one or two children until LEARNER_COUNT.
 */
export function makeFamilies(
  base: Omit<Ctx, 'out' | 'enrolled'>,
  demoSubgroups: [SubgroupPlan, SubgroupPlan],
): Families {
  const ctx: Ctx = {
    ...base,
    out: { parents: [], learners: [], applications: [], roster: new Map() },
    enrolled: new Map(),
  };

  const demo = makeParent(ctx, 1, 'parent');
  ctx.out.parents.push(demo.user);
  for (const plan of demoSubgroups)
    apply(ctx, child(ctx, demo.user, demo.surname, plan), plan, 0, true);

  let n = 0;
  while (ctx.out.learners.length < LEARNER_COUNT) {
    const family = makeParent(
      ctx,
      ctx.out.parents.length + 1,
      `parent${String(ctx.out.parents.length + 1).padStart(3, '0')}`,
    );
    ctx.out.parents.push(family.user);
    const children = ctx.rng.chance(0.2) && ctx.out.learners.length < LEARNER_COUNT - 1 ? 2 : 1;
    for (let c = 0; c < children; c++) {
      const plan = ctx.plans[(n * 7 + 3) % ctx.plans.length]!;
      const learner = child(ctx, family.user, family.surname, plan);
      apply(ctx, learner, plan, n);
      const second = n % 9 === 4 ? secondChoice(ctx, learner, plan, n) : undefined;
      if (second) apply(ctx, learner, second, n + 1);
      n += 1;
    }
  }
  return ctx.out;
}
