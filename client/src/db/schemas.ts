import {
  type CatalogDoc,
  type Lesson,
  lessonSchema,
  type Mark,
  markSchema,
  type RosterEntry,
  rosterEntrySchema,
  type Topic,
  topicSchema,
} from '@otmetka/shared';
import type { RxJsonSchema } from 'rxdb';
import { z } from 'zod';

/**
 * RxDB JSON schemas of the device's collections. The journal schemas are derived from the zod
 * schemas in shared/src/schemas (the single source of truth), then adjusted to RxDB's rules:
 * - `_deleted` is managed by RxDB and may not appear among the properties;
 * - the Dexie storage indexes only required top-level fields, and indexed strings need a
 *   maxLength and indexed numbers multipleOf/minimum/maximum.
 * Version 0: a change to a schema here needs a version bump and a migration strategy.
 */

type JsonObjectSchema = {
  type: 'object';
  properties: Record<string, Record<string, unknown>>;
  required?: string[];
};

/** Bounds for indexed fields that zod expresses as a refine or regex (no maxLength in JSON). */
const INDEX_FIELD_BOUNDS: Record<string, Record<string, unknown>> = {
  id: { maxLength: 160 },
  orgId: { maxLength: 48 },
  subgroupId: { maxLength: 48 },
  learnerId: { maxLength: 48 },
  lessonId: { maxLength: 160 },
  date: { maxLength: 10 },
  type: { maxLength: 16 },
  order: { multipleOf: 1, minimum: 0, maximum: 100_000 },
};

function deriveFromZod<T>(
  zodSchema: z.ZodType,
  indexes: (string | string[])[],
  description: string,
): RxJsonSchema<T> {
  const json = z.toJSONSchema(zodSchema, {
    unrepresentable: 'any',
    io: 'input',
  }) as JsonObjectSchema;
  const properties: Record<string, Record<string, unknown>> = {};
  for (const [name, prop] of Object.entries(json.properties)) {
    if (name === '_deleted') continue;
    const bounds = INDEX_FIELD_BOUNDS[name];
    properties[name] = bounds ? { ...prop, ...bounds } : prop;
  }
  return {
    title: description,
    version: 0,
    primaryKey: 'id',
    type: 'object',
    properties,
    required: (json.required ?? []).filter((f) => f !== '_deleted'),
    indexes,
  } as unknown as RxJsonSchema<T>;
}

export const lessonRxSchema = deriveFromZod<Lesson>(
  lessonSchema,
  [['subgroupId', 'date']],
  "lessons of the teacher's subgroups",
);

export const markRxSchema = deriveFromZod<Mark>(
  markSchema,
  ['lessonId', ['subgroupId', 'date']],
  'one attendance mark per (lesson, learner)',
);

export const topicRxSchema = deriveFromZod<Topic>(
  topicSchema,
  [['subgroupId', 'order']],
  'topics of the calendar study plan',
);

export const rosterRxSchema = deriveFromZod<RosterEntry>(
  rosterEntrySchema,
  ['subgroupId'],
  'learners of the subgroups with their enrolment intervals',
);

/**
 * Catalog documents are a union of kinds (org, programme, subgroup, schedule, teacher, lock,
 * calendar); RxDB needs one object schema, so it names the shared fields and lets the rest
 * through. Every catalog document is parsed with catalogDocSchema when it is pulled.
 */
export const catalogRxSchema: RxJsonSchema<CatalogDoc> = {
  title: 'organisation data the device reads (never writes)',
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 160 },
    type: { type: 'string', maxLength: 16 },
  },
  required: ['id', 'type'],
  additionalProperties: true,
  indexes: ['type'],
} as unknown as RxJsonSchema<CatalogDoc>;

/** A local-only record of a teacher's edit the server refused or that lost a conflict. */
export interface Notice {
  id: string;
  kind: 'refused' | 'lost';
  /** The collection of the document ('lessons', 'topics', 'marks'); not `collection`, which
   * RxDB documents already use for their own property. */
  source: string;
  docId: string;
  /** An ERROR_CODE for refusals, 'CONFLICT' for lost edits. */
  code: string;
  message: string;
  /** The document the teacher tried to write, kept so the edit can be seen and redone. */
  attempted: Record<string, unknown>;
  /** For lost conflicts: the fields whose value did not survive, with the value that won. */
  lostFields: { field: string; mine: unknown; theirs: unknown }[];
  at: number;
  dismissed: boolean;
}

export const noticeRxSchema: RxJsonSchema<Notice> = {
  title: 'refused edits and lost conflicts (never replicated)',
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 200 },
    kind: { type: 'string', enum: ['refused', 'lost'] },
    source: { type: 'string', maxLength: 32 },
    docId: { type: 'string', maxLength: 160 },
    code: { type: 'string', maxLength: 64 },
    message: { type: 'string', maxLength: 1000 },
    attempted: { type: 'object', additionalProperties: true },
    lostFields: { type: 'array', items: { type: 'object' } },
    at: { type: 'integer', minimum: 0, maximum: 8.64e15, multipleOf: 1 },
    dismissed: { type: 'boolean' },
  },
  required: ['id', 'kind', 'source', 'docId', 'code', 'message', 'attempted', 'at', 'dismissed'],
};
