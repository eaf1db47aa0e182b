import { startEmbeddedCouch } from '../../sync-server/src/db/embedded.ts';

/**
 * The soak's database process: the embedded CouchDB-compatible server on LevelDB files, on a
 * fixed port, so the soak can stop and start it again while the sync servers keep running.
 * Usage: node --import tsx tests/soak/db-process.ts <dataDir> <port>
 */

const [dataDir, port] = process.argv.slice(2);
const couch = await startEmbeddedCouch({ dataDir, port: Number(port) });
process.stdout.write(`ready ${couch.url}\n`);

const stop = async () => {
  await couch.stop();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
