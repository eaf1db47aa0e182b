import {
  applicationViewSchema,
  type ChildInput,
  type ChildListResponse,
  childListResponseSchema,
  childViewSchema,
  type DiaryResponse,
  diaryParamsSchema,
  diaryQuerySchema,
  diaryResponseSchema,
  type ParentApplicationListResponse,
  type ParentApplicationRequest,
  type ParentCatalogResponse,
  parentApplicationListResponseSchema,
  parentCatalogResponseSchema,
} from '@otmetka/shared/api';
import type { z } from 'zod';
import { cacheGeneration, cacheGet, cachePut } from './cache.ts';
import { type FetchApi, isApiError, isNetworkError, requestJson, withQuery } from './http.ts';

/**
 * Typed calls of /api/parent. Four answers are kept on the device so the parent's screens read
 * offline (PD4, PD6): the list of the parent's children (names only, no birth dates), the
 * parent's applications, the diary per child and month, and the organisation's catalogue. Each
 * is the last answer the server gave, stored with the time it was fetched; when the server
 * cannot be reached the screen shows that copy and its time. Beside them the device keeps the
 * child and month the diary showed last (PD5). All of it leaves the device at sign-out (SO1).
 */

const P = '/api/parent';
const enc = encodeURIComponent;

export interface Cached<T> {
  value: T;
  /** When the server produced this answer (ms since the epoch). */
  fetchedAt: number;
  /** true: the server was unreachable (or slow, or refused the session) and this is the stored copy. */
  fromCache: boolean;
  /**
   * Why the stored copy is shown: no connection; a server slower than SLOW_AFTER_MS (PD8); or
   * a session the server no longer accepts, while the sign-in form asks for the password (PD13).
   */
  keptBecause?: KeptBecause;
  /**
   * PD10: the request still on its way when the stored copy was shown for a slow server: the
   * screen replaces the copy with its answer when it arrives.
   */
  later?: Promise<Cached<T>>;
}

export type KeptBecause = 'offline' | 'slow' | 'signIn';

export function diaryCacheKey(userId: string, learnerId: string, month: string): string {
  return `parent:${userId}:diary:${learnerId}:${month}`;
}

export function childrenCacheKey(userId: string): string {
  return `parent:${userId}:children`;
}

export function applicationsCacheKey(userId: string): string {
  return `parent:${userId}:applications`;
}

export function catalogCacheKey(userId: string): string {
  return `parent:${userId}:catalog`;
}

export function diaryViewCacheKey(userId: string): string {
  return `parent:${userId}:diary-view`;
}

/** The child and month the diary shows (PD5): ids and a month, nothing about anyone. */
export const diaryViewSchema = diaryParamsSchema.extend(diaryQuerySchema.shape);
export type DiaryView = z.infer<typeof diaryViewSchema>;

/**
 * PD8: how long a read waits for the server before it shows the kept copy instead. On a weak
 * signal a request can hang for minutes with the browser still «online»; the parent should
 * read the diary meanwhile, not a spinner.
 */
export const SLOW_AFTER_MS = 6000;

export function parentApi(fetchApi: FetchApi, userId: string, slowAfterMs = SLOW_AFTER_MS) {
  // The reads (by cache key) whose last outcome was a copy shown for want of a network.
  const unreachable = new Set<string>();
  const settle = (key: string, outcome: Cached<unknown> | { failed: unknown }) => {
    const offline =
      'failed' in outcome ? isNetworkError(outcome.failed) : outcome.keptBecause === 'offline';
    if (offline) unreachable.add(key);
    else unreachable.delete(key);
  };
  const kept = async <S extends z.ZodType>(key: string, path: string, schema: S) => {
    try {
      const answer = await cachedJson({ fetchApi, key, path, schema, slowAfterMs });
      settle(key, answer);
      // A copy shown for a slow server: what the request ends in decides (PD10).
      answer.later?.then(
        (late) => settle(key, late),
        (failed: unknown) => settle(key, { failed }),
      );
      return answer;
    } catch (failed) {
      settle(key, { failed });
      throw failed;
    }
  };
  return {
    /**
     * PD7: whether a screen shows a copy for want of a network, forgetting it: the browser's
     * `online` event does not come when the signal returns behind a Wi-Fi that was already
     * connected, so the app asks again from time to time while this holds, and the reads it
     * asks again say afresh (a read no screen shows any more is not asked, nor counted).
     */
    takeUnreachable: () => {
      const any = unreachable.size > 0;
      unreachable.clear();
      return any;
    },
    catalog: (): Promise<Cached<ParentCatalogResponse>> =>
      kept(catalogCacheKey(userId), `${P}/catalog`, parentCatalogResponseSchema),
    listChildren: (): Promise<Cached<ChildListResponse>> =>
      kept(childrenCacheKey(userId), `${P}/children`, childListResponseSchema),
    addChild: (input: ChildInput) =>
      requestJson(fetchApi, `${P}/children`, childViewSchema, { method: 'POST', body: input }),
    listApplications: (): Promise<Cached<ParentApplicationListResponse>> =>
      kept(applicationsCacheKey(userId), `${P}/applications`, parentApplicationListResponseSchema),
    apply: (request: ParentApplicationRequest) =>
      requestJson(fetchApi, `${P}/applications`, applicationViewSchema, {
        method: 'POST',
        body: request,
      }),
    diary: (learnerId: string, month: string): Promise<Cached<DiaryResponse>> =>
      kept(
        diaryCacheKey(userId, learnerId, month),
        withQuery(`${P}/diary/${enc(learnerId)}`, { month }),
        diaryResponseSchema,
      ),
    /** The diary's last child and month on this device, or null (none kept, or unreadable). */
    lastDiaryView: async (): Promise<DiaryView | null> => {
      const entry = await cacheGet(diaryViewCacheKey(userId)).catch(() => undefined);
      const parsed = diaryViewSchema.safeParse(entry?.value);
      return parsed.success ? parsed.data : null;
    },
    /** Best effort: a full storage must not stop the parent switching child or month. */
    saveDiaryView: (view: DiaryView): Promise<unknown> =>
      cachePut(diaryViewCacheKey(userId), view).catch(() => false),
  };
}

