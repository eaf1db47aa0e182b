/**
 * How an error enters the log (SC1). pino's default copies every enumerable property of the
 * error, and nano's errors carry the whole request they sent (`request.body`): a registry
 * entry written while the database answered 503 logged the teacher's passport and СНИЛС. Only
 * named fields are kept here, and of a database request only its method and path.
 */

/** The fields of an error worth logging; each is a code or a number, never data. */
const KEPT = ['code', 'statusCode', 'scope', 'error', 'reason', 'errid'] as const;

/** How deep `cause` chains are followed (fetch wraps its socket errors once or twice). */
const MAX_CAUSES = 3;

type Loggable = Record<string, unknown>;

/** Fastify's shape of a logged error. */
type LoggedError = Loggable & { type: string; message: string; stack: string };

/** Method and path of the database request; the query and any credentials are left out. */
function requestLine(request: unknown): Loggable | undefined {
  if (!request || typeof request !== 'object') return undefined;
  const { method, url } = request as { method?: unknown; url?: unknown };
  let path: string | undefined;
  try {
    path = typeof url === 'string' ? new URL(url).pathname : undefined;
  } catch {
    path = undefined;
  }
  return { method: typeof method === 'string' ? method.toUpperCase() : undefined, path };
}

export function serializeError(error: unknown, depth = 0): LoggedError {
  // Something thrown that is not an Error may hold anything: only its kind is logged.
  if (!(error instanceof Error)) return { type: typeof error, message: '', stack: '' };

  const out: LoggedError = {
    type: error.constructor.name,
    message: error.message,
    stack: error.stack ?? '',
  };
  const fields = error as unknown as Record<string, unknown>;
  for (const key of KEPT) {
    const value = fields[key];
    if (typeof value === 'string' || typeof value === 'number') out[key] = value;
  }

  const request = requestLine(fields.request);
  if (request) out.request = request;
  if (error.cause !== undefined && depth < MAX_CAUSES) {
    out.cause = serializeError(error.cause, depth + 1);
  }
  return out;
}
