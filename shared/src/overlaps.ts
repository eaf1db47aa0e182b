import type { LessonSlot } from './schedule.ts';

/** A date on which lessons of two subgroups overlap in time. */
export interface SlotOverlap {
  date: string;
  /** This subgroup's lesson. */
  start: string;
  end: string;
  /** The other subgroup's lesson. */
  otherStart: string;
  otherEnd: string;
}

/**
 * EN7: the lessons of `mine` on or after `from` that overlap in time a lesson of `other` on the
 * same date, in date order. Times are HH:MM of one zone, so strings compare as times; lessons
 * that only touch (one ends at 15:00, the next starts at 15:00) do not overlap.
 */
export function slotOverlaps(mine: LessonSlot[], other: LessonSlot[], from: string): SlotOverlap[] {
  const byDate = new Map<string, LessonSlot[]>();
  for (const slot of other) {
    if (slot.date < from) continue;
    const list = byDate.get(slot.date) ?? [];
    list.push(slot);
    byDate.set(slot.date, list);
  }

  const out: SlotOverlap[] = [];
  for (const slot of mine) {
    if (slot.date < from) continue;
    for (const o of byDate.get(slot.date) ?? []) {
      if (slot.start < o.end && o.start < slot.end) {
        out.push({
          date: slot.date,
          start: slot.start,
          end: slot.end,
          otherStart: o.start,
          otherEnd: o.end,
        });
      }
    }
  }
  return out.sort((a, b) => a.date.localeCompare(b.date) || a.start.localeCompare(b.start));
}
