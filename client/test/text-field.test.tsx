// @vitest-environment happy-dom

import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { editsInProgress } from '../src/app/router.ts';
import { TextField } from '../src/screens/journal/TextField.tsx';

/**
 * TX1: a journal text field saves what was typed without waiting for blur: after a pause in
 * typing, when the screen goes away, when the page is hidden (`pagehide`); never the same
 * value twice. Rendered alone with a recording onSave, so each trigger is seen on its own.
 */

afterEach(() => {
  cleanup();
});

function field(delayMs = 60_000, value = '', save?: (v: string) => Promise<void>) {
  const saves: string[] = [];
  const onSave = vi.fn(async (v: string) => {
    saves.push(v);
    await save?.(v);
  });
  /** What the field told its draft, in order. */
  const drafted: string[] = [];
  const draft = {
    keep: (v: string, base: string) => void drafted.push(`keep ${v} over ${base}`),
    saved: (v: string) => void drafted.push(`saved ${v}`),
  };
  const view = render(
    <TextField
      label="Замечание"
      multiline
      maxLength={4000}
      value={value}
      testid="remark"
      saveDelayMs={delayMs}
      onSave={onSave}
      draft={draft}
    />,
  );
  const input = screen.getByTestId('remark') as HTMLTextAreaElement;
  const type = (text: string) => fireEvent.input(input, { target: { value: text } });
  return { saves, drafted, view, input, type };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('journal text field', () => {
  it('[TX1] unmounted (Back, a link) with the text still focused, it saves the text', async () => {
    const { saves, view, type } = field();
    type('Забыл тетрадь');
    expect(saves).toEqual([]);
    view.unmount();
    await settle();
    expect(saves).toEqual(['Забыл тетрадь']);
    expect(editsInProgress.value).toBe(0);
  });

  it('[TX1] a pause in typing saves once, with the last text', async () => {
    const { saves, type } = field(50);
    type('З');
    type('За');
    type('Задание');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(saves).toEqual(['Задание']);
  });

  it('[TX1] pagehide saves at once, long before the pause would', async () => {
    const { saves, type } = field();
    type('Домашнее: с. 12');
    window.dispatchEvent(new Event('pagehide'));
    await settle();
    expect(saves).toEqual(['Домашнее: с. 12']);
  });

  it('[TX1] the same value is never saved twice: pause, blur, pagehide and unmount after one save', async () => {
    const { saves, view, input, type } = field(30);
    type('Тема пройдена');
    await new Promise((resolve) => setTimeout(resolve, 100));
    fireEvent.blur(input);
    window.dispatchEvent(new Event('pagehide'));
    view.unmount();
    await settle();
    expect(saves).toEqual(['Тема пройдена']);
  });

  it('[TX2] each keystroke reaches the draft before the handler returns; a stored save ends it', async () => {
    const { drafted, type } = field(60_000, 'Было');
    type('Было, но');
    expect(drafted).toEqual(['keep Было, но over Было']);

    window.dispatchEvent(new Event('pagehide'));
    // The pagehide save has only started: the draft is all the page holds.
    expect(drafted).toEqual(['keep Было, но over Было']);
    await settle();
    expect(drafted).toEqual(['keep Было, но over Было', 'saved Было, но']);
  });

  it('[TX2] a save that fails leaves the draft for the next start', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { drafted, view, type } = field(60_000, '', async () => {
      throw new Error('IndexedDB is gone');
    });
    type('Домашнее');
    window.dispatchEvent(new Event('pagehide'));
    await settle();
    // The screen goes away: it tries once more, in vain.
    view.unmount();
    await settle();
    expect(drafted).toEqual(['keep Домашнее over ']);
    expect(logged).toHaveBeenCalledTimes(2);
    logged.mockRestore();
  });

  it('[TX1] text typed back to the stored value is not saved; an untouched field saves nothing', async () => {
    const { saves, view, type } = field(30, 'Было');
    type('Было!');
    type('Было');
    await new Promise((resolve) => setTimeout(resolve, 100));
    view.unmount();
    await settle();
    expect(saves).toEqual([]);
  });
});
