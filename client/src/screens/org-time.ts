import { todayIn } from '@otmetka/shared';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { formatInstantIn } from './admin/format.ts';

/**
 * The organisation's time zone for the admin and parent screens, from the signed-in session:
 * every "today" and every shown instant is local to the organisation, never to the device.
 */
export const OrgTimeZone = createContext<string | null>(null);

export function useOrgTime() {
  const timeZone = useContext(OrgTimeZone);
  if (!timeZone) throw new Error('useOrgTime outside an OrgTimeZone provider');
  return {
    timeZone,
    today: () => todayIn(timeZone),
    formatInstant: (ms: number) => formatInstantIn(timeZone, ms),
  };
}
