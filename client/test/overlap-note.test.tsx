// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { OverlapNote } from '../src/screens/admin/OverlapNote.tsx';

afterEach(() => cleanup());

const overlap = {
  subgroupId: 'sg-a',
  subgroupName: 'Группа 1',
  programmeName: 'Робототехника',
  date: '2026-12-07',
  start: '15:00',
  end: '15:45',
  otherStart: '14:00',
  otherEnd: '15:40',
  count: 1,
};

describe('the note of lessons at the same time', () => {
  it('[EN7] names the other group, the first date and both times, and how many there are', () => {
    render(<OverlapNote overlaps={[{ ...overlap, count: 42 }]} testid="note" />);
    expect(screen.getByTestId('note').textContent?.trim()).toBe(
      'Занятия совпадают по времени с группой «Робототехника — Группа 1», где ребёнок уже учится: ' +
        '07.12.2026 здесь 15:00–15:45, там 14:00–15:40; всего совпадений: 42.',
    );
  });

  it('[EN7] one lesson in common has no total, and no overlaps show nothing', () => {
    render(<OverlapNote overlaps={[overlap]} testid="note" />);
    expect(screen.getByTestId('note').textContent).not.toContain('всего');
    cleanup();
    render(<OverlapNote overlaps={[]} testid="note" />);
    expect(screen.queryByTestId('note')).toBeNull();
  });
});
