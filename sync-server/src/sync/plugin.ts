import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AccessUser } from '../auth/claims.ts';
import type { Config } from '../config.ts';
import { orgDbName } from '../db/store.ts';
import { readOnlyCollection, unknownCollection, validationFailed } from '../http/errors.ts';
import { route } from '../http/route.ts';
import {
  type Checkpoint,
  DEVICE_HEADER,
  decodeCheckpoint,
  pullQuerySchema,
  pullResponseSchema,
  pushRequestSchema,
  pushResponseSchema,
  SYNC_COLLECTIONS,
  syncCollectionSchema,
  WRITABLE_COLLECTIONS,
} from '../shared.ts';
import { visibilityFor } from './access.ts';
import { PullPrefetch } from './prefetch.ts';
import { pull } from './pull.ts';
import { push } from './push.ts';
import { ScopeSeal } from './scope-seal.ts';
import { openStream } from './stream.ts';

/**
 * Replication endpoints of RxDB 17's protocol, one set per collection:
 * GET /api/sync/:collection/pull, POST /api/sync/:collection/push, GET /api/sync/stream.
 */

const collectionParams = z.object({ collection: syncCollectionSchema });

/**
 * SC2: replication is the journal's, for the teachers who keep it and the admins who oversee
 * it. A parent reads the diary (parent/diary.ts), which shows what a parent may know; a
 * journal document carries more (a cancellation's reason, a lesson's remark that may name other
 * children, who edited what from which device).
 */
const SYNC_ROLES = ['teacher', 'admin'] as const;

function unknownCollectionOf(params: unknown) {
  const name = String((params as { collection?: unknown })?.collection ?? '');
  return (SYNC_COLLECTIONS as readonly string[]).includes(name)
    ? undefined
    : unknownCollection(name);
}

function parseCheckpoint(encoded: string | undefined): Checkpoint {
  try {
    return decodeCheckpoint(encoded);
  } catch {
    throw validationFailed('checkpoint', 'не удалось прочитать контрольную точку синхронизации');
  }
}

function deviceOf(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return (value ?? 'unknown').replace(/[^\w.:-]/g, '').slice(0, 64) || 'unknown';
}

/**
 * A push's rules start from the org database's sequence (push.ts, loadOrgBasics). It is read as
 * soon as the caller is known, while the body (up to a batch of documents) is still arriving and
 * being parsed, rather than after. Read after the request arrived, it still sees every change
 * made before the device sent its push.
 */
function startOrgSeqRead(app: FastifyInstance, reads: WeakMap<FastifyRequest, Promise<string>>) {
  return (request: FastifyRequest) => {
    const read = app.store.updateSeq(orgDbName((request.user as AccessUser).org));
    // Awaited by the push; a request refused before then must not leave a rejection unhandled.
    read.catch(() => {});
    reads.set(request, read);
  };
}

export async function syncPlugin(app: FastifyInstance, opts: { config: Config }) {
  const hub = app.changes;
  const orgSeqReads = new WeakMap<FastifyRequest, Promise<string>>();
  const prefetch = new PullPrefetch(opts.config.now);
  const seal = new ScopeSeal(opts.config.jwtSecret);
  const streams = new Set<FastifyReply>();
  // Streams never go idle, so closing the server ends them first.
  app.addHook('preClose', async () => {
    for (const reply of streams) reply.raw.end();
    hub.close();
  });

  route(
    app,
    {
      method: 'GET',
      url: '/api/sync/:collection/pull',
      summary: 'Documents changed after the checkpoint that the caller may see',
      tags: ['sync'],
      params: collectionParams,
      query: pullQuerySchema,
      response: pullResponseSchema,
      roles: SYNC_ROLES,
      onInvalidParams: unknownCollectionOf,
    },
    async ({ params, query, user, request }) => {
      const checkpoint = parseCheckpoint(query.checkpoint);
      const vis = await visibilityFor(app.store, user);
      const { collection } = params;
      const prefetched = prefetch.take(prefetch.key(vis, collection, checkpoint, query.limit));
      const input = { store: app.store, vis, collection, checkpoint, limit: query.limit, seal };
      const result = (await prefetched) ?? (await pull(input));
      if (PullPrefetch.applies(collection) && result.documents.length === query.limit) {
        const next = prefetch.key(vis, collection, result.checkpoint, query.limit);
        prefetch.start(next, () => pull({ ...input, checkpoint: result.checkpoint }));
      }
      if (result.skipped.length > 0) {
        request.log.warn({ ids: result.skipped.slice(0, 20) }, 'stored docs failed their schema');
      }
      return { documents: result.documents, checkpoint: result.checkpoint };
    },
  );

  route(
    app,
    {
      method: 'POST',
      url: '/api/sync/:collection/push',
      summary: 'Write rows; answers the server state of rows that differ, and refused rows',
      tags: ['sync'],
      params: collectionParams,
      body: pushRequestSchema,
      response: pushResponseSchema,
      roles: SYNC_ROLES,
      onAuthenticated: startOrgSeqRead(app, orgSeqReads),
      onInvalidParams: unknownCollectionOf,
    },
    async ({ params, body, user, request }) => {
      if (!(WRITABLE_COLLECTIONS as readonly string[]).includes(params.collection)) {
        throw readOnlyCollection(params.collection);
      }
      const result = await push(app.store, {
        user,
        collection: params.collection,
        rows: body.rows,
        device: deviceOf(request.headers[DEVICE_HEADER]),
        now: opts.config.now(),
        orgSeq: orgSeqReads.get(request),
      });
      request.log.info(
        {
          rows: body.rows.length,
          conflicts: result.conflicts.length,
          refused: result.refused.length,
        },
        'push',
      );
      return result;
    },
  );

  route(
    app,
    {
      method: 'GET',
      url: '/api/sync/stream',
      summary: 'Server-Sent Events: `resync` events naming collections to pull',
      tags: ['sync'],
      produces: 'text/event-stream',
      roles: SYNC_ROLES,
    },
    async ({ request, reply }) => {
      await openStream(app.store, hub, streams, request, reply);
    },
  );
}
