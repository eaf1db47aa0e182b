import type { ErrorBody, ErrorCode } from '../shared.ts';

/**
 * An error with an HTTP status and a code from the shared closed set. Handlers throw it; the
 * one error handler (error-handler.ts) turns it into the shared ErrorBody.
 */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: ErrorCode;
  readonly details: ErrorBody['error']['details'];

  constructor(
    statusCode: number,
    code: ErrorCode,
    message: string,
    details?: ErrorBody['error']['details'],
  ) {
    super(message);
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.code = code;
    this.details = details;
  }
}

// Request shape

export const validationFailed = (field: string, message: string) =>
  new HttpError(400, 'VALIDATION_FAILED', `${field || 'body'}: ${message}`, { field });

export const unknownCollection = (name: string) =>
  new HttpError(404, 'UNKNOWN_COLLECTION', `Неизвестная коллекция «${name}»`, {
    field: 'collection',
  });

export const notFound = (what: string) => new HttpError(404, 'NOT_FOUND', what);

export const readOnlyCollection = (name: string) =>
  new HttpError(403, 'READ_ONLY_COLLECTION', `Коллекция «${name}» доступна только для чтения`, {
    field: 'collection',
  });

// Auth

export const unauthenticated = () =>
  new HttpError(401, 'UNAUTHENTICATED', 'Требуется вход: нет заголовка Authorization: Bearer');

export const tokenExpired = () =>
  new HttpError(401, 'TOKEN_EXPIRED', 'Срок действия токена истёк, войдите снова');

export const tokenInvalid = (why = 'Токен недействителен') =>
  new HttpError(401, 'TOKEN_INVALID', why);

export const invalidCredentials = () =>
  new HttpError(401, 'INVALID_CREDENTIALS', 'Неверный логин или пароль');

/** AC3: said only to a caller who gave the right password, so it reveals nothing to guessers. */
export const accountDisabled = () =>
  new HttpError(403, 'ACCOUNT_DISABLED', 'Вход заблокирован администратором организации');

export const forbidden = (message = 'Недостаточно прав для этого действия') =>
  new HttpError(403, 'FORBIDDEN', message);

export const rateLimited = (retryAfterSeconds: number) =>
  new HttpError(
    429,
    'RATE_LIMITED',
    `Слишком много попыток, повторите через ${retryAfterSeconds} с`,
    {
      retryAfterSeconds,
    },
  );
