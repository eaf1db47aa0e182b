import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmbeddedCouch } from '../src/db/embedded.ts';
import { createFixture, startServer, type TestServer } from './helpers.ts';

/**
 * An HTTP proxy in front of a real (embedded) database that can make the database unreachable
 * for exactly one request (503, nothing forwarded), the n-th from now, or cut the connection of
 * requests to a path: how tests put a database restart at a chosen point of a server's work.
 */
export class FlakyDatabase {
  private server: Server | undefined;
  private countdown = 0;
  private failing: { pattern: RegExp; left: number } | undefined;
  private dropping: { pattern: RegExp; left: number } | undefined;
  url = '';

  constructor(private readonly target: string) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      if (this.dropping?.pattern.test(req.url ?? '') && this.dropping.left-- > 0) {
        // A database process gone mid-request: the connection closes without an answer.
        req.socket.destroy();
        return;
      }
      const matched = this.failing?.pattern.test(req.url ?? '') && this.failing.left-- > 0;
      if (matched || (this.countdown > 0 && --this.countdown === 0)) {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'unavailable', reason: 'the database is restarting' }));
        req.resume();
        return;
      }
      const upstream = request(`${this.target}${req.url}`, {
        method: req.method,
        headers: req.headers,
      });
      upstream.on('response', (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The n-th database request from now fails; 0 disarms. */
  failRequest(n: number): void {
    this.countdown = n;
  }

  /** The next `times` requests whose path matches `pattern` fail. */
  failPath(pattern: RegExp, times = 1): void {
    this.failing = { pattern, left: times };
  }

  /** The next `times` requests whose path matches `pattern` lose their connection unanswered. */
  dropPath(pattern: RegExp, times = 1): void {
    this.dropping = { pattern, left: times };
  }

  get armed(): boolean {
    return this.countdown > 0 || (this.failing?.left ?? 0) > 0;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/**
 * A test server with the shared fixture whose (real, embedded, in-memory) database sits behind a
 * FlakyDatabase proxy, for tests that put a database failure at a chosen point.
 */
export async function startServerBehindFlakyDatabase(): Promise<{
  database: FlakyDatabase;
  server: TestServer;
  stop(): Promise<void>;
}> {
  const couch = await startEmbeddedCouch({ memory: true });
  const database = new FlakyDatabase(couch.url);
  await database.start();
  const server = await startServer({ couchUrl: database.url });
  await createFixture(server.store);
  return {
    database,
    server,
    stop: async () => {
      await server.stop();
      await database.stop();
      await couch.stop();
    },
  };
}
