// express-pouchdb and pouchdb ship no types; the server only uses the few entry points below.
declare module 'express-pouchdb' {
  import type { RequestHandler } from 'express';

  const expressPouchDB: (pouch: unknown, options?: Record<string, unknown>) => RequestHandler;
  export default expressPouchDB;
}

declare module 'pouchdb' {
  interface PouchStatic {
    defaults(options: Record<string, unknown>): PouchStatic;
    plugin(plugin: unknown): PouchStatic;
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
