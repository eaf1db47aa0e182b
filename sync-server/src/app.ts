import compress from '@fastify/compress';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { adminPlugin } from './admin/index.ts';
import { authCore } from './auth/plugin.ts';
import { authRoutes } from './auth/routes.ts';
import { sharedRateLimitStore } from './auth/shared-rate-limit.ts';
import type { Config } from './config.ts';
import { storeLayer } from './db/plugin.ts';
import { errorHandler } from './http/error-handler.ts';
import { HttpError } from './http/errors.ts';
import { healthRoutes } from './http/health.ts';
import { serializeError } from './http/log.ts';
import { openApiRoutes } from './http/openapi.ts';
import type { RouteDoc } from './http/route.ts';
import { parentPlugin } from './parent/index.ts';
import { reportsPlugin } from './reports/index.ts';
import { BODY_LIMIT_BYTES, PROTOCOL_HEADER, PROTOCOL_VERSION } from './shared.ts';
import { makeSpaFallback, staticClient } from './static.ts';
import { ChangesHub } from './sync/changes-hub.ts';
import { syncPlugin } from './sync/plugin.ts';

/**
 * The app factory: every feature is a plugin; listening is main.ts's job (tests listen on port
 * 0). Order: errors and store first, then auth core (decorators the others use), then routes.
 */

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
  }
}

function loggerOptions(config: Config): FastifyServerOptions['logger'] {
  return {
    level: config.logLevel,
    // Tokens and cookies never reach the log; bodies are never logged at all.
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
      censor: '[redacted]',
    },
    // A database error carries the request it sent, body and all: see http/log.ts.
    serializers: { err: serializeError },
    ...(config.logStream ? { stream: config.logStream } : {}),
  };
}

function securityHeaders(app: FastifyInstance) {
  return app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        connectSrc: ["'self'"],
        workerSrc: ["'self'"],
        manifestSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        // Plain http on a school's LAN must keep working; TLS is the proxy's business.
        upgradeInsecureRequests: null,
      },
    },
    crossOriginEmbedderPolicy: false,
  });
}

/** 426 for a client that speaks another protocol version (absent header: allowed). */
function protocolCheck(app: FastifyInstance) {
  app.addHook('onRequest', async (request) => {
    const sent = request.headers[PROTOCOL_HEADER];
    if (sent === undefined || !request.url.startsWith('/api/')) return;
    if (String(sent) !== String(PROTOCOL_VERSION)) {
      throw new HttpError(
        426,
        'PROTOCOL_MISMATCH',
        `Версия протокола клиента ${String(sent)} не совпадает с версией сервера ${PROTOCOL_VERSION}: обновите приложение`,
        { field: PROTOCOL_HEADER, server: PROTOCOL_VERSION },
      );
    }
  });
}

/**
 * SC4: no cache keeps an answer of the API. They carry tokens, personal data and journals, and
 * a browser's HTTP cache may write an answer without this header to disk, out of reach of the
 * app's sign-out on a shared computer. The SSE stream sets its own headers.
 */
function noStoreApi(app: FastifyInstance) {
  app.addHook('onSend', async (request, reply) => {
    if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
  });
}

export async function buildApp(config: Config): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(config),
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: () => crypto.randomUUID(),
    trustProxy: config.trustProxy,
  });
  app.decorate('config', config);
  app.decorate('routeRegistry', [] as RouteDoc[]);

  await app.register(errorHandler, { fallback: makeSpaFallback(config.clientDist) });
  await securityHeaders(app);
  await app.register(cors, { origin: config.corsOrigins.length > 0 ? config.corsOrigins : false });
  // SSE must not be buffered by compression; the stream route opts out with `compress: false`.
  await app.register(compress, { global: true, threshold: 2048 });
  // SC9: counted in the database, so every process of a deployment shares the limits.
  const counters = { store: () => app.store, secret: config.jwtSecret, now: config.now };
  await app.register(rateLimit, { global: false, store: sharedRateLimitStore(counters) });
  protocolCheck(app);
  noStoreApi(app);

  await app.register(storeLayer, { couchUrl: config.couchUrl });
  // At the root: the streams follow it, and /api/health tells an admin how much it follows.
  app.decorate('changes', new ChangesHub(app.store, app.log));
  await app.register(authCore, { config });

  await app.register(healthRoutes);
  await app.register(openApiRoutes);
  await app.register(authRoutes, { config });
  await app.register(syncPlugin, { config });
  await app.register(adminPlugin);
  await app.register(parentPlugin);
  await app.register(reportsPlugin);
  await app.register(staticClient, { clientDist: config.clientDist });

  return app;
}
