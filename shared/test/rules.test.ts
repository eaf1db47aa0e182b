import { describe, expect, it } from 'vitest';
import { DEFAULT_ATTENDANCE_CODES } from '../src/attendance.ts';
import { defaultCalendar } from '../src/calendar.ts';
import { lessonId, lockId, markId } from '../src/ids.ts';
import { checkJournalWrite, type WriteContext } from '../src/rules.ts';
import { expandSchedule } from '../src/schedule.ts';
import {
  catalogTombstoneSchema,
  type Org,
  type Programme,
  type Subgroup,
} from '../src/schemas/catalog.ts';
import type { Lesson, Mark, RosterEntry, Topic } from '../src/schemas/journal.ts';
import { contentFreeTombstone, isContentFree } from '../src/tombstones.ts';
import { expectDomainError, SUBGROUP, schedule } from './helpers.ts';

const SG = SUBGROUP.id;
const org: Org = {
  id: 'org-1',
  type: 'org',
  name: 'ДДТ',
  city: 'Оренбург',
  timeZone: 'Asia/Yekaterinburg',
  attendanceCodes: DEFAULT_ATTENDANCE_CODES,
  lockDay: 5,
  applicationStatuses: ['обучается'],
};
const subgroup: Subgroup = {
  id: SG,
  type: 'subgroup',
  orgId: 'org-1',
  programmeId: 'prog-1',
  name: 'Робототехника-1',
  teacherIds: ['t-1'],
  capacity: 15,
  periodFrom: SUBGROUP.periodFrom,
  periodTo: SUBGROUP.periodTo,
  hoursPerYear: 144,
};
const programme: Programme = {
  id: 'prog-1',
  type: 'programme',
  orgId: 'org-1',
  name: 'Робототехника',
  focus: 'technical',
  level: 'start',
  ageFrom: 8,
  ageTo: 12,
  hoursPerYear: 144,
  gradesEnabled: false,
  description: '',
};
const slots = expandSchedule({
  schedule: schedule(),
  subgroup: SUBGROUP,
  calendar: defaultCalendar(),
});
const roster: RosterEntry[] = [
  {
    id: `roster:${SG}:l-1`,
    type: 'roster',
    orgId: 'org-1',
    subgroupId: SG,
    stamps: {},
    learnerId: 'l-1',
    name: 'Иванов Иван',
    intervals: [{ from: '2026-09-10', to: null }],
  },
];
const stamp = { at: 1, dev: 'dev-a', by: 'u-1', off: false };

function ctx(patch: Partial<WriteContext> = {}): WriteContext {
  return {
    user: { id: 'u-1', role: 'teacher', teacherId: 't-1' },
    subgroup,
    slots,
    storedLesson: undefined,
    roster,
    locks: [],
    org,
    now: new Date('2026-09-20T10:00:00Z'),
    ...patch,
  };
}

function lesson(date: string, start = '17:00', patch: Partial<Lesson> = {}): Lesson {
  return {
    id: lessonId(SG, date, start),
    type: 'lesson',
    orgId: 'org-1',
    subgroupId: SG,
    stamps: { status: stamp },
    date,
    start,
    end: '18:30',
    academicHours: 2,
    status: 'held',
    statusReason: '',
    topicId: null,
    topicTitle: '',
    homework: '',
    remark: '',
    flag: null,
    ...patch,
  };
}

function mark(date: string, learnerId = 'l-1', patch: Partial<Mark> = {}): Mark {
  const lid = lessonId(SG, date, '17:00');
  return {
    id: markId(lid, learnerId),
    type: 'mark',
    orgId: 'org-1',
    subgroupId: SG,
    stamps: { code: stamp },
    lessonId: lid,
    learnerId,
    date,
    code: 'Н',
    grade: null,
    note: '',
    ...patch,
  };
}

const codeOf = (r: ReturnType<typeof checkJournalWrite>) => (r.ok ? 'OK' : r.code);

