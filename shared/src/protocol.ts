import { catalogDocSchema, catalogTombstoneSchema } from './schemas/catalog.ts';
import { lessonSchema, markSchema, rosterEntrySchema, topicSchema } from './schemas/journal.ts';
import { entityIdSchema, shortText, timeZoneSchema } from './schemas/primitives.ts';
import { roleSchema } from './schemas/registry.ts';
import { z } from './zod.ts';

/**
 * The wire protocol between devices and the sync server: the one file both sides read. It
 * follows RxDB 17's replication protocol (pull by checkpoint, push of rows with their assumed
 * master state, a stream that says "pull now"), with Otmetka's additions: push answers carry
 * the refused rows with a reason code, and every request names the protocol version.
 */

// The headers live in a zod-free module so that a client's start-up code can name them
// without loading the protocol's schemas.
export { DEVICE_HEADER, PROTOCOL_HEADER, PROTOCOL_VERSION } from './protocol-headers.ts';

export const SYNC_COLLECTIONS = ['catalog', 'lessons', 'topics', 'roster', 'marks'] as const;
export type SyncCollection = (typeof SYNC_COLLECTIONS)[number];
export const syncCollectionSchema = z.enum(SYNC_COLLECTIONS);

/** Collections a device may push to; catalog and roster are written by the server only. */
export const WRITABLE_COLLECTIONS = [
  'lessons',
  'topics',
  'marks',
] as const satisfies readonly SyncCollection[];

export const COLLECTION_DOC_SCHEMAS = {
  catalog: catalogDocSchema,
  lessons: lessonSchema,
  topics: topicSchema,
  roster: rosterEntrySchema,
  marks: markSchema,
} as const;

/**
 * What a pull may carry: the collection's documents, and in the catalog also content-free
 * tombstones of documents the caller no longer sees (RM1).
 */
export const PULLED_DOC_SCHEMAS = {
  ...COLLECTION_DOC_SCHEMAS,
  catalog: z.union([catalogDocSchema, catalogTombstoneSchema]),
} as const;

/**
 * Batch sizes. Round trips dominate on slow mobile networks (563 ms per request on "Slow 4G"),
 * so pulls are large. A push batch of 200 marks is about 80 KB of JSON; the body limit leaves
 * room for the largest documents (a 4,000-character homework) at the full batch size.
 */
export const PULL_BATCH_SIZE = 1000;
export const PUSH_BATCH_SIZE = 200;
export const MAX_DOC_BYTES = 16 * 1024;
export const BODY_LIMIT_BYTES = PUSH_BATCH_SIZE * MAX_DOC_BYTES + 64 * 1024;

/** Generous: a teacher has a handful of subgroups, a parent a few children. */
const MAX_SCOPE_IDS = 1000;

/**
 * The catalog documents tied to what a caller sees that its device was given (RM1): the
 * visible subgroups (with their schedules and locks), their programmes and their teachers'
 * profiles. The next catalog pull sends a content-free tombstone of whatever left it.
 */
export const catalogScopeSchema = z.object({
  subgroups: z.array(entityIdSchema).max(MAX_SCOPE_IDS),
  programmes: z.array(entityIdSchema).max(MAX_SCOPE_IDS),
  teachers: z.array(entityIdSchema).max(MAX_SCOPE_IDS),
  /** The server's seal (SC10): a scope without a valid one is not taken at its word. */
  seal: z.string().max(64).optional(),
});
export type CatalogScope = z.infer<typeof catalogScopeSchema>;

/**
 * The pull checkpoint: one CouchDB `_changes` sequence per source database the caller reads
 * ('org' or a subgroup id). Sequences are opaque strings. A source that is new to the caller
 * (a subgroup assigned later) simply starts from the beginning, and a source the caller no
 * longer sees is left out of the next checkpoint (the device purges its documents, RM2).
 */
export const checkpointSchema = z.object({
  v: z.literal(1),
  // A clustered CouchDB's sequence grows with the number of shards: leave it room.
  seqs: z.record(z.string().max(64), z.string().max(4000)),
  /**
   * Present during a device's first pass over a collection (its first pull had no checkpoint):
   * the device holds nothing yet, so a source not yet in `seqs` is read as a snapshot by id
   * range (only the collection's own documents, no tombstones to replay) instead of its whole
   * change history. `seq` is the source's update sequence taken before its first page, so
   * writes racing the snapshot arrive again by `_changes` afterwards; `after` is the last id
   * delivered. Null once the pass is over: RxDB merges checkpoints with `Object.assign`, so a
   * key left out would keep its old value.
   */
  snapshot: z
    .object({
      source: z.string().max(64),
      seq: z.string().max(4000),
      after: z.string().max(200),
    })
    .partial()
    .nullish(),
  /**
   * Catalog pulls only: what the device was given (RM1). Absent on a first pull (the device
   * holds nothing) and in checkpoints written before it existed; null for an admin, who sees
   * the whole organisation.
   */
  scope: catalogScopeSchema.nullish(),
});
export type Checkpoint = z.infer<typeof checkpointSchema>;

