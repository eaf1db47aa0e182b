// @vitest-environment happy-dom
import { todayIn } from '@otmetka/shared';
import { fireEvent, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { adminScreens } from './admin-fixture.tsx';

/**
 * What the admin's create forms fill in and what they leave to the admin, against a real sync
 * server: a new subgroup takes its programme's hours and the academic year's dates; a new
 * programme's focus is chosen by the admin, never defaulted.
 */

const { env, renderAdmin } = adminScreens();

function value(testid: string): string {
  return (screen.getByTestId(testid) as HTMLInputElement).value;
}

describe('admin create forms', () => {
  it('[AS6] a new subgroup takes the academic year as its study period and its programme’s hours per year', async () => {
    renderAdmin();
    fireEvent.click(screen.getByTestId('admin-tab-subgroups'));
    fireEvent.click(await screen.findByTestId('subgroup-add'));
    const today = todayIn('Asia/Yekaterinburg');
    const year = Number(today.slice(0, 4)) - (Number(today.slice(5, 7)) >= 6 ? 0 : 1);
    expect(value('subgroup-period-from')).toBe(`${year}-09-01`);
    expect(value('subgroup-period-to')).toBe(`${year + 1}-05-31`);
    expect(value('subgroup-hours')).toBe('');

    await screen.findByRole('option', { name: 'Робототехника' });
    fireEvent.change(screen.getByTestId('subgroup-programme'), {
      target: { value: 'prog-robots' },
    });
    await waitFor(() => expect(value('subgroup-hours')).toBe('72'));
    // Hours the admin typed stay when the programme changes.
    fireEvent.input(screen.getByTestId('subgroup-hours'), { target: { value: '36' } });
    fireEvent.change(screen.getByTestId('subgroup-programme'), { target: { value: '' } });
    fireEvent.change(screen.getByTestId('subgroup-programme'), {
      target: { value: 'prog-robots' },
    });
    expect(value('subgroup-hours')).toBe('36');
  });

  it('[AS7] a new programme has no focus until the admin chooses one', async () => {
    renderAdmin();
    fireEvent.click(screen.getByTestId('admin-tab-programmes'));
    fireEvent.click(await screen.findByTestId('programme-add'));
    expect(value('programme-focus')).toBe('');
    fireEvent.input(screen.getByTestId('programme-name'), { target: { value: 'Шахматы' } });
    fireEvent.click(screen.getByTestId('programme-save'));
    expect((await screen.findByTestId('programme-focus-error')).textContent).toBe(
      'Выберите направленность',
    );

    fireEvent.change(screen.getByTestId('programme-focus'), { target: { value: 'sports' } });
    fireEvent.click(screen.getByTestId('programme-save'));
    const list = await screen.findByTestId('programme-list');
    await waitFor(() => expect(list.textContent).toContain('Шахматы'));
    expect(list.textContent).toContain('физкультурно-спортивная');
  });

  it('[AS10] «Создать вход» shows the password on request; inputs stop at the server’s limits', async () => {
    const created = await env.session.authorised('/api/admin/teachers', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        lastName: 'Соколова',
        firstName: 'Мария',
        middleName: '',
        birthDate: '1990-04-12',
        passport: { series: '5312', number: '123456', issuedBy: 'УМВД', issuedOn: '2010-05-01' },
        snils: '001-001-998 00',
        experienceTotalYears: 5,
        experienceTeachingYears: 3,
        category: 'none',
        qualification: '',
      }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    renderAdmin();
    fireEvent.click(await screen.findByTestId(`teacher-account-${id}`));
    const password = screen.getByTestId('account-password') as HTMLInputElement;
    fireEvent.input(password, { target: { value: 'сложный-пароль-1' } });
    expect(password.type).toBe('password');
    fireEvent.click(screen.getByTestId('account-password-show'));
    expect((screen.getByTestId('account-password') as HTMLInputElement).type).toBe('text');
    expect(screen.getByTestId('account-password-show').textContent).toBe('Скрыть');
    expect((screen.getByTestId('account-password') as HTMLInputElement).value).toBe(
      'сложный-пароль-1',
    );
    expect(password.maxLength).toBe(256);
    expect((screen.getByTestId('account-login') as HTMLInputElement).maxLength).toBe(64);
    fireEvent.click(screen.getByTestId('account-cancel'));

    fireEvent.click(await screen.findByTestId('teacher-add'));
    for (const field of ['lastName', 'firstName', 'middleName', 'passport-issuedBy']) {
      expect((screen.getByTestId(`teacher-${field}`) as HTMLInputElement).maxLength).toBe(300);
    }
    fireEvent.click(screen.getByTestId('teacher-cancel'));
    fireEvent.click(screen.getByTestId('admin-tab-programmes'));
    fireEvent.click(await screen.findByTestId('programme-add'));
    expect((screen.getByTestId('programme-name') as HTMLInputElement).maxLength).toBe(300);
    fireEvent.click(screen.getByTestId('admin-tab-subgroups'));
    fireEvent.click(await screen.findByTestId('subgroup-add'));
    expect((screen.getByTestId('subgroup-name') as HTMLInputElement).maxLength).toBe(300);
  });
});
