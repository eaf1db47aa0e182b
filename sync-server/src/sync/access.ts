import { createHash } from 'node:crypto';
import type { AccessUser } from '../auth/claims.ts';
import type { Doc, Store } from '../db/store.ts';
import type { CatalogScope, Subgroup, SyncCollection } from '../shared.ts';

/**
 * What a caller may see. A teacher: the subgroups whose teacherIds contain their teacher id. An
 * admin: the whole organisation. Nobody else syncs (SC2: a parent reads the diary, which shows
 * what a parent may know of the journal); any other caller sees no subgroup.
 */

export const CATALOG_TYPES = new Set([
  'org',
  'programme',
  'subgroup',
  'schedule',
  'teacher',
  'lock',
  'calendar',
]);

export const COLLECTION_TYPE: Record<Exclude<SyncCollection, 'catalog'>, string> = {
  lessons: 'lesson',
  topics: 'topic',
  roster: 'roster',
  marks: 'mark',
};

export const TYPE_COLLECTION: Record<string, SyncCollection> = {
  lesson: 'lessons',
  topic: 'topics',
  roster: 'roster',
  mark: 'marks',
};

export interface Visibility {
  user: AccessUser;
  orgId: string;
  /** Journal sources, sorted: a stable order for paging. */
  subgroupIds: string[];
  catalogAccepts(doc: Doc): boolean;
  /**
   * The checkpoint key of the catalog source. It changes when the set of visible subgroups
   * changes, so a newly assigned subgroup's programme and schedule arrive with a fresh pass.
   */
  catalogKey: string;
  /**
   * The catalog documents tied to the visible subgroups (RM1), sorted; null for an admin, who
   * sees the whole organisation (deletions reach an admin as they are).
   */
  catalogScope: CatalogScope | null;
}

function scopeOf(subgroups: Subgroup[]): CatalogScope {
  const sorted = (ids: Iterable<string>) => [...new Set(ids)].sort();
  return {
    subgroups: sorted(subgroups.map((s) => s.id)),
    programmes: sorted(subgroups.map((s) => s.programmeId)),
    teachers: sorted(subgroups.flatMap((s) => s.teacherIds)),
  };
}

function activeSubgroups(all: Subgroup[]): Subgroup[] {
  return all.filter((s) => !s._deleted);
}

function catalogFilter(subgroups: Subgroup[], everything: boolean): (doc: Doc) => boolean {
  const ids = new Set(subgroups.map((s) => s.id));
  const programmes = new Set(subgroups.map((s) => s.programmeId));
  const teachers = new Set(subgroups.flatMap((s) => s.teacherIds));

  return (doc) => {
    const type = doc.type as string;
    if (!CATALOG_TYPES.has(type)) return false;
    if (everything) return true;
    switch (type) {
      case 'org':
      case 'calendar':
        return true;
      case 'programme':
        return programmes.has(doc.id);
      case 'subgroup':
        return ids.has(doc.id);
      case 'schedule':
        return ids.has(doc.subgroupId as string);
      case 'lock':
        return doc.subgroupId === null || ids.has(doc.subgroupId as string);
      case 'teacher':
        return teachers.has(doc.id);
      default:
        return false;
    }
  };
}

function keyOf(subgroupIds: string[], everything: boolean): string {
  if (everything) return 'org';
  const hash = createHash('sha256').update(subgroupIds.join(',')).digest('hex').slice(0, 12);
  return `org.${hash}`;
}

export async function visibilityFor(store: Store, user: AccessUser): Promise<Visibility> {
  const all = activeSubgroups(await store.orgSubgroups<Subgroup & Doc>(user.org));
  const everything = user.role === 'admin';
  const taught = (s: Subgroup) =>
    user.role === 'teacher' && user.tid !== null && s.teacherIds.includes(user.tid);
  const subgroups = everything ? all : all.filter(taught);

  const subgroupIds = subgroups.map((s) => s.id).sort();
  return {
    user,
    orgId: user.org,
    subgroupIds,
    catalogAccepts: catalogFilter(subgroups, everything),
    catalogKey: keyOf(subgroupIds, everything),
    catalogScope: everything ? null : scopeOf(subgroups),
  };
}
