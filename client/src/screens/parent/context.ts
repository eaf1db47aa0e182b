import type { SessionUser } from '@otmetka/shared';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ParentApi } from '../../api/parent.ts';

export interface ParentContextValue {
  user: SessionUser;
  api: ParentApi;
  /** Bumped after an application or a new child, and when the network returns: screens reload. */
  version: number;
  changed: () => void;
}

export const ParentContext = createContext<ParentContextValue | null>(null);

export function useParent(): ParentContextValue {
  const value = useContext(ParentContext);
  if (!value) throw new Error('useParent outside ParentApp');
  return value;
}
