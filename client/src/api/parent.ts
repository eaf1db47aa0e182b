import {
  applicationViewSchema,
  type ChildInput,
  type ChildListResponse,
  childListResponseSchema,
  childViewSchema,
  type DiaryResponse,
  diaryResponseSchema,
  type ParentApplicationListResponse,
  type ParentApplicationRequest,
  parentApplicationListResponseSchema,
  parentCatalogResponseSchema,
} from '@otmetka/shared/api';
import type { z } from 'zod';
import { cacheGeneration, cacheGet, cachePut } from './cache.ts';
import { type FetchApi, isNetworkError, requestJson, withQuery } from './http.ts';

/**
 * Typed calls of /api/parent. Three answers are kept on the device so the diary and the
 * applications read offline (PD4): the list of the parent's children (names only, no birth
 * dates), the parent's applications and the diary per child and month. Each is the last answer the server gave, stored with the time it was fetched; when
 * the server cannot be reached the screen shows that copy and its time.
 */

const P = '/api/parent';
const enc = encodeURIComponent;

export interface Cached<T> {
  value: T;
  /** When the server produced this answer (ms since the epoch). */
  fetchedAt: number;
  /** true: the server was unreachable and this is the stored copy. */
  fromCache: boolean;
}

export function diaryCacheKey(userId: string, learnerId: string, month: string): string {
  return `parent:${userId}:diary:${learnerId}:${month}`;
}

export function childrenCacheKey(userId: string): string {
  return `parent:${userId}:children`;
}

export function applicationsCacheKey(userId: string): string {
  return `parent:${userId}:applications`;
}

export function parentApi(fetchApi: FetchApi, userId: string) {
  return {
    catalog: () => requestJson(fetchApi, `${P}/catalog`, parentCatalogResponseSchema),
    listChildren: (): Promise<Cached<ChildListResponse>> =>
      cachedJson(fetchApi, childrenCacheKey(userId), `${P}/children`, childListResponseSchema),
    addChild: (input: ChildInput) =>
      requestJson(fetchApi, `${P}/children`, childViewSchema, { method: 'POST', body: input }),
    listApplications: (): Promise<Cached<ParentApplicationListResponse>> =>
      cachedJson(
        fetchApi,
        applicationsCacheKey(userId),
        `${P}/applications`,
        parentApplicationListResponseSchema,
      ),
    apply: (request: ParentApplicationRequest) =>
      requestJson(fetchApi, `${P}/applications`, applicationViewSchema, {
        method: 'POST',
        body: request,
      }),
    diary: (learnerId: string, month: string): Promise<Cached<DiaryResponse>> =>
      cachedJson(
        fetchApi,
        diaryCacheKey(userId, learnerId, month),
        withQuery(`${P}/diary/${enc(learnerId)}`, { month }),
        diaryResponseSchema,
      ),
  };
}

export type ParentApi = ReturnType<typeof parentApi>;

/**
 * Online: fetch, store, return. Server unreachable: the stored copy, or the network error. An
 * answer that arrives after the session ended (a sign-out while the request was on its way)
 * is returned but not stored: the cache refuses writes older than its last clear.
 */
async function cachedJson<S extends z.ZodType>(
  fetchApi: FetchApi,
  key: string,
  path: string,
  schema: S,
): Promise<Cached<z.infer<S>>> {
  const since = cacheGeneration();
  try {
    const value = await requestJson(fetchApi, path, schema);
    const fetchedAt = Date.now();
    // A full or blocked storage must not hide an answer the server just gave.
    await cachePut(key, value, fetchedAt, since).catch(() => undefined);
    return { value, fetchedAt, fromCache: false };
  } catch (error) {
    if (!isNetworkError(error)) throw error;
    const cached = await readCached(key, schema);
    if (!cached) throw error;
    return cached;
  }
}

async function readCached<S extends z.ZodType>(
  key: string,
  schema: S,
): Promise<Cached<z.infer<S>> | null> {
  const entry = await cacheGet(key).catch(() => undefined);
  if (!entry) return null;

  // A copy written by an older version may not match today's schema: treat it as absent.
  const parsed = schema.safeParse(entry.value);
  if (!parsed.success) return null;
  return { value: parsed.data, fetchedAt: entry.savedAt, fromCache: true };
}
