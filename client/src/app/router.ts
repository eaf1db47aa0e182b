import { signal } from '@preact/signals';

/**
 * A hash router: the shell is one cached index.html, so every screen must be reachable from it
 * offline, after a reload, with no server round trip. Routes:
 *   #/                                   the teacher's journals
 *   #/g/<subgroup>/lessons/<YYYY-MM>     a month of lessons
 *   #/g/<subgroup>/lesson/<date>/<HHMM>  one lesson, opened by its slot
 *   #/g/<subgroup>/topics                the study plan
 */

export type Route =
  | { name: 'journals' }
  | { name: 'lessons'; subgroupId: string; month: string | null }
  | { name: 'lesson'; subgroupId: string; date: string; start: string }
  | { name: 'topics'; subgroupId: string };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] !== 'g' || !parts[1]) return { name: 'journals' };
  const subgroupId = parts[1];
  if (parts[2] === 'topics') return { name: 'topics', subgroupId };
  if (parts[2] === 'lesson' && parts[3] && parts[4] && /^\d{4}$/.test(parts[4])) {
    return {
      name: 'lesson',
      subgroupId,
      date: parts[3],
      start: `${parts[4].slice(0, 2)}:${parts[4].slice(2)}`,
    };
  }
  return { name: 'lessons', subgroupId, month: parts[3] ?? null };
}

export function hrefOf(route: Route): string {
  switch (route.name) {
    case 'journals':
      return '#/';
    case 'lessons':
      return `#/g/${route.subgroupId}/lessons${route.month ? `/${route.month}` : ''}`;
    case 'lesson':
      return `#/g/${route.subgroupId}/lesson/${route.date}/${route.start.replace(':', '')}`;
    case 'topics':
      return `#/g/${route.subgroupId}/topics`;
  }
}

const initialHash = typeof location === 'undefined' ? '' : location.hash;
export const route = signal<Route>(parseRoute(initialHash));

if (typeof window !== 'undefined') {
  window.addEventListener('hashchange', () => {
    route.value = parseRoute(location.hash);
    // A new screen starts at its top, not at the scroll position of the previous one.
    window.scrollTo(0, 0);
  });
}

export function navigate(next: Route): void {
  const href = hrefOf(next);
  if (typeof location !== 'undefined' && location.hash !== href) location.hash = href;
  route.value = next;
}

/**
 * Text fields with unsaved input. The update banner waits while any is open, so a new version
 * never reloads the page in the middle of an edit.
 */
export const editsInProgress = signal(0);
