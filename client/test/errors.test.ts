import type { Mark, Stamp, Topic } from '@otmetka/shared';
import { ERROR_CODES, lessonId, markId, stampEdit } from '@otmetka/shared';
import { describe, expect, it } from 'vitest';
import { journalConflictHandler } from '../src/db/conflict.ts';
import { ERROR_MESSAGES, errorInfo } from '../src/sync/errors.ts';
import {
  editedHere,
  isStalePull,
  lostInConflict,
  lostNoticeAt,
  lostOnPull,
  refusalLanded,
  refusedChanges,
  withoutRefusedEdits,
} from '../src/sync/lost-edits.ts';

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
  it('[NT3] two attempts lost to one deletion are two notices, each named by its own newest edit', () => {
    const deletion = { field: '_deleted', mine: false, theirs: true };
    const first = markOf('Н', 10, 'dev-a');
    const retriedLater = markOf('Б', 20, 'dev-a');
    expect(lostNoticeAt('dev-a', first, [deletion])).toBe(10);
    expect(lostNoticeAt('dev-a', retriedLater, [deletion])).toBe(20);
    // A field lost names the notice by that field's own stamp.
    const note = { field: 'code', mine: 'Б', theirs: 'Н' };
    expect(lostNoticeAt('dev-a', retriedLater, [note])).toBe(20);
  });

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
    expect(lostOnPull('dev-b', older, newerOwn)).toEqual([]);
  });

  it('[CR5] a conflict whose winner was made on top of our earlier-delivered push is not a loss', () => {
    // Our push reached the server but its answer was lost; dev-b saw it and changed it.
    const mine = markOf('Н', 10, 'dev-a');
    const output = markOf('Б', 20, 'dev-b', {
      stamps: { code: { ...s(20, 'dev-b'), prev: { at: 10, dev: 'dev-a' } } },
    });
    expect(lostInConflict('dev-a', mine, markOf('', 5, 'dev-c'), output)).toEqual([]);
    const blind = markOf('Б', 20, 'dev-b', {
      stamps: { code: { ...s(20, 'dev-b'), prev: { at: 5, dev: 'dev-c' } } },
    });
    expect(lostInConflict('dev-a', mine, markOf('', 5, 'dev-c'), blind)).toHaveLength(1);
  });
});

const withPrev = (at: number, dev: string, prev: Stamp['prev']): Stamp => ({ ...s(at, dev), prev });

/**
 * CR5 on a pull, without comparing clocks of different devices: the device's own edit (code Н,
 * stamped at 10 on dev-a) meets the server's winner. Whether the winner's author saw our value
 * is told by its `prev`, never by the times.
 */
const pullCases: {
  name: string;
  device: string;
  incoming: Stamp;
  code?: string;
  lost: boolean;
}[] = [
  {
    name: 'made without having seen ours (prev names the value before ours)',
    device: 'dev-a',
    incoming: withPrev(20, 'dev-b', { at: 5, dev: 'dev-c' }),
    lost: true,
  },
  {
    name: 'made on a field that had no stamp where it was edited',
    device: 'dev-a',
    incoming: withPrev(20, 'dev-b', null),
    lost: true,
  },
  {
    name: 'by a device whose clock is far behind ours but wins the tie-break later',
    device: 'dev-a',
    incoming: withPrev(11, 'dev-b', { at: 3, dev: 'dev-b' }),
    lost: true,
  },
  {
    name: 'made after seeing ours (prev is our stamp)',
    device: 'dev-a',
    incoming: withPrev(20, 'dev-b', { at: 10, dev: 'dev-a' }),
    lost: false,
  },
  {
    name: 'prev with our time but another device is not ours',
    device: 'dev-a',
    incoming: withPrev(20, 'dev-b', { at: 10, dev: 'dev-c' }),
    lost: true,
  },
  {
    name: 'an old stamp without prev cannot tell: reported',
    device: 'dev-a',
    incoming: s(20, 'dev-b'),
    lost: true,
  },
  {
    name: 'the same value as ours is no loss',
    device: 'dev-a',
    incoming: withPrev(20, 'dev-b', null),
    code: 'Н',
    lost: false,
  },
  {
    name: 'an older incoming stamp does not replace ours',
    device: 'dev-a',
    incoming: withPrev(9, 'dev-b', null),
    lost: false,
  },
  {
    name: 'the field was not edited on this device',
    device: 'dev-c',
    incoming: withPrev(20, 'dev-b', null),
    lost: false,
  },
  {
    name: "this device's own newer edit (another tab) is no loss",
    device: 'dev-a',
    incoming: withPrev(20, 'dev-a', null),
    lost: false,
  },
];

