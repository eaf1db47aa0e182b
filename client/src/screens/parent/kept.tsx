import { useEffect, useState } from 'preact/hooks';
import type { Cached } from '../../api/parent.ts';
import { type Loaded, useLoad } from '../admin/ui.tsx';
import { useOrgTime } from '../org-time.ts';

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

/**
 * The note above a kept copy: how old it is and why it is shown. PD11: a slow server is not a
 * missing network; the parent is told the fresh data will replace the copy by themselves
 * (PD10), so she neither reloads nor looks for a signal she has. `offlineTail` adds what the
 * screen cannot do without the network.
 */
export function KeptNote(props: {
  kept: Cached<unknown> | undefined;
  testid: string;
  offlineTail?: string;
}) {
  const time = useOrgTime();
  const { kept } = props;
  if (!kept?.fromCache) return null;
  const at = time.formatInstant(kept.fetchedAt);
  const text =
    kept.keptBecause === 'slow'
      ? `Сервер отвечает медленно. Данные на ${at}; свежие появятся сами, как только придут.`
      : `Нет связи. Данные на ${at}${props.offlineTail ? `. ${props.offlineTail}` : ''}`;
  return (
    <p class="ap-warn" role="status" data-testid={props.testid}>
      {text}
    </p>
  );
}
