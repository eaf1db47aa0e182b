import type { z } from 'zod';

/**
 * The one HTTP helper of the admin, parent and report screens. The session's `fetchApi` adds
 * the Authorization header and refreshes tokens; this module turns its answers into parsed
 * values or typed errors, so a screen never reads unchecked server data (every body goes
 * through its zod schema) and never guesses what a failure meant.
 */

export type FetchApi = (path: string, init?: RequestInit) => Promise<Response>;

/** The server answered with its error shape (or a status without one). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  readonly details: Record<string, unknown>;

  constructor(status: number, code: string, message: string, details: Record<string, unknown>) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = typeof details.field === 'string' ? details.field : undefined;
    this.details = details;
  }
}

/** The request never reached the server (offline, server down, DNS, CORS). */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super('Нет связи с сервером', { cause });
    this.name = 'NetworkError';
  }
}

/** The server answered 2xx with a body that does not match the contract. */
export class ContractError extends Error {
  constructor(path: string, issues: string) {
    super(`Ответ сервера не соответствует протоколу (${path}): ${issues}`);
    this.name = 'ContractError';
  }
}

export function isNetworkError(error: unknown): error is NetworkError {
  return error instanceof NetworkError;
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/** Calls fetchApi and maps a thrown fetch (no connection) to NetworkError. */
export async function send(
  fetchApi: FetchApi,
  path: string,
  init?: RequestInit,
): Promise<Response> {
  let response: Response;
  try {
    response = await fetchApi(path, init);
  } catch (error) {
    throw fromThrown(error);
  }

  if (!response.ok) throw await toApiError(response);
  return response;
}

/**
 * The session's fetchApi (client/src/sync/session.ts) throws its own errors: code 'NETWORK' when
 * the server was not reached, 'SIGN_IN_REQUIRED' when the refresh token was refused. They are
 * read by shape, so this module does not depend on the sync layer's classes.
 */
function fromThrown(error: unknown): Error {
  if (error instanceof ApiError || error instanceof NetworkError) return error;
  if (error instanceof Error && error.name === 'AbortError') return error;

  const coded = error as { code?: unknown; status?: unknown; message?: unknown; details?: unknown };
  if (typeof coded?.code === 'string' && coded.code !== 'NETWORK') {
    const status = typeof coded.status === 'number' ? coded.status : 0;
    const message = typeof coded.message === 'string' ? coded.message : coded.code;
    return new ApiError(status, coded.code, message, isRecord(coded.details) ? coded.details : {});
  }
  return new NetworkError(error);
}

async function toApiError(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as {
      error?: { code?: unknown; message?: unknown; details?: unknown };
    };
    const error = body.error;
    if (error && typeof error.code === 'string') {
      const details = isRecord(error.details) ? error.details : {};
      const message = typeof error.message === 'string' ? error.message : error.code;
      return new ApiError(response.status, error.code, message, details);
    }
  } catch {
    // Not our JSON error shape (a proxy page, an empty body): fall through to the status.
  }
  return new ApiError(
    response.status,
    `HTTP_${response.status}`,
    `Ошибка сервера ${response.status}`,
    {},
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON request whose answer is parsed with `schema`. */
export async function requestJson<S extends z.ZodType>(
  fetchApi: FetchApi,
  path: string,
  schema: S,
  init: { method?: string; body?: unknown } = {},
): Promise<z.infer<S>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: string | undefined;
  if (init.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.body);
  }

  const response = await send(fetchApi, path, { method: init.method ?? 'GET', headers, body });
  const json: unknown = response.status === 204 ? {} : await response.json();

  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.')}: ${i.message}`)
      .join('; ');
    throw new ContractError(path, issues);
  }
  return parsed.data;
}

/** Builds `path?k=v` from the defined values only. */
export function withQuery(
  path: string,
  query: Record<string, string | number | null | undefined>,
): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
