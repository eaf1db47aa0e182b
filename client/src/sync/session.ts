import type { LoginResponse, SessionUser } from '@otmetka/shared';
import { signal } from '@preact/signals';
import type { DurableKv } from './durable-kv.ts';
import type { HttpOptions } from './http.ts';
import { ApiError, protocolHeaders, readJson, send } from './http.ts';

/**
 * Tokens and the signed-in user. The access token is short-lived and the refresh token
 * rotates on every use. Rules that keep a teacher working offline:
 * - nothing checks the access token's expiry locally: an expired token blocks no local work;
 * - on 401 the manager refreshes once and retries; when the refresh itself is refused, the
 *   session stays (local data and pending changes are kept) and `needsSignIn` asks the same
 *   user to sign in again, after which the pending pushes go out;
 * - a network failure during refresh is just "offline", never a sign-out.
 */

export interface KeyValueStore {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
  /**
   * Calls back when another tab changed `key` (or cleared the store); returns the unsubscribe.
   * Only a store that tabs share has it.
   */
  watch?(key: string, onChange: () => void): () => void;
}

/** localStorage in the browser; a Map for Node tests and private modes without storage. */
export function defaultStore(): KeyValueStore {
  try {
    if (typeof localStorage !== 'undefined') {
      localStorage.setItem('otmetka.probe', '1');
      localStorage.removeItem('otmetka.probe');
      return {
        get: (k) => localStorage.getItem(k),
        set: (k, v) => localStorage.setItem(k, v),
        remove: (k) => localStorage.removeItem(k),
        watch: watchLocalStorage,
      };
    }
  } catch {
    // Storage disabled: fall through to memory.
  }
  return memoryStore();
}

/** The browser's `storage` event: fired in every other tab of the origin, never in the writer. */
function watchLocalStorage(key: string, onChange: () => void): () => void {
  if (typeof window === 'undefined') return () => {};
  const listener = (event: StorageEvent) => {
    if (event.storageArea && event.storageArea !== localStorage) return;
    // A null key: the whole store was cleared.
    if (event.key === key || event.key === null) onChange();
  };
  window.addEventListener('storage', listener);
  return () => window.removeEventListener('storage', listener);
}

export function memoryStore(): KeyValueStore {
  const map = new Map<string, string>();
  return {
    get: (k) => map.get(k) ?? null,
    set: (k, v) => void map.set(k, v),
    remove: (k) => void map.delete(k),
  };
}

const SESSION_KEY = 'otmetka.session';

/**
 * SO3: refresh tokens of sign-outs the server has not heard of (offline at the tap). Only the
 * token, nothing else of the user; a few at most, so a phone offline for weeks of sign-outs
 * does not grow the list without end (the oldest is dropped: it expires on its own).
 */
const PENDING_LOGOUTS_KEY = 'otmetka.pendingLogouts';
const MAX_PENDING_LOGOUTS = 5;

/** Parses a login or refresh answer; the protocol's zod schemas load only when one arrives. */
async function parseLogin(body: unknown): Promise<LoginResponse> {
  // The deep path: through the barrel this dynamic import kept zod in the start-up bundle.
  const { loginResponseSchema } = await import('@otmetka/shared/protocol');
  return loginResponseSchema.parse(body);
}

function isSessionData(value: unknown): value is SessionData {
  const data = value as Partial<SessionData> | null;
  const user = data?.user as Partial<SessionUser> | undefined;
  return (
    typeof data?.accessToken === 'string' &&
    typeof data.refreshToken === 'string' &&
    typeof user?.id === 'string' &&
    typeof user.orgId === 'string' &&
    ['teacher', 'admin', 'parent'].includes(user.role as string) &&
    typeof user.displayName === 'string' &&
    (user.teacherId === null || typeof user.teacherId === 'string') &&
    typeof user.timeZone === 'string'
  );
}

export interface SessionData {
  user: SessionUser;
  accessToken: string;
  refreshToken: string;
}

/** SO4: the session's keys of localStorage as its durable copy holds them. */
interface Copy {
  session: string | null;
  pendingLogouts: string | null;
}

