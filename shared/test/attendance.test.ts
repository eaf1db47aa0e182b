import { describe, expect, it } from 'vitest';
import { codeInfo, DEFAULT_ATTENDANCE_CODES, summariseAttendance } from '../src/attendance.ts';
import type { Mark } from '../src/schemas/journal.ts';
import { expectDomainError } from './helpers.ts';

function mark(code: string, deleted = false): Mark {
  return {
    id: `mark:${code}`,
    type: 'mark',
    orgId: 'org-1',
    subgroupId: 'sg-1',
    stamps: {},
    lessonId: 'lesson:sg-1:2026-09-01:1700',
    learnerId: 'l-1',
    date: '2026-09-01',
    code,
    grade: null,
    note: '',
    _deleted: deleted,
  };
}

describe('attendance codes', () => {
  it('[RU2] the default labels that are past-tense verbs carry both endings, for a girl as for a boy', () => {
    expect(DEFAULT_ATTENDANCE_CODES.map((c) => c.label)).toEqual([
      'присутствовал(а)',
      'отсутствовал(а)',
      'болел(а)',
      'уважительная причина',
      'опоздал(а)',
    ]);
  });

  it('[AT1] the default set: present, Н absent, Б and УП excused, О late counts as present', () => {
    expect(DEFAULT_ATTENDANCE_CODES.map((c) => c.code)).toEqual(['', 'Н', 'Б', 'УП', 'О']);
    expect(codeInfo(DEFAULT_ATTENDANCE_CODES, 'Б')).toMatchObject({ absent: true, excused: true });
    expect(codeInfo(DEFAULT_ATTENDANCE_CODES, 'X')).toBeUndefined();
    const marks = ['', '', 'О', 'Н', 'Б', 'УП'].map((c) => mark(c));
    expect(summariseAttendance([...marks, mark('Н', true)], DEFAULT_ATTENDANCE_CODES)).toEqual({
      present: 3,
      absent: 3,
      excused: 2,
    });
  });

  it('[AT1] a code missing from the set names the mark', () => {
    expectDomainError(
      () => summariseAttendance([mark(''), mark('X')], DEFAULT_ATTENDANCE_CODES),
      'VALIDATION_FAILED',
      'marks[1].code',
    );
    expectDomainError(() => codeInfo(null as never, ''), 'VALIDATION_FAILED', 'codes');
  });
});
