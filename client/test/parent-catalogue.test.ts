import { describe, expect, it } from 'vitest';
import { scheduleLines } from '../src/screens/parent/CatalogueScreen.tsx';

describe('the parent’s catalogue', () => {
  const period = { periodFrom: '2026-09-01', periodTo: '2027-05-31' };
  const rule = (from: string, to: string, weekdays: number[], start = '14:00') => ({
    from,
    to,
    weekdays,
    start,
    end: '15:40',
  });

  it('[PD2] two weekly patterns of one group are dated, in date order', () => {
    const lines = scheduleLines({
      ...period,
      schedule: [
        rule('2027-01-01', '2027-05-31', [2, 4]),
        rule('2026-09-01', '2026-12-31', [1, 3]),
      ],
    });
    expect(lines).toEqual([
      'с 01.09.2026 по 31.12.2026: Пн, Ср 14:00–15:40',
      'с 01.01.2027 по 31.05.2027: Вт, Чт 14:00–15:40',
    ]);
  });

  it('[PD2] a pattern for the whole study period needs no dates', () => {
    expect(scheduleLines({ ...period, schedule: [rule('2026-09-01', '2027-05-31', [6])] })).toEqual(
      ['Сб 14:00–15:40'],
    );
  });
});
