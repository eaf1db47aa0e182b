import {
  APPLICATION_STUDYING,
  isOpenStatus,
  type LessonSlot,
  type Schedule,
  slotOverlaps,
} from '@otmetka/shared';
import type { ApplicationOverlap, ApplicationView } from '@otmetka/shared/api';
import type { Names } from './applications.ts';
import { type OrgData, slotsOf } from './data.ts';

/**
 * EN7: an open application names the child's other subgroups (those the child studies in) whose
 * lessons overlap its own in time from today on. Nothing refuses such an enrolment (a child may
 * leave one lesson early by the families' choice), but a parent applied and an admin enrolled a
 * child into two groups meeting at the same hour without a word, and the diary then listed both.
 */
export async function withOverlaps(
  data: OrgData,
  views: ApplicationView[],
  names: Names,
  now: number,
): Promise<ApplicationView[]> {
  const org = await data.org();
  const open = views.filter((v) => isOpenStatus(v.status, org.applicationStatuses));
  if (open.length === 0) return views;

  const studying = new Map<string, Set<string>>();
  for (const a of await data.applications({ status: APPLICATION_STUDYING })) {
    const subgroups = studying.get(a.learnerId) ?? new Set<string>();
    subgroups.add(a.subgroupId);
    studying.set(a.learnerId, subgroups);
  }
  const others = (v: ApplicationView) =>
    [...(studying.get(v.learnerId) ?? [])].filter((id) => id !== v.subgroupId);
  if (!open.some((v) => others(v).length > 0)) return views;

  const [calendar, schedules, today] = await Promise.all([
    data.calendar(),
    data.schedules(),
    data.today(new Date(now)),
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

  const overlapsOf = (v: ApplicationView): ApplicationOverlap[] =>
    others(v).flatMap((otherId) => {
      const found = slotOverlaps(slotsFor(v.subgroupId), slotsFor(otherId), today);
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

  return views.map((v) => {
    if (!open.includes(v)) return v;
    const overlaps = overlapsOf(v);
    return overlaps.length > 0 ? { ...v, overlaps } : v;
  });
}
