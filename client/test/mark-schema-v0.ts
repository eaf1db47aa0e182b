import type { Mark } from '@otmetka/shared';
import type { RxJsonSchema } from 'rxdb';
import { markRxSchema } from '../src/db/schemas.ts';

/**
 * The marks' storage schema as version 0 shipped it: the same fields, with indexes on the
 * lesson and on (subgroup, date). rx-schemas.test.ts checks it against the shipped hash.
 */
export const markRxSchemaV0 = {
  ...markRxSchema,
  version: 0,
  indexes: ['lessonId', ['subgroupId', 'date']],
} as RxJsonSchema<Mark>;
