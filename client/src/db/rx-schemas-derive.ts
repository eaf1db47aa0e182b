import { lessonSchema, markSchema, rosterEntrySchema, topicSchema } from '@otmetka/shared';
import { z } from 'zod';

/**
 * Derives the RxDB JSON schemas of the journal collections from the zod schemas in
 * shared/src/schemas (the single source of truth), adjusted to RxDB's rules:
 * - `_deleted` is managed by RxDB and may not appear among the properties;
 * - the Dexie storage indexes only required top-level fields, and indexed strings need a
 *   maxLength and indexed numbers multipleOf/minimum/maximum.
 * Run at build time only (scripts/gen-rx-schemas.ts writes rx-schemas.generated.json), so the
 * journal opens its database without zod's JSON-schema converter in the start-up bundle; a
 * client test fails when the committed file and this derivation disagree.
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

/**
 * Stamp keys added after version 0 shipped. A device's database opens only with the schema it
 * was created with (RxDB DB6), and the stamp object accepts extra keys, so an optional key
 * inside a stamp is left out of the storage schema rather than forcing every tablet to copy
 * its whole journal through a migration; the zod schema still validates it on the server.
 */
const LATER_STAMP_KEYS = ['seen'];

function withoutLaterStampKeys(stamps: Record<string, unknown>): Record<string, unknown> {
  const stamp = stamps.additionalProperties as { properties: Record<string, unknown> };
  const properties = { ...stamp.properties };
  for (const key of LATER_STAMP_KEYS) delete properties[key];
  return { ...stamps, additionalProperties: { ...stamp, properties } };
}

function deriveFromZod(
  zodSchema: z.ZodType,
  indexes: (string | string[])[],
  description: string,
  version = 0,
): Record<string, unknown> {
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
  if (properties.stamps) properties.stamps = withoutLaterStampKeys(properties.stamps);
  return {
    title: description,
    version,
    primaryKey: 'id',
    type: 'object',
    properties,
    required: (json.required ?? []).filter((f) => f !== '_deleted'),
    indexes,
  };
}

/** The four derived schemas, keyed as in rx-schemas.generated.json. */
export function deriveRxSchemas(): Record<'lesson' | 'mark' | 'topic' | 'roster', unknown> {
  return {
    lesson: deriveFromZod(
      lessonSchema,
      [['subgroupId', 'date']],
      "lessons of the teacher's subgroups",
    ),
    // Version 1: no indexes of its own. A mark's id begins with its subgroup, date and start
    // (markId), so a lesson's or a month's marks are a range of ids on RxDB's own index; the two
    // indexes version 0 had cost a third of the first sync's IndexedDB writes (bench/README.md).
    mark: deriveFromZod(markSchema, [], 'one attendance mark per (lesson, learner)', 1),
    topic: deriveFromZod(
      topicSchema,
      [['subgroupId', 'order']],
      'topics of the calendar study plan',
    ),
    roster: deriveFromZod(
      rosterEntrySchema,
      ['subgroupId'],
      'learners of the subgroups with their enrolment intervals',
    ),
  };
}
