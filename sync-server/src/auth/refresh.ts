import { createHash, randomBytes } from 'node:crypto';
import type { Store } from '../db/store.ts';
import { USERS_DB } from '../db/store.ts';
import { REFRESH_TOKEN_TTL_SECONDS } from '../shared.ts';

/**
 * Rotating refresh tokens. A token is 32 random bytes given to the device once; the server keeps
 * only its sha256 in otm_users. Every refresh marks the token used and issues the next one of
 * the same family; presenting a used token again means it was stolen (or replayed), so the whole
 * family is revoked and every device holding it must sign in again.
 */

export interface RefreshSession {
  id: string;
  type: 'refresh';
  userId: string;
  familyId: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
  revoked: boolean;
  [key: string]: unknown;
}

export type RefreshOutcome<T> =
  | { ok: true; value: T; token: string }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' | 'reused' };

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');
const sessionId = (token: string) => `refresh-${sha256(token)}`;

export class RefreshTokens {
  constructor(
    private readonly store: Store,
    private readonly now: () => number,
  ) {}

  /** Starts a new family (a login). */
  async issue(userId: string, familyId = randomBytes(12).toString('hex')): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const now = this.now();
    const session: RefreshSession = {
      id: sessionId(token),
      type: 'refresh',
      userId,
      familyId,
      createdAt: now,
      expiresAt: now + REFRESH_TOKEN_TTL_SECONDS * 1000,
      usedAt: null,
      revoked: false,
    };
    await this.store.insertIfAbsent(USERS_DB, [session]);
    return token;
  }

  /**
   * Checks the token, runs `prepare` (everything the answer needs from the database; undefined:
   * the account is gone), stores the next token and only then marks this one used. Whatever
   * fails before that last write (the database restarting mid-refresh) leaves the token valid, so
   * a refresh that answered 500 can be retried instead of looking like a stolen token next time.
   */
  async rotate<T>(
    token: string,
    prepare: (userId: string) => Promise<T | undefined>,
  ): Promise<RefreshOutcome<T>> {
    const stored = (await this.store.getMany<RefreshSession>(USERS_DB, [sessionId(token)])).get(
      sessionId(token),
    );
    if (!stored || stored.deleted) return { ok: false, reason: 'unknown' };
    const session = stored.doc;

    if (session.revoked) return { ok: false, reason: 'revoked' };
    if (session.usedAt !== null) {
      await this.revokeFamily(session.familyId);
      return { ok: false, reason: 'reused' };
    }
    if (session.expiresAt <= this.now()) return { ok: false, reason: 'expired' };

    const value = await prepare(session.userId);
    if (value === undefined) return { ok: false, reason: 'unknown' };
    // Unused until handed out: if the write below fails, nobody ever holds this token.
    const next = await this.issue(session.userId, session.familyId);

    // Mark used with the read revision: of two concurrent refreshes only one wins; the other
    // sees a conflict and is treated as a reuse (which also revokes the winner's next token).
    const [result] = await this.store.bulkWrite(USERS_DB, [
      { doc: { ...session, usedAt: this.now() }, rev: stored.rev },
    ]);
    if (!result?.ok) {
      await this.revokeFamily(session.familyId);
      return { ok: false, reason: 'reused' };
    }
    return { ok: true, value, token: next };
  }

  /** Logout: the token's whole family stops working. Unknown tokens are ignored. */
  async revoke(token: string): Promise<void> {
    const session = await this.store.get<RefreshSession>(USERS_DB, sessionId(token));
    if (session) await this.revokeFamily(session.familyId);
  }

  async revokeFamily(familyId: string): Promise<void> {
    const sessions = await this.store.find<RefreshSession>(USERS_DB, { type: 'refresh', familyId });
    const live = sessions.filter((s) => !s.revoked);
    if (live.length > 0) {
      await this.store.putMany(
        USERS_DB,
        live.map((s) => ({ ...s, revoked: true })),
      );
    }
  }
}
