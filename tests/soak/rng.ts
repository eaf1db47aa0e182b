import { Random } from '../../sync-server/src/seed/random.ts';

/**
 * A small seeded PRNG (mulberry32): every random choice of the soak comes from one of these, so a
 * printed seed replays the same sequence of choices.
 */
export class Rng extends Random {
  /** Picks a key by weight. */
  weighted<K extends string>(weights: Record<K, number>): K {
    const entries = Object.entries(weights) as [K, number][];
    const total = entries.reduce((sum, [, w]) => sum + w, 0);
    let roll = this.next() * total;
    for (const [key, w] of entries) {
      roll -= w;
      if (roll < 0) return key;
    }
    return entries[entries.length - 1]![0];
  }

  shuffle<T>(items: T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  /** A child generator: a separate stream for one actor, so actors do not shift each other. */
  fork(): Rng {
    return new Rng(Math.floor(this.next() * 4294967296));
  }
}
