// express-pouchdb and pouchdb ship no types; the server only uses the few entry points below.
declare module 'express-pouchdb' {
  import type { RequestHandler } from 'express';
  import type { PouchStatic } from 'pouchdb';

  /** Steps run, in order of registration, when a PouchDB is set. */
  interface Daemon {
    start(pouch: PouchStatic): unknown;
    stop(pouch: PouchStatic): unknown;
  }

  interface ExpressPouchDB extends RequestHandler {
    daemonManager: { registerDaemon(daemon: Daemon): void };
    setPouchDB(pouch: PouchStatic): Promise<void>;
  }

  const expressPouchDB: (options?: Record<string, unknown>) => ExpressPouchDB;
  export default expressPouchDB;
}

declare module 'pouchdb' {
  export interface PouchStatic {
    defaults(options: Record<string, unknown>): PouchStatic;
    plugin(plugin: unknown): PouchStatic;
    /** Installed by express-pouchdb (pouchdb-all-dbs): every database's name. */
    allDbs(callback?: (err: unknown, names?: string[]) => void): Promise<string[]>;
    on(event: 'created' | 'destroyed', listener: (name: string) => void): void;
    removeListener(event: 'created' | 'destroyed', listener: (name: string) => void): void;
  }
  const PouchDB: PouchStatic;
  export default PouchDB;
}

declare module 'pouchdb-adapter-memory' {
  const plugin: unknown;
  export default plugin;
}

declare module 'pouchdb-find' {
  const plugin: unknown;
  export default plugin;
}
