import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { editsInProgress } from '../../app/router.ts';

/**
 * A text field saved when it loses focus (or on Enter for one-line fields). While it holds
 * unsaved input it counts in `editsInProgress`, which holds back an app update. A value that
 * arrives from sync replaces the shown text only when the teacher is not typing in it.
 */
export function TextField(props: {
  label: string;
  value: string;
  multiline?: boolean;
  maxLength: number;
  testid: string;
  disabled?: boolean;
  onSave: (value: string) => Promise<unknown>;
}) {
  const [text, setText] = useState(props.value);
  const id = useId();
  const dirty = useRef(false);

  useEffect(() => {
    if (!dirty.current) setText(props.value);
  }, [props.value]);

  useEffect(
    () => () => {
      if (dirty.current) editsInProgress.value--;
    },
    [],
  );

  const setDirty = (next: boolean) => {
    if (dirty.current === next) return;
    dirty.current = next;
    editsInProgress.value += next ? 1 : -1;
  };

  const save = async () => {
    if (!dirty.current) return;
    await props.onSave(text);
    setDirty(false);
  };

  const common = {
    id,
    value: text,
    maxLength: props.maxLength,
    disabled: props.disabled,
    'data-testid': props.testid,
    onInput: (e: { currentTarget: { value: string } }) => {
      setText(e.currentTarget.value);
      setDirty(e.currentTarget.value !== props.value);
    },
    onBlur: () => void save(),
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
            if (e.key === 'Enter') void save();
          }}
        />
      )}
    </div>
  );
}
