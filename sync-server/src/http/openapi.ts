import type { FastifyInstance } from 'fastify';
import { type ZodType, z } from 'zod';
import { ERROR_CODES } from '../shared.ts';
import type { RouteDoc } from './route.ts';

/**
 * GET /api/openapi.json: the OpenAPI 3.1 document built from the zod schemas recorded by route().
 */

type Json = Record<string, unknown>;

function jsonSchema(schema: ZodType, io: 'input' | 'output'): Json {
  try {
    return z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
  } catch {
    return {};
  }
}

const errorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: [...ERROR_CODES] },
        message: { type: 'string' },
        details: { type: 'object' },
      },
    },
  },
};

function parameters(schema: ZodType | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const json = jsonSchema(schema, 'input');
  const props = (json.properties ?? {}) as Record<string, Json>;
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: s,
  }));
}

function operation(doc: RouteDoc): Json {
  const op: Json = {
    summary: doc.summary,
    tags: doc.tags,
    parameters: [...parameters(doc.params, 'path'), ...parameters(doc.query, 'query')],
    responses: {
      [String(doc.status)]: {
        description: 'OK',
        content: {
          [doc.produces ?? 'application/json']: {
            schema: doc.response ? jsonSchema(doc.response, 'output') : {},
          },
        },
      },
      default: {
        description: 'Error (shared ErrorBody)',
        content: { 'application/json': { schema: errorBody } },
      },
    },
  };
  if (doc.body) {
    op.requestBody = {
      required: true,
      content: { 'application/json': { schema: jsonSchema(doc.body, 'input') } },
    };
  }
  if (doc.auth) op.security = [{ bearer: [] }];
  if (Array.isArray(doc.roles)) op['x-roles'] = doc.roles;
  return op;
}

export function buildOpenApi(routes: RouteDoc[]): Json {
  const paths: Record<string, Json> = {};
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = operation(r);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Otmetka sync server', version: '1.0.0' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
    paths,
  };
}

export async function openApiRoutes(app: FastifyInstance) {
  let cached: Json | undefined;
  app.get('/api/openapi.json', async () => {
    cached ??= buildOpenApi(app.routeRegistry);
    return cached;
  });
}