const COPY_KEY = 'session';

export class Session {
  readonly current = signal<SessionData | null>(null);
  /** The refresh token was refused: the same user must sign in again (data is kept). */
  readonly needsSignIn = signal(false);
  private refreshing: Promise<void> | null = null;
  private readonly endedElsewhere = new Set<(user: SessionUser) => void>();
  private readonly unwatch: () => void;
  private flushing: Promise<void> | null = null;
  private readonly onOnline = () => void this.flushLogouts();
  /** The durable copy's writes, one after another in the order of the changes (SO4). */
  private copied: Promise<void> = Promise.resolve();
  /** Changes of the session made by this tab; restore() adopts nothing older than one. */
  private changes = 0;
  /** A sign-out is being written down: the session may not be used any more. */
  private ending = false;

  constructor(
    readonly http: HttpOptions,
    private readonly store: KeyValueStore = defaultStore(),
    /** Where the durable copy lives (SO4); none in tests of other things. */
    private readonly durable: DurableKv | null = null,
  ) {
    this.current.value = this.load();
    this.unwatch = store.watch?.(SESSION_KEY, () => this.follow()) ?? (() => {});
    // SO3: a sign-out the server missed is told at the next chance: this start, the network's
    // return, or any answer the server gives (a sign-in, a refresh).
    if (typeof window !== 'undefined') window.addEventListener('online', this.onOnline);
    void this.flushLogouts();
  }

  /**
   * Another tab changed the stored session (SO2): this tab holds what the store holds. A
   * sign-out there signs this tab out, whatever it shows; a refresh or a sign-in again there
   * hands this tab the new tokens (the refresh token rotates: the old one is spent).
   */
  private follow(): void {
    const before = this.current.value;
    const after = this.load();
    this.current.value = after;
    this.needsSignIn.value = false;
    if (before && after?.user.id !== before.user.id) {
      for (const listener of this.endedElsewhere) listener(before.user);
    }
  }

  /**
   * Calls back when another tab ended this tab's session (a sign-out there, or another user
   * signed in there after it); returns the unsubscribe. The session is already gone then.
   */
  onEndedElsewhere(listener: (user: SessionUser) => void): () => void {
    this.endedElsewhere.add(listener);
    return () => this.endedElsewhere.delete(listener);
  }

  /** Stops following the other tabs (a test's session that is done). */
  dispose(): void {
    this.unwatch();
    if (typeof window !== 'undefined') window.removeEventListener('online', this.onOnline);
    this.endedElsewhere.clear();
  }

  get user(): SessionUser | null {
    return this.current.value?.user ?? null;
  }

  private load(): SessionData | null {
    const raw = this.store.get(SESSION_KEY);
    if (!raw) return null;
    try {
      // Written by save() from a parsed answer; a shape check keeps zod out of the start-up.
      const parsed: unknown = JSON.parse(raw);
      if (!isSessionData(parsed)) throw new Error('stored session has an unexpected shape');
      return parsed;
    } catch {
      this.store.remove(SESSION_KEY);
      return null;
    }
  }

  /**
   * SO4: the durable copy settles what localStorage lost. It holds the session and the pending
   * logouts as of the last change this device made, and it wins: localStorage reaches the disk
   * seconds late, so after the browser was killed it may still hold what came before the last
   * sign-in, refresh or sign-out. A device without a copy (signed in before SO4) keeps its
   * session and gets one. Call before the first screen.
   */
  async restore(): Promise<void> {
    if (!this.durable) return;
    const changesBefore = this.changes;
    const held = this.copyOfStore();
    let kept: Copy | undefined;
    try {
      kept = await this.durable.get<Copy>(COPY_KEY);
    } catch {
      // No IndexedDB here (a private mode): localStorage alone, as before.
      return;
    }
    // This tab signed in, refreshed or signed out meanwhile: that is newer than both.
    if (this.changes !== changesBefore) return;

    if (!kept) return this.writeCopy();
    if (kept.session === held.session && kept.pendingLogouts === held.pendingLogouts) return;
    this.put(SESSION_KEY, kept.session);
    this.put(PENDING_LOGOUTS_KEY, kept.pendingLogouts);
    this.current.value = this.load();
    // A logout the server missed is told now, after any flush already under way (SO3).
    void this.flushLogouts().then(() => this.flushLogouts());
    // A copy that does not parse is dropped from both (load() removed it from localStorage).
    if (kept.session !== null && !this.current.value) await this.writeCopy();
  }

