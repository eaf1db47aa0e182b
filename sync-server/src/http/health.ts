import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { PROTOCOL_VERSION } from '../shared.ts';
import { route } from './route.ts';

const healthSchema = z.object({
  ok: z.boolean(),
  protocol: z.number(),
  database: z.object({
    reachable: z.boolean(),
    vendor: z.string().optional(),
    version: z.string().optional(),
  }),
  /** For an admin: the databases this process follows for its live streams. */
  followedDatabases: z.number().int().optional(),
});

export async function healthRoutes(app: FastifyInstance) {
  route(
    app,
    {
      method: 'GET',
      url: '/api/health',
      summary: 'Server and database health',
      tags: ['meta'],
      response: healthSchema,
    },
    async ({ request, reply }) => {
      try {
        const info = await app.store.info();
        // SC7: which database and version runs is for an admin; a stranger learns only that
        // the server and its database answer.
        if (!(await isAdmin(request))) {
          return { ok: true, protocol: PROTOCOL_VERSION, database: { reachable: true } };
        }
        return {
          ok: true,
          protocol: PROTOCOL_VERSION,
          database: { reachable: true, ...info },
          followedDatabases: app.changes.watched,
        };
      } catch (error) {
        app.log.error({ err: error }, 'database unreachable');
        reply.status(503);
        return { ok: false, protocol: PROTOCOL_VERSION, database: { reachable: false } };
      }
    },
  );
}

/** A valid access token of an admin; no token or any other is simply not one (no error). */
async function isAdmin(request: FastifyRequest): Promise<boolean> {
  if (!request.headers.authorization) return false;
  try {
    await request.jwtVerify();
    return request.user?.role === 'admin';
  } catch {
    return false;
  }
}
