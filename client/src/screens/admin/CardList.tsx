import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { AdminError, Loading, useLoad } from './ui.tsx';

/**
 * The frame of an admin registry screen (programmes, subgroups): a list of cards with an
 * «Изменить» per card and an add button, swapped for the create/edit form while one is open.
 * After the form closes the list is loaded again, so it shows what the server stored. Test ids
 * derive from `kind`: `${kind}-add`, `${kind}-list`, `${kind}-row-${id}`, `${kind}-list-error`.
 */
export interface CardListProps<T extends { id: string }> {
  /** The screen's test id. */
  testid: string;
  kind: string;
  title: string;
  addLabel: string;
  emptyText: string;
  load: () => Promise<T[]>;
  /** What `load` depends on (it is loaded again when one changes). */
  deps: readonly unknown[];
  /** A card's content; `edit` opens the form on this item. */
  card: (item: T, edit: () => void) => ComponentChildren;
  /** The form: `initial` null for a new item; `done` closes it (saved or cancelled). */
  form: (initial: T | null, done: () => void) => ComponentChildren;
}

export function CardList<T extends { id: string }>(props: CardListProps<T>) {
  const { kind } = props;
  const list = useLoad(props.load, props.deps);
  const [editing, setEditing] = useState<T | 'new' | null>(null);

  if (editing) {
    const done = () => {
      setEditing(null);
      list.reload();
    };
    return (
      <section class="ap-screen" data-testid={props.testid}>
        {props.form(editing === 'new' ? null : editing, done)}
      </section>
    );
  }

  return (
    <section class="ap-screen" data-testid={props.testid}>
      <header class="ap-screen__head">
        <h2>{props.title}</h2>
        <button
          type="button"
          class="ap-btn ap-btn--primary"
          data-testid={`${kind}-add`}
          onClick={() => setEditing('new')}
        >
          {props.addLabel}
        </button>
      </header>
      <AdminError error={list.error} testid={`${kind}-list-error`} />
      {list.loading && !list.data ? <Loading testid={`${kind}-list-loading`} /> : null}
      {list.data?.length === 0 ? <p class="ap-muted">{props.emptyText}</p> : null}
      <ul class="ap-cards" data-testid={`${kind}-list`}>
        {list.data?.map((item) => (
          <li key={item.id} class="ap-card" data-testid={`${kind}-row-${item.id}`}>
            {props.card(item, () => setEditing(item))}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The «Изменить» button of a card. */
export function EditButton({ testid, onClick }: { testid: string; onClick: () => void }) {
  return (
    <button type="button" class="ap-btn" data-testid={testid} onClick={onClick}>
      Изменить
    </button>
  );
}
