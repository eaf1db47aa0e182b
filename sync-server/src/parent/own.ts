import type { Learner } from '@otmetka/shared';
import type { OrgData } from '../admin/data.ts';
import { notFound } from '../http/errors.ts';

/** The caller's own child, or 404 (whether it is absent or someone else's). */
export async function ownChild(
  data: OrgData,
  parentUserId: string,
  learnerId: string,
): Promise<Learner> {
  const learner = await data.learner(learnerId);
  if (!learner || learner.parentUserId !== parentUserId) {
    throw notFound(`Ребёнок ${learnerId} не найден`);
  }
  return learner;
}
