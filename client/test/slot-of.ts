import type { LessonSlot } from '@otmetka/shared';
import { findSlot, monthOf } from '@otmetka/shared';
import { firstValueFrom } from 'rxjs';
import type { OtmetkaDb } from '../src/db/database.ts';
import { catalog$, slotsOfMonth } from '../src/db/queries.ts';

/** The 15:00 slot of subgroup `sg-a` on a date, as the device's catalog expands it. */
export async function slotOf(
  device: { db: OtmetkaDb; user: { teacherId: string | null } },
  date: string,
): Promise<LessonSlot> {
  const view = await firstValueFrom(catalog$(device.db, device.user.teacherId));
  const subgroup = view.subgroups.find((s) => s.id === 'sg-a');
  if (!subgroup) throw new Error('subgroup sg-a did not reach the device');
  const slot = findSlot(slotsOfMonth(view, subgroup, monthOf(date)), date, '15:00');
  if (!slot) throw new Error(`no slot on ${date}`);
  return slot;
}