describe('lost edits on a pull', () => {
  for (const c of pullCases) {
    it(`[CR5] a later winner ${c.name}: ${c.lost ? 'lost' : 'not lost'}`, () => {
      const local = markOf('Н', 10, 'dev-a');
      const incoming = markOf(c.code ?? 'Б', 0, 'x', { stamps: { code: c.incoming } });
      const lost = lostOnPull(c.device, local, incoming);
      expect(lost).toEqual(c.lost ? [{ field: 'code', mine: 'Н', theirs: c.code ?? 'Б' }] : []);
    });
  }

  it('[CR2][CR5] a deletion by a device that had not seen our newer edit is reported', () => {
    const local = markOf('Н', 10, 'dev-a');
    const unseen = markOf('Н', 10, 'dev-a', {
      _deleted: true,
      stamps: { code: s(10, 'dev-a'), _deleted: withPrev(20, 'dev-b', { at: 5, dev: 'dev-b' }) },
    });
    expect(lostOnPull('dev-a', local, unseen)).toEqual([
      { field: '_deleted', mine: false, theirs: true },
    ]);
  });

  it('[CR2][CR5] a push answered with a deletion that had not seen our edit is reported', () => {
    const mine = markOf('Н', 10, 'dev-a');
    const output = markOf('Н', 10, 'dev-a', {
      _deleted: true,
      stamps: { code: s(10, 'dev-a'), _deleted: withPrev(20, 'dev-b', { at: 5, dev: 'dev-b' }) },
    });
    expect(lostInConflict('dev-a', mine, undefined, output)).toEqual([
      { field: '_deleted', mine: false, theirs: true },
    ]);
  });

  it('[CR10] a topic renumbered here and deleted elsewhere loses nothing; one retitled here does', () => {
    const topic = (stamps: Topic['stamps'], deleted = false): Topic => ({
      id: 'topic:sg-1:5',
      type: 'topic',
      orgId: 'org-1',
      subgroupId: 'sg-1',
      order: 6,
      section: '',
      title: 'Техника безопасности',
      hours: 2,
      form: '',
      control: '',
      plannedDate: null,
      stamps,
      ...(deleted ? { _deleted: true } : {}),
    });
    const deletion = withPrev(20, 'dev-a', { at: 5, dev: 'dev-a' });
    const moved = topic({ title: s(5, 'dev-a'), order: s(15, 'dev-b') });
    const gone = topic({ title: s(5, 'dev-a'), order: s(15, 'dev-b'), _deleted: deletion }, true);
    expect(lostOnPull('dev-b', moved, gone)).toEqual([]);

    const retitled = topic({ title: s(15, 'dev-b'), order: s(15, 'dev-b') });
    expect(lostOnPull('dev-b', retitled, gone)).toEqual([
      { field: '_deleted', mine: false, theirs: true },
    ]);
  });

  it('[CR2][CR5] a deletion made after seeing our edit is not reported', () => {
    const local = markOf('Н', 10, 'dev-a');
    const seen = markOf('Н', 10, 'dev-a', {
      _deleted: true,
      stamps: { code: s(10, 'dev-a'), _deleted: withPrev(20, 'dev-b', { at: 10, dev: 'dev-a' }) },
    });
    expect(lostOnPull('dev-a', local, seen)).toEqual([]);
  });

  it('[CR2] a deletion records the newest edit of the document its device had seen', () => {
    const doc = markOf('Н', 10, 'dev-a', {
      stamps: { code: s(10, 'dev-a'), note: s(12, 'dev-c') },
    });
    const deleted = stampEdit(doc, { _deleted: true }, s(30, 'dev-b'));
    expect(deleted.stamps._deleted?.prev).toEqual({ at: 12, dev: 'dev-c' });
  });

  it('[CR5] only a document with a stamp of this device needs the lost-edit check', () => {
    expect(editedHere('dev-a', markOf('Н', 10, 'dev-a'))).toBe(true);
    expect(editedHere('dev-a', markOf('Н', 10, 'dev-b'))).toBe(false);
    expect(editedHere('dev-a', markOf('Н', 10, 'dev-b', { stamps: {} }))).toBe(false);
  });
});

