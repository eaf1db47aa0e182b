import { describe, expect, it } from 'vitest';
import { deriveRxSchemas } from '../src/db/rx-schemas-derive.ts';
import { lessonRxSchema, markRxSchema, rosterRxSchema, topicRxSchema } from '../src/db/schemas.ts';

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
});
