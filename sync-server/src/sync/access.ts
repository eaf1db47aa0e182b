import { createHash } from 'node:crypto';
import type { AccessUser } from '../auth/claims.ts';
import { type Doc, orgDbName, type Store, subgroupDbName } from '../db/store.ts';
import {
  type Application,
  type CatalogScope,
  rosterId,
  type Subgroup,
  type SyncCollection,
} from '../shared.ts';

/**
 * What a caller may see. A teacher: the subgroups whose teacherIds contain their teacher id. A
 * parent: the subgroups where their children (from their applications) are on the roster, and
 * only their own children's marks and roster entries. An admin: the whole organisation.
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
  /** A parent's children; null means every learner (teachers, admins). */
  learnerIds: Set<string> | null;
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

async function parentSubgroups(store: Store, user: AccessUser) {
  const apps = await store.find<Application & Doc>(orgDbName(user.org), {
    type: 'application',
    parentUserId: user.sub,
  });
  const learners = new Set(apps.map((a) => a.learnerId));
  const candidates = [...new Set(apps.map((a) => a.subgroupId))];

  // On the roster (an entry that is not deleted) of the subgroup, not merely applied.
  const visible: string[] = [];
  for (const subgroupId of candidates) {
    const ids = [...learners].map((l) => rosterId(subgroupId, l));
    if (!(await store.dbExists(subgroupDbName(subgroupId)))) continue;
    const stored = await store.getMany(subgroupDbName(subgroupId), ids);
    if ([...stored.values()].some((s) => !s.deleted)) visible.push(subgroupId);
  }
  return { learners, visible: new Set(visible) };
}

export async function visibilityFor(store: Store, user: AccessUser): Promise<Visibility> {
  const all = activeSubgroups(await store.orgSubgroups<Subgroup & Doc>(user.org));
  let subgroups: Subgroup[] = [];
  let learnerIds: Set<string> | null = null;

  if (user.role === 'admin') subgroups = all;
  else if (user.role === 'teacher') {
    subgroups = all.filter((s) => user.tid !== null && s.teacherIds.includes(user.tid));
  } else {
    const { learners, visible } = await parentSubgroups(store, user);
    subgroups = all.filter((s) => visible.has(s.id));
    learnerIds = learners;
  }

  const subgroupIds = subgroups.map((s) => s.id).sort();
  const everything = user.role === 'admin';
  return {
    user,
    orgId: user.org,
    subgroupIds,
    learnerIds,
    catalogAccepts: catalogFilter(subgroups, everything),
    catalogKey: keyOf(subgroupIds, everything),
    catalogScope: everything ? null : scopeOf(subgroups),
  };
}

/** Does the caller see this journal doc (of a visible subgroup)? */
export function journalAccepts(vis: Visibility, type: string, doc: Doc): boolean {
  if (doc.type !== type) return false;
  if (vis.learnerIds === null) return true;
  if (type === 'mark' || type === 'roster') return vis.learnerIds.has(doc.learnerId as string);
  return true;
}