describe('a stale pulled version (CR7)', () => {
  // The device pushed «Б» (stamped 20) and the push was acknowledged; a page the server read
  // before the push landed still carries «Н» (stamped 10).
  const local = markOf('Б', 20, 'dev-a', {
    note: 'звонила мама',
    stamps: {
      code: s(20, 'dev-a'),
      note: s(15, 'dev-b'),
    },
  });

  it('[CR7] a version older on some field and newer on none is stale: the pull leaves it out', () => {
    const stale = markOf('Н', 10, 'dev-a', {
      note: 'звонила мама',
      stamps: {
        code: s(10, 'dev-a'),
        note: s(15, 'dev-b'),
      },
    });
    expect(isStalePull(local, stale)).toBe(true);
    // A field the page does not stamp at all is older too (the local one was edited since).
    expect(isStalePull(local, markOf('Н', 10, 'dev-a', { stamps: { code: s(10, 'dev-a') } }))).toBe(
      true,
    );
  });

  it('[CR7][PR5] nothing is stale against a tombstone without a _deleted stamp (a refused new mark)', () => {
    // The server's answer to a refused attempt: its field stamps, deleted, `_deleted` unstamped.
    const refusedAttempt = markOf('Б', 20, 'dev-a', { _deleted: true } as Partial<Mark>);
    // Another device, its clock behind, set the mark later; the server took it.
    const later = markOf('Н', 10, 'dev-b');
    expect(isStalePull(refusedAttempt, later)).toBe(false);
    // A deletion someone made is stamped: an older version stays stale against it.
    const deleted = markOf('Б', 20, 'dev-a', {
      _deleted: true,
      stamps: { code: s(20, 'dev-a'), _deleted: s(20, 'dev-a') },
    } as Partial<Mark>);
    expect(isStalePull(deleted, later)).toBe(true);
  });

  it('[CR7] the same version, one newer on any field, a deletion or a new document is applied', () => {
    expect(isStalePull(local, local)).toBe(false);
    const newerNote = markOf('Н', 10, 'dev-a', {
      stamps: {
        code: s(10, 'dev-a'),
        note: s(30, 'dev-b'),
      },
    });
    expect(isStalePull(local, newerNote)).toBe(false);
    const deletion = markOf('Б', 20, 'dev-a', {
      _deleted: true,
      stamps: {
        ...local.stamps,
        _deleted: s(25, 'dev-b'),
      },
    } as Partial<Mark>);
    expect(isStalePull(local, deletion)).toBe(false);
    expect(isStalePull(undefined, local)).toBe(false);
  });
});

