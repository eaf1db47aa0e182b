import type { CatalogDoc, Lesson, Mark, RosterEntry, Topic } from '@otmetka/shared';
import type { RxJsonSchema } from 'rxdb';
import generated from './rx-schemas.generated.json' with { type: 'json' };

/**
 * RxDB JSON schemas of the device's collections. The journal schemas are derived from the zod
 * schemas in shared/src/schemas (rx-schemas-derive.ts) at build time and committed as
 * rx-schemas.generated.json (`npm run gen:rx-schemas -w @otmetka/client`); a client test fails
 * when the file is stale. Opening the journal therefore needs no zod at run time.
 * Version 0: a change to a schema here needs a version bump and a migration strategy.
 */

export const lessonRxSchema = generated.lesson as unknown as RxJsonSchema<Lesson>;
export const markRxSchema = generated.mark as unknown as RxJsonSchema<Mark>;
export const topicRxSchema = generated.topic as unknown as RxJsonSchema<Topic>;
export const rosterRxSchema = generated.roster as unknown as RxJsonSchema<RosterEntry>;

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