  private copyOfStore(): Copy {
    return {
      session: this.store.get(SESSION_KEY),
      pendingLogouts: this.store.get(PENDING_LOGOUTS_KEY),
    };
  }

  private put(key: string, value: string | null): void {
    if (value === null) this.store.remove(key);
    else this.store.set(key, value);
  }

  /**
   * Queues a write of the durable copy, which reads localStorage when its transaction runs;
   * never fails (localStorage still holds the change).
   */
  private writeCopy(): Promise<void> {
    this.changes++;
    const durable = this.durable;
    if (!durable) return Promise.resolve();
    this.copied = this.copied
      .then(() => durable.update<Copy>(COPY_KEY, () => this.copyOfStore()))
      .then(
        () => undefined,
        () => undefined,
      );
    return this.copied;
  }

  /**
   * Takes the new session once its durable copy holds it (SO4): the screens change after, so a
   * browser killed the moment the journal showed cannot come back without it.
   */
  private async save(data: LoginResponse): Promise<void> {
    this.store.set(SESSION_KEY, JSON.stringify(data));
    const written = this.writeCopy();
    // The server just answered: the moment to tell it of a sign-out it missed (SO3).
    void this.flushLogouts();
    await written;
    this.current.value = data;
    this.needsSignIn.value = false;
  }

