import http from 'node:http';
import https from 'node:https';

/**
 * CouchDB's HTTP API over node:http with kept-alive connections, for the requests every push
 * batch makes (`_bulk_docs`, `_bulk_get`, `_all_docs` by keys, a database's info). nano sends
 * each request through Node's WHATWG fetch, which costs about 0.45 ms more per request than
 * node:http (measured on the embedded database, idle); the cost is paid on the sync server's
 * own thread, three times per pushed batch. Everything else (databases, indexes, Mango, feeds)
 * still goes through nano. Same protocol, same URL and credentials: Apache CouchDB 3 and the
 * embedded database are served alike.
 *
 * Failures look like nano's (`statusCode`, `error`, `reason`, `scope: 'couch'`), so callers
 * tell a 404 or a 409 or an unavailable database the same way whichever client made the call.
 */

export interface CouchError extends Error {
  statusCode: number;
  error: string;
  reason: string;
  scope: 'couch';
  /** Where it was sent, never what (the log keeps the method and the path: http/log.ts). */
  request: RequestLine;
}

interface RequestLine {
  method: string;
  url: string;
}

/** A connection failure that means the database is not answering (see isDatabaseUnavailable). */
export const CONNECTION_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);

function couchError(status: number, body: unknown, request: RequestLine): CouchError {
  const { error, reason } = (body ?? {}) as { error?: unknown; reason?: unknown };
  const name = typeof error === 'string' ? error : `http_${status}`;
  const text = typeof reason === 'string' ? reason : name;
  return Object.assign(new Error(text), {
    statusCode: status,
    error: name,
    reason: text,
    scope: 'couch' as const,
    request,
  });
}

/** How long a request may wait on a silent connection (undici's, and so nano's, default). */
const IDLE_TIMEOUT_MS = 300_000;

export class CouchHttp {
  private readonly base: URL;
  private readonly transport: typeof http | typeof https;
  private readonly agent: http.Agent;
  private readonly authorization: string | undefined;

  constructor(
    url: string,
    private readonly idleTimeoutMs = IDLE_TIMEOUT_MS,
  ) {
    const base = new URL(url.endsWith('/') ? url : `${url}/`);
    const { username, password } = base;
    this.authorization = username
      ? `Basic ${Buffer.from(`${decodeURIComponent(username)}:${decodeURIComponent(password)}`).toString('base64')}`
      : undefined;
    // The credentials travel in the header only: a URL is what an error names.
    base.username = '';
    base.password = '';
    this.base = base;
    this.transport = base.protocol === 'https:' ? https : http;
    this.agent = new this.transport.Agent({ keepAlive: true, maxSockets: 64 });
  }

  /** `path` is relative to the server's URL (e.g. `otm_sg_x/_bulk_docs`), already encoded. */
  async json<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    try {
      return await this.send<T>(method, path, payload, this.agent);
    } catch (error) {
      // A kept-alive connection the database closed while idle fails the next request before
      // it is read (Node's advice for kept-alive agents): send once more, on a connection of its
      // own, since after a restart of the database every kept one is stale. Repeating one of
      // these is harmless: reads, and writes that carry revisions or ids, which a second arrival
      // answers with a conflict the callers already handle (a write the database applied just
      // before the connection went is then told apart from a lost one only by that conflict).
      if (!(error as { retry?: boolean }).retry) throw error;
      return this.send<T>(method, path, payload, false);
    }
  }

  close(): void {
    this.agent.destroy();
  }

  private send<T>(
    method: string,
    path: string,
    payload: string | undefined,
    agent: http.Agent | false,
  ): Promise<T> {
    const headers: Record<string, string | number> = { accept: 'application/json' };
    if (this.authorization) headers.authorization = this.authorization;
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }

    const url = new URL(path, this.base);
    const line = { method, url: url.href };
    return new Promise<T>((resolve, reject) => {
      const req = this.transport.request(url, { method, headers, agent }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('error', (error) => reject(Object.assign(error, { request: line })));
        res.on('end', () => {
          const status = res.statusCode ?? 500;
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            // Not CouchDB answering (a proxy's page): a success that is not is a bad gateway.
            reject(couchError(status >= 400 ? status : 502, { reason: 'not JSON' }, line));
            return;
          }
          if (status >= 400) reject(couchError(status, parsed, line));
          else resolve(parsed as T);
        });
      });
      req.setTimeout(this.idleTimeoutMs, () => {
        const silent = new Error(`the database did not answer in ${this.idleTimeoutMs} ms`);
        req.destroy(Object.assign(silent, { code: 'ETIMEDOUT' }));
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        const retry = req.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
        reject(Object.assign(error, { retry, request: line }));
      });
      req.end(payload);
    });
  }
}
