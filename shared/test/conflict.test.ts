import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareStamps,
  isSameContent,
  mergeDocs,
  nextStamp,
  observeStamp,
  refersTo,
  sameJson,
  stampEdit,
  stampNew,
  stampRef,
} from '../src/conflict.ts';
import type { Lesson, Mark, RosterEntry } from '../src/schemas/journal.ts';
import { markSchema } from '../src/schemas/journal.ts';
import type { Stamp } from '../src/schemas/primitives.ts';
import { expectDomainError } from './helpers.ts';

const st = (at: number, dev = 'dev-a', by = 'u-1'): Stamp => ({ at, dev, by, off: false });

function mark(patch: Partial<Mark> = {}): Mark {
  return {
    id: 'mark:sg-1:2026-09-01:1700:l-1',
    type: 'mark',
    orgId: 'org-1',
    subgroupId: 'sg-1',
    stamps: {},
    lessonId: 'lesson:sg-1:2026-09-01:1700',
    learnerId: 'l-1',
    date: '2026-09-01',
    code: '',
    grade: null,
    note: '',
    ...patch,
  };
}

function lesson(patch: Partial<Lesson> = {}): Lesson {
  return {
    id: 'lesson:sg-1:2026-09-01:1700',
    type: 'lesson',
    orgId: 'org-1',
    subgroupId: 'sg-1',
    stamps: {},
    date: '2026-09-01',
    start: '17:00',
    end: '18:30',
    academicHours: 2,
    status: 'planned',
    statusReason: '',
    topicId: null,
    topicTitle: '',
    homework: '',
    remark: '',
    flag: null,
    ...patch,
  };
}

