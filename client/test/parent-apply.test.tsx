// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ParentApi } from '../src/api/parent.ts';
import { ApplyForm } from '../src/screens/parent/ApplyForm.tsx';
import { ParentContext } from '../src/screens/parent/context.ts';

/** The application form on a slow connection: the list of children has not arrived yet. */

afterEach(() => cleanup());

function renderForm(api: Partial<ParentApi>) {
  const value = {
    user: { id: 'parent' } as never,
    api: api as ParentApi,
    version: 0,
    changed: () => {},
  };
  return render(
    <ParentContext.Provider value={value}>
      <ApplyForm
        subgroup={{ id: 'sg-a', name: 'Группа 1' }}
        programmeName="Робототехника"
        onCancel={() => {}}
        onDone={() => {}}
      />
    </ParentContext.Provider>,
  );
}

describe('parent: the application form', () => {
  it('[AP6] a tap before the list of children arrived sends nothing and asks to choose a child', async () => {
    const apply = vi.fn(() => Promise.reject(new Error('must not be sent')));
    const addChild = vi.fn(() => Promise.reject(new Error('must not be sent')));
    // The children's list is still on its way.
    const listChildren = vi.fn(() => new Promise<never>(() => {}));
    renderForm({ apply, addChild, listChildren } as Partial<ParentApi>);

    fireEvent.click(screen.getByTestId('apply-submit'));

    expect((await screen.findByTestId('apply-child-error')).textContent).toBe('Выберите ребёнка');
    expect(apply).not.toHaveBeenCalled();
    expect(addChild).not.toHaveBeenCalled();
  });
});
