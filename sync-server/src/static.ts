import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The built client (client/dist), served from the same origin as the API. Navigations that are
 * not /api fall back to index.html (the SPA routes). sw.js and index.html are never cached by
 * the browser, so an update of the app is always noticed.
 */

const NO_CACHE = new Set(['sw.js', 'index.html', 'manifest.webmanifest']);

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>Отметка</title></head>
<body><h1>Отметка</h1><p>Клиент ещё не собран. Выполните <code>npm run build</code>
(или <code>npm start</code>) и обновите страницу.</p></body></html>`;

export interface StaticOptions {
  clientDist: string;
}

/** Answers a not-found GET navigation with the app shell; false when it is not one. */
export function makeSpaFallback(clientDist: string) {
  return (request: FastifyRequest, reply: FastifyReply): boolean => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    if (request.url.startsWith('/api/') || request.url === '/api') return false;
    const accept = request.headers.accept ?? '';
    if (!accept.includes('text/html') && !accept.includes('*/*')) return false;
    // PW2: a missing file of the build (an old version's screen, after an update) is a 404, not
    // the app shell: a script import of HTML failed with a MIME error instead of «not found».
    if (isFilePath(request.url)) return false;

    if (!existsSync(path.join(clientDist, 'index.html'))) {
      reply.status(200).type('text/html; charset=utf-8').header('cache-control', 'no-cache');
      reply.send(NOT_BUILT_PAGE);
      return true;
    }
    reply.header('cache-control', 'no-cache');
    reply.sendFile('index.html', clientDist);
    return true;
  };
}

function isFilePath(url: string): boolean {
  const pathname = url.split(/[?#]/)[0] ?? '';
  return pathname.startsWith('/assets/') || /\.[a-z0-9]+$/i.test(pathname);
}

export async function staticClient(app: FastifyInstance, opts: StaticOptions) {
  await app.register(fastifyStatic, {
    root: opts.clientDist,
    index: ['index.html'],
    setHeaders: (reply, filePath) => {
      if (NO_CACHE.has(path.basename(filePath))) reply.header('cache-control', 'no-cache');
    },
  });
}
