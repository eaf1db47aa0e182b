import { useEffect, useState } from 'preact/hooks';
import type { Observable } from 'rxjs';

/**
 * Subscribes to an observable (an RxDB live query, mapped to plain documents) for as long as
 * the component lives; re-subscribes when a dependency changes.
 */
export function useObservable<T>(
  factory: () => Observable<T> | null,
  deps: unknown[],
  initial: T,
): T {
  const [value, setValue] = useState<T>(initial);
  useEffect(() => {
    const source = factory();
    if (!source) return;
    const sub = source.subscribe(setValue);
    return () => sub.unsubscribe();
  }, deps);
  return value;
}
