import type { ApplicationOverlap } from '@otmetka/shared/api';
import { formatDate } from './format.ts';

/**
 * EN7: the child's other groups whose lessons meet at the same time as this application's
 * group, from today on. Shown to the admin on the application's card and to the parent in
 * «Мои заявки»; it refuses nothing.
 */
export function OverlapNote({
  overlaps,
  testid,
}: {
  overlaps: ApplicationOverlap[] | undefined;
  testid: string;
}) {
  if (!overlaps?.length) return null;
  return (
    <p class="ap-warn" data-testid={testid}>
      {overlaps.map((o) => (
        <span key={o.subgroupId}>{overlapText(o)} </span>
      ))}
    </p>
  );
}

export function overlapText(o: ApplicationOverlap): string {
  const group = o.programmeName ? `${o.programmeName} — ${o.subgroupName}` : o.subgroupName;
  const total = o.count > 1 ? `; всего совпадений: ${o.count}` : '';
  return (
    `Занятия совпадают по времени с группой «${group}», где ребёнок уже учится: ` +
    `${formatDate(o.date)} здесь ${o.start}–${o.end}, там ${o.otherStart}–${o.otherEnd}${total}.`
  );
}