describe('a refused edit is sent again only by «Повторить» (CR9)', () => {
  // The server holds «Н» (10, dev-a) and B's note; A's «Б» (20) was refused, the note merged in.
  const assumed = markOf('Н', 10, 'dev-a', {
    note: 'Опоздал',
    stamps: { code: s(10, 'dev-a'), note: s(15, 'dev-b') },
  });
  const attempt = markOf('Б', 20, 'dev-a', { stamps: { code: s(20, 'dev-a') } });
  const merged = markOf('Б', 20, 'dev-a', {
    note: 'Опоздал',
    stamps: { code: s(20, 'dev-a'), note: s(15, 'dev-b') },
  });

  it('[CR9] a field stamped as in a refused attempt goes out with the server’s value', () => {
    expect(withoutRefusedEdits(merged, assumed, [attempt])).toEqual(assumed);
  });

  it('[CR9] a later edit of the field, or of another one, goes out as it is', () => {
    const redone = markOf('Б', 30, 'dev-a', {
      note: 'Опоздал',
      stamps: { code: s(30, 'dev-a'), note: s(15, 'dev-b') },
    });
    expect(withoutRefusedEdits(redone, assumed, [attempt])).toBeNull();
    const noteToo = {
      ...merged,
      note: 'Ушёл раньше',
      stamps: { ...merged.stamps, note: s(25, 'dev-a') },
    };
    expect(withoutRefusedEdits(noteToo, assumed, [attempt])).toEqual({
      ...noteToo,
      code: 'Н',
      stamps: { code: s(10, 'dev-a'), note: s(25, 'dev-a') },
    });
  });

  it('[CR9][NT3] a row is judged as it is without a stored version to fall back on', () => {
    // A refused insert's answer (PR5): the attempt as a tombstone nobody stamped. The server
    // stores nothing; the next edit of the mark carries the attempt (NT3).
    const tombstone = { ...attempt, _deleted: true };
    const tappedAgain = markOf('Б', 20, 'dev-a', {
      grade: '5',
      stamps: { code: s(20, 'dev-a'), grade: s(30, 'dev-a') },
    });
    expect(withoutRefusedEdits(tappedAgain, tombstone, [attempt])).toBeNull();
    const earlierRefused = markOf('Н', 5, 'dev-a', { _deleted: true } as Partial<Mark>);
    expect(withoutRefusedEdits(tappedAgain, earlierRefused, [attempt, earlierRefused])).toBeNull();
    expect(withoutRefusedEdits(merged, undefined, [attempt])).toBeNull();
    // A deletion someone made is a stored version: a refused edit over it goes out without it.
    const deleted = {
      ...assumed,
      _deleted: true,
      stamps: { ...assumed.stamps, _deleted: s(12, 'dev-b') },
    };
    const row = { ...merged, _deleted: true };
    expect(withoutRefusedEdits(row, deleted, [attempt])).toEqual({
      ...row,
      code: 'Н',
      stamps: { ...row.stamps, code: s(10, 'dev-a') },
    });
  });

  it('[CR9] a refused re-creation is sent again with the edits made on it since', () => {
    // The re-created mark was refused; the server holds the tombstone, unstamped (PR5).
    const recreated = markOf('Б', 20, 'dev-a', {
      stamps: { code: s(20, 'dev-a'), _deleted: s(20, 'dev-a') },
    });
    const tombstone = { ...markOf('Б', 20, 'dev-a'), _deleted: true };
    const tappedOn = {
      ...recreated,
      code: 'Н',
      stamps: { ...recreated.stamps, code: s(30, 'dev-a') },
    };
    expect(withoutRefusedEdits(tappedOn, tombstone, [recreated])).toBeNull();
  });

  it('[CR9] a refused deletion is not sent again either', () => {
    const deletion = {
      ...assumed,
      _deleted: true,
      stamps: { ...assumed.stamps, _deleted: s(20, 'dev-a') },
    };
    const row = { ...deletion };
    expect(withoutRefusedEdits(row, assumed, [deletion])).toEqual({
      ...assumed,
      _deleted: false,
    });
  });
});