describe('conflict rules: case table', () => {
  it('[CR1] stamps order by at, then dev, then by; a missing stamp is older than any', () => {
    expect(compareStamps(st(2), st(1))).toBeGreaterThan(0);
    expect(compareStamps(st(1, 'dev-b'), st(1, 'dev-a'))).toBeGreaterThan(0);
    expect(compareStamps(st(1, 'dev-a', 'u-2'), st(1, 'dev-a', 'u-1'))).toBeGreaterThan(0);
    expect(compareStamps(st(1), st(1))).toBe(0);
    expect(compareStamps(undefined, st(0))).toBeLessThan(0);
    expect(compareStamps(undefined, undefined)).toBe(0);
  });

  it('[CR1] the later edit wins per field; edits of different fields both survive', () => {
    const stored = mark({ code: 'Н', note: 'звонили', stamps: { code: st(10), note: st(30) } });
    const incoming = mark({
      code: 'Б',
      note: '',
      stamps: { code: st(20, 'dev-b'), note: st(5, 'dev-b') },
    });
    const { merged, lostFields, changed } = mergeDocs(stored, incoming);

    expect(merged).toMatchObject({ code: 'Б', note: 'звонили' });
    expect(merged.stamps).toEqual({ code: st(20, 'dev-b'), note: st(30) });
    expect(lostFields).toEqual(['note']);
    expect(changed).toBe(true);
  });

  it('[CR1] equal times break the tie by device id, the same on both sides', () => {
    const a = mark({ code: 'Н', stamps: { code: st(10, 'dev-a') } });
    const b = mark({ code: 'Б', stamps: { code: st(10, 'dev-b') } });
    expect(mergeDocs(a, b).merged.code).toBe('Б');
    expect(mergeDocs(b, a).merged.code).toBe('Б');
  });

  it('[CR2] a delete wins over edits made before it and the losing edit is reported', () => {
    const deleted = mark({ code: 'Н', _deleted: true, stamps: { code: st(10), _deleted: st(20) } });
    const edit = mark({ code: 'Б', _deleted: false, stamps: { code: st(15, 'dev-b') } });
    const result = mergeDocs(deleted, edit);

    expect(result.merged._deleted).toBe(true);
    expect(result.merged.code).toBe('Б');
    expect(result.lostFields).toEqual(['_deleted']);
    expect(mergeDocs(edit, deleted).lostFields).toEqual(['code']);
  });

  it('[CR2] an edit made after the delete brings the document back', () => {
    const deleted = mark({ _deleted: true, stamps: { _deleted: st(20) } });
    const revived = mark({
      code: 'Н',
      _deleted: false,
      stamps: { code: st(30, 'dev-b'), _deleted: st(30, 'dev-b') },
    });
    expect(mergeDocs(deleted, revived).merged).toMatchObject({ code: 'Н', _deleted: false });
  });

  it('[CR5] an older incoming edit loses and is listed; an unedited stale field is not', () => {
    const stored = mark({ code: 'Н', grade: '5', stamps: { code: st(50), grade: st(50) } });
    const incoming = mark({ code: 'Б', grade: null, stamps: { code: st(40, 'dev-b') } });
    const { merged, lostFields, changed } = mergeDocs(stored, incoming);
    expect(merged).toEqual(stored);
    expect(lostFields).toEqual(['code']);
    expect(changed).toBe(false);
  });

  it('[CR6] server-owned fields keep the stored value: a lesson flag, every roster field', () => {
    const stored = lesson({ flag: 'off-schedule', stamps: { homework: st(1) } });
    const incoming = lesson({ flag: null, homework: 'стр. 12', stamps: { homework: st(2) } });
    expect(mergeDocs(stored, incoming).merged).toMatchObject({
      flag: 'off-schedule',
      homework: 'стр. 12',
    });

    const roster: RosterEntry = {
      id: 'roster:sg-1:l-1',
      type: 'roster',
      orgId: 'org-1',
      subgroupId: 'sg-1',
      stamps: {},
      learnerId: 'l-1',
      name: 'Иванов Иван',
      intervals: [],
    };
    const result = mergeDocs(roster, {
      ...roster,
      name: 'Подмена',
      _deleted: true,
      stamps: { _deleted: st(99) },
    });
    expect(result.merged).toEqual(roster);
    expect(result.changed).toBe(false);
  });

  it('[CR3] merging two different documents is refused', () => {
    expectDomainError(() => mergeDocs(mark(), mark({ id: 'mark:other' })), 'IMMUTABLE_FIELD', 'id');
    expectDomainError(
      () => mergeDocs(mark(), { ...mark(), type: 'topic' } as never),
      'IMMUTABLE_FIELD',
      'type',
    );
    expectDomainError(
      () => mergeDocs(undefined, { ...mark(), type: 'note' } as never),
      'VALIDATION_FAILED',
      'type',
    );
  });

  it('[CR4] isSameContent ignores key order, RxDB bookkeeping, and _deleted false vs absent', () => {
    const a = mark({ stamps: { code: st(1) } });
    const b = {
      _rev: '3-x',
      ...mark({ stamps: { code: st(1) } }),
      _deleted: false,
      _meta: { lwt: 1 },
    };
    expect(isSameContent(a, b)).toBe(true);
    expect(isSameContent(a, { ...a, _deleted: true })).toBe(false);
    expect(isSameContent(a, { ...a, note: 'x' })).toBe(false);
    expectDomainError(() => isSameContent(a, null as never), 'VALIDATION_FAILED', 'doc');
  });
});

