// @vitest-environment happy-dom
import { fireEvent, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LEAVE_UNSAVED_TEXT } from '../src/screens/admin/unsaved.ts';
import { adminScreens } from './admin-fixture.tsx';

/**
 * AS13 against a real sync server: an admin's edit that is not saved is not dropped by a switch
 * of section or subgroup without a question; an untouched or saved form is left at once.
 */

const { env, renderAdmin } = adminScreens();

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

  it('[AS13] a password typed for one teacher is neither lost to nor carried into another row’s form', async () => {
    // A second teacher with a login, made through the API as the registry's forms would.
    const second = (await env.session.postJson('/api/admin/teachers', {
      lastName: 'Соколова',
      firstName: 'Мария',
      middleName: 'Игоревна',
      birthDate: '1990-04-12',
      passport: { series: '5312', number: '654321', issuedBy: 'УМВД', issuedOn: '2012-05-03' },
      snils: '999-999-999 01',
      experienceTotalYears: 12,
      experienceTeachingYears: 9,
      category: 'first',
      qualification: '',
    })) as { id: string };
    await env.session.postJson(`/api/admin/teachers/${second.id}/account`, {
      login: 'sokolova-m',
      password: 'second-pass-1',
    });
    renderAdmin();
    await screen.findByTestId('teacher-list');
    const withLogin = await waitFor(() => {
      const buttons = screen.queryAllByTestId(/^teacher-password-/);
      expect(buttons.length).toBeGreaterThanOrEqual(2);
      return buttons.map((b) => b.getAttribute('data-testid')!.slice('teacher-password-'.length));
    });
    const [a, b] = withLogin as [string, string];
    fireEvent.click(screen.getByTestId(`teacher-password-${a}`));
    await screen.findByTestId('password-form');
    type('password-new', 'newpass123');
    const ask = answer(false);

    for (const testid of [`teacher-password-${b}`, `teacher-edit-${b}`, 'teacher-add']) {
      fireEvent.click(screen.getByTestId(testid));
      expect((screen.getByTestId('password-new') as HTMLInputElement).value, testid).toBe(
        'newpass123',
      );
    }
    expect(ask).toHaveBeenCalledTimes(3);

    // Agreed: teacher B's form opens empty, not with A's password in it.
    ask.mockImplementation(() => true);
    fireEvent.click(screen.getByTestId(`teacher-password-${b}`));
    await waitFor(() =>
      expect((screen.getByTestId('password-new') as HTMLInputElement).value).toBe(''),
    );
  });
});
