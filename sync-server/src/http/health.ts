import type { FastifyInstance } from 'fastify';
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
    async ({ reply }) => {
      try {
        const info = await app.store.info();
        return { ok: true, protocol: PROTOCOL_VERSION, database: { reachable: true, ...info } };
      } catch (error) {
        app.log.error({ err: error }, 'database unreachable');
        reply.status(503);
        return { ok: false, protocol: PROTOCOL_VERSION, database: { reachable: false } };
      }
    },
  );
}