describe('edits and clocks', () => {
  it('[CR1] stampEdit stamps only the fields whose value changes and refuses identity fields', () => {
    const doc = stampNew(mark(), st(1));
    const edited = stampEdit(doc, { code: 'Н', note: '' }, st(2));
    expect(edited.code).toBe('Н');
    expect(edited.stamps.code).toEqual({ ...st(2), prev: { at: 1, dev: 'dev-a' } });
    expect(edited.stamps.note).toEqual({ ...st(1), prev: null });
    // A deletion names the newest edit of the document its device had seen, and the edit it
    // saw on each field (CR2 + CR5).
    const deletion = stampEdit(edited, { _deleted: true }, st(3)).stamps._deleted;
    expect(deletion).toMatchObject({ ...st(3), prev: { at: 2, dev: 'dev-a' } });
    expect(Object.keys(deletion?.seen ?? {}).sort()).toEqual(Object.keys(edited.stamps).sort());
    expect(deletion?.seen).toMatchObject({
      code: { at: 2, dev: 'dev-a' },
      note: { at: 1, dev: 'dev-a' },
    });
    expectDomainError(
      () => stampEdit(doc, { date: '2026-09-02' }, st(2)),
      'IMMUTABLE_FIELD',
      'date',
    );
    expectDomainError(
      () => stampEdit(lesson(), { flag: 'holiday' }, st(2)),
      'IMMUTABLE_FIELD',
      'flag',
    );
  });

  it('[CR9] a redo stamps its fields anew even where the value is already there', () => {
    const doc = stampEdit(stampNew(mark(), st(1)), { code: 'Б' }, st(2));
    const redone = stampEdit(doc, { code: 'Б' }, st(3), true);
    expect(redone.stamps.code).toEqual({ ...st(3), prev: { at: 2, dev: 'dev-a' } });
    expect(redone.stamps.note).toEqual(doc.stamps.note);
  });

  it('[CR5] each new stamp names the stamp it replaced, which another device can recognise', () => {
    const seen = stampEdit(mark(), { code: 'Н' }, st(5, 'dev-a'));
    const over = stampEdit(seen, { code: 'Б' }, st(3, 'dev-b'));
    expect(over.stamps.code?.prev).toEqual({ at: 5, dev: 'dev-a' });
    expect(refersTo(over.stamps.code?.prev, seen.stamps.code)).toBe(true);
    expect(refersTo(over.stamps.code?.prev, st(5, 'dev-c'))).toBe(false);
    expect(refersTo(null, st(5))).toBe(false);
    expect(refersTo(undefined, st(5))).toBe(false);
    expect(stampRef(undefined)).toBeNull();
    // A stamp with `prev` and an old one without it are both valid.
    expect(markSchema.parse(over).stamps.code?.prev).toEqual({ at: 5, dev: 'dev-a' });
    expect(markSchema.parse(mark({ stamps: { code: st(1) } })).stamps.code).toEqual(st(1));
  });

  it('[CR1] the hybrid clock never goes back and jumps past stamps it has seen', () => {
    const clock = { last: 0 };
    const a = nextStamp(clock, 'dev-a', 'u-1', false, 1000);
    const b = nextStamp(clock, 'dev-a', 'u-1', true, 900);
    expect([a.at, b.at, b.off]).toEqual([1000, 1001, true]);
    observeStamp(clock, mark({ stamps: { code: st(5000, 'dev-b') } }));
    expect(nextStamp(clock, 'dev-a', 'u-1', false, 1200).at).toBe(5001);
    expectDomainError(() => nextStamp(clock, '', 'u-1', false), 'VALIDATION_FAILED', 'dev');
    expectDomainError(
      () => nextStamp(clock, 'dev-a', 'u-1', false, Number.NaN),
      'VALIDATION_FAILED',
      'now',
    );
  });
});

// Small value ranges force ties of stamps and values, where merges most often go wrong.
const stampArb = fc
  .option(
    fc.record({
      at: fc.integer({ min: 0, max: 4 }),
      dev: fc.constantFrom('dev-a', 'dev-b'),
      by: fc.constantFrom('u-1', 'u-2'),
      off: fc.boolean(),
      // Old stamps lack `prev`; new ones name the replaced stamp or none. Ties on (at, dev, by)
      // with different `prev` must still merge in any order.
      prev: fc.constantFrom(undefined, null, { at: 0, dev: 'dev-a' }, { at: 1, dev: 'dev-b' }),
    }),
    { nil: undefined },
  )
  .map((stamp) => {
    if (!stamp || stamp.prev !== undefined) return stamp;
    const { prev, ...old } = stamp;
    void prev;
    return old;
  });

