import type { SyncCollection } from '@otmetka/shared';
import { SYNC_COLLECTIONS, streamEventSchema } from '@otmetka/shared';
import { createParser } from 'eventsource-parser';
import type { Session } from './session.ts';

/**
 * The live stream: GET /api/sync/stream, Server-Sent Events read through fetch, because the
 * browser's EventSource cannot send the Authorization header. Each event names collections
 * with news; the replication answers with a pull ('RESYNC'). Every (re)connect also asks for
 * a pull of everything, since events sent while disconnected are gone.
 */

export interface StreamOptions {
  session: Session;
  onResync: (collections: readonly SyncCollection[]) => void;
  onConnected: (connected: boolean) => void;
  /** Delay before reconnecting after a failure; grows up to maxDelayMs. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

export interface LiveStream {
  /** Reconnect now (the `online` event, a new token after sign-in). */
  reconnect(): void;
  stop(): void;
}

export function openLiveStream(options: StreamOptions): LiveStream {
  const minDelay = options.minDelayMs ?? 1000;
  const maxDelay = options.maxDelayMs ?? 30_000;
  let stopped = false;
  let controller: AbortController | null = null;
  let delay = minDelay;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const schedule = (ms: number) => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, ms);
  };

  async function run(): Promise<void> {
    timer = null;
    controller?.abort();
    const own = new AbortController();
    controller = own;
    try {
      await readStream(options, own.signal, () => {
        delay = minDelay;
      });
    } catch (err) {
      if (own.signal.aborted) return;
      void err;
    }
    options.onConnected(false);
    if (own.signal.aborted) return;
    delay = Math.min(delay * 2, maxDelay);
    schedule(delay);
  }

  schedule(0);
  return {
    reconnect() {
      delay = minDelay;
      schedule(0);
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      controller?.abort();
      options.onConnected(false);
    },
  };
}

async function readStream(
  options: StreamOptions,
  signal: AbortSignal,
  onOpen: () => void,
): Promise<void> {
  const response = await options.session.authorised('/api/sync/stream', {
    headers: { accept: 'text/event-stream' },
    signal,
  });
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new Error(`stream answered ${response.status}`);
  }
  onOpen();
  options.onConnected(true);
  options.onResync(SYNC_COLLECTIONS);

  const parser = createParser({
    onEvent(event) {
      const parsed = streamEventSchema.safeParse(safeJson(event.data));
      // Anything else (a heartbeat, a future event kind) still means "something changed".
      options.onResync(parsed.success ? parsed.data.collections : SYNC_COLLECTIONS);
    },
  });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    parser.feed(value);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
