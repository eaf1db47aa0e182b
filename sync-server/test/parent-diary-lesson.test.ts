import { DEFAULT_ATTENDANCE_CODES, type LessonStatus } from '@otmetka/shared';
import type { TabelResponse } from '@otmetka/shared/api';
import { describe, expect, it } from 'vitest';
import { diaryLesson } from '../src/parent/diary.ts';

/** PD1: what a parent sees of one lesson, held or not. */

const lesson = (status: LessonStatus): TabelResponse['lessons'][number] => ({
  lessonId: 'lesson:sg-1:2026-10-05:1500',
  date: '2026-10-05',
  start: '15:00',
  end: '16:30',
  status,
  topicTitle: 'Акварель',
  homework: 'Эскиз',
  remark: '',
  flag: null,
});
const absent = { code: 'Н', grade: '5' };

describe('parent diary lesson', () => {
  it('[PD1] a held lesson shows the child’s code, its label and grade', () => {
    expect(diaryLesson(lesson('held'), absent, DEFAULT_ATTENDANCE_CODES, true)).toMatchObject({
      status: 'held',
      code: 'Н',
      codeLabel: expect.stringMatching(/.+/),
      grade: '5',
      topicTitle: 'Акварель',
    });
  });

  it('[PD1] a cancelled or moved lesson shows no attendance or grade, even with a mark stored', () => {
    for (const status of ['cancelled', 'moved'] as const) {
      expect(diaryLesson(lesson(status), absent, DEFAULT_ATTENDANCE_CODES, true)).toMatchObject({
        status,
        code: null,
        codeLabel: null,
        grade: null,
        homework: 'Эскиз',
      });
    }
  });

  it('[GR1] a programme without grades sends the parent no grade, with the attendance as before', () => {
    expect(diaryLesson(lesson('held'), absent, DEFAULT_ATTENDANCE_CODES, false)).toMatchObject({
      code: 'Н',
      codeLabel: expect.stringMatching(/.+/),
      grade: null,
    });
  });
});
