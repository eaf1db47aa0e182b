import {
  APPLICATION_STUDYING,
  type EnrolmentInterval,
  isEnrolledOn,
  isOpenStatus,
  type LessonSlot,
  type Org,
  type RosterEntry,
  rosterId,
  type Schedule,
  slotOverlaps,
  todayIn,
} from '@otmetka/shared';
import type { ApplicationOverlap, ApplicationView } from '@otmetka/shared/api';
import { type Doc, subgroupDbName } from '../db/store.ts';
import type { Names } from './applications.ts';
import { type OrgData, slotsOf } from './data.ts';

/**
 * EN7: an open application names the child's other subgroups whose lessons overlap its own in
 * time, on the days the child is enrolled there (the roster's intervals: an enrolment from
 * February clashes from February; a withdrawal dated ahead still clashes until then), from
 * today on; an application «обучается» counts only its own enrolled days too. Nothing refuses
 * such an enrolment (a family may choose to leave one lesson early), but a parent applied and
 * an admin enrolled a child into two groups meeting at the same hour without a word, and the
 * diary then listed both.
 */
export async function withOverlaps(
  data: OrgData,
  views: ApplicationView[],
  names: Names,
  org: Org,
  now: number,
): Promise<ApplicationView[]> {
  const open = views.filter((v) => isOpenStatus(v.status, org.applicationStatuses));
  if (open.length === 0) return views;

  // The subgroups each child was ever enrolled in; the roster says on which days.
  const learners = [...new Set(open.map((v) => v.learnerId))];
  const enrolledIn = new Map<string, Set<string>>();
  for (const a of await data.applications({ learnerId: { $in: learners } })) {
    if (!a.history.some((h) => h.status === APPLICATION_STUDYING)) continue;
    const subgroups = enrolledIn.get(a.learnerId) ?? new Set<string>();
    subgroups.add(a.subgroupId);
    enrolledIn.set(a.learnerId, subgroups);
  }
  const others = (v: ApplicationView) =>
    [...(enrolledIn.get(v.learnerId) ?? [])].filter((id) => id !== v.subgroupId);
  const asked = open.filter((v) => others(v).length > 0);
  if (asked.length === 0) return views;

  const today = todayIn(org.timeZone, new Date(now));
  const [calendar, schedules, intervals] = await Promise.all([
    data.calendar(),
    data.schedules(),
    rosterIntervals(
      data,
      asked.flatMap((v) => [v.subgroupId, ...others(v)].map((id) => [id, v.learnerId] as const)),
    ),
  ]);
  const scheduleOf = new Map(schedules.map((s: Schedule) => [s.subgroupId, s]));
  const slots = new Map<string, LessonSlot[]>();
  const slotsFor = (subgroupId: string) => {
    const subgroup = names.subgroups.get(subgroupId);
    if (!subgroup) return [];
    if (!slots.has(subgroupId)) {
      slots.set(subgroupId, slotsOf(subgroup, scheduleOf.get(subgroupId), calendar));
    }
    return slots.get(subgroupId)!;
  };

  const overlapsOf = (v: ApplicationView): ApplicationOverlap[] => {
    // Not enrolled here yet: every lesson of the group from today on is a lesson to come.
    const own =
      v.status === APPLICATION_STUDYING ? intervals.get(pairKey(v.subgroupId, v.learnerId)) : null;
    return others(v).flatMap((otherId) => {
      const there = intervals.get(pairKey(otherId, v.learnerId)) ?? [];
      const found = slotOverlaps(slotsFor(v.subgroupId), slotsFor(otherId), today).filter(
        (o) => isEnrolledOn(there, o.date) && (!own || isEnrolledOn(own, o.date)),
      );
      const other = names.subgroups.get(otherId);
      if (found.length === 0 || !other) return [];
      return [
        {
          subgroupId: otherId,
          subgroupName: other.name,
          programmeName: names.programmes.get(other.programmeId)?.name ?? '',
          ...found[0]!,
          count: found.length,
        },
      ];
    });
  };

  return views.map((v) => {
    if (!asked.includes(v)) return v;
    const overlaps = overlapsOf(v);
    return overlaps.length > 0 ? { ...v, overlaps } : v;
  });
}

const pairKey = (subgroupId: string, learnerId: string) => `${subgroupId}|${learnerId}`;

/** The roster's enrolment intervals of each (subgroup, learner); none when there is no entry. */
async function rosterIntervals(
  data: OrgData,
  pairs: (readonly [string, string])[],
): Promise<Map<string, EnrolmentInterval[]>> {
  const unique = new Map(pairs.map(([s, l]) => [pairKey(s, l), [s, l] as const]));
  const entries = await Promise.all(
    [...unique.values()].map(async ([subgroupId, learnerId]) => {
      const entry = await data.store.get<RosterEntry & Doc>(
        subgroupDbName(subgroupId),
        rosterId(subgroupId, learnerId),
      );
      const live = entry && entry.type === 'roster' && !entry._deleted;
      return [pairKey(subgroupId, learnerId), live ? entry.intervals : []] as const;
    }),
  );
  return new Map(entries);
}
