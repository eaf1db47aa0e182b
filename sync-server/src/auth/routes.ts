import { type PublicOrg, publicOrgSchema, registerRequestSchema } from '@otmetka/shared/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Config } from '../config.ts';
import { type Doc, orgDbName } from '../db/store.ts';
import {
  accountDisabled,
  HttpError,
  invalidCredentials,
  rateLimited,
  tokenInvalid,
} from '../http/errors.ts';
import { route } from '../http/route.ts';
import {
  type LoginResponse,
  loginRequestSchema,
  loginResponseSchema,
  newEntityId,
  type Org,
  refreshRequestSchema,
  type User,
} from '../shared.ts';
import { hashPassword } from './password.ts';
import { PasswordProvider } from './providers.ts';
import { RefreshTokens } from './refresh.ts';

/**
 * POST /api/auth/login, /refresh, /logout. Any provider that resolves a user ends in
 * issueSession, so an OpenID Connect login can be added beside passwords.
 */

async function sessionUser(app: FastifyInstance, user: User): Promise<LoginResponse['user']> {
  const org = await app.store.get<Org & Doc>(orgDbName(user.orgId), user.orgId);
  return {
    id: user.id,
    orgId: user.orgId,
    role: user.role,
    displayName: user.displayName,
    teacherId: user.teacherId,
    timeZone: org?.timeZone ?? DEFAULT_TIME_ZONE,
  };
}

async function issueSession(
  app: FastifyInstance,
  tokens: RefreshTokens,
  user: User,
  refreshToken?: string,
  view?: LoginResponse['user'],
): Promise<LoginResponse> {
  const accessToken = app.signAccessToken({
    sub: user.id,
    org: user.orgId,
    role: user.role,
    tid: user.teacherId,
  });
  return {
    accessToken,
    refreshToken: refreshToken ?? (await tokens.issue(user.id)),
    user: view ?? (await sessionUser(app, user)),
  };
}

/** The region's zone, for an account whose organisation document is missing. */
const DEFAULT_TIME_ZONE = 'Asia/Yekaterinburg';

const LOGIN_WINDOW_MS = 60_000;

const rateLimitAnswer = (_req: unknown, context: { ttl: number }) =>
  rateLimited(Math.max(1, Math.ceil(context.ttl / 1000)));

function loginRateLimit(config: Config) {
  return {
    max: config.loginRateLimit,
    timeWindow: LOGIN_WINDOW_MS,
    // After body parsing, so the key can include the login.
    hook: 'preHandler' as const,
    // Per IP and login: one attacker cannot lock a teacher out from every school.
    keyGenerator: (request: { ip: string; body?: unknown }) => {
      const login = (request.body as { login?: unknown } | undefined)?.login;
      return `${request.ip}|${typeof login === 'string' ? login.trim().toLowerCase() : ''}`;
    },
    errorResponseBuilder: rateLimitAnswer,
  };
}

/** Attempts one address may make across logins, in per-login allowances. */
const ADDRESS_ALLOWANCES = 5;

/**
 * SC5: sign-in attempts per address, whatever the login. The per-login limit alone let one
 * address try a common password against every login of the organisation (each attempt also a
 * scrypt hash on the server), and the limiter keeps counters for its last 5,000 keys only, so
 * attempts at other logins pushed a guessed login's counter out.
 */
function addressLimit(app: FastifyInstance, config: Config) {
  const check = app.createRateLimit({
    max: config.loginRateLimit * ADDRESS_ALLOWANCES,
    timeWindow: LOGIN_WINDOW_MS,
    // Its own counters in the shared store (shared-rate-limit.ts), apart from sign-up's.
    keyGenerator: (request) => `sign-in-address|${request.ip}`,
  });
  return async (request: FastifyRequest) => {
    const limit = await check(request);
    if (!limit.isAllowed && limit.isExceeded) {
      throw rateLimited(Math.max(1, Math.ceil(limit.ttl / 1000)));
    }
  };
}

const REGISTER_WINDOW_MS = 10 * 60_000;

/** Per address only: a new login per attempt must not buy a new allowance. */
function registerRateLimit(config: Config) {
  return {
    max: config.loginRateLimit,
    timeWindow: REGISTER_WINDOW_MS,
    keyGenerator: (request: { ip: string }) => request.ip,
    errorResponseBuilder: rateLimitAnswer,
  };
}

