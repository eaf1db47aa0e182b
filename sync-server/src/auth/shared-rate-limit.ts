import { createHmac } from 'node:crypto';
import { type Doc, RATE_LIMIT_DB, type Store, WriteConflictError } from '../db/store.ts';

/**
 * SC9: the counters of the sign-in and sign-up limits live in the database, so several server
 * processes behind a load balancer allow each limit once, not once per process (in memory, N
 * processes gave an attacker N times the attempts). A store for @fastify/rate-limit: one
 * document per limiter and key, holding the current window's start and count.
 *
 * Keys hold addresses and logins: a document id carries only their keyed hash, so neither the
 * database nor its replicas learn who tried to sign in from where.
 */

interface Counter extends Doc {
  type: 'ratelimit';
  /** When the window began (ms), by the clock of the process that began it. */
  start: number;
  count: number;
}

interface Result {
  current: number;
  ttl: number;
}

type Callback = (error: Error | null, result?: Result) => void;

/** The options a limiter is created with, as far as the store needs them. */
interface LimiterParams {
  nameSpace?: string;
  routeInfo?: { method?: string | string[]; url?: string };
}

interface SharedCounters {
  store(): Store;
  secret: string;
  now(): number;
}

/** One read-modify-write per attempt; a key hammered past this many conflicts is refused. */
const ATTEMPTS = 8;

function nameSpaceOf(params: LimiterParams | undefined): string {
  if (params?.nameSpace) return params.nameSpace;
  const route = params?.routeInfo;
  return route?.url ? `${String(route.method)} ${route.url}` : 'global';
}

/** The store class @fastify/rate-limit instantiates (`new Store(params)`), over `counters`. */
export function sharedRateLimitStore(counters: SharedCounters) {
  return class SharedRateLimitStore {
    private readonly nameSpace: string;

    // The plugin passes a limiter's merged options (typed there as route options).
    constructor(params?: unknown) {
      this.nameSpace = nameSpaceOf(params as LimiterParams | undefined);
    }

    child(params: unknown) {
      return new SharedRateLimitStore(params);
    }

    incr(key: string, callback: Callback, timeWindow: number, max: number): void {
      count(counters, this.idOf(key), timeWindow, max).then(
        (result) => callback(null, result),
        (error: Error) => callback(error),
      );
    }

    private idOf(key: string): string {
      const hash = createHmac('sha256', `otmetka-rate-limit:${counters.secret}`)
        .update(`${this.nameSpace}\n${key}`)
        .digest('base64url');
      return `ratelimit:${hash}`;
    }
  };
}

async function count(
  counters: SharedCounters,
  id: string,
  timeWindow: number,
  max: number,
): Promise<Result> {
  let now = 0;
  const next = (current: Counter | undefined): Counter => {
    now = counters.now();
    return current && now < current.start + timeWindow
      ? { ...current, count: current.count + 1 }
      : { id, type: 'ratelimit', start: now, count: 1 };
  };
  try {
    const written = (await counters
      .store()
      .update(RATE_LIMIT_DB, id, next, { attempts: ATTEMPTS }))!;
    return { current: written.count, ttl: written.start + timeWindow - now };
  } catch (error) {
    // Others won every race for this key: it is being hammered right now.
    if (error instanceof WriteConflictError) return { current: max + 1, ttl: timeWindow };
    throw error;
  }
}
