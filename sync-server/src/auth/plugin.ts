import jwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.ts';
import { forbidden, tokenExpired, tokenInvalid, unauthenticated } from '../http/errors.ts';
import type { Role } from '../shared.ts';
import type { AccessClaims } from './claims.ts';

/**
 * Access tokens: HS256 JWTs signed with the server secret, ACCESS_TOKEN_TTL_SECONDS long, claims
 * {sub, org, role, tid}. Only HS256 verifies: `alg: none` and other algorithms are refused.
 */

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook: 401 unless a valid access token is presented. */
    authenticate: onRequestAsyncHookHandler;
    /** onRequest hook factory: 403 unless the caller has one of the roles (after authenticate). */
    requireRole: (...roles: Role[]) => onRequestAsyncHookHandler;
    signAccessToken: (claims: AccessClaims) => string;
  }
}

function classify(error: unknown) {
  const code = (error as { code?: string })?.code ?? '';
  if (code === 'FST_JWT_NO_AUTHORIZATION_IN_HEADER') return unauthenticated();
  if (code === 'FST_JWT_AUTHORIZATION_TOKEN_EXPIRED') return tokenExpired();
  if (code === 'FST_JWT_BAD_REQUEST')
    return tokenInvalid('Заголовок Authorization должен иметь вид Bearer <токен>');
  return tokenInvalid();
}

async function authenticate(request: FastifyRequest): Promise<void> {
  try {
    await request.jwtVerify();
  } catch (error) {
    throw classify(error);
  }
}

function requireRole(...roles: Role[]): onRequestAsyncHookHandler {
  return async (request) => {
    if (!request.user) throw unauthenticated();
    if (!roles.includes(request.user.role)) throw forbidden();
  };
}

async function authPlugin(app: FastifyInstance, opts: { config: Config }) {
  await app.register(jwt, {
    secret: opts.config.jwtSecret,
    sign: { algorithm: 'HS256', expiresIn: opts.config.accessTokenTtlSeconds },
    verify: { algorithms: ['HS256'] },
  });
  app.decorate('authenticate', authenticate);
  app.decorate('requireRole', requireRole);
  app.decorate('signAccessToken', (claims: AccessClaims) => app.jwt.sign({ ...claims }));
}

export const authCore = fp(authPlugin, {
  name: 'otmetka-auth-core',
  dependencies: ['otmetka-store'],
});