export async function authRoutes(app: FastifyInstance, opts: { config: Config }) {
  const tokens = new RefreshTokens(app.store, opts.config.now, opts.config.jwtSecret);
  const passwords = new PasswordProvider(app.store);
  const limitAddress = addressLimit(app, opts.config);

  route(
    app,
    {
      method: 'POST',
      url: '/api/auth/login',
      summary: 'Sign in with login and password',
      tags: ['auth'],
      body: loginRequestSchema,
      response: loginResponseSchema,
      config: { rateLimit: loginRateLimit(opts.config) },
    },
    async ({ body, request }) => {
      await limitAddress(request);
      const user = await passwords.authenticate(body);
      if (!user) throw invalidCredentials();
      if (user.disabled) throw accountDisabled();
      return issueSession(app, tokens, user);
    },
  );

  registerRoutes(app, tokens, opts.config);

  route(
    app,
    {
      method: 'POST',
      url: '/api/auth/refresh',
      summary: 'Rotate the refresh token and get a new access token',
      tags: ['auth'],
      body: refreshRequestSchema,
      response: loginResponseSchema,
    },
    async ({ body }) => {
      // The user and the answer's session view are read before the token is used up.
      const outcome = await tokens.rotate(body.refreshToken, async (userId) => {
        const user = await app.store.getUser(userId);
        // A blocked account's sessions were ended when it was blocked; this also stops a
        // token that was rotated while the block was being written.
        if (!user || user.disabled) return undefined;
        return { user, view: await sessionUser(app, user) };
      });
      if (!outcome.ok) throw tokenInvalid(REFRESH_MESSAGES[outcome.reason]);
      const { user, view } = outcome.value;
      return issueSession(app, tokens, user, outcome.token, view);
    },
  );

  route(
    app,
    {
      method: 'POST',
      url: '/api/auth/logout',
      summary: 'Revoke the refresh token and its whole family',
      tags: ['auth'],
      body: refreshRequestSchema,
      response: z.object({ ok: z.literal(true) }),
    },
    async ({ body }) => {
      await tokens.revoke(body.refreshToken);
      return { ok: true as const };
    },
  );
}

const REFRESH_MESSAGES = {
  unknown: 'Сеанс не найден, войдите снова',
  expired: 'Сеанс истёк, войдите снова',
  revoked: 'Сеанс завершён, войдите снова',
  reused: 'Токен уже использовался: сеанс завершён на всех устройствах, войдите снова',
} as const;

async function orgOf(app: FastifyInstance, orgId: string): Promise<Org> {
  const org = await app.store.get<Org & Doc>(orgDbName(orgId), orgId).catch(() => undefined);
  if (!org) throw new HttpError(404, 'NOT_FOUND', 'Организация не найдена', { field: 'orgId' });
  return org;
}

/**
 * AC2: a parent's own account. Public, so rate-limited as sign-in is; the account can do
 * nothing but apply for places and read its own children's diaries, and every application is
 * the admin's to accept.
 */
function registerRoutes(app: FastifyInstance, tokens: RefreshTokens, config: Config) {
  route(
    app,
    {
      method: 'GET',
      url: '/api/public/orgs/:orgId',
      summary: 'The organisation a registration link names (name and city only)',
      tags: ['auth'],
      params: z.object({ orgId: registerRequestSchema.shape.orgId }),
      response: publicOrgSchema,
    },
    async ({ params }): Promise<PublicOrg> => {
      const org = await orgOf(app, params.orgId);
      return { id: org.id, name: org.name, city: org.city };
    },
  );

  route(
    app,
    {
      method: 'POST',
      url: '/api/auth/register',
      summary: "A parent's own account in an organisation",
      tags: ['auth'],
      body: registerRequestSchema,
      response: loginResponseSchema,
      status: 201,
      config: { rateLimit: registerRateLimit(config) },
    },
    async ({ body }) => {
      await orgOf(app, body.orgId);
      const user: User = {
        id: newEntityId('u'),
        type: 'user',
        orgId: body.orgId,
        login: body.login,
        role: 'parent',
        displayName: body.displayName,
        teacherId: null,
        passwordHash: await hashPassword(body.password),
        createdAt: config.now(),
      };
      if (!(await app.store.createUser(user))) {
        throw new HttpError(409, 'CONFLICT', `login: логин «${body.login}» занят`, {
          field: 'login',
        });
      }
      return issueSession(app, tokens, user);
    },
  );
}
