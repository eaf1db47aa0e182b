import type { ErrorCode } from '@otmetka/shared';
import { DEVICE_HEADER, PROTOCOL_HEADER, PROTOCOL_VERSION } from '@otmetka/shared';

/**
 * The one HTTP helper of the client. Every failure becomes an ApiError with a code of the
 * shared closed set, or 'NETWORK' when the request never got an answer (offline, DNS, server
 * down): the sync layer treats NETWORK as "offline", never as an error to show.
 */

export type ApiErrorCode = ErrorCode | 'NETWORK' | 'SIGN_IN_REQUIRED';

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown>;

  constructor(code: ApiErrorCode, status: number, message: string, details = {}) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}

export type FetchLike = typeof fetch;

export interface HttpOptions {
  /** '' in the browser (same origin); 'http://127.0.0.1:PORT' in Node tests. */
  baseUrl: string;
  fetch?: FetchLike;
  deviceId?: () => string | undefined;
}

export function protocolHeaders(options: HttpOptions): Record<string, string> {
  const headers: Record<string, string> = { [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) };
  const device = options.deviceId?.();
  if (device) headers[DEVICE_HEADER] = device;
  return headers;
}

/** Sends a request; resolves with the Response of any status, rejects only as NETWORK. */
export async function send(
  options: HttpOptions,
  path: string,
  init: RequestInit,
): Promise<Response> {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  try {
    return await doFetch(options.baseUrl + path, init);
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError('NETWORK', 0, 'Нет связи с сервером', { cause: String(err) });
  }
}

/** Reads a JSON body or turns an error response into an ApiError with the server's code. */
export async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // An HTML page (a proxy's error, a captive portal) is not our server: treat it as offline.
    throw new ApiError('NETWORK', response.status, 'Ответ не от сервера журнала');
  }
  if (response.ok) return body;
  const error = (body as { error?: { code?: string; message?: string; details?: object } })?.error;
  const code = (error?.code ??
    (response.status >= 500 ? 'INTERNAL' : 'VALIDATION_FAILED')) as ErrorCode;
  throw new ApiError(
    code,
    response.status,
    error?.message ?? response.statusText,
    error?.details ?? {},
  );
}
