import type { RefObject } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Observable } from 'rxjs';
import { editsInProgress } from './router.ts';

/**
 * Subscribes to an observable (an RxDB live query, mapped to plain documents) for as long as
 * the component lives; re-subscribes when a dependency changes. Until the new query answers,
 * it gives `initial`, never the old query's last value: another month's lessons and marks
 * showed in a month just opened (LS9), for 100–150 ms on a slow tablet.
 */
export function useObservable<T>(
  factory: () => Observable<T> | null,
  deps: unknown[],
  initial: T,
): T {
  const [state, setState] = useState<{ deps: unknown[]; value: T }>({ deps, value: initial });
  useEffect(() => {
    const source = factory();
    if (!source) return;
    const sub = source.subscribe((value) => setState({ deps, value }));
    return () => sub.unsubscribe();
  }, deps);
  return sameDeps(state.deps, deps) ? state.value : initial;
}

function sameDeps(a: unknown[], b: unknown[]): boolean {
  return a.length === b.length && a.every((value, i) => Object.is(value, b[i]));
}

/**
 * A dialog gives the focus back to what opened it when it closes (LS3): a keyboard or
 * screen-reader user goes on from the button they pressed, not from the top of the page.
 * Call it before any effect that moves the focus into the dialog.
 */
export function useReturnFocus(fallback?: RefObject<HTMLElement>): void {
  useEffect(() => {
    const active = document.activeElement as HTMLElement | null;
    // A button disabled while it worked (as «Выйти» is) has already dropped the focus.
    const opener = active && active !== document.body ? active : null;
    return () => {
      const target = opener?.isConnected ? opener : fallback?.current;
      target?.focus();
    };
  }, []);
}

/**
 * Counts a form in `editsInProgress` while it holds typed text not saved yet, so the update
 * banner's «Обновить» waits and a reload cannot drop it (UP1). TextField counts itself.
 */
export function useEditInProgress(dirty: boolean): void {
  useEffect(() => {
    if (!dirty) return;
    editsInProgress.value++;
    return () => {
      editsInProgress.value--;
    };
  }, [dirty]);
}

/**
 * PW3: whether the app is stored for offline use: a service worker is active (it precached the
 * app when it installed). False where the browser has none, as offline it cannot open there.
 */
export function useAppStored(
  workers: Pick<ServiceWorkerContainer, 'ready'> | undefined = globalThis.navigator?.serviceWorker,
): boolean {
  const [stored, setStored] = useState(false);
  useEffect(() => {
    let live = true;
    void workers?.ready.then(() => {
      if (live) setStored(true);
    });
    return () => {
      live = false;
    };
  }, [workers]);
  return stored;
}
