import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { editsInProgress } from '../../app/router.ts';
import type { TextDraft } from '../../db/drafts.ts';

/** A pause in typing this long saves the text (ms). */
export const TEXT_SAVE_DELAY_MS = 600;

/**
 * A text field saved without waiting for the teacher to leave it: after a short pause in
 * typing, when it loses focus (or on Enter for one-line fields), when the screen goes away
 * (Back, a link) and when the page is hidden or unloaded (`pagehide`, a reload, the tablet
 * switching apps). Blur alone was not enough: Back or a reload right after typing lost the
 * text. The same value is never saved twice. While it holds unsaved input it counts in
 * `editsInProgress`, which holds back an app update. A value that arrives from sync replaces
 * the shown text only when the teacher has no unsaved input in it.
 *
 * Every keystroke also goes to the field's `draft` (TX2), synchronously: a save started by
 * `pagehide` is an asynchronous IndexedDB write that a reload or a closed tab cuts off, and
 * the draft is what the next start writes instead. A save that resolved removes it.
 */
export function TextField(props: {
  label: string;
  value: string;
  multiline?: boolean;
  maxLength: number;
  testid: string;
  disabled?: boolean;
  /** The pause in typing that saves (ms); TEXT_SAVE_DELAY_MS unless a test needs another. */
  saveDelayMs?: number;
  onSave: (value: string) => Promise<unknown>;
  /** Keeps unsaved text where a torn-down page cannot lose it (TX2). */
  draft?: TextDraft;
}) {
  const [text, setText] = useState(props.value);
  const id = useId();
  const dirty = useRef(false);
  // Refs, not state: the unmount and pagehide handlers run after the render that made them.
  const current = useRef(props.value);
  /** The value stored, or already handed to onSave. */
  const saved = useRef(props.value);
  /** The onSave of the render in which the teacher typed (the lesson the text belongs to). */
  const target = useRef(props.onSave);
  /** The draft of that render, likewise. */
  const draft = useRef(props.draft);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const setDirty = (next: boolean) => {
    if (dirty.current === next) return;
    dirty.current = next;
    editsInProgress.value += next ? 1 : -1;
  };

  const save = (): void => {
    clearTimeout(timer.current);
    timer.current = undefined;
    const value = current.current;
    if (!dirty.current || value === saved.current) return;
    const previous = saved.current;
    saved.current = value;
    const savedDraft = draft.current;
    void target.current(value).then(
      () => {
        savedDraft?.saved(value);
        // Typed on while it was being saved: still unsaved input.
        if (current.current === value) setDirty(false);
      },
      (error: unknown) => {
        // Not stored: the next blur or pause may try the same value again, and the draft
        // stays for the next start if none does.
        if (saved.current === value) saved.current = previous;
        console.error('text not saved; kept as a draft', error);
      },
    );
  };
  // Stable for the listeners registered once; it reads refs only.
  const saveRef = useRef(save);

  useEffect(() => {
    if (dirty.current) return;
    setText(props.value);
    current.current = props.value;
    saved.current = props.value;
  }, [props.value]);

  useEffect(() => {
    const flush = saveRef.current;
    const onHidden = () => {
      if (document.visibilityState === 'hidden') flush();
    };
    window.addEventListener('pagehide', flush);
    document.addEventListener('visibilitychange', onHidden);
    return () => {
      window.removeEventListener('pagehide', flush);
      document.removeEventListener('visibilitychange', onHidden);
      // The screen goes away (Back, a link): save what was typed, the field may still be focused.
      flush();
      if (dirty.current) {
        dirty.current = false;
        editsInProgress.value--;
      }
    };
  }, []);

  const common = {
    id,
    value: text,
    maxLength: props.maxLength,
    disabled: props.disabled,
    'data-testid': props.testid,
    onInput: (e: { currentTarget: { value: string } }) => {
      const value = e.currentTarget.value;
      setText(value);
      current.current = value;
      target.current = props.onSave;
      draft.current = props.draft;
      // Before anything asynchronous: the page may be gone by the next task.
      props.draft?.keep(value, props.value);
      setDirty(value !== saved.current);
      clearTimeout(timer.current);
      timer.current = setTimeout(save, props.saveDelayMs ?? TEXT_SAVE_DELAY_MS);
    },
    onBlur: save,
  };
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.multiline ? (
        <textarea rows={3} {...common} />
      ) : (
        <input
          {...common}
          onKeyDown={(e) => {
            if (e.key === 'Enter') save();
          }}
        />
      )}
    </div>
  );
}
