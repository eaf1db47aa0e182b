import { useEffect, useState } from 'preact/hooks';
import type { Cached, KeptBecause } from '../../api/parent.ts';
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
  return (
    <p class="ap-warn" role="status" data-testid={props.testid}>
      {keptText(kept.keptBecause, at, props.offlineTail)}
    </p>
  );
}

function keptText(because: KeptBecause | undefined, at: string, offlineTail?: string): string {
  if (because === 'slow') {
    return `Сервер отвечает медленно. Данные на ${at}; свежие появятся сами, как только придут.`;
  }
  // PD13: the sign-in form above says why; the note says only how old the copy is.
  if (because === 'signIn') return `Сохранено на этом устройстве. Данные на ${at}`;
  return `Нет связи. Данные на ${at}${offlineTail ? `. ${offlineTail}` : ''}`;
}
