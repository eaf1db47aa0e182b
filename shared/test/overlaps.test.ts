import { describe, expect, it } from 'vitest';
import { slotOverlaps } from '../src/overlaps.ts';
import type { LessonSlot } from '../src/schedule.ts';

const slot = (date: string, start: string, end: string): LessonSlot => ({
  lessonId: `lesson:sg:${date}:${start.replace(':', '')}`,
  subgroupId: 'sg',
  date,
  start,
  end,
  academicHours: 1,
  holiday: null,
  ruleId: 'r',
  movedFrom: null,
});

describe('slotOverlaps', () => {
  it('[EN7] lessons of one date that share any minute overlap; touching ones do not', () => {
    const mine = [
      slot('2026-12-07', '15:00', '15:45'),
      slot('2026-12-08', '15:00', '15:45'),
      slot('2026-12-09', '15:00', '15:45'),
    ];
    const other = [
      slot('2026-12-07', '14:00', '15:01'),
      slot('2026-12-08', '15:45', '16:30'),
      slot('2026-12-09', '15:10', '15:20'),
    ];
    expect(slotOverlaps(mine, other, '2026-12-01')).toEqual([
      { date: '2026-12-07', start: '15:00', end: '15:45', otherStart: '14:00', otherEnd: '15:01' },
      { date: '2026-12-09', start: '15:00', end: '15:45', otherStart: '15:10', otherEnd: '15:20' },
    ]);
  });

  it('[EN7] only from the given date on, in date order', () => {
    const mine = [slot('2026-12-14', '10:00', '11:00'), slot('2026-12-07', '10:00', '11:00')];
    const other = [slot('2026-12-07', '10:30', '11:30'), slot('2026-12-14', '10:30', '11:30')];
    expect(slotOverlaps(mine, other, '2026-12-08').map((o) => o.date)).toEqual(['2026-12-14']);
    expect(slotOverlaps(mine, other, '2026-12-01').map((o) => o.date)).toEqual([
      '2026-12-07',
      '2026-12-14',
    ]);
  });
});
