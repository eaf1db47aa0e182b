/**
 * The closed set of error codes that cross any boundary of Otmetka: HTTP responses, push
 * refusals, domain validation. The client maps each code to a Russian message and an action
 * (client/src/sync/errors.ts); adding a code means adding its message there too.
 */
export const ERROR_CODES = [
  // Request shape
  'VALIDATION_FAILED',
  'MALFORMED_JSON',
  'BODY_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'UNKNOWN_COLLECTION',
  'PROTOCOL_MISMATCH',
  'NOT_FOUND',
  'RATE_LIMITED',
  // Auth
  'UNAUTHENTICATED',
  'TOKEN_EXPIRED',
  'TOKEN_INVALID',
  'INVALID_CREDENTIALS',
  'ACCOUNT_DISABLED',
  'FORBIDDEN',
  // Journal rules (push refusals)
  'NOT_TEACHER_OF_SUBGROUP',
  'LESSON_NOT_ON_SCHEDULE',
  'LEARNER_NOT_ENROLLED',
  'MONTH_LOCKED',
  'IMMUTABLE_FIELD',
  'READ_ONLY_COLLECTION',
  'STAMP_REFUSED',
  // Domain input
  'INVALID_DATE',
  'INVALID_TIME',
  'INVALID_SNILS',
  'INVALID_PASSPORT',
  'INVALID_SCHEDULE',
  'OVERLAPPING_EXCEPTION',
  'SCHEDULE_REQUIRED',
  'INVALID_STATUS_CHANGE',
  'CAPACITY_EXCEEDED',
  'IMPORT_FILE_INVALID',
  'CONFLICT',
  // Server side
  'DATABASE_UNAVAILABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The one JSON error shape of every 4xx/5xx response. */
export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    /** The field path or row the error is about, when there is one. */
    details?: { field?: string; row?: number; id?: string; [key: string]: unknown };
  };
}

/**
 * A typed failure of a shared domain function. It always names the field that was wrong, so the
 * caller can show "what was wrong, where" instead of a wrong result.
 */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly field: string;
  readonly details: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    field: string,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(`${field}: ${message}`);
    this.name = 'DomainError';
    this.code = code;
    this.field = field;
    this.details = details;
  }
}

export function isDomainError(value: unknown): value is DomainError {
  return value instanceof DomainError;
}
