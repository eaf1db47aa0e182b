import { createContext } from 'preact';
import { useContext, useEffect, useRef } from 'preact/hooks';

/**
 * AS13: the admin's edits not saved yet, by form. The shell asks before a switch of section or
 * subgroup would drop them, and the browser asks before the page goes: a teacher's card edited
 * and left for «Программы», or a third exception added to a schedule, were lost without a word.
 */
export const LEAVE_UNSAVED_TEXT = 'Есть несохранённые изменения. Уйти и потерять их?';

export class UnsavedEdits {
  private readonly forms = new Set<object>();

  mark(form: object, dirty: boolean): void {
    if (dirty) this.forms.add(form);
    else this.forms.delete(form);
  }

  get any(): boolean {
    return this.forms.size > 0;
  }

  /** True when nothing is unsaved, or the admin agreed to lose it (then nothing is). */
  mayLeave(ask: (text: string) => boolean = (text) => window.confirm(text)): boolean {
    if (!this.any) return true;
    if (!ask(LEAVE_UNSAVED_TEXT)) return false;
    this.forms.clear();
    return true;
  }
}

export const UnsavedContext = createContext<UnsavedEdits | null>(null);

/**
 * Registers this form's state with the shell (outside the admin shell, a parent's form: no-op).
 * Marked as it renders, so a switch right after a keystroke already knows; returns the call
 * that marks it saved at once (a save that then switches section must not be asked about).
 */
export function useUnsaved(dirty: boolean): () => void {
  const edits = useContext(UnsavedContext);
  const form = useRef({}).current;
  edits?.mark(form, dirty);
  useEffect(() => () => edits?.mark(form, false), [edits, form]);
  return () => edits?.mark(form, false);
}

/**
 * For a screen that swaps one form for another itself (the registry's password form of one
 * teacher for another's): true when it may, after asking if the open form has edits.
 */
export function useMayLeave(): () => boolean {
  const edits = useContext(UnsavedContext);
  return () => edits?.mayLeave() ?? true;
}