  /**
   * Signs in. While a session exists (re-sign-in after an expired refresh token) only the same
   * user may sign in: the device holds that user's unsent changes.
   */
  async signIn(login: string, password: string): Promise<SessionUser> {
    const response = await send(this.http, '/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...protocolHeaders(this.http) },
      body: JSON.stringify({ login, password }),
    });
    const data = await parseLogin(await readJson(response));
    const previous = this.current.value;
    if (previous && previous.user.id !== data.user.id) {
      throw new ApiError(
        'FORBIDDEN',
        403,
        `На этом устройстве есть неотправленные изменения пользователя «${previous.user.displayName}». Войдите под его учётной записью или выйдите с удалением данных.`,
      );
    }
    await this.save(data);
    return data.user;
  }

  /**
   * AC2: a parent's own account in the organisation of a registration link; signed in at once.
   * Only on a device without a session (the form is offered on the sign-in screen).
   */
  async register(input: {
    orgId: string;
    displayName: string;
    login: string;
    password: string;
  }): Promise<SessionUser> {
    const response = await send(this.http, '/api/auth/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...protocolHeaders(this.http) },
      body: JSON.stringify(input),
    });
    const data = await parseLogin(await readJson(response));
    await this.save(data);
    return data.user;
  }

  /** The organisation a registration link names: its name and city, or an ApiError. */
  async publicOrg(orgId: string): Promise<{ id: string; name: string; city: string }> {
    const response = await send(this.http, `/api/public/orgs/${encodeURIComponent(orgId)}`, {
      headers: protocolHeaders(this.http),
    });
    return (await readJson(response)) as { id: string; name: string; city: string };
  }

  /** One refresh at a time: parallel 401s share it (the refresh token rotates). */
  refresh(): Promise<void> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    const session = this.current.value;
    if (!session) throw new ApiError('SIGN_IN_REQUIRED', 401, 'Нужно войти в систему');
    const response = await send(this.http, '/api/auth/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...protocolHeaders(this.http) },
      body: JSON.stringify({ refreshToken: session.refreshToken }),
    });
    try {
      const answer = await parseLogin(await readJson(response));
      // Signed out (or in again) while the answer travelled: it must not bring the session back.
      if (this.ending || this.current.value !== session) return;
      // Durable before anything uses it: the token it replaced is spent on the server.
      await this.save(answer);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        this.needsSignIn.value = true;
        throw new ApiError('SIGN_IN_REQUIRED', 401, 'Сеанс истёк. Войдите снова.');
      }
      throw err;
    }
  }

  /**
   * An authorised request. Fails fast (no network use) while the user must sign in again, so
   * replication retries stay cheap; on 401 refreshes once and retries.
   */
  async authorised(path: string, init: RequestInit = {}): Promise<Response> {
    if (this.needsSignIn.value || !this.current.value || this.ending) {
      throw new ApiError('SIGN_IN_REQUIRED', 401, 'Сеанс истёк. Войдите снова.');
    }
    const response = await this.sendWithToken(path, init);
    if (response.status !== 401) return response;
    await response.body?.cancel();
    await this.refresh();
    return this.sendWithToken(path, init);
  }

  private sendWithToken(path: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${this.current.value?.accessToken ?? ''}`);
    for (const [k, v] of Object.entries(protocolHeaders(this.http))) headers.set(k, v);
    return send(this.http, path, { ...init, headers });
  }

  async getJson(path: string): Promise<unknown> {
    return readJson(await this.authorised(path));
  }

  async postJson(path: string, body: unknown): Promise<unknown> {
    return readJson(
      await this.authorised(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    );
  }

  /**
   * Forgets the tokens on this device at once, then ends the session on the server. Local
   * first: while a slow network carries the logout, nothing may still be asked (or kept) in the
   * name of the session the user has left. A logout that cannot reach the server is kept and
   * sent at the next chance (SO3): the refresh token would stay valid there for 30 days.
   */
  async signOut(): Promise<void> {
    const session = this.current.value;
    // Nothing is asked in the session's name from here on (SO1), while the screens change only
    // once the end is on disk (SO4): a browser killed the moment the sign-in form showed came
    // back signed in.
    this.ending = true;
    this.store.remove(SESSION_KEY);
    // Kept before it is sent, with the end of the session in one durable write: a phone closed
    // (or killed) while the logout hangs still tells it next time.
    if (session) this.keepLogout(session.refreshToken);
    await this.writeCopy();
    this.current.value = null;
    this.needsSignIn.value = false;
    this.ending = false;
    if (!session) return;
    if (await this.tellLogout(session.refreshToken)) await this.dropLogout(session.refreshToken);
  }

  /** SO3: sends the logouts the server missed; one at a time, once per tab at a time. */
  flushLogouts(): Promise<void> {
    this.flushing ??= this.sendPendingLogouts().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async sendPendingLogouts(): Promise<void> {
    for (const token of this.pendingLogouts()) {
      if (!(await this.tellLogout(token))) return;
      await this.dropLogout(token);
    }
  }

  /**
   * Whether the server heard the logout. Any answer below 500 counts: a token it revoked, or
   * one it no longer knows (expired, revoked from elsewhere) needs no second try.
   */
  private async tellLogout(refreshToken: string): Promise<boolean> {
    try {
      const response = await send(this.http, '/api/auth/logout', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...protocolHeaders(this.http) },
        body: JSON.stringify({ refreshToken }),
      });
      await response.body?.cancel();
      return response.status < 500;
    } catch {
      return false;
    }
  }

  private keepLogout(refreshToken: string): void {
    const pending = [...this.pendingLogouts(), refreshToken];
    this.writeLogouts(pending.slice(-MAX_PENDING_LOGOUTS));
  }

  private dropLogout(refreshToken: string): Promise<void> {
    this.writeLogouts(this.pendingLogouts().filter((t) => t !== refreshToken));
    return this.writeCopy();
  }

  private pendingLogouts(): string[] {
    try {
      const parsed: unknown = JSON.parse(this.store.get(PENDING_LOGOUTS_KEY) ?? '[]');
      return Array.isArray(parsed) ? parsed.filter((t) => typeof t === 'string') : [];
    } catch {
      return [];
    }
  }

  private writeLogouts(tokens: string[]): void {
    if (tokens.length === 0) this.store.remove(PENDING_LOGOUTS_KEY);
    else this.store.set(PENDING_LOGOUTS_KEY, JSON.stringify(tokens));
  }
}