describe('refusals the server took after all', () => {
  const ref = (at: number, dev: string) => ({ at, dev });
  // The refused attempt: «Н» by dev-a at 20, carrying dev-a's older note of 10.
  const attempt = markOf('Н', 20, 'dev-a', {
    note: 'Позвонить',
    stamps: { code: s(20, 'dev-a'), note: s(10, 'dev-a') },
  });
  const server = (extra: Partial<Mark>) =>
    markOf('Н', 20, 'dev-a', {
      note: 'Позвонить',
      stamps: { code: s(20, 'dev-a'), note: s(10, 'dev-a') },
      ...extra,
    });

  it('[NT7] the attempt’s own stamps on the server: taken', () => {
    expect(refusalLanded('dev-a', attempt, server({}))).toBe(true);
  });

  it('[NT7] the teacher set the same value again later: taken; another value: still refused', () => {
    const again = { code: s(30, 'dev-a'), note: s(10, 'dev-a') };
    expect(refusalLanded('dev-a', attempt, server({ stamps: again }))).toBe(true);
    // «Все присутствуют» wrote «✓» over the refused «Н»: the «Н» is not there.
    expect(refusalLanded('dev-a', attempt, server({ code: '', stamps: again }))).toBe(false);
  });

  it('[NT7] a carried field another device changed over it does not keep the refusal open', () => {
    const note = { ...s(25, 'dev-b'), prev: ref(10, 'dev-a') };
    const stamps = { code: s(20, 'dev-a'), note };
    expect(refusalLanded('dev-a', attempt, server({ note: 'Справка', stamps }))).toBe(true);
    // Made without having seen the attempt's note: nothing says the note was ever stored.
    const blind = { code: s(20, 'dev-a'), note: { ...s(25, 'dev-b'), prev: null } };
    expect(refusalLanded('dev-a', attempt, server({ note: 'Справка', stamps: blind }))).toBe(false);
  });

  it('[NT7] older stamps, a deleted document, or nothing of this device’s: still refused', () => {
    expect(refusalLanded('dev-a', attempt, server({ stamps: { code: s(15, 'dev-a') } }))).toBe(
      false,
    );
    expect(refusalLanded('dev-a', attempt, server({ _deleted: true }))).toBe(false);
    expect(refusalLanded('dev-c', attempt, server({}))).toBe(false);
  });
});

describe('what a refusal names', () => {
  it('[NT9] the fields whose edit would have won, not an older edit the attempt carried', () => {
    // «Б» at 20 refused; the attempt carries dev-a's note of 10, which dev-b has rewritten at 15.
    const attempt = markOf('Б', 20, 'dev-a', {
      note: 'Позвонить',
      grade: '4',
      stamps: { code: s(20, 'dev-a'), note: s(10, 'dev-a'), grade: s(5, 'dev-a') },
    });
    const server = markOf('Н', 10, 'dev-a', {
      note: 'Справка',
      grade: '4',
      stamps: { code: s(10, 'dev-a'), note: s(15, 'dev-b'), grade: s(5, 'dev-a') },
    });
    expect(refusedChanges('dev-a', attempt, server)).toEqual([
      { field: 'code', mine: 'Б', theirs: 'Н' },
    ]);
  });

  it('[NT9] against nothing stored (a refused new mark’s tombstone), every field set here', () => {
    const attempt = markOf('Б', 20, 'dev-a', {
      grade: '5',
      stamps: { code: s(20, 'dev-a'), grade: s(20, 'dev-a'), _deleted: s(20, 'dev-a') },
    });
    const tombstone = { ...attempt, _deleted: true, stamps: { code: s(20, 'dev-a') } } as Mark;
    const expected = [
      { field: 'code', mine: 'Б', theirs: null },
      { field: 'grade', mine: '5', theirs: null },
    ];
    expect(refusedChanges('dev-a', attempt, tombstone)).toEqual(expected);
    expect(refusedChanges('dev-a', attempt, undefined)).toEqual(expected);
  });
});
