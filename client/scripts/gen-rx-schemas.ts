import { writeFileSync } from 'node:fs';
import { deriveRxSchemas } from '../src/db/rx-schemas-derive.ts';

/** Writes the zod-derived RxDB schemas next to schemas.ts (run after a shared schema change). */
const target = new URL('../src/db/rx-schemas.generated.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(deriveRxSchemas(), null, 2)}\n`);
process.stdout.write(`written ${target.pathname}\n`);
