import type { AttendanceCode, Mark, Stamp } from '@otmetka/shared';
import { DEFAULT_ATTENDANCE_CODES } from '@otmetka/shared';
import { describe, expect, it } from 'vitest';
import { nextCode, TapQueue } from '../src/screens/journal/taps.ts';

const codes: AttendanceCode[] = DEFAULT_ATTENDANCE_CODES;
const stamp = (at: number): Stamp => ({ at, dev: 'dev-a', by: 'u', off: false });

function mark(code: string, at: number, deleted = false): Mark {
  return {
    id: 'mark-1',
    type: 'mark',
    orgId: 'org-1',
    subgroupId: 'sg-1',
    lessonId: 'lesson-1',
    learnerId: 'kid',
    date: '2026-11-02',
    code,
    grade: null,
    note: '',
    stamps: { code: stamp(at) },
    ...(deleted ? { _deleted: true } : {}),
  } as Mark;
}

/** A save the test answers by hand, as a slow tablet's IndexedDB would, later. */
function slowSaves() {
  const calls: { code: string; done: (s: Stamp | undefined) => void; fail: (e: Error) => void }[] =
    [];
  const save = (_learner: string, code: string) =>
    new Promise<Stamp | undefined>((done, fail) => {
      calls.push({ code, done, fail });
    });
  return { calls, save };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('attendance taps on a slow tablet', () => {
  it('[LS14] taps faster than the saves step once each, show at once, and save the last one', async () => {
    const { calls, save } = slowSaves();
    let redraws = 0;
    const queue = new TapQueue(save);
    queue.subscribe(() => redraws++);
    const saved = mark('', 10);

    queue.tap('kid', saved, codes);
    queue.tap('kid', saved, codes);
    queue.tap('kid', saved, codes);
    // Three steps from «✓»: Н, Б, УП, shown before anything is saved.
    expect(queue.shown('kid', saved)).toBe('УП');
    expect(queue.saving('kid', saved)).toBe(true);
    expect(redraws).toBe(3);
    // One save at a time: the first tap's, then the last one's for the two made meanwhile.
    expect(calls.map((c) => c.code)).toEqual(['Н']);
    calls[0]?.done(stamp(20));
    await settle();
    expect(calls.map((c) => c.code)).toEqual(['Н', 'УП']);
    calls[1]?.done(stamp(30));
    await settle();

    // The saved mark of the first save does not step the screen back.
    expect(queue.shown('kid', mark('Н', 20))).toBe('УП');
    expect(queue.shown('kid', mark('УП', 30))).toBe('УП');
    expect(queue.saving('kid', mark('УП', 30))).toBe(false);
    // From here on the saved mark tells (another device's later «О» included).
    expect(queue.shown('kid', mark('О', 40))).toBe('О');
  });

  it('[LS14] a refused new mark leaves the register empty: the server’s tombstone keeps the stamp', async () => {
    const { calls, save } = slowSaves();
    const queue = new TapQueue(save);
    queue.tap('kid', undefined, codes);
    expect(queue.shown('kid', undefined)).toBe('');
    calls[0]?.done(stamp(20));
    await settle();
    expect(queue.shown('kid', undefined)).toBe('');
    expect(queue.shown('kid', mark('', 20, true))).toBeUndefined();
  });

  it('[LS14] a save that fails shows the saved code again', async () => {
    const { calls, save } = slowSaves();
    const queue = new TapQueue(save);
    const saved = mark('Н', 10);
    queue.tap('kid', saved, codes);
    expect(queue.shown('kid', saved)).toBe('Б');
    const failed = new Promise((resolve) => process.once('unhandledRejection', resolve));
    calls[0]?.fail(new Error('QuotaExceededError'));
    expect(((await failed) as Error).message).toBe('QuotaExceededError');
    expect(queue.shown('kid', saved)).toBe('Н');
    expect(queue.saving('kid', saved)).toBe(false);
  });

  it('[LS15] a save that fails saves the taps made meanwhile, as the last one', async () => {
    const { calls, save } = slowSaves();
    const queue = new TapQueue(save);
    const saved = mark('', 10);
    queue.tap('kid', saved, codes);
    queue.tap('kid', saved, codes);
    expect(calls.map((c) => c.code)).toEqual(['Н']);

    const failed = new Promise((resolve) => process.once('unhandledRejection', resolve));
    calls[0]?.fail(new Error('AbortError'));
    await failed;
    // The second tap (Б) is what the teacher sees and what is saved now.
    expect(calls.map((c) => c.code)).toEqual(['Н', 'Б']);
    expect(queue.shown('kid', saved)).toBe('Б');
    calls[1]?.done(stamp(30));
    await settle();
    expect(queue.shown('kid', mark('Б', 30))).toBe('Б');
    expect(queue.saving('kid', mark('Б', 30))).toBe(false);
  });

  it('[LS15] taps round the whole circle of codes while a save fails are saved too', async () => {
    const { calls, save } = slowSaves();
    const queue = new TapQueue(save);
    queue.tap('kid', undefined, codes);
    for (const _ of codes) queue.tap('kid', undefined, codes);
    // Back at the first code, which the failing save also carries.
    expect(queue.shown('kid', undefined)).toBe(codes[0]!.code);

    const failed = new Promise((resolve) => process.once('unhandledRejection', resolve));
    calls[0]?.fail(new Error('AbortError'));
    await failed;
    expect(calls.map((c) => c.code)).toEqual([codes[0]!.code, codes[0]!.code]);
    expect(queue.shown('kid', undefined)).toBe(codes[0]!.code);
  });

  it('[LS16] a listener that left hears nothing more', async () => {
    const { calls, save } = slowSaves();
    const queue = new TapQueue(save);
    let heard = 0;
    const leave = queue.subscribe(() => heard++);
    queue.tap('kid', undefined, codes);
    leave();
    calls[0]?.done(stamp(20));
    await settle();
    expect(heard).toBe(1);
  });

  it('[LS14] a tap of an unchanged code saves nothing new and hands over to the saved mark', async () => {
    const queue = new TapQueue(async () => undefined);
    queue.tap('kid', undefined, codes);
    await settle();
    expect(queue.saving('kid', undefined)).toBe(false);
    expect(nextCode(codes, undefined)).toBe('');
    expect(nextCode(codes, 'О')).toBe('');
  });
});
