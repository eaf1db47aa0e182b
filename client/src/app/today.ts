import { minutesOf, nowTimeIn, todayIn } from '@otmetka/shared';
import { useEffect, useState } from 'preact/hooks';

/**
 * The longest wait between two looks at the date. A timer set for midnight fires late when
 * the tablet slept through it, and a zone that moves its clocks shifts midnight by an hour.
 */
const LOOK_AGAIN_MS = 60 * 60 * 1000;

/**
 * Milliseconds from `now` to the next midnight in `timeZone`, at most LOOK_AGAIN_MS. Zones'
 * offsets are whole minutes, so the seconds into the minute are the same as in UTC.
 */
export function msToNextMidnight(timeZone: string, now: number): number {
  const minutesLeft = 24 * 60 - minutesOf(nowTimeIn(timeZone, new Date(now)));
  return Math.min(minutesLeft * 60_000 - (now % 60_000), LOOK_AGAIN_MS);
}

/**
 * Today in `timeZone` (the organisation's, DT2), kept current while a screen stays open: a
 * screen left open over midnight must see the new day without anything else re-rendering it
 * (LS2). It looks again at the zone's next midnight and whenever the page becomes visible.
 */
export function useToday(timeZone: string): string {
  const [today, setToday] = useState(() => todayIn(timeZone));
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const look = () => {
      clearTimeout(timer);
      setToday(todayIn(timeZone));
      // Fired a moment early (timers and wall clocks drift apart): the next wait is short.
      timer = setTimeout(look, msToNextMidnight(timeZone, Date.now()));
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible') look();
    };
    look();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [timeZone]);
  return today;
}
