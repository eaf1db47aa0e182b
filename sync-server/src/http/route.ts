import type {
  FastifyContextConfig,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onRequestAsyncHookHandler,
} from 'fastify';
import type { ZodType, z } from 'zod';
import type { AccessUser } from '../auth/claims.ts';
import type { Role } from '../shared.ts';
import { zodMessage } from './error-handler.ts';
import { HttpError, unauthenticated } from './errors.ts';

/**
 * The route helper every plugin uses: it validates params, query and body with zod (a failure is
 * 400 VALIDATION_FAILED naming the field), applies authentication and roles, and records the
 * route for the OpenAPI document (GET /api/openapi.json).
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

type Schema = ZodType | undefined;
type Infer<S> = S extends ZodType ? z.output<S> : undefined;

export interface RouteSpec<B extends Schema, Q extends Schema, P extends Schema> {
  method: HttpMethod;
  url: string;
  summary: string;
  tags?: string[];
  body?: B;
  query?: Q;
  params?: P;
  /** The success body (for the OpenAPI document; not re-validated on the way out). */
  response?: ZodType;
  /** Status of a successful answer, 200 unless told. */
  status?: number;
  /** Content type of a non-JSON success answer (XLSX, SSE), for the OpenAPI document. */
  produces?: string;
  /** Roles allowed; 'any' means any signed-in user; absent means a public route. */
  roles?: readonly Role[] | 'any';
  /** Fastify route config, e.g. `{ rateLimit: {...} }`. */
  config?: FastifyContextConfig;
  /**
   * Runs once the caller is known, before the body is read: work the handler will need can
   * start while the body is still arriving.
   */
  onAuthenticated?: (request: FastifyRequest) => void;
  /** Turn invalid params into a more specific error (e.g. UNKNOWN_COLLECTION). */
  onInvalidParams?: (params: unknown) => HttpError | undefined;
}

export interface RouteContext<B extends Schema, Q extends Schema, P extends Schema> {
  body: Infer<B>;
  query: Infer<Q>;
  params: Infer<P>;
  /** The signed-in caller; throws UNAUTHENTICATED on a public route without a token. */
  user: AccessUser;
  request: FastifyRequest;
  reply: FastifyReply;
}

export interface RouteDoc {
  method: HttpMethod;
  url: string;
  summary: string;
  tags: string[];
  body?: ZodType;
  query?: ZodType;
  params?: ZodType;
  response?: ZodType;
  status: number;
  produces?: string;
  auth: boolean;
  roles: readonly Role[] | 'any' | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Routes recorded by route(), shared by every plugin (decorated once in app.ts). */
    routeRegistry: RouteDoc[];
  }
}

function parsePart<S extends Schema>(schema: S, value: unknown, prefix: string): Infer<S> {
  if (!schema) return undefined as Infer<S>;
  // reportInput: the message can say what kind of value came (never the value itself).
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data as Infer<S>;

  const { field, message } = zodMessage(result.error, prefix);
  throw new HttpError(400, 'VALIDATION_FAILED', message, { field });
}

/**
 * Authentication and roles run when the request arrives, before its body is read: a request
 * without a valid token is refused without parsing up to a megabyte of JSON.
 */
function onRequestHooks(app: FastifyInstance, spec: RouteSpec<Schema, Schema, Schema>) {
  if (!spec.roles) return [];
  const list: onRequestAsyncHookHandler[] = [app.authenticate];
  if (spec.roles !== 'any') list.push(app.requireRole(...spec.roles));
  const early = spec.onAuthenticated;
  if (early) list.push(async (request) => early(request));
  return list;
}

function record(app: FastifyInstance, spec: RouteSpec<Schema, Schema, Schema>) {
  const prefix = app.prefix ?? '';
  app.routeRegistry?.push({
    method: spec.method,
    url: `${prefix}${spec.url}`,
    summary: spec.summary,
    tags: spec.tags ?? [],
    body: spec.body,
    query: spec.query,
    params: spec.params,
    response: spec.response,
    status: spec.status ?? 200,
    produces: spec.produces,
    auth: Boolean(spec.roles),
    roles: spec.roles,
  });
}

export function route<B extends Schema, Q extends Schema, P extends Schema>(
  app: FastifyInstance,
  spec: RouteSpec<B, Q, P>,
  handler: (ctx: RouteContext<B, Q, P>) => unknown | Promise<unknown>,
): void {
  record(app, spec);

  app.route({
    method: spec.method,
    url: spec.url,
    config: spec.config,
    onRequest: onRequestHooks(app, spec),
    handler: async (request, reply) => {
      if (spec.params && spec.onInvalidParams && !spec.params.safeParse(request.params).success) {
        const specific = spec.onInvalidParams(request.params);
        if (specific) throw specific;
      }
      const params = parsePart(spec.params, request.params, '') as Infer<P>;
      const query = parsePart(spec.query, request.query, '') as Infer<Q>;
      const body = parsePart(spec.body, request.body, '') as Infer<B>;

      const ctx: RouteContext<B, Q, P> = {
        body,
        query,
        params,
        get user(): AccessUser {
          if (!request.user) throw unauthenticated();
          return request.user as AccessUser;
        },
        request,
        reply,
      };
      const result = await handler(ctx);

      if (reply.sent) return reply;
      if (spec.status) reply.status(spec.status);
      return result === undefined ? reply.send() : result;
    },
  });
}
