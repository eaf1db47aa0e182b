import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ACCESS_TOKEN_TTL_SECONDS } from './shared.ts';

/**
 * Server configuration, read once from the environment by main.ts. Tests build a Config by hand
 * with `testConfig`-style overrides instead of touching process.env.
 */
export interface Config {
  port: number;
  host: string;
  /** Apache CouchDB 3 (or the embedded server) the app talks to through nano. */
  couchUrl: string;
  dataDir: string;
  jwtSecret: string;
  production: boolean;
  /**
   * The proxies in front of the server, believed about the caller's address (the entry each
   * appends to X-Forwarded-For); false: none, the socket's address is the caller's. Sign-in
   * and sign-up are limited per address (SC3).
   */
  trustProxy: TrustProxy;
  /** Allowed browser origins; empty means CORS stays closed. */
  corsOrigins: string[];
  /** Login attempts allowed per IP and login within a minute. */
  loginRateLimit: number;
  /** Lifetime of an access token; short, since the refresh token renews it. */
  accessTokenTtlSeconds: number;
  /** The built client; missing folder means a short "run npm run build" page is served. */
  clientDist: string;
  /** Milliseconds since the epoch; a test can give each process its own skewed clock. */
  now: () => number;
  /** Pino options or a destination stream; tests capture the log through `logStream`. */
  logLevel: string;
  logStream?: NodeJS.WritableStream;
}

export type TrustProxy = false | string[];

export interface EnvConfig extends Omit<Config, 'couchUrl'> {
  /** Unset: main.ts starts the embedded database. */
  couchUrl: string | undefined;
  embeddedCouchPort: number;
}

function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`${name} must be a non-negative integer`);
  return value;
}

/** A clock shifted by CLOCK_OFFSET_MS: lets tests run processes whose clocks disagree. */
export function clockFromEnv(env: NodeJS.ProcessEnv): () => number {
  const offset = Number(env.CLOCK_OFFSET_MS ?? 0) || 0;
  return () => Date.now() + offset;
}

/** The JWT secret: required in production, otherwise generated once and kept in DATA_DIR. */
async function resolveJwtSecret(env: NodeJS.ProcessEnv, dataDir: string, production: boolean) {
  if (env.JWT_SECRET) return env.JWT_SECRET;
  if (production) throw new Error('JWT_SECRET is required when NODE_ENV=production');

  const file = path.join(dataDir, 'jwt-secret');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    await mkdir(dataDir, { recursive: true });
    const secret = randomBytes(48).toString('base64url');
    await writeFile(file, `${secret}\n`, { mode: 0o600 });
    return secret;
  }
}

/**
 * TRUST_PROXY: the comma-separated addresses or ranges of the proxies in front of the server
 * (`10.0.0.5`, `10.0.0.0/8`, or proxy-addr's names `loopback`, `linklocal`, `uniquelocal`);
 * `none` trusts none. Unset: `loopback` in production (a reverse proxy on the same machine),
 * none otherwise. Never every peer: then the left-most X-Forwarded-For entry, which the caller
 * writes, would be taken for its address. (Fastify 5 believes no hop count: it cannot tell
 * the immediate peer is a proxy.)
 */
function trustProxyFromEnv(env: NodeJS.ProcessEnv, production: boolean): TrustProxy {
  const raw = env.TRUST_PROXY?.trim();
  if (!raw) return production ? ['loopback'] : false;
  if (raw === 'none') return false;
  return raw
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
}

export async function loadConfig(env: NodeJS.ProcessEnv = process.env): Promise<EnvConfig> {
  const production = env.NODE_ENV === 'production';
  const dataDir = path.resolve(env.DATA_DIR ?? './data');
  const here = path.dirname(new URL(import.meta.url).pathname);

  return {
    port: intFromEnv(env, 'PORT', 8080),
    host: env.HOST ?? '127.0.0.1',
    couchUrl: env.COUCHDB_URL || undefined,
    embeddedCouchPort: intFromEnv(env, 'EMBEDDED_COUCH_PORT', 0),
    dataDir,
    jwtSecret: await resolveJwtSecret(env, dataDir, production),
    production,
    trustProxy: trustProxyFromEnv(env, production),
    corsOrigins: (env.CORS_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    loginRateLimit: intFromEnv(env, 'LOGIN_RATE_LIMIT', 10),
    accessTokenTtlSeconds: intFromEnv(env, 'ACCESS_TOKEN_TTL_SECONDS', ACCESS_TOKEN_TTL_SECONDS),
    clientDist: path.resolve(env.CLIENT_DIST ?? path.join(here, '../../client/dist')),
    now: clockFromEnv(env),
    logLevel: env.LOG_LEVEL ?? 'info',
  };
}
