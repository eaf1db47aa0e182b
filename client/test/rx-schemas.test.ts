import { createHash } from 'node:crypto';
import { canonicalJson } from '@otmetka/shared';
import { describe, expect, it } from 'vitest';
import { deriveRxSchemas } from '../src/db/rx-schemas-derive.ts';
import * as schemas from '../src/db/schemas.ts';
import { lessonRxSchema, markRxSchema, rosterRxSchema, topicRxSchema } from '../src/db/schemas.ts';
import { markRxSchemaV0 } from './mark-schema-v0.ts';

/**
 * The storage schemas devices already hold, by name and version. A device's database opens only
 * with the schema it was created with (RxDB DB6), so changing one needs its `version` raised, a
 * migration strategy, and a new line here; never an edit of a shipped line. Earlier versions stay
 * listed: the migration tests open devices made with them.
 */
const SHIPPED: Record<string, string> = {
  'catalogRxSchema@0': '4f3c4e4d46781814',
  'lessonRxSchema@0': '1f16a53e31f0994e',
  'markRxSchema@0': '322f2371a3317983',
  'markRxSchema@1': '85ba6b27cdcc905e',
  'noticeRxSchema@0': '6edc8743107b1d52',
  'rosterRxSchema@0': '63bf036ede4553fd',
  'topicRxSchema@0': 'ddf5974831f1c0ec',
};

function hashOf(schema: unknown): string {
  return createHash('sha256').update(canonicalJson(schema)).digest('hex').slice(0, 16);
}

describe('RxDB schemas generated at build time', () => {
  it('equal the ones derived from the shared zod schemas (else: npm run gen:rx-schemas -w @otmetka/client)', () => {
    const derived = deriveRxSchemas();
    expect(lessonRxSchema).toEqual(derived.lesson);
    expect(markRxSchema).toEqual(derived.mark);
    expect(topicRxSchema).toEqual(derived.topic);
    expect(rosterRxSchema).toEqual(derived.roster);
  });

  it('keep the indexed fields required and bounded, as the Dexie storage needs', () => {
    const mark = markRxSchema as unknown as {
      required: string[];
      properties: Record<string, { maxLength?: number }>;
    };
    for (const field of ['id', 'lessonId', 'subgroupId', 'date']) {
      expect(mark.required).toContain(field);
      expect(mark.properties[field]?.maxLength).toBeGreaterThan(0);
    }
    expect(mark.properties._deleted).toBeUndefined();
  });

  it('are the shipped ones for their version: a changed storage schema needs a new version', () => {
    const current = Object.entries(schemas)
      .filter(([name]) => name.endsWith('RxSchema'))
      .map(([name, schema]) => [
        `${name}@${(schema as { version: number }).version}`,
        hashOf(schema),
      ]);
    expect(SHIPPED).toMatchObject(Object.fromEntries(current));
    expect(current).toHaveLength(6);
  });

  it('keep the marks of version 0 as shipped, for the migration tests', () => {
    expect(hashOf(markRxSchemaV0)).toBe(SHIPPED['markRxSchema@0']);
  });
});
