import { cacheClear } from '../api/cache.ts';
import type { Session } from '../sync/session.ts';

/**
 * Sign-out of a parent or an admin. What the parent's screens kept for reading offline (the
 * diaries of their children) leaves the device with the session: a family tablet passed to
 * someone else must not show them. A storage that cannot be cleared does not keep anyone
 * signed in.
 */
export async function signOutOfRole(session: Session): Promise<void> {
  await cacheClear().catch(() => undefined);
  await session.signOut();
}
