import { describe, expect, it } from 'vitest';
import { counted } from '../src/app/plural.ts';

describe('plural', () => {
  it('[RU1] a noun after a count agrees with it, the teens included', () => {
    const topics = ['тему', 'темы', 'тем'] as const;
    expect(
      [0, 1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 111, 101].map((n) => counted(n, topics)),
    ).toEqual([
      '0 тем',
      '1 тему',
      '2 темы',
      '4 темы',
      '5 тем',
      '11 тем',
      '12 тем',
      '14 тем',
      '21 тему',
      '22 темы',
      '25 тем',
      '111 тем',
      '101 тему',
    ]);
  });
});
