/**
 * The sync server's public surface for other packages (tests, bench): the app factory, the
 * embedded database, the Store and the helpers the feature plugins use.
 */
export { buildApp } from './app.ts';
export type { AccessClaims, AccessUser } from './auth/claims.ts';
export { hashPassword, verifyPassword } from './auth/password.ts';
export type { LoginProvider } from './auth/providers.ts';
export { type Config, loadConfig } from './config.ts';
export { type EmbeddedCouch, startEmbeddedCouch } from './db/embedded.ts';
export {
  auditDbName,
  orgDbName,
  privateDbName,
  Store,
  subgroupDbName,
  USERS_DB,
} from './db/store.ts';
export { HttpError } from './http/errors.ts';
export { type RouteContext, type RouteSpec, route } from './http/route.ts';
