import { useEffect, useState } from 'preact/hooks';
import type { Cached } from '../../api/parent.ts';
import { type Loaded, useLoad } from '../admin/ui.tsx';

/**
 * useLoad for the parent's reads that keep a copy on the device. PD10: a copy shown because the
 * server was slow gives way to the server's answer when it arrives, in place: the screen is not
 * reloaded, so the child, the month and the scroll stay where the parent left them.
 */
export function useKept<T>(
  load: () => Promise<Cached<T>>,
  deps: readonly unknown[],
): Loaded<Cached<T>> {
  const loaded = useLoad(load, deps);
  const shown = loaded.data;
  const [arrived, setArrived] = useState<{ instead: Cached<T>; data: Cached<T> } | null>(null);

  useEffect(() => {
    let live = true;
    // A failure other than the network's leaves the copy on show: it is still the best there is.
    shown?.later?.then(
      (data) => live && setArrived({ instead: shown, data }),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [shown]);

  // An answer for a copy no longer on show (a newer load replaced it) is not shown.
  return { ...loaded, data: arrived && arrived.instead === shown ? arrived.data : shown };
}