export type ParentApi = ReturnType<typeof parentApi>;

interface CachedRequest<S extends z.ZodType> {
  fetchApi: FetchApi;
  key: string;
  path: string;
  schema: S;
  slowAfterMs: number;
}

/**
 * Online: fetch, store, return. Server unreachable, or the session refused (PD13): the stored
 * copy, or the error. Server slow (PD8): after `slowAfterMs` the stored copy, if there is one,
 * while the request goes on, stores its answer and hands it to the screen as `later` (PD10).
 * An answer that arrives after the session ended (a sign-out while the request was on its way)
 * is returned but not stored: the cache refuses writes older than its last clear.
 */
async function cachedJson<S extends z.ZodType>(
  request: CachedRequest<S>,
): Promise<Cached<z.infer<S>>> {
  const { key, schema } = request;
  const fresh = fetchAndKeep(request);
  // When the stored copy is shown first, a later failure of the request has no one to tell.
  fresh.catch(() => undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const slow = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, request.slowAfterMs);
  });
  const stop = () => clearTimeout(timer);
  fresh.then(stop, stop);
  const meanwhile = slow.then(async () => {
    const copy = await readCached(key, schema, 'slow');
    return copy ? { ...copy, later: relabelOnFailure(fresh, copy) } : fresh;
  });
  try {
    return await Promise.race([fresh, meanwhile]);
  } catch (error) {
    const because = keptBecauseOf(error);
    if (!because) throw error;
    const copy = await readCached(key, schema, because);
    if (!copy) throw error;
    return copy;
  }
}

/** The failures that show the stored copy rather than an error. */
function keptBecauseOf(error: unknown): KeptBecause | null {
  if (isNetworkError(error)) return 'offline';
  // PD13: the sign-in form above the screens says what happened; the copy is still the family's.
  if (isApiError(error) && error.code === 'SIGN_IN_REQUIRED') return 'signIn';
  return null;
}

/**
 * The slow request's outcome for a screen showing `copy`: its answer, or the same copy
 * labelled with the failure (a network that dropped meanwhile now reads «Нет связи»).
 */
async function relabelOnFailure<T>(fresh: Promise<Cached<T>>, copy: Cached<T>) {
  try {
    return await fresh;
  } catch (error) {
    const because = keptBecauseOf(error);
    if (!because) throw error;
    return { ...copy, keptBecause: because };
  }
}

async function fetchAndKeep<S extends z.ZodType>({
  fetchApi,
  key,
  path,
  schema,
}: CachedRequest<S>): Promise<Cached<z.infer<S>>> {
  const since = cacheGeneration();
  const value = await requestJson(fetchApi, path, schema);
  const fetchedAt = Date.now();
  // A full or blocked storage must not hide an answer the server just gave.
  await cachePut(key, value, fetchedAt, since).catch(() => undefined);
  return { value, fetchedAt, fromCache: false };
}

async function readCached<S extends z.ZodType>(
  key: string,
  schema: S,
  keptBecause: KeptBecause,
): Promise<Cached<z.infer<S>> | null> {
  const entry = await cacheGet(key).catch(() => undefined);
  if (!entry) return null;

  // A copy written by an older version may not match today's schema: treat it as absent.
  const parsed = schema.safeParse(entry.value);
  if (!parsed.success) return null;
  return { value: parsed.data, fetchedAt: entry.savedAt, fromCache: true, keptBecause };
}
