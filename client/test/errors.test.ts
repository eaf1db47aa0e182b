import type { Mark } from '@otmetka/shared';
import { ERROR_CODES, lessonId, markId } from '@otmetka/shared';
import { describe, expect, it } from 'vitest';
import { journalConflictHandler } from '../src/db/conflict.ts';
import { ERROR_MESSAGES, errorInfo } from '../src/sync/errors.ts';
import { lostInConflict, lostOnPull } from '../src/sync/lost-edits.ts';

describe('error messages', () => {
  it('every shared error code has a Russian message and an action', () => {
    for (const code of ERROR_CODES) {
      const info = ERROR_MESSAGES[code];
      expect(info, code).toBeDefined();
      expect(info.message, code).toMatch(/[А-Яа-яЁё]/);
    }
    expect(Object.keys(ERROR_MESSAGES).sort()).toEqual([...ERROR_CODES].sort());
  });

  it('an unknown code still gives a message that offers to report it', () => {
    expect(errorInfo('SOMETHING_NEW')).toMatchObject({ action: 'report' });
  });
});

const lesson = lessonId('sg-1', '2026-09-02', '15:00');
const s = (at: number, dev: string) => ({ at, dev, by: 'u', off: false });

function markOf(code: string, at: number, dev: string, extra: Partial<Mark> = {}): Mark {
  return {
    id: markId(lesson, 'kid-1'),
    type: 'mark',
    orgId: 'org-1',
    subgroupId: 'sg-1',
    lessonId: lesson,
    learnerId: 'kid-1',
    date: '2026-09-02',
    code,
    grade: null,
    note: '',
    stamps: { code: s(at, dev) },
    ...extra,
  };
}

describe('conflict handler', () => {
  it('[CR1] resolves to the shared merge: the later stamp wins per field', async () => {
    const handler = journalConflictHandler<Mark>(new Set());
    const real = { ...markOf('Н', 10, 'dev-a'), _deleted: false };
    const mine = { ...markOf('Б', 20, 'dev-b'), _deleted: false };
    const resolved = await handler.resolve(
      { realMasterState: real, newDocumentState: mine },
      'test',
    );
    expect(resolved.code).toBe('Б');
    expect(handler.isEqual(resolved, { ...resolved, _deleted: false }, 'test')).toBe(true);
  });

  it('[PR5] a row refused in this push takes the server state as it is', async () => {
    const refused = new Set([markId(lesson, 'kid-1')]);
    const handler = journalConflictHandler<Mark>(refused);
    const tombstone = { ...markOf('Н', 10, 'dev-a'), _deleted: true };
    const mine = { ...markOf('Н', 10, 'dev-a'), _deleted: false };
    const resolved = await handler.resolve(
      { realMasterState: tombstone, newDocumentState: mine },
      'test',
    );
    expect(resolved._deleted).toBe(true);
  });
});

describe('lost edits', () => {
  it('[CR5] a conflict reports only the fields this device edited and lost', () => {
    const assumed = markOf('', 5, 'dev-a', { note: 'старое' });
    const mine = markOf('Н', 10, 'dev-a', {
      note: 'старое',
      stamps: { code: s(10, 'dev-a'), note: s(5, 'dev-a') },
    });
    const output = markOf('Б', 20, 'dev-b', {
      note: 'новое',
      stamps: { code: s(20, 'dev-b'), note: s(15, 'dev-b') },
    });
    assumed.stamps.note = s(5, 'dev-a');
    expect(lostInConflict('dev-a', mine, assumed, output)).toEqual([
      { field: 'code', mine: 'Н', theirs: 'Б' },
    ]);
  });

  it('[CR5] a retried push of an older version of our own edit is not a lost edit', () => {
    const older = markOf('Н', 10, 'dev-b');
    const newerOwn = markOf('Б', 20, 'dev-b');
    expect(lostInConflict('dev-b', older, markOf('', 5, 'dev-a'), newerOwn)).toEqual([]);
    expect(lostOnPull('dev-b', older, newerOwn, true, undefined)).toEqual([]);
  });

  it('[CR5] a pull that beats an unsent or concurrently sent edit is a loss; a later edit is not', () => {
    const local = markOf('Н', 10, 'dev-a');
    const incoming = markOf('Б', 20, 'dev-b');
    expect(lostOnPull('dev-a', local, incoming, true, undefined)).toHaveLength(1);
    expect(lostOnPull('dev-a', local, incoming, false, 25)).toHaveLength(1);
    expect(lostOnPull('dev-a', local, incoming, false, 15)).toEqual([]);
    expect(lostOnPull('dev-b', local, incoming, true, undefined)).toEqual([]);
  });
});
