// @vitest-environment happy-dom
import type { DiaryResponse } from '@otmetka/shared/api';
import { cleanup, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { DiaryBody } from '../src/screens/parent/DiaryScreen.tsx';

/** One month of a child's diary as the server answers it, rendered as the parent reads it. */

afterEach(() => cleanup());

type DiaryLesson = DiaryResponse['subgroups'][number]['lessons'][number];

function lesson(date: string, fields: Partial<DiaryLesson>): DiaryLesson {
  return {
    lessonId: `lesson:sg-a:${date}:1500`,
    date,
    start: '15:00',
    end: '16:30',
    status: 'held',
    topicTitle: 'Знакомство с конструктором',
    homework: '',
    code: null,
    codeLabel: null,
    grade: null,
    ...fields,
  };
}

const diary: DiaryResponse = {
  learnerId: 'learner-kid',
  learnerName: 'Смирнов Кирилл',
  month: '2026-11',
  subgroups: [
    {
      subgroupId: 'sg-a',
      subgroupName: 'Группа 1',
      programmeName: 'Робототехника',
      gradesEnabled: false,
      lessons: [
        lesson('2026-11-02', { code: '' }),
        lesson('2026-11-04', {
          status: 'cancelled',
          topicTitle: '',
          holiday: 'День народного единства',
        }),
        lesson('2026-11-09', {}),
        lesson('2026-11-16', {
          status: 'moved',
          topicTitle: '',
          movedTo: { date: '2026-11-18', start: '16:00' },
        }),
        lesson('2026-11-18', {
          start: '16:00',
          end: '17:30',
          status: 'planned',
          topicTitle: '',
          lessonId: 'lesson:sg-a:2026-11-18:1600',
          movedFrom: { date: '2026-11-16', start: '15:00' },
        }),
        lesson('2026-11-30', { status: 'planned', topicTitle: '' }),
      ],
    },
    {
      subgroupId: 'sg-b',
      subgroupName: 'Группа 2',
      programmeName: 'Шахматы',
      gradesEnabled: false,
      lessons: [],
    },
  ],
};

describe('the diary of a month', () => {
  it('[PD3] a lesson without the child’s mark says which it is; a cancelled one names no topic', () => {
    render(<DiaryBody diary={diary} />);
    const attendance = (date: string) =>
      screen.queryByTestId(`diary-attendance-lesson:sg-a:${date}:1500`)?.textContent;

    expect(attendance('2026-11-02')).toBe('был(а)');
    expect(attendance('2026-11-09')).toBe('отметки нет');
    expect(attendance('2026-11-30')).toBe('ещё не отмечено');
    const cancelled = screen.getByTestId('diary-lesson-lesson:sg-a:2026-11-04:1500');
    expect(cancelled.textContent).toBe('04.11.2026 15:00–16:30отмененоДень народного единства');
  });

  it('[PD12] a lesson the admin moved says to which day and time', () => {
    render(<DiaryBody diary={diary} />);
    expect(screen.getByTestId('diary-lesson-lesson:sg-a:2026-11-16:1500').textContent).toBe(
      '16.11.2026 15:00–16:30перенесено на 18.11.2026 в 16:00',
    );
  });

  it('[PD12] on its new date, a lesson the admin moved says where from', () => {
    render(<DiaryBody diary={diary} />);
    const moved = screen.getByTestId('diary-lesson-lesson:sg-a:2026-11-18:1600');
    expect(moved.querySelector('.pa-lesson__when')?.textContent).toBe(
      '18.11.2026 16:00–17:30перенесено с 16.11.2026 15:00',
    );
  });

  it('[PD15] a lesson on a holiday names it', () => {
    render(<DiaryBody diary={diary} />);
    const when = screen
      .getByTestId('diary-lesson-lesson:sg-a:2026-11-04:1500')
      .querySelector('.pa-lesson__when');
    expect(when?.querySelectorAll('.pa-badge')[1]?.textContent).toBe('День народного единства');
  });

  it('[PD3] a group with no lesson for the child this month does not say the group had none', () => {
    render(<DiaryBody diary={diary} />);
    expect(screen.getByTestId('diary-subgroup-sg-b').textContent).toContain(
      'У ребёнка в этой группе в этом месяце занятий нет.',
    );
  });
});
