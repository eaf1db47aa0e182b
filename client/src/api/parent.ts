import {
  applicationViewSchema,
  type ChildInput,
  childListResponseSchema,
  childViewSchema,
  type DiaryResponse,
  diaryResponseSchema,
  type ParentApplicationRequest,
  parentApplicationListResponseSchema,
  parentCatalogResponseSchema,
} from '@otmetka/shared/api';
import { cacheGet, cachePut } from './cache.ts';
import { type FetchApi, isNetworkError, requestJson, withQuery } from './http.ts';

/**
 * Typed calls of /api/parent. The diary is the one answer kept on the device: the last answer
 * per child and month goes to the IndexedDB cache, and when the server cannot be reached the
 * screen shows it with the time it was fetched.
 */

const P = '/api/parent';
const enc = encodeURIComponent;

// Single entities come back bare (the view itself), lists wrapped in an object.
const childOne = childViewSchema;
const applicationOne = applicationViewSchema;

export interface DiaryResult {
  diary: DiaryResponse;
  /** When the server produced this answer (ms since the epoch). */
  fetchedAt: number;
  /** true: the server was unreachable and this is the cached copy. */
  fromCache: boolean;
}

export function diaryCacheKey(userId: string, learnerId: string, month: string): string {
  return `diary:${userId}:${learnerId}:${month}`;
}

export function parentApi(fetchApi: FetchApi, userId: string) {
  return {
    catalog: () => requestJson(fetchApi, `${P}/catalog`, parentCatalogResponseSchema),
    listChildren: () => requestJson(fetchApi, `${P}/children`, childListResponseSchema),
    addChild: (input: ChildInput) =>
      requestJson(fetchApi, `${P}/children`, childOne, { method: 'POST', body: input }),
    listApplications: () =>
      requestJson(fetchApi, `${P}/applications`, parentApplicationListResponseSchema),
    apply: (request: ParentApplicationRequest) =>
      requestJson(fetchApi, `${P}/applications`, applicationOne, {
        method: 'POST',
        body: request,
      }),
    diary: (learnerId: string, month: string) => loadDiary(fetchApi, userId, learnerId, month),
  };
}

export type ParentApi = ReturnType<typeof parentApi>;

/** Online: fetch and cache. Unreachable server: the cached copy, or the network error. */
async function loadDiary(
  fetchApi: FetchApi,
  userId: string,
  learnerId: string,
  month: string,
): Promise<DiaryResult> {
  const key = diaryCacheKey(userId, learnerId, month);
  const path = withQuery(`${P}/diary/${enc(learnerId)}`, { month });

  try {
    const diary = await requestJson(fetchApi, path, diaryResponseSchema);
    const fetchedAt = Date.now();
    await cachePut(key, diary, fetchedAt).catch(() => undefined);
    return { diary, fetchedAt, fromCache: false };
  } catch (error) {
    if (!isNetworkError(error)) throw error;
    const cached = await readCachedDiary(key);
    if (!cached) throw error;
    return cached;
  }
}

async function readCachedDiary(key: string): Promise<DiaryResult | null> {
  const entry = await cacheGet(key).catch(() => undefined);
  if (!entry) return null;

  // A copy written by an older version may not match today's schema: treat it as absent.
  const parsed = diaryResponseSchema.safeParse(entry.value);
  if (!parsed.success) return null;
  return { diary: parsed.data, fetchedAt: entry.savedAt, fromCache: true };
}
