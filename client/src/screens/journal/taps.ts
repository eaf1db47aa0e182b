import type { AttendanceCode, Mark, Stamp } from '@otmetka/shared';
import { compareStamps } from '@otmetka/shared';

/**
 * LS14: attendance taps that come faster than the device saves and redraws (three taps on a
 * cheap tablet within the 100–300 ms a save takes there). Each tap steps from the code the
 * previous tap asked for, not from the saved one still on the screen: the register showed one
 * step for three taps and saved «Н» where the teacher had tapped to «УП». The register shows a
 * tap's code at once. One save per learner is on its way at a time; taps made meanwhile are
 * saved together, as the last one, when it is done.
 */

/** Saves a learner's code; resolves with the stamp its field got (or kept, when unchanged). */
export type SaveCode = (learnerId: string, code: string) => Promise<Stamp | undefined>;

interface Tap {
  /** The code the last tap asked for. */
  code: string;
  /** Counts the taps: taps round the whole circle of codes come back to the same code. */
  taps: number;
  saving: boolean;
  /** Set when the last save is done: the stamp it gave the code. */
  saved?: Stamp;
}

export class TapQueue {
  private readonly taps = new Map<string, Tap>();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly save: SaveCode) {}

  /** Calls `listener` when what the register shows changes without a new saved mark. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  /**
   * The code the register shows for a learner: the last tap's, until the saved mark holds it
   * or a later edit (another device's, or the server's tombstone of a refused mark, which keeps
   * the attempt's stamps). Undefined: no mark. `saved` is the stored mark, deleted or not.
   */
  shown(learnerId: string, saved: Mark | undefined): string | undefined {
    const tap = this.current(learnerId, saved);
    if (tap) return tap.code;
    return saved && !saved._deleted ? saved.code : undefined;
  }

  /** Whether a tap of this learner is still being saved. */
  saving(learnerId: string, saved: Mark | undefined): boolean {
    return this.current(learnerId, saved) !== undefined;
  }

  tap(learnerId: string, saved: Mark | undefined, codes: AttendanceCode[]): void {
    const code = nextCode(codes, this.shown(learnerId, saved));
    const tap = this.current(learnerId, saved);
    if (tap) {
      tap.code = code;
      tap.taps += 1;
      tap.saved = undefined;
    } else {
      this.taps.set(learnerId, { code, taps: 1, saving: false });
    }
    this.changed();
    this.flush(learnerId);
  }

  private current(learnerId: string, saved: Mark | undefined): Tap | undefined {
    const tap = this.taps.get(learnerId);
    if (!tap?.saved || compareStamps(saved?.stamps.code, tap.saved) < 0) return tap;
    // The saved mark caught up with the last save: it tells from here on.
    this.taps.delete(learnerId);
    return undefined;
  }

  private flush(learnerId: string): void {
    const tap = this.taps.get(learnerId);
    if (!tap || tap.saving) return;
    const { code, taps } = tap;
    tap.saving = true;
    this.save(learnerId, code).then(
      (stamp) => {
        tap.saving = false;
        if (tap.taps !== taps) {
          this.flush(learnerId);
          return;
        }
        // Kept until the register's marks hold this save, so the screen never steps back.
        if (stamp) tap.saved = stamp;
        else this.taps.delete(learnerId);
        this.changed();
      },
      (err: unknown) => {
        tap.saving = false;
        // LS15: the taps made meanwhile are the teacher's last word: they get their own save.
        // Without any, the register shows the saved code again. The error goes where others go.
        if (tap.taps !== taps) this.flush(learnerId);
        else this.taps.delete(learnerId);
        this.changed();
        throw err;
      },
    );
  }
}

/**
 * The code a tap sets after `current`, round the programme's codes: not marked → present → Н →
 * Б → … → present.
 */
export function nextCode(codes: AttendanceCode[], current: string | undefined): string {
  if (current === undefined) return codes[0]?.code ?? '';
  const index = codes.findIndex((c) => c.code === current);
  return codes[(index + 1) % codes.length]?.code ?? '';
}
