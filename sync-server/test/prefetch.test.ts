import { describe, expect, it } from 'vitest';
import type { Visibility } from '../src/sync/access.ts';
import { PullPrefetch } from '../src/sync/prefetch.ts';
import type { PullResult } from '../src/sync/pull.ts';

function visibility(sub: string, subgroupIds: string[], role: 'teacher' | 'admin'): Visibility {
  return {
    user: { sub, org: 'org-test', role, tid: null },
    orgId: 'org-test',
    subgroupIds,
    catalogAccepts: () => true,
    catalogKey: 'org',
    catalogScope: { subgroups: subgroupIds, programmes: [], teachers: [] },
  };
}

const page: PullResult = { documents: [], checkpoint: { v: 1, seqs: { a: '5' } }, skipped: [] };

describe('pull prefetch', () => {
  it('serves a page once, to the same caller, visibility, collection, checkpoint and limit', async () => {
    let clock = 0;
    const prefetch = new PullPrefetch(() => clock);
    const teacher = visibility('teacher-a', ['sg-a'], 'teacher');
    const checkpoint = { v: 1 as const, seqs: { 'sg-a': '3', 'sg-b': '4' }, snapshot: null };
    prefetch.start(prefetch.key(teacher, 'marks', checkpoint, 1000), async () => page);

    const others = [
      prefetch.key(visibility('teacher-b', ['sg-a'], 'teacher'), 'marks', checkpoint, 1000),
      prefetch.key(visibility('teacher-a', ['sg-a', 'sg-c'], 'teacher'), 'marks', checkpoint, 1000),
      prefetch.key(visibility('teacher-a', ['sg-a'], 'admin'), 'marks', checkpoint, 1000),
      prefetch.key(teacher, 'lessons', checkpoint, 1000),
      prefetch.key(teacher, 'marks', checkpoint, 999),
      prefetch.key(teacher, 'marks', { ...checkpoint, seqs: { 'sg-a': '3' } }, 1000),
    ];
    for (const key of others) expect(prefetch.take(key)).toBeUndefined();

    // Key order inside the checkpoint does not matter.
    const reordered = { snapshot: null, seqs: { 'sg-b': '4', 'sg-a': '3' }, v: 1 as const };
    const key = prefetch.key(teacher, 'marks', reordered, 1000);
    expect(await prefetch.take(key)).toBe(page);
    expect(prefetch.take(key)).toBeUndefined();

    prefetch.start(key, async () => page);
    clock += 5_001;
    expect(prefetch.take(key)).toBeUndefined();
  });

  it('a failed read is not served', async () => {
    const prefetch = new PullPrefetch();
    const key = prefetch.key(visibility('t', ['sg-a'], 'teacher'), 'marks', { v: 1, seqs: {} }, 10);
    prefetch.start(key, async () => {
      throw new Error('database restarting');
    });
    expect(await prefetch.take(key)).toBeUndefined();
  });
});
