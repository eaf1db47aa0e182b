import { createHash } from 'node:crypto';
import { canonicalJson } from '@otmetka/shared';
import { describe, expect, it } from 'vitest';
import { deriveRxSchemas } from '../src/db/rx-schemas-derive.ts';
import * as schemas from '../src/db/schemas.ts';
import { lessonRxSchema, markRxSchema, rosterRxSchema, topicRxSchema } from '../src/db/schemas.ts';

/**
 * The storage schemas devices already hold, by name and version. A device's database opens only
 * with the schema it was created with (RxDB DB6), so changing one needs its `version` raised, a
 * migration strategy, and a new line here; never an edit of a shipped line.
 */
const SHIPPED: Record<string, string> = {
  'catalogRxSchema@0': '4f3c4e4d46781814',
  'lessonRxSchema@0': '1f16a53e31f0994e',
  'markRxSchema@0': '322f2371a3317983',
  'noticeRxSchema@0': '6edc8743107b1d52',
  'rosterRxSchema@0': '63bf036ede4553fd',
  'topicRxSchema@0': 'ddf5974831f1c0ec',
};

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
      .map(([name, schema]) => {
        const hash = createHash('sha256').update(canonicalJson(schema)).digest('hex');
        return [`${name}@${(schema as { version: number }).version}`, hash.slice(0, 16)];
      });
    expect(Object.fromEntries(current)).toEqual(SHIPPED);
  });
});
