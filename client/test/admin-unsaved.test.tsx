// @vitest-environment happy-dom
import { fireEvent, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LEAVE_UNSAVED_TEXT } from '../src/screens/admin/unsaved.ts';
import { adminScreens } from './admin-fixture.tsx';

/**
 * AS13 against a real sync server: an admin's edit that is not saved is not dropped by a switch
 * of section or subgroup without a question; an untouched or saved form is left at once.
 */

const { renderAdmin } = adminScreens();

afterEach(() => vi.unstubAllGlobals());

/** The browser's «OK / Cancel» question, answered as the test says. */
function answer(yes: boolean) {
  const ask = vi.fn((_text: string) => yes);
  vi.stubGlobal('confirm', ask);
  return ask;
}

function type(testid: string, value: string) {
  fireEvent.input(screen.getByTestId(testid), { target: { value } });
}

async function editTeacher() {
  renderAdmin();
  fireEvent.click(await screen.findByTestId('teacher-edit-teacher-a'));
  await screen.findByTestId('teacher-form');
}

describe('admin: unsaved edits', () => {
  it('[AS13] an edited teacher card stays when the admin answers «no», and goes on «yes»', async () => {
    await editTeacher();
    type('teacher-qualification', 'педагог высшей категории');
    const ask = answer(false);

    fireEvent.click(screen.getByTestId('admin-tab-programmes'));
    expect(ask).toHaveBeenCalledWith(LEAVE_UNSAVED_TEXT);
    expect(screen.getByTestId('teacher-form')).toBeTruthy();
    expect((screen.getByTestId('teacher-qualification') as HTMLInputElement).value).toBe(
      'педагог высшей категории',
    );

    ask.mockImplementation(() => true);
    fireEvent.click(screen.getByTestId('admin-tab-programmes'));
    await screen.findByTestId('programmes');
    expect(screen.queryByTestId('teacher-form')).toBeNull();
  });

  it('[AS13] an untouched card is left without a question', async () => {
    await editTeacher();
    const ask = answer(false);

    fireEvent.click(screen.getByTestId('admin-tab-programmes'));
    await screen.findByTestId('programmes');
    expect(ask).not.toHaveBeenCalled();
  });

  it('[AS13] an exception added to a schedule is not lost to another subgroup or section', async () => {
    renderAdmin();
    fireEvent.click(await screen.findByTestId('admin-tab-schedule'));
    await screen.findByTestId('schedule-form');
    const picker = screen.getByTestId('schedule-subgroup') as HTMLSelectElement;
    const first = picker.value;
    const other = [...picker.options].map((o) => o.value).find((v) => v && v !== first)!;
    const ask = answer(false);

    // Untouched: another subgroup opens at once.
    fireEvent.change(picker, { target: { value: other } });
    await waitFor(() => expect(picker.value).toBe(other));
    expect(ask).not.toHaveBeenCalled();

    await screen.findByTestId('schedule-form');
    fireEvent.click(screen.getByTestId('schedule-exception-add-cancel'));
    await screen.findByTestId('schedule-exception-0');
    fireEvent.change(picker, { target: { value: first } });
    expect(ask).toHaveBeenCalledTimes(1);
    expect(picker.value).toBe(other);
    expect(screen.getByTestId('schedule-exception-0')).toBeTruthy();
    fireEvent.click(screen.getByTestId('admin-tab-reports'));
    expect(ask).toHaveBeenCalledTimes(2);
    expect(screen.getByTestId('schedule-exception-0')).toBeTruthy();
  });
});
