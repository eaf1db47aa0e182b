import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ZodError } from 'zod';
import { LeaseBusyError } from '../db/lease.ts';
import { isDatabaseUnavailable } from '../db/store.ts';
import { BODY_LIMIT_BYTES, type ErrorBody, type ErrorCode, isDomainError } from '../shared.ts';
import { HttpError } from './errors.ts';
import { russianIssueText } from './zod-messages.ts';

/**
 * The one error handler: every failure leaves the server as the shared ErrorBody with a code from
 * ERROR_CODES. 4xx are the caller's mistakes and are logged at info; 5xx at error with the
 * request id (pino binds reqId to request.log). Bodies are never logged.
 */

interface Mapped {
  status: number;
  body: ErrorBody;
}

function body(
  code: ErrorCode,
  message: string,
  details?: ErrorBody['error']['details'],
): ErrorBody {
  return details ? { error: { code, message, details } } : { error: { code, message } };
}

/** zod's issue path as the field name the client shows: `rows.0.newDocumentState.date`. */
export function zodField(error: ZodError, prefix = ''): string {
  // A path segment can be a key the caller made up: it is named, never echoed at length.
  const path =
    error.issues[0]?.path
      .map((segment) => {
        const text = String(segment);
        return text.length > 40 ? `${text.slice(0, 40)}…` : text;
      })
      .join('.') ?? '';
  return [prefix, path].filter(Boolean).join('.');
}

/**
 * The API message of a zod failure: the field path, then what is wrong with it, in Russian
 * (`rows.3.newDocumentState.date: ожидается строка, получено число`). Parse with
 * `reportInput: true` where the message should name the kind of value received.
 */
export function zodMessage(error: ZodError, prefix = ''): { field: string; message: string } {
  const field = zodField(error, prefix);
  const issue = error.issues[0];
  const text = issue ? russianIssueText(issue) : 'недопустимое значение';
  return { field, message: `${field || 'body'}: ${text}` };
}

function mapFastifyError(error: FastifyError): Mapped | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return {
        status: 400,
        body: body('MALFORMED_JSON', 'Тело запроса не является корректным JSON'),
      };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        body: body('BODY_TOO_LARGE', `Тело запроса больше ${BODY_LIMIT_BYTES} байт`, {
          limit: BODY_LIMIT_BYTES,
        }),
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 415,
        body: body('UNSUPPORTED_MEDIA_TYPE', 'Ожидается Content-Type: application/json'),
      };
    default:
      break;
  }
  if (error instanceof SyntaxError && error.statusCode === 400) {
    return {
      status: 400,
      body: body('MALFORMED_JSON', 'Тело запроса не является корректным JSON'),
    };
  }
  return undefined;
}

export function mapError(error: unknown): Mapped {
  if (error instanceof HttpError) {
    return { status: error.statusCode, body: body(error.code, error.message, error.details) };
  }
  if (error instanceof ZodError) {
    const { field, message } = zodMessage(error);
    return { status: 400, body: body('VALIDATION_FAILED', message, { field }) };
  }
  if (isDomainError(error)) {
    return {
      status: 400,
      body: body(error.code, error.message, { field: error.field, ...error.details }),
    };
  }
  const fastifyError = error as FastifyError;
  const mapped =
    fastifyError && typeof fastifyError === 'object' ? mapFastifyError(fastifyError) : undefined;
  if (mapped) return mapped;

  if (error instanceof LeaseBusyError) {
    // Another request held the same subgroup's places or the same family's records throughout
    // the wait: nothing was done, and the request can be repeated as it is.
    return {
      status: 409,
      body: body(
        'CONFLICT',
        'Эти данные сейчас меняет другой запрос: повторите через несколько секунд',
      ),
    };
  }
  if (isDatabaseUnavailable(error)) {
    // A restart of the database: nothing was wrong with the request, and it can be repeated.
    return {
      status: 503,
      body: body('DATABASE_UNAVAILABLE', 'База данных сервера недоступна, повторите позже'),
    };
  }
  const status = fastifyError?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, body: body('VALIDATION_FAILED', fastifyError.message) };
  }
  return { status: 500, body: body('INTERNAL', 'Внутренняя ошибка сервера') };
}

function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const mapped = mapError(error);
  if (mapped.status >= 500) {
    request.log.error({ err: error, reqId: request.id }, 'request failed');
  } else {
    // The message names a field, never a value from the body.
    request.log.info({ code: mapped.body.error.code, status: mapped.status }, 'request refused');
  }
  if (reply.sent) return;
  return reply.status(mapped.status).send(mapped.body);
}

export interface ErrorHandlerOptions {
  /** Serves the SPA shell for unknown non-API navigations; returns true when it answered. */
  fallback?: (request: FastifyRequest, reply: FastifyReply) => boolean;
}

async function errorHandlerPlugin(app: FastifyInstance, opts: ErrorHandlerOptions) {
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    if (opts.fallback?.(request, reply)) return reply;
    return reply
      .status(404)
      .send(body('NOT_FOUND', `Нет такого адреса: ${request.method} ${request.url.split('?')[0]}`));
  });
}

export const errorHandler = fp(errorHandlerPlugin, { name: 'otmetka-errors' });