describe('push rules', () => {
  it('[PR1] only a teacher of the subgroup may write; parents, admins and other teachers are refused', () => {
    const row = lesson('2026-09-15');
    expect(checkJournalWrite(ctx(), undefined, row)).toEqual({ ok: true });
    expect(
      codeOf(
        checkJournalWrite(
          ctx({ user: { id: 'u-2', role: 'teacher', teacherId: 't-2' } }),
          undefined,
          row,
        ),
      ),
    ).toBe('NOT_TEACHER_OF_SUBGROUP');
    expect(
      codeOf(
        checkJournalWrite(
          ctx({ user: { id: 'u-3', role: 'admin', teacherId: null } }),
          undefined,
          row,
        ),
      ),
    ).toBe('NOT_TEACHER_OF_SUBGROUP');
    expect(
      codeOf(
        checkJournalWrite(
          ctx({ user: { id: 'u-4', role: 'parent', teacherId: null } }),
          undefined,
          row,
        ),
      ),
    ).toBe('NOT_TEACHER_OF_SUBGROUP');
    expect(codeOf(checkJournalWrite(ctx({ subgroup: undefined }), undefined, row))).toBe(
      'NOT_TEACHER_OF_SUBGROUP',
    );
  });

  it('[PR2] a lesson off the schedule is refused unless the server already keeps it', () => {
    const off = lesson('2026-09-16');
    const refused = checkJournalWrite(ctx(), undefined, off);
    expect(refused).toMatchObject({ ok: false, code: 'LESSON_NOT_ON_SCHEDULE' });
    expect(refused.ok ? '' : refused.message).toContain('16.09.2026');

    const kept = { ...off, flag: 'off-schedule' as const };
    expect(
      codeOf(
        checkJournalWrite(ctx({ storedLesson: kept }), kept, {
          ...kept,
          homework: 'стр. 5',
          stamps: { homework: { ...stamp, at: 2 } },
        }),
      ),
    ).toBe('OK');
  });

  it('[PR2] a lesson or mark on a slot the schedule moved is refused naming where it went', () => {
    const moved = expandSchedule({
      schedule: schedule({
        exceptions: [
          {
            kind: 'move',
            date: '2026-09-15',
            start: '17:00',
            toDate: '2026-09-19',
            toStart: '10:00',
            toEnd: '11:30',
            reason: 'Зал занят',
          },
        ],
      }),
      subgroup: SUBGROUP,
      calendar: defaultCalendar(),
    });
    const told = 'Занятие 15.09.2026 в 17:00 перенесено в расписании на 19.09.2026 в 10:00.';
    for (const row of [lesson('2026-09-15'), mark('2026-09-15')]) {
      expect(checkJournalWrite(ctx({ slots: moved }), undefined, row)).toEqual({
        ok: false,
        code: 'LESSON_NOT_ON_SCHEDULE',
        message: told,
      });
    }
    const gone = checkJournalWrite(ctx(), undefined, lesson('2026-09-16'));
    expect(gone.ok ? '' : gone.message).toBe(
      'Занятия 16.09.2026 в 17:00 нет в расписании подгруппы.',
    );
  });

  it('[PR2] a mark passes when its lesson is on a slot or stored, even before the lesson arrives', () => {
    expect(codeOf(checkJournalWrite(ctx(), undefined, mark('2026-09-15')))).toBe('OK');
    const offSlot = mark('2026-09-16');
    expect(codeOf(checkJournalWrite(ctx(), undefined, offSlot))).toBe('LESSON_NOT_ON_SCHEDULE');
    expect(
      codeOf(checkJournalWrite(ctx({ storedLesson: lesson('2026-09-16') }), undefined, offSlot)),
    ).toBe('OK');
  });

  it('[PR3] a mark for a learner not enrolled on the lesson date is refused; a deletion passes', () => {
    expect(codeOf(checkJournalWrite(ctx(), undefined, mark('2026-09-08')))).toBe(
      'LEARNER_NOT_ENROLLED',
    );
    expect(codeOf(checkJournalWrite(ctx(), undefined, mark('2026-09-15', 'l-9')))).toBe(
      'LEARNER_NOT_ENROLLED',
    );
    const stored = mark('2026-09-08');
    expect(
      codeOf(
        checkJournalWrite(ctx(), stored, {
          ...stored,
          _deleted: true,
          stamps: { ...stored.stamps, _deleted: { ...stamp, at: 5 } },
        }),
      ),
    ).toBe('OK');
  });

  it('[PR10] the refusal of a mark before the learner started names the start date', () => {
    const result = checkJournalWrite(ctx(), undefined, mark('2026-09-08'));
    expect(result).toMatchObject({
      code: 'LEARNER_NOT_ENROLLED',
      message: 'Обучающийся не зачислен в подгруппу на 08.09.2026: зачислен с 10.09.2026.',
    });
    const stranger = checkJournalWrite(ctx(), undefined, mark('2026-09-15', 'l-9'));
    expect(stranger).toMatchObject({
      message: 'Обучающийся не зачислен в подгруппу на 15.09.2026.',
    });
  });

  it('[PR4][LK2] a write into a locked month is refused; an explicit unlock lets it through', () => {
    const later = ctx({ now: new Date('2026-10-10T10:00:00Z') });
    expect(codeOf(checkJournalWrite(later, undefined, mark('2026-09-15')))).toBe('MONTH_LOCKED');
    expect(codeOf(checkJournalWrite(later, undefined, lesson('2026-09-15')))).toBe('MONTH_LOCKED');
    expect(codeOf(checkJournalWrite(later, undefined, lesson('2026-10-06')))).toBe('OK');
    const unlock = {
      id: lockId(SG, '2026-09'),
      type: 'lock' as const,
      orgId: 'org-1',
      subgroupId: SG,
      month: '2026-09',
      locked: false,
      reason: 'исправление',
      at: 1,
      by: 'admin-1',
    };
    expect(
      codeOf(checkJournalWrite({ ...later, locks: [unlock] }, undefined, mark('2026-09-15'))),
    ).toBe('OK');
  });

  it('[CR4][PR4] a repeated push of a stored row passes even after the month locked', () => {
    const stored = mark('2026-09-15');
    const later = ctx({ now: new Date('2026-10-10T10:00:00Z') });
    expect(codeOf(checkJournalWrite(later, stored, { ...stored }))).toBe('OK');
    expect(
      codeOf(
        checkJournalWrite(later, stored, {
          ...stored,
          code: 'Б',
          stamps: { code: { ...stamp, at: 9 } },
        }),
      ),
    ).toBe('MONTH_LOCKED');
  });

  it('[PR6] a winning stamp must name the caller and not run more than a day ahead', () => {
    const now = ctx().now.getTime();
    const by = (who: string, at = now) =>
      mark('2026-09-15', 'l-1', { stamps: { code: { ...stamp, by: who, at } } });
    expect(codeOf(checkJournalWrite(ctx(), undefined, by('u-1')))).toBe('OK');
    expect(codeOf(checkJournalWrite(ctx(), undefined, by('u-admin')))).toBe('STAMP_REFUSED');
    expect(codeOf(checkJournalWrite(ctx(), undefined, by('u-1', now + 6 * 3_600_000)))).toBe('OK');
    expect(codeOf(checkJournalWrite(ctx(), undefined, by('u-1', now + 86_400_001)))).toBe(
      'STAMP_REFUSED',
    );

    // Another author's stamp the server already holds, or an older one that loses, is fine.
    const stored = by('u-2', now - 1000);
    const edited = {
      ...stored,
      note: 'опоздал',
      stamps: { ...stored.stamps, note: { ...stamp, at: now } },
    };
    expect(codeOf(checkJournalWrite(ctx(), stored, edited))).toBe('OK');
    const older = { ...stored, code: 'Б', stamps: { code: { ...stamp, by: 'u-3', at: 5 } } };
    expect(codeOf(checkJournalWrite(ctx(), stored, older))).toBe('OK');
  });

  it('[PR7] a code outside the org set, a grade where the programme has none, another subgroup’s topic are refused', () => {
    const ok = (doc: Mark | Lesson, c = ctx()) => codeOf(checkJournalWrite(c, undefined, doc));
    expect(ok(mark('2026-09-15', 'l-1', { code: 'Б' }))).toBe('OK');
    expect(ok(mark('2026-09-15', 'l-1', { code: '' }))).toBe('OK');
    expect(ok(mark('2026-09-15', 'l-1', { code: 'XYZ' }))).toBe('VALIDATION_FAILED');

    const noGrades = ctx({ programme: { ...programme, gradesEnabled: false } });
    const graded = mark('2026-09-15', 'l-1', { grade: '5' });
    expect(ok(graded, noGrades)).toBe('VALIDATION_FAILED');
    expect(ok(graded, ctx({ programme: { ...programme, gradesEnabled: true } }))).toBe('OK');
    expect(ok(mark('2026-09-15', 'l-1', { grade: null }), noGrades)).toBe('OK');

    expect(ok(lesson('2026-09-15', '17:00', { topicId: `topic:${SG}:t1` }))).toBe('OK');
    expect(ok(lesson('2026-09-15', '17:00', { topicId: 'topic:sg-other:t1' }))).toBe(
      'VALIDATION_FAILED',
    );

    // A stored mark keeps a code the org has since dropped while its note is edited.
    const stored = mark('2026-09-15', 'l-1', { code: 'XYZ' });
    const noted = {
      ...stored,
      note: 'ок',
      stamps: { ...stored.stamps, note: { ...stamp, at: 9 } },
    };
    expect(codeOf(checkJournalWrite(ctx(), stored, noted))).toBe('OK');
  });

  it('[PR9] a lesson cancelled or moved without a reason is refused; held needs none', () => {
    const newLesson = (patch: Partial<Lesson>) =>
      codeOf(checkJournalWrite(ctx(), undefined, lesson('2026-09-15', '17:00', patch)));
    expect(newLesson({ status: 'cancelled', statusReason: 'Болезнь педагога' })).toBe('OK');
    expect(newLesson({ status: 'cancelled', statusReason: '' })).toBe('VALIDATION_FAILED');
    expect(newLesson({ status: 'moved', statusReason: '   ' })).toBe('VALIDATION_FAILED');
    expect(newLesson({ status: 'held', statusReason: '' })).toBe('OK');

    const later = (field: string, at: number) => ({ [field]: { ...stamp, at } });
    const cancelled = lesson('2026-09-15', '17:00', {
      status: 'cancelled',
      statusReason: 'Карантин',
      stamps: { ...later('status', 2), ...later('statusReason', 2) },
    });
    // Emptying the reason of a stored cancellation, alone: what the lesson becomes has none.
    const emptied = {
      ...cancelled,
      statusReason: '',
      stamps: { ...cancelled.stamps, ...later('statusReason', 3) },
    };
    const check = (stored: Lesson, incoming: Lesson) =>
      codeOf(checkJournalWrite(ctx(), stored, incoming));
    expect(check(cancelled, emptied)).toBe('VALIDATION_FAILED');
    // The status set alone onto a stored reason keeps that reason: accepted.
    const withReason = lesson('2026-09-15', '17:00', {
      statusReason: 'Карантин',
      stamps: { ...later('status', 1), ...later('statusReason', 2) },
    });
    const cancelOnly = {
      ...withReason,
      status: 'cancelled' as const,
      statusReason: '',
      stamps: { ...withReason.stamps, ...later('status', 3) },
    };
    expect(check(withReason, cancelOnly)).toBe('OK');
    // A reason the row sends with a losing stamp does not count: the stored one stays.
    expect(check(cancelled, { ...cancelled, statusReason: '' })).toBe('OK');
    // A legacy cancellation stored without a reason stays editable in its other fields.
    const legacy = lesson('2026-09-15', '17:00', { status: 'cancelled', statusReason: '' });
    const homework = {
      ...legacy,
      homework: 'Повторить',
      stamps: { ...legacy.stamps, ...later('homework', 5) },
    };
    expect(check(legacy, homework)).toBe('OK');
  });

  it('[PR8] a topic’s planned date outside the subgroup’s study period is refused', () => {
    const topic = (plannedDate: string | null, at = 1): Topic => ({
      id: `topic:${SG}:t1`,
      type: 'topic',
      orgId: 'org-1',
      subgroupId: SG,
      stamps: { plannedDate: { ...stamp, at }, title: { ...stamp, at } },
      order: 1,
      section: '',
      title: 'Введение',
      hours: 2,
      form: '',
      control: '',
      plannedDate,
    });
    const check = (doc: Topic, stored?: Topic) => checkJournalWrite(ctx(), stored, doc);
    expect(check(topic('1900-09-01'))).toEqual({
      ok: false,
      code: 'VALIDATION_FAILED',
      message: 'Плановая дата 01.09.1900 вне учебного периода подгруппы (01.09.2026–31.05.2027).',
    });
    expect(codeOf(check(topic('2026-08-31')))).toBe('VALIDATION_FAILED');
    expect(codeOf(check(topic('2027-06-01')))).toBe('VALIDATION_FAILED');
    expect(codeOf(check(topic('2026-09-01')))).toBe('OK');
    expect(codeOf(check(topic('2027-05-31')))).toBe('OK');
    expect(codeOf(check(topic(null)))).toBe('OK');

    // Only a date the row sets is checked: one stored before the period moved stays editable.
    const stored = topic('2026-08-20');
    const retitled = {
      ...stored,
      title: 'Вводное занятие',
      stamps: { ...stored.stamps, title: { ...stamp, at: 5 } },
    };
    expect(codeOf(check(retitled, stored))).toBe('OK');
    expect(codeOf(check({ ...topic('1900-01-01', 5) }, stored))).toBe('VALIDATION_FAILED');
  });

  it('[CR3] changing an identity field, or an id that does not match the content, is IMMUTABLE_FIELD', () => {
    const stored = lesson('2026-09-15');
    expect(codeOf(checkJournalWrite(ctx(), stored, { ...stored, end: '19:00' }))).toBe(
      'IMMUTABLE_FIELD',
    );
    expect(codeOf(checkJournalWrite(ctx(), undefined, { ...stored, date: '2026-09-17' }))).toBe(
      'IMMUTABLE_FIELD',
    );
    const m = mark('2026-09-15');
    expect(codeOf(checkJournalWrite(ctx(), undefined, { ...m, date: '2026-09-17' }))).toBe(
      'IMMUTABLE_FIELD',
    );
    expect(codeOf(checkJournalWrite(ctx(), undefined, { ...m, orgId: 'org-2' }))).toBe(
      'NOT_TEACHER_OF_SUBGROUP',
    );
    // A stale copy of a server-owned field is no offence: the merge keeps the stored flag (CR6).
    const flagged = { ...stored, flag: 'holiday' as const };
    expect(
      codeOf(
        checkJournalWrite(ctx({ storedLesson: flagged }), flagged, {
          ...stored,
          homework: 'x',
          stamps: { homework: { ...stamp, at: 3 } },
        }),
      ),
    ).toBe('OK');
  });

  it('[CR6] roster rows are server-owned: a device push is READ_ONLY_COLLECTION', () => {
    const result = checkJournalWrite(ctx(), roster[0], { ...roster[0]!, name: 'Другое имя' });
    expect(result).toMatchObject({ ok: false, code: 'READ_ONLY_COLLECTION' });
  });

  it('[CR3] a topic or roster id that does not carry its kind and subgroup is refused', () => {
    const topic: Topic = {
      id: 'topic-1',
      type: 'topic',
      orgId: org.id,
      subgroupId: SG,
      stamps: {},
      order: 1,
      section: '',
      title: 'Введение',
      hours: 2,
      form: '',
      control: '',
      plannedDate: null,
    };
    expect(codeOf(checkJournalWrite(ctx(), undefined, topic))).toBe('IMMUTABLE_FIELD');
  });

  it('[PR1] topics need only the teacher check', () => {
    const topic: Topic = {
      id: `topic:${SG}:t1`,
      type: 'topic',
      orgId: 'org-1',
      subgroupId: SG,
      stamps: {},
      order: 1,
      section: '',
      title: 'Введение',
      hours: 2,
      form: '',
      control: '',
      plannedDate: null,
    };
    expect(codeOf(checkJournalWrite(ctx({ now: new Date('2027-09-01') }), undefined, topic))).toBe(
      'OK',
    );
    expect(
      codeOf(
        checkJournalWrite(
          ctx({ user: { id: 'u-2', role: 'teacher', teacherId: 't-2' } }),
          undefined,
          topic,
        ),
      ),
    ).toBe('NOT_TEACHER_OF_SUBGROUP');
  });

  it('[PR5] a row that is not a journal document throws naming the field, never a wrong answer', () => {
    expectDomainError(
      () => checkJournalWrite(ctx(), undefined, { ...lesson('2026-09-15'), date: '15.09.2026' }),
      'VALIDATION_FAILED',
      'incoming.date',
    );
    expectDomainError(
      () => checkJournalWrite(ctx(), undefined, { ...lesson('2026-09-15'), type: 'note' } as never),
      'VALIDATION_FAILED',
      'incoming.type',
    );
    expectDomainError(
      () =>
        checkJournalWrite(
          ctx(),
          { ...mark('2026-09-15'), code: 'ОЧЕНЬ ДЛИННЫЙ' },
          mark('2026-09-15'),
        ),
      'VALIDATION_FAILED',
      'stored.code',
    );
  });
});

