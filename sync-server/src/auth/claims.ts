import type { Role } from '../shared.ts';

/** The claims of an access JWT: who, which organisation, which role, which teacher record. */
export interface AccessClaims {
  sub: string;
  org: string;
  role: Role;
  /** The teacher registry id of a teacher account, null otherwise. */
  tid: string | null;
}

/** request.user after app.authenticate. */
export type AccessUser = AccessClaims & { iat?: number; exp?: number };

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: AccessClaims;
    user: AccessUser;
  }
}
