// @vitest-environment happy-dom
import type { TabelResponse } from '@otmetka/shared/api';
import { cleanup, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { TabelGrid } from '../src/screens/admin/TabelGrid.tsx';

/** The on-screen табель: what its starred columns mean. */

afterEach(() => cleanup());

function lesson(date: string, flag: 'off-schedule' | 'holiday' | null) {
  return {
    lessonId: `lesson:sg-a:${date}:1400`,
    date,
    start: '14:00',
    end: '15:40',
    status: 'held' as const,
    topicTitle: 'Акварель',
    homework: '',
    remark: '',
    flag,
  };
}

const TABEL: TabelResponse = {
  subgroupId: 'sg-a',
  subgroupName: 'Группа 1',
  programmeName: 'Изостудия',
  month: '2026-12',
  lessons: [
    lesson('2026-12-03', 'off-schedule'),
    lesson('2026-12-07', null),
    lesson('2026-12-31', 'holiday'),
  ],
  rows: [
    {
      learnerId: 'l-1',
      name: 'Гаврилов Фёдор',
      cells: ['', null, null],
      enrolled: [true, true, true],
      markIds: [null, null, null],
      absences: 0,
      excused: 0,
    },
  ],
  codes: [],
};

describe('admin: табель on screen', () => {
  it('[RP2] says under the sheet why each starred lesson is starred', () => {
    render(<TabelGrid tabel={TABEL} testid="report-tabel-grid" />);

    const heads = [...screen.getByTestId('report-tabel-grid').querySelectorAll('th')].map(
      (th) => th.textContent,
    );
    expect(heads).toEqual(['Обучающийся', '03*', '07', '31*', 'Пропуски']);
    expect(screen.getByTestId('report-tabel-grid-legend-2026-12-03').textContent).toMatch(
      /03\.12\.2026.*вне расписания/,
    );
    expect(screen.getByTestId('report-tabel-grid-legend-2026-12-31').textContent).toMatch(
      /31\.12\.2026.*праздничный/,
    );
    expect(screen.queryByTestId('report-tabel-grid-legend-2026-12-07')).toBeNull();
  });

  it('[RP7] lists under the sheet the lessons that did not take place, with the reason', () => {
    const cancelled = {
      ...lesson('2026-12-09', null),
      status: 'cancelled' as const,
      reason: 'педагог на курсах',
    };
    render(<TabelGrid tabel={{ ...TABEL, notHeld: [cancelled] }} testid="report-tabel-grid" />);

    expect(screen.getByTestId('report-tabel-grid-not-held-2026-12-09').textContent).toBe(
      '09.12.2026 14:00–15:40 — отменено: педагог на курсах',
    );
  });

  it('[RP9] a lesson the admin moved says where to, with the reason', () => {
    const moved = {
      ...lesson('2026-12-09', null),
      status: 'moved' as const,
      reason: 'зал занят',
      movedTo: { date: '2026-12-10', start: '16:00' },
    };
    render(<TabelGrid tabel={{ ...TABEL, notHeld: [moved] }} testid="report-tabel-grid" />);

    expect(screen.getByTestId('report-tabel-grid-not-held-2026-12-09').textContent).toBe(
      '09.12.2026 14:00–15:40 — перенесено на 10.12.2026 в 16:00: зал занят',
    );
  });
});