describe('removal from a subgroup', () => {
  it('[RM2] a content-free tombstone keeps only the identity fields of each kind', () => {
    const withNote = mark('2026-09-21', 'l-1', { note: 'Звонила бабушка', grade: '5' });
    expect(contentFreeTombstone(withNote)).toEqual({
      id: withNote.id,
      type: 'mark',
      orgId: 'org-1',
      subgroupId: SG,
      lessonId: withNote.lessonId,
      learnerId: 'l-1',
      date: '2026-09-21',
      stamps: {},
      _deleted: true,
    });
    const lessonTomb = contentFreeTombstone(lesson('2026-09-21', '17:00', { homework: 'стр. 5' }));
    expect(Object.keys(lessonTomb).sort()).toEqual(
      ['_deleted', 'date', 'end', 'id', 'orgId', 'stamps', 'start', 'subgroupId', 'type'].sort(),
    );
    const rosterTomb = contentFreeTombstone(roster[0]!);
    expect(JSON.stringify(rosterTomb)).not.toContain('Иванов');

    for (const doc of [withNote, lesson('2026-09-21'), roster[0]!]) {
      expect(isContentFree(doc)).toBe(false);
      expect(isContentFree({ ...doc, _deleted: true })).toBe(false);
      expect(isContentFree(contentFreeTombstone(doc))).toBe(true);
      // As RxDB stores it: its own underscore fields beside the document's.
      expect(
        isContentFree({ ...contentFreeTombstone(doc), _rev: '2-x', _meta: { lwt: 1 } } as never),
      ).toBe(true);
    }
  });

  it('[RM1] a catalog tombstone is an id and a kind, nothing more', () => {
    const ok = { id: 'sg-1', type: 'subgroup', _deleted: true };
    expect(catalogTombstoneSchema.parse(ok)).toEqual(ok);
    expect(catalogTombstoneSchema.safeParse({ ...ok, name: 'Группа' }).success).toBe(false);
    expect(catalogTombstoneSchema.safeParse({ ...ok, _deleted: false }).success).toBe(false);
    expect(catalogTombstoneSchema.safeParse({ ...ok, type: 'org' }).success).toBe(false);
  });
});
