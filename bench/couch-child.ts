/**
 * The embedded database in its own process (started by server-env.ts for the scale benchmark):
 * a region's worth of documents in memory needs its own heap, as CouchDB has its own machine.
 * Prints `COUCH_URL <url>` on stdout once listening; stops when stdin closes. A line `gc` on
 * stdin collects the garbage at once (the process runs with --expose-gc) and answers `GC_DONE`.
 */
import { startEmbeddedCouch } from '../sync-server/src/db/embedded.ts';

const memory = process.argv[2] !== 'leveldb';
const couch = await startEmbeddedCouch(memory ? { memory: true } : { dataDir: process.argv[3] });
process.stdout.write(`COUCH_URL ${couch.url}\n`);
process.stdin.resume();
process.stdin.on('data', (chunk: Buffer) => {
  if (!chunk.toString('utf8').includes('gc')) return;
  (globalThis as { gc?: () => void }).gc?.();
  process.stdout.write('GC_DONE\n');
});
process.stdin.on('end', () => {
  void couch.stop().then(() => process.exit(0));
});
