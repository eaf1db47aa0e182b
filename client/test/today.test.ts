import { describe, expect, it } from 'vitest';
import { msToNextMidnight } from '../src/app/today.ts';

/** The wait before a screen looks at the organisation's date again (LS2, DT2). */

const ZONE = 'Asia/Yekaterinburg';

describe('next midnight in the organisation’s zone', () => {
  it('[DT2] counts to midnight in the zone, not in UTC or the device’s zone', () => {
    // 23:59:58.5 in Orenburg (UTC+5) is 18:59:58.5 UTC, five hours before UTC's midnight.
    expect(msToNextMidnight(ZONE, Date.parse('2026-09-15T18:59:58.500Z'))).toBe(1500);
    expect(msToNextMidnight('Asia/Kolkata', Date.parse('2026-09-15T18:29:59.000Z'))).toBe(1000);
  });

  it('[LS2] waits at most an hour, for a tablet asleep at midnight or a clock change', () => {
    expect(msToNextMidnight(ZONE, Date.parse('2026-09-15T19:00:00.000Z'))).toBe(3_600_000);
    expect(msToNextMidnight(ZONE, Date.parse('2026-09-15T17:30:00.000Z'))).toBe(3_600_000);
    expect(msToNextMidnight(ZONE, Date.parse('2026-09-15T18:30:00.000Z'))).toBe(1_800_000);
  });
});
