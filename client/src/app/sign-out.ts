import { cacheClear } from '../api/cache.ts';
import type { Session } from '../sync/session.ts';

/**
 * Sign-out of a parent or an admin. What the parent's screens kept for reading offline (the
 * diaries of their children) leaves the device with the session: a family tablet passed to
 * someone else must not show them. The session ends first (signOut forgets it before telling
 * the server), so nothing can be asked in its name after the clear, and the clear refuses the
 * answers still on their way. A storage that cannot be cleared does not keep anyone signed in.
 */
export async function signOutOfRole(session: Session): Promise<void> {
  const ended = session.signOut();
  await cacheClear().catch(() => undefined);
  await ended;
}

/**
 * A sign-out in another tab of this browser (SO2). The session of this tab is gone already
 * (Session follows the stored one, so the screens give way to the sign-in form, and a
 * teacher's journal closes as it does at any sign-out: sync stopped, database closed, nothing
 * deleted). What this tab kept for offline reading goes too, and answers still on their way
 * are refused, as at a sign-out here; the tab that signed out has told the server.
 */
export function followSignOutsElsewhere(session: Session): () => void {
  return session.onEndedElsewhere(() => void cacheClear().catch(() => undefined));
}
