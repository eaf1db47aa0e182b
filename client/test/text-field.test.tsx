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

function field(delayMs = 60_000, value = '') {
  const saves: string[] = [];
  const onSave = vi.fn(async (v: string) => {
    saves.push(v);
  });
  const view = render(
    <TextField
      label="Замечание"
      multiline
      maxLength={4000}
      value={value}
      testid="remark"
      saveDelayMs={delayMs}
      onSave={onSave}
    />,
  );
  const input = screen.getByTestId('remark') as HTMLTextAreaElement;
  const type = (text: string) => fireEvent.input(input, { target: { value: text } });
  return { saves, view, input, type };
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