const markArb: fc.Arbitrary<Mark> = fc
  .record({
    code: fc.constantFrom('', 'Н', 'Б'),
    grade: fc.constantFrom(null, '4', '5'),
    note: fc.constantFrom('', 'опоздал'),
    deleted: fc.constantFrom(undefined, false, true),
    stamps: fc.record({ code: stampArb, grade: stampArb, note: stampArb, _deleted: stampArb }),
  })
  .map(({ code, grade, note, deleted, stamps }) => {
    const clean = Object.fromEntries(
      Object.entries(stamps).filter(([, s]) => s !== undefined),
    ) as Record<string, Stamp>;
    const doc = mark({ code, grade, note, stamps: clean });
    return deleted === undefined ? doc : { ...doc, _deleted: deleted };
  });

const merge = (a: Mark, b: Mark) => mergeDocs(a, b).merged;

describe('conflict rules: properties', () => {
  it('[CR4] commutative: the same content in either order', () => {
    fc.assert(
      fc.property(markArb, markArb, (a, b) => isSameContent(merge(a, b), merge(b, a))),
      { numRuns: 2000 },
    );
  });

  it('[CR4] associative: grouping does not matter', () => {
    fc.assert(
      fc.property(markArb, markArb, markArb, (a, b, c) =>
        isSameContent(merge(merge(a, b), c), merge(a, merge(b, c))),
      ),
      { numRuns: 2000 },
    );
  });

  it('[CR4] idempotent: applying a row twice changes nothing the second time', () => {
    fc.assert(
      fc.property(markArb, markArb, (a, b) => {
        const once = merge(a, b);
        const twice = mergeDocs(once, b);
        return isSameContent(twice.merged, once) && !twice.changed && !mergeDocs(a, a).changed;
      }),
      { numRuns: 2000 },
    );
  });

  it('[CR4] three replicas exchanging edits in any order converge', () => {
    const orders = [
      [0, 1, 2],
      [0, 2, 1],
      [1, 0, 2],
      [1, 2, 0],
      [2, 0, 1],
      [2, 1, 0],
    ];
    fc.assert(
      fc.property(markArb, markArb, markArb, (a, b, c) => {
        const docs = [a, b, c];
        const results = orders.map(([i, j, k]) => merge(merge(docs[i!]!, docs[j!]!), docs[k!]!));
        // Each replica then pulls the others' results: the state stops changing.
        const server = results.reduce(merge);
        return results.every((r) => isSameContent(r, results[0]!) && !mergeDocs(server, r).changed);
      }),
      { numRuns: 1000 },
    );
  });

  it('[CR5] whatever the order, a field reported lost is a field whose incoming value did not survive', () => {
    fc.assert(
      fc.property(markArb, markArb, (a, b) => {
        const { merged, lostFields } = mergeDocs(a, b);
        const value = (d: Mark, f: string) =>
          JSON.stringify(f === '_deleted' ? d._deleted === true : d[f as keyof Mark]);
        return lostFields.every((f) => value(merged, f) !== value(b, f));
      }),
      { numRuns: 1000 },
    );
  });
});

/** Sorted-key JSON text, written here independently of the module's own. */
function sortedJson(value: unknown): string {
  if (value === undefined || value === null || typeof value !== 'object') {
    return JSON.stringify(value ?? null);
  }
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  const entries = Object.keys(value)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${sortedJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

/** The same object with its keys in reverse order, recursively. */
function reversedKeys(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(reversedKeys);
  return Object.fromEntries(
    Object.keys(value)
      .reverse()
      .map((k) => [k, reversedKeys((value as Record<string, unknown>)[k])]),
  );
}

describe('sameJson', () => {
  it('[CR4] agrees with comparing sorted-key JSON texts, for any two JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        expect(sameJson(a, b)).toBe(sortedJson(a) === sortedJson(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('[CR4] ignores key order and tells apart a changed leaf', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 }), (a) => {
        expect(sameJson(a, reversedKeys(a))).toBe(true);
        const [first] = Object.keys(a);
        const changed = { ...a, [first!]: [a[first!]] };
        expect(sameJson(a, changed)).toBe(false);
      }),
    );
    expect(sameJson({ a: undefined }, { a: null })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameJson([1, 2], [2, 1])).toBe(false);
  });
});
