import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Store } from '../db/store.ts';
import { USERS_DB } from '../db/store.ts';
import { REFRESH_TOKEN_TTL_SECONDS } from '../shared.ts';

/**
 * Rotating refresh tokens. A token is 32 random bytes given to the device once; the server keeps
 * only its sha256 in otm_users. Every refresh marks the token used and issues the next one of
 * the same family; presenting a used token again means it was stolen (or replayed), so the whole
 * family is revoked and every device holding it must sign in again.
 *
 * One exception, for tablets on poor networks: a refresh whose answer never arrived. The next
 * token is derived from the presented one (an HMAC under a server key), so within
 * REUSE_GRACE_MS of the first use, and while that next token is still unused, presenting the
 * used token again answers the same next token instead of revoking the family. A thief would
 * have to replay within that minute and before the device refreshes again, and the first of the
 * two to use the next token then revokes the family for the other.
 */

const REUSE_GRACE_MS = 60_000;

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
  private readonly key: string;

  constructor(
    private readonly store: Store,
    private readonly now: () => number,
    secret: string,
  ) {
    this.key = `otmetka-refresh-successor:${secret}`;
  }

  private successorOf(token: string): string {
    return createHmac('sha256', this.key).update(token).digest('base64url');
  }

  /** Starts a new family (a login), or stores `token` as the next one of a family. */
  async issue(
    userId: string,
    familyId = randomBytes(12).toString('hex'),
    token = randomBytes(32).toString('base64url'),
  ): Promise<string> {
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
    if (session.usedAt !== null) return this.replay(token, prepare);
    if (session.expiresAt <= this.now()) return { ok: false, reason: 'expired' };

    const value = await prepare(session.userId);
    if (value === undefined) return { ok: false, reason: 'unknown' };
    // Unused until handed out: if the write below fails, nobody ever holds this token.
    const next = await this.issue(session.userId, session.familyId, this.successorOf(token));

    // Mark used with the read revision: of two concurrent refreshes only one wins; the other
    // then finds the token used and is answered as a replay.
    const [result] = await this.store.bulkWrite(USERS_DB, [
      { doc: { ...session, usedAt: this.now() }, rev: stored.rev },
    ]);
    if (!result?.ok) return this.replay(token, prepare);
    return { ok: true, value, token: next };
  }

  /**
   * A used token presented again: the same next token if this is the grace case (see above),
   * otherwise a theft or a stale replay, and the family is revoked.
   */
  private async replay<T>(
    token: string,
    prepare: (userId: string) => Promise<T | undefined>,
  ): Promise<RefreshOutcome<T>> {
    const id = sessionId(token);
    const nextToken = this.successorOf(token);
    const nextId = sessionId(nextToken);
    const found = await this.store.getMany<RefreshSession>(USERS_DB, [id, nextId]);
    const session = found.get(id)?.doc;
    const next = found.get(nextId)?.doc;
    if (!session) return { ok: false, reason: 'unknown' };

    const answerLost =
      session.usedAt !== null &&
      this.now() - session.usedAt <= REUSE_GRACE_MS &&
      next !== undefined &&
      !next.revoked &&
      next.usedAt === null;
    const value = answerLost ? await prepare(session.userId) : undefined;
    if (value !== undefined) return { ok: true, value, token: nextToken };

    await this.revokeFamily(session.familyId);
    return { ok: false, reason: 'reused' };
  }

  /** Logout: the token's whole family stops working. Unknown tokens are ignored. */
  async revoke(token: string): Promise<void> {
    const session = await this.store.get<RefreshSession>(USERS_DB, sessionId(token));
    if (session) await this.revokeFamily(session.familyId);
  }

  async revokeFamily(familyId: string): Promise<void> {
    await this.revokeWhere({ type: 'refresh', familyId });
  }

  /** AC3: every session of the account, on every device, stops working. */
  async revokeUser(userId: string): Promise<void> {
    await this.revokeWhere({ type: 'refresh', userId });
  }

  private async revokeWhere(selector: Record<string, string>): Promise<void> {
    const sessions = await this.store.find<RefreshSession>(USERS_DB, selector);
    const live = sessions.filter((s) => !s.revoked);
    if (live.length > 0) {
      await this.store.putMany(
        USERS_DB,
        live.map((s) => ({ ...s, revoked: true })),
      );
    }
  }
}
