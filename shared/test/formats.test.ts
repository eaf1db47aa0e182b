import { describe, expect, it } from 'vitest';
import { isEntityId, isLocalDate, isLocalTime, isMonth } from '../src/formats.ts';
import { FOCUS_LABELS } from '../src/index.ts';
import {
  entityIdSchema,
  focusSchema,
  localDateSchema,
  localTimeSchema,
  monthSchema,
} from '../src/schemas/primitives.ts';

/** The zod-free checks the journal's start-up uses must accept exactly what the schemas do. */
const SAMPLES: unknown[] = [
  '2026-02-28',
  '2026-02-29',
  '2024-02-29',
  '2026-09-31',
  '2026-13-01',
  '2026-1-01',
  '',
  '09:30',
  '23:59',
  '24:00',
  '9:30',
  '2026-09',
  '2026-00',
  '2026-12',
  'sg-1',
  'Sg-1',
  '-a',
  'a'.repeat(48),
  'a'.repeat(49),
  'abc_def',
  42,
  null,
  undefined,
];

describe('zod-free format checks', () => {
  it.each([
    ['localDate', isLocalDate, localDateSchema],
    ['localTime', isLocalTime, localTimeSchema],
    ['month', isMonth, monthSchema],
    ['entityId', isEntityId, entityIdSchema],
  ] as const)('%s agrees with its zod schema on every sample', (_name, check, schema) => {
    for (const value of SAMPLES) {
      expect(check(value), JSON.stringify(value)).toBe(schema.safeParse(value).success);
    }
  });

  it('FOCUS_LABELS names every focus of the schema', () => {
    expect(Object.keys(FOCUS_LABELS).sort()).toEqual([...focusSchema.options].sort());
  });
});