/** base64url of the checkpoint's JSON, for the pull query string (works in browsers and Node). */
export function encodeCheckpoint(checkpoint: Checkpoint): string {
  const bytes = new TextEncoder().encode(JSON.stringify(checkpoint));
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The inverse of encodeCheckpoint; undefined input is a first pull (a snapshot pass). Throws on garbage. */
export function decodeCheckpoint(encoded: string | undefined): Checkpoint {
  if (!encoded) return { v: 1, seqs: {}, snapshot: {} };
  const base64 = encoded.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return checkpointSchema.parse(JSON.parse(new TextDecoder().decode(bytes)));
}

export const pullQuerySchema = z.object({
  /** base64url of the JSON checkpoint; absent on the first pull. */
  checkpoint: z.string().max(200_000).optional(),
  limit: z.coerce.number().int().min(1).max(PULL_BATCH_SIZE).default(PULL_BATCH_SIZE),
});

export const pullResponseSchema = z.object({
  documents: z.array(z.record(z.string(), z.unknown())),
  checkpoint: checkpointSchema,
});
/**
 * A pull answer as a device reads it: each document is then checked by its collection's schema,
 * so the envelope leaves them alone (the record check above copies every document once more:
 * 14,000 copies in a first sync).
 */
export const pullEnvelopeSchema = pullResponseSchema.extend({ documents: z.array(z.unknown()) });
export type PullResponse<Doc = Record<string, unknown>> = {
  documents: Doc[];
  checkpoint: Checkpoint;
};

export const pushRowSchema = z.object({
  assumedMasterState: z.record(z.string(), z.unknown()).nullish(),
  // The id is checked for the whole request: a row without one could not be answered, since
  // the device matches the answer to its documents by id. The rest is checked row by row.
  newDocumentState: z.looseObject({ id: z.string().min(1).max(160) }),
});
export const pushRequestSchema = z.object({
  rows: z.array(pushRowSchema).min(1).max(PUSH_BATCH_SIZE),
});
export type PushRow<Doc = Record<string, unknown>> = {
  assumedMasterState?: Doc | null;
  newDocumentState: Doc;
};

export const refusedRowSchema = z.object({
  id: z.string(),
  code: z.string(),
  message: z.string(),
  /** The document the device tried to write, kept so the teacher can see and redo it. */
  attempted: z.record(z.string(), z.unknown()),
});
export type RefusedRow = z.infer<typeof refusedRowSchema>;

/**
 * `conflicts` is RxDB's answer: the server state of every row whose result differs from what
 * the device sent (merged, refused or stale). `refused` says why, for rows the rules refused.
 */
export const pushResponseSchema = z.object({
  conflicts: z.array(z.record(z.string(), z.unknown())),
  refused: z.array(refusedRowSchema),
});
export type PushResponse<Doc = Record<string, unknown>> = {
  conflicts: Doc[];
  refused: RefusedRow[];
};

/** Server-sent event on /api/sync/stream: the named collections have news, pull them. */
export const streamEventSchema = z.object({
  type: z.literal('resync'),
  collections: z.array(syncCollectionSchema),
});
export type StreamEvent = z.infer<typeof streamEventSchema>;

// Auth

export const loginRequestSchema = z.object({
  login: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});

export const sessionUserSchema = z.object({
  id: entityIdSchema,
  orgId: entityIdSchema,
  role: roleSchema,
  displayName: shortText,
  teacherId: entityIdSchema.nullable(),
  /** The organisation's time zone: every "today" on the device is computed in it. */
  timeZone: timeZoneSchema,
});
export type SessionUser = z.infer<typeof sessionUserSchema>;

export const loginResponseSchema = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  user: sessionUserSchema,
});
export type LoginResponse = z.infer<typeof loginResponseSchema>;

export const refreshRequestSchema = z.object({ refreshToken: z.string().min(1).max(512) });

/** Access tokens are short-lived; the refresh token rotates on every use. */
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;
