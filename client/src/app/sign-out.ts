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
