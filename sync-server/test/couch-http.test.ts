import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { CouchHttp } from '../src/db/couch-http.ts';
import { isDatabaseUnavailable } from '../src/db/store.ts';
import { serializeError } from '../src/http/log.ts';

/**
 * The lean CouchDB client of the push path (db/couch-http.ts) against a loopback HTTP server
 * that answers like CouchDB and misbehaves on cue: what it sends, how its failures look, and
 * what it does when a kept-alive connection is gone.
 */

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
  socket: Socket;
}

type Handler = (req: IncomingMessage, res: ServerResponse, seen: Seen[]) => void;

let server: Server | undefined;
let client: CouchHttp | undefined;

async function couchLike(handler: Handler): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        body,
        socket: req.socket,
      });
      handler(req, res, seen);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const answer = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

afterEach(async () => {
  client?.close();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

describe('CouchHttp', () => {
  it('[DB1] sends JSON to the path under the server URL, with the URL’s credentials', async () => {
    const { url, seen } = await couchLike((_req, res) => answer(res, 201, [{ ok: true }]));
    const base = url.replace('http://', 'http://otmetka:p%40ss@');
    client = new CouchHttp(`${base}/couch`);

    const result = await client.json('POST', 'otm_sg_a/_bulk_docs', { docs: [{ _id: 'x' }] });

    expect(result).toEqual([{ ok: true }]);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/couch/otm_sg_a/_bulk_docs',
      authorization: `Basic ${Buffer.from('otmetka:p@ss').toString('base64')}`,
      body: '{"docs":[{"_id":"x"}]}',
    });
  });

  it('[DB1] a refusal looks like nano’s and names where it was sent, never what', async () => {
    const { url } = await couchLike((_req, res) =>
      answer(res, 404, { error: 'not_found', reason: 'Database does not exist.' }),
    );
    client = new CouchHttp(url);

    const error = await client
      .json('POST', 'otm_private_o/_bulk_docs', { docs: [{ snils: '11223344595' }] })
      .catch((e: unknown) => e);

    expect(error).toMatchObject({
      statusCode: 404,
      error: 'not_found',
      reason: 'Database does not exist.',
      scope: 'couch',
    });
    expect(isDatabaseUnavailable(error)).toBe(false);
    const logged = JSON.stringify(serializeError(error));
    expect(logged).toContain('/otm_private_o/_bulk_docs');
    expect(logged).not.toContain('11223344595');
  });

  it('[DB1] an error never holds the URL’s credentials, not even printed whole', async () => {
    const { url } = await couchLike((_req, res) => answer(res, 500, { error: 'x', reason: 'y' }));
    client = new CouchHttp(url.replace('http://', 'http://otmetka:TopSecret@'));

    const error = await client.json('POST', 'otm_users/_bulk_docs', { docs: [] }).catch((e) => e);

    expect(error).toMatchObject({ statusCode: 500, request: { method: 'POST' } });
    expect(inspect(error, { depth: 5 })).not.toContain('TopSecret');
    expect(JSON.stringify(serializeError(error))).toContain('/otm_users/_bulk_docs');
  });

  it('[DB1] an answer cut halfway is an unavailable database and names its request', async () => {
    const { url } = await couchLike((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 1000 });
      res.write('{"rows":[');
      setTimeout(() => res.socket?.destroy(), 10);
    });
    client = new CouchHttp(url);

    const error = await client.json('POST', 'otm_sg_a/_all_docs', { keys: [] }).catch((e) => e);

    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(JSON.stringify(serializeError(error))).toContain('/otm_sg_a/_all_docs');
  });

  it('[DB1] a proxy’s page instead of CouchDB, or its 504, is an unavailable database', async () => {
    const { url } = await couchLike((req, res) => {
      const page = req.url?.includes('page') ? 200 : 504;
      res.writeHead(page, { 'content-type': 'text/html' });
      res.end('<html>maintenance</html>');
    });
    client = new CouchHttp(url);

    for (const path of ['page', 'gateway']) {
      const error = await client.json('GET', path).catch((e) => e);
      expect(error).toMatchObject({ scope: 'couch', reason: 'not JSON' });
      expect(isDatabaseUnavailable(error)).toBe(true);
    }
  });

  it('[DB1] CouchDB’s 503 and a refused connection are an unavailable database', async () => {
    const { url } = await couchLike((_req, res) =>
      answer(res, 503, { error: 'unavailable', reason: 'restarting' }),
    );
    client = new CouchHttp(url);
    expect(isDatabaseUnavailable(await client.json('GET', 'otm_org_o').catch((e) => e))).toBe(true);

    // A port nothing listens on any more.
    const port = (server!.address() as AddressInfo).port;
    server!.closeAllConnections();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    client.close();
    client = new CouchHttp(`http://127.0.0.1:${port}`);
    const refused = await client.json('GET', 'otm_org_o').catch((e) => e);
    expect((refused as { code?: string }).code).toBe('ECONNREFUSED');
    expect(isDatabaseUnavailable(refused)).toBe(true);
  });

  it('[DB1] a database that stops answering is unavailable once the connection stays silent', async () => {
    const { url, seen } = await couchLike(() => {});
    client = new CouchHttp(url, 50);

    const error = await client.json('GET', 'otm_org_o').catch((e) => e);

    expect((error as { code?: string }).code).toBe('ETIMEDOUT');
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(seen).toHaveLength(1);
  });

  it('[DB2] a kept-alive connection the database closed is replaced and the request sent again', async () => {
    const { url, seen } = await couchLike((req, res, all) => {
      // The second request on the first connection finds it gone, as when the database closed
      // the idle connection just as it was reused.
      const onFirst = all.filter((s) => s.socket === all[0]!.socket).length;
      if (all.length > 1 && req.socket === all[0]!.socket && onFirst === 2) {
        req.socket.destroy();
        return;
      }
      answer(res, 200, { update_seq: `${all.length}-x` });
    });
    client = new CouchHttp(url);

    expect(await client.json('GET', 'otm_org_o')).toEqual({ update_seq: '1-x' });
    expect(await client.json('GET', 'otm_org_o')).toEqual({ update_seq: '3-x' });

    expect(seen).toHaveLength(3);
    expect(seen[1]!.socket).toBe(seen[0]!.socket);
    expect(seen[2]!.socket).not.toBe(seen[0]!.socket);
  });

  it('[DB2] a new connection cut before an answer is not repeated: the database is unavailable', async () => {
    const { url, seen } = await couchLike((req) => req.socket.destroy());
    client = new CouchHttp(url);

    const error = await client.json('POST', 'otm_sg_a/_bulk_docs', { docs: [] }).catch((e) => e);

    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(seen).toHaveLength(1);
  });
});
