// Worker threads do not inherit tsx's loader for their entry on Node 20: register it here, then
// load the TypeScript load generator.
import { register } from 'tsx/esm/api';

register();
await import('./push-load.ts');
