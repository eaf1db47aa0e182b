import { REPLICATION_STATE_BY_COLLECTION } from 'rxdb/plugins/replication';

/**
 * What a device worker prints when a sync round times out, so a stuck device explains itself:
 * each replication that is not idle (which side is active, which queue has not settled, its last
 * error), the requests still waiting for an answer, and the device's last requests with their
 * outcome (for auth requests, the server's message, which tells a revoked session from a reused
 * token).
 */

const clock = (realNow: () => number) => new Date(realNow()).toISOString().slice(11, 23);

/** A device's requests: the ones in flight and the last ones finished. */
export class RequestLog {
  private seq = 0;
  private readonly inFlight = new Map<number, { what: string; at: number }>();
  private readonly finished: string[] = [];
  /** The server's answer to the last refused auth request (why a sign-in is needed). */
  lastAuthRefusal = '';

  constructor(
    private readonly base: string,
    private readonly realNow: () => number,
  ) {}

  note(line: string): void {
    this.finished.push(`${clock(this.realNow)} ${line}`);
    if (this.finished.length > 40) this.finished.shift();
  }

  /** Wraps a fetch so every request is logged. */
  wrap(inner: typeof fetch): typeof fetch {
    return async (input, init) => {
      const id = ++this.seq;
      const url = String(input);
      const what = `${init?.method ?? 'GET'} ${url.slice(this.base.length).slice(0, 60)}`;
      this.inFlight.set(id, { what, at: this.realNow() });
      try {
        const res = await inner(input, init);
        const refusal = await authMessage(url, res);
        if (refusal) this.lastAuthRefusal = `${res.status} ${refusal}`;
        this.note(`#${id} ${what} -> ${res.status} ${refusal}`);
        return res;
      } catch (err) {
        const cause = (err as { cause?: unknown }).cause ?? '';
        this.note(`#${id} ${what} -> ${(err as Error).message} ${String(cause)}`);
        throw err;
      } finally {
        this.inFlight.delete(id);
      }
    };
  }

  describe(): string[] {
    const now = this.realNow();
    const lines = [...this.inFlight.values()].map((r) => `in flight ${now - r.at} ms: ${r.what}`);
    lines.push(`last requests:\n    ${this.finished.slice(-25).join('\n    ')}`);
    return lines;
  }
}

async function authMessage(url: string, res: Response): Promise<string> {
  if (!url.includes('/api/auth/') || res.ok) return '';
  return (await res.clone().text()).slice(0, 160);
}

interface InternalState {
  events: {
    active: { down: { getValue(): boolean }; up: { getValue(): boolean } };
    paused: { getValue(): boolean };
  };
  firstSyncDone: { down: { getValue(): boolean }; up: { getValue(): boolean } };
  streamQueue: { up: Promise<unknown>; down: Promise<unknown> };
  checkpointQueue: Promise<unknown>;
}

type Collections = Record<string, object>;

function statesOf(collections: Collections) {
  return Object.entries(collections).flatMap(([name, coll]) =>
    (REPLICATION_STATE_BY_COLLECTION.get(coll as never) ?? []).map((state) => ({ name, state })),
  );
}

/** Keeps the last replication error of each collection (RxDB's error$ wraps the handler's). */
export function watchReplicationErrors(collections: Collections, realNow: () => number) {
  const last = new Map<string, string>();
  for (const { name, state } of statesOf(collections)) {
    state.error$.subscribe((err) => {
      const params = (err as { parameters?: { errors?: { code?: string; message?: string }[] } })
        .parameters;
      const cause = params?.errors?.[0];
      last.set(
        name,
        `${clock(realNow)} ${(err as { code?: string }).code ?? ''} ${cause?.code ?? ''} ${cause?.message?.slice(0, 120) ?? ''}`,
      );
    });
  }
  return last;
}

async function isSettled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  const mark = () => {
    done = true;
  };
  void p.then(mark, mark);
  await new Promise((r) => setTimeout(r, 10));
  return done;
}

/** One line per replication that is not idle. */
export async function describeReplications(
  collections: Collections,
  lastErrors: Map<string, string>,
): Promise<string[]> {
  const lines: string[] = [];
  for (const { name, state } of statesOf(collections)) {
    const i = state.internalReplicationState as unknown as InternalState | undefined;
    if (!i) {
      lines.push(`${name}: not started`);
      continue;
    }
    const up = await isSettled(i.streamQueue.up);
    const down = await isSettled(i.streamQueue.down);
    const checkpoint = await isSettled(i.checkpointQueue);
    const first = i.firstSyncDone.down.getValue() && i.firstSyncDone.up.getValue();
    if (up && down && checkpoint && first) continue;
    lines.push(
      `${name}: active down=${i.events.active.down.getValue()} up=${i.events.active.up.getValue()}, first sync ${first}, queues settled up=${up} down=${down} checkpoint=${checkpoint}, paused=${i.events.paused.getValue()}, last error ${lastErrors.get(name) ?? '-'}`,
    );
  }
  return lines;
}
