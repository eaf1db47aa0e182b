import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccessUser } from '../auth/claims.ts';
import { orgDbName, type Store, subgroupDbName } from '../db/store.ts';
import { type StreamEvent, SYNC_COLLECTIONS, type SyncCollection } from '../shared.ts';
import { CATALOG_TYPES, TYPE_COLLECTION, type Visibility, visibilityFor } from './access.ts';
import type { ChangesHub } from './changes-hub.ts';

/**
 * GET /api/sync/stream: Server-Sent Events telling the client which collections to pull. On
 * connect one `resync` for every collection, then one per batch of changes in the caller's
 * databases (org database and visible subgroup databases). A change in the org database may
 * change what the caller sees (a subgroup assigned), so the watched set is recomputed then.
 */

const HEARTBEAT_MS = 15_000;
const COALESCE_MS = 25;

function collectionsOf(db: string, types: Set<string>): SyncCollection[] {
  const out = new Set<SyncCollection>();
  for (const type of types) {
    if (db.startsWith('otm_org_') && CATALOG_TYPES.has(type)) out.add('catalog');
    const journal = TYPE_COLLECTION[type];
    if (journal && db.startsWith('otm_sg_')) out.add(journal);
  }
  return [...out];
}

function watchedDbs(vis: Visibility): string[] {
  return [orgDbName(vis.orgId), ...vis.subgroupIds.map(subgroupDbName)];
}

class StreamSession {
  private pending = new Set<SyncCollection>();
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private dbs: string[] = [];
  private closed = false;
  private readonly listener = (db: string, types: Set<string>) => this.onChange(db, types);

  constructor(
    private readonly store: Store,
    private readonly hub: ChangesHub,
    private readonly user: AccessUser,
    private readonly reply: FastifyReply,
  ) {}

  async open(): Promise<void> {
    await this.watch(await visibilityFor(this.store, this.user));
    if (this.closed) return;
    this.send({ type: 'resync', collections: [...SYNC_COLLECTIONS] });
    this.heartbeat = setInterval(() => this.write(': heartbeat\n\n'), HEARTBEAT_MS);
  }

  close(): void {
    this.closed = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.timer);
    this.hub.unsubscribe(this.dbs, this.listener);
  }

  /**
   * LV1: a stream the device dropped while it read who may see what subscribes to nothing:
   * close() has already let go of what it held, and nothing would ever let go of more.
   */
  private async watch(vis: Visibility): Promise<boolean> {
    if (this.closed) return false;
    const next = watchedDbs(vis);
    const added = next.filter((d) => !this.dbs.includes(d));
    const removed = this.dbs.filter((d) => !next.includes(d));
    this.dbs = next;
    this.hub.unsubscribe(removed, this.listener);
    await this.hub.subscribe(added, this.listener);
    return added.length > 0 || removed.length > 0;
  }

  private onChange(db: string, types: Set<string>): void {
    for (const c of collectionsOf(db, types)) this.pending.add(c);
    if (db.startsWith('otm_org_')) void this.refreshVisibility();
    this.schedule();
  }

  private async refreshVisibility(): Promise<void> {
    try {
      const changed = await this.watch(await visibilityFor(this.store, this.user));
      if (changed && !this.closed) {
        for (const c of SYNC_COLLECTIONS) this.pending.add(c);
        this.schedule();
      }
    } catch {
      // The next change retries; the stream itself stays up.
    }
  }

  private schedule(): void {
    if (this.timer || this.pending.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const collections = SYNC_COLLECTIONS.filter((c) => this.pending.has(c));
      this.pending.clear();
      if (collections.length > 0) this.send({ type: 'resync', collections });
    }, COALESCE_MS);
  }

  private send(event: StreamEvent): void {
    this.write(`event: resync\ndata: ${JSON.stringify(event)}\n\n`);
  }

  private write(text: string): void {
    if (!this.closed && !this.reply.raw.destroyed) this.reply.raw.write(text);
  }
}

/** `open` holds this app's open streams, which the app ends on close (they never go idle). */
export async function openStream(
  store: Store,
  hub: ChangesHub,
  open: Set<FastifyReply>,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const session = new StreamSession(store, hub, request.user as AccessUser, reply);
  open.add(reply);
  reply.raw.on('close', () => open.delete(reply));
  reply.hijack();
  reply.raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  reply.raw.flushHeaders();
  request.raw.on('close', () => session.close());
  reply.raw.on('close', () => session.close());
  endWithToken(request.user as AccessUser, reply);
  await session.open();
}

/**
 * SC8: a stream lasts as long as the access token that opened it. The device then reconnects
 * with a fresh one, which it gets only while its session stands: after a sign-out, a blocked
 * account (AC3) or a revoked refresh token, the news of the journal stop within one token's
 * lifetime instead of flowing until the connection happens to break.
 */
function endWithToken(user: AccessUser, reply: FastifyReply): void {
  if (user.exp === undefined) return;
  const timer = setTimeout(() => reply.raw.end(), Math.max(0, user.exp * 1000 - Date.now()));
  timer.unref();
  reply.raw.on('close', () => clearTimeout(timer));
}
