// @vitest-environment happy-dom
import { fireEvent, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { PASSWORD, PERSONAL } from '../../sync-server/test/helpers.ts';
import { memoryStore, Session } from '../src/sync/session.ts';
import { adminScreens } from './admin-fixture.tsx';

/**
 * The teacher registry against a real sync server (Fastify on port 0, embedded database): the
 * form checks the СНИЛС before sending, shows the error next to the field, and a good entry is
 * saved and listed with the СНИЛС masked.
 */

const { env, renderAdmin } = adminScreens();

function type(testid: string, value: string) {
  fireEvent.input(screen.getByTestId(testid), { target: { value } });
}

function fillTeacher(snils: string) {
  type('teacher-lastName', 'Соколова');
  type('teacher-firstName', 'Мария');
  type('teacher-middleName', 'Игоревна');
  type('teacher-birthDate', '1990-04-12');
  type('teacher-passport-series', '5312');
  type('teacher-passport-number', '123456');
  type('teacher-passport-issuedBy', 'УМВД России по Оренбургской области');
  type('teacher-passport-issuedOn', '2012-05-03');
  type('teacher-snils', snils);
  type('teacher-experienceTotalYears', '12');
  type('teacher-experienceTeachingYears', '9');
  type('teacher-qualification', 'педагог дополнительного образования');
}

async function teacherCount(): Promise<number> {
  const body = (await env.session.getJson('/api/admin/teachers')) as { teachers: unknown[] };
  return body.teachers.length;
}

describe('admin: teacher registry', () => {
  it('[SN3] lists teachers with the СНИЛС masked and no passport data', async () => {
    renderAdmin();

    const cell = await screen.findByTestId('teacher-snils-teacher-a');
    const s = PERSONAL.snils;
    expect(cell.textContent).toBe(`***-***-*${s.slice(7, 9)} ${s.slice(9)}`);
    const list = screen.getByTestId('teacher-list').textContent ?? '';
    expect(list).not.toContain(PERSONAL.snils);
    expect(list).not.toContain(PERSONAL.passportNumber);
  });

  it('[SN2][RU3] shows a checksum error next to the СНИЛС field, as a sentence, and sends nothing', async () => {
    renderAdmin();
    await screen.findByTestId('teacher-list');
    const before = await teacherCount();

    fireEvent.click(screen.getByTestId('teacher-add'));
    fillTeacher('112-233-445 96');
    fireEvent.click(screen.getByTestId('teacher-save'));

    const error = await screen.findByTestId('teacher-snils-error');
    // A sentence like the form's other messages («Укажите фамилию»), not a lowercase fragment.
    expect(error.textContent).toBe('Неверное контрольное число СНИЛС: проверьте цифры');
    expect(screen.getByTestId('teacher-snils').getAttribute('aria-invalid')).toBe('true');
    expect(await teacherCount()).toBe(before);
  });

  it('[SN1] saves a good entry typed with spaces and dashes and lists it masked', async () => {
    renderAdmin();
    await screen.findByTestId('teacher-list');
    const before = await teacherCount();

    fireEvent.click(screen.getByTestId('teacher-add'));
    fillTeacher('999-999-999 01');
    fireEvent.click(screen.getByTestId('teacher-save'));

    const notice = await screen.findByTestId('teacher-notice');
    expect(notice.textContent).toContain('Соколова');
    await waitFor(() =>
      expect(screen.getByTestId('teacher-list').textContent).toContain('***-***-*99 01'),
    );
    expect(await teacherCount()).toBe(before + 1);
  });

  it("[RU4][ER4] shows the server's field error once, next to the field it names, as a sentence", async () => {
    renderAdmin();
    await screen.findByTestId('teacher-list');

    fireEvent.click(screen.getByTestId('teacher-add'));
    fillTeacher('999-999-999 01');
    // A surname longer than the schema allows passes the form's own checks; the server refuses
    // it and names the field, so the error lands next to that field.
    type('teacher-lastName', 'Я'.repeat(301));
    fireEvent.click(screen.getByTestId('teacher-save'));

    // The server's «lastName: не длиннее 300 символов», without the path, from a capital.
    const error = await screen.findByTestId('teacher-lastName-error');
    expect(error.textContent).toMatch(/^Не длиннее 300/);
    // ER4: once, next to its field; not again on the form's line.
    expect(screen.queryByTestId('teacher-form-error')).toBeNull();
    expect(screen.queryByTestId('teacher-notice')).toBeNull();
  });

  it('[RG1] saves passport series and number typed with spaces, as printed in the passport', async () => {
    renderAdmin();
    await screen.findByTestId('teacher-list');
    const before = await teacherCount();

    fireEvent.click(screen.getByTestId('teacher-add'));
    fillTeacher('001-001-998 00');
    type('teacher-lastName', 'Пробелова');
    type('teacher-passport-series', '53 12');
    type('teacher-passport-number', '123 457');
    // The input must hold what was typed: a 4-character limit cut «53 12» to «53 1».
    const series = screen.getByTestId('teacher-passport-series') as HTMLInputElement;
    expect(series.maxLength < 0 || series.maxLength >= '53 12'.length).toBe(true);
    fireEvent.click(screen.getByTestId('teacher-save'));

    const notice = await screen.findByTestId('teacher-notice');
    expect(notice.textContent).toContain('Пробелова');
    expect(await teacherCount()).toBe(before + 1);
  });

  it('[RG2][RG3] shows every problem of the entry at once, next to each field, and sends nothing', async () => {
    renderAdmin();
    await screen.findByTestId('teacher-list');
    const before = await teacherCount();

    fireEvent.click(screen.getByTestId('teacher-add'));
    fillTeacher('999-999-999 01');
    type('teacher-lastName', 'Kузнецова');
    type('teacher-birthDate', '2999-01-01');
    type('teacher-experienceTeachingYears', '30');
    fireEvent.click(screen.getByTestId('teacher-save'));

    await waitFor(() =>
      expect(screen.getByTestId('teacher-birthDate-error').textContent).toBe(
        'Дата рождения должна быть в прошлом',
      ),
    );
    expect(screen.getByTestId('teacher-lastName-error').textContent).toContain('(K)');
    expect(screen.getByTestId('teacher-experienceTeachingYears-error').textContent).toBe(
      'Педагогический стаж не может превышать общий',
    );
    expect(screen.queryByTestId('teacher-form-error')).toBeNull();
    expect(await teacherCount()).toBe(before);
  });

  it('[ER3][ER4] a duplicate СНИЛС is told once, next to the field, in plain Russian, with no field path', async () => {
    renderAdmin();
    await screen.findByTestId('teacher-list');
    const before = await teacherCount();

    fireEvent.click(screen.getByTestId('teacher-add'));
    fillTeacher(PERSONAL.snils);
    type('teacher-passport-number', '654321');
    fireEvent.click(screen.getByTestId('teacher-save'));

    const error = await screen.findByTestId('teacher-snils-error');
    expect(error.textContent).toBe('Педагог с таким СНИЛС уже есть в реестре');
    expect(screen.queryByTestId('teacher-form-error')).toBeNull();
    // Nothing typed is lost: the form stays open with every value as it was.
    expect((screen.getByTestId('teacher-lastName') as HTMLInputElement).value).toBe('Соколова');
    expect(await teacherCount()).toBe(before);
  });

  it("[AC3] blocks and allows a teacher's sign-in, and sets a new password, from the list", async () => {
    renderAdmin();
    fireEvent.click(await screen.findByTestId('teacher-access-teacher-a'));
    expect((await screen.findByTestId('teacher-notice')).textContent).toMatch(
      /заблокирован: сеансы на всех устройствах завершены/,
    );
    await screen.findByTestId('teacher-blocked-teacher-a');
    await expect(
      new Session({ baseUrl: env.server.url }, memoryStore()).signIn('teacher-a-user', PASSWORD),
    ).rejects.toThrow();

    fireEvent.click(screen.getByTestId('teacher-access-teacher-a'));
    await waitFor(() => expect(screen.queryByTestId('teacher-blocked-teacher-a')).toBeNull());
    expect(screen.getByTestId('teacher-access-teacher-a').textContent).toBe('Заблокировать вход');

    fireEvent.click(screen.getByTestId('teacher-password-teacher-a'));
    type('password-new', 'short');
    fireEvent.submit(screen.getByTestId('password-form'));
    expect((await screen.findByTestId('password-new-error')).textContent).toMatch(/8 символов/);
    type('password-new', 'brand-new-pass');
    fireEvent.submit(screen.getByTestId('password-form'));
    await waitFor(() =>
      expect(screen.getByTestId('teacher-notice').textContent).toMatch(/Пароль .* изменён/),
    );
    const teacher = new Session({ baseUrl: env.server.url }, memoryStore());
    await teacher.signIn('teacher-a-user', 'brand-new-pass');
    expect(teacher.user?.role).toBe('teacher');
  });

  it('[RG5] moves a teacher to the archive after asking, lists the archive apart, and brings them back; one with a subgroup is refused by name', async () => {
    const { teachers } = (await env.session.getJson('/api/admin/teachers')) as {
      teachers: { id: string; displayName: string; subgroupIds: string[] }[];
    };
    const free = teachers.find((t) => t.subgroupIds.length === 0)!;
    renderAdmin();

    fireEvent.click(await screen.findByTestId(`teacher-archive-${free.id}`));
    expect(screen.getByTestId('teacher-archive-confirm').textContent).toContain(free.displayName);
    fireEvent.click(screen.getByTestId('teacher-archive-confirm-yes'));
    await waitFor(() =>
      expect(screen.getByTestId('teacher-notice').textContent).toBe(
        `${free.displayName}: в архиве`,
      ),
    );
    await waitFor(() => expect(screen.queryByTestId(`teacher-row-${free.id}`)).toBeNull());

    fireEvent.click(screen.getByTestId('teacher-archive-toggle'));
    expect(screen.getByTestId('teacher-archive-toggle').textContent).toBe('Вернуться к реестру');
    await screen.findByTestId(`teacher-archived-${free.id}`);
    expect(screen.queryByTestId('teacher-row-teacher-a')).toBeNull();
    fireEvent.click(screen.getByTestId(`teacher-archive-${free.id}`));
    await waitFor(() =>
      expect(screen.getByTestId('teacher-notice').textContent).toContain('снова в реестре'),
    );

    fireEvent.click(screen.getByTestId('teacher-archive-toggle'));
    await screen.findByTestId(`teacher-row-${free.id}`);
    fireEvent.click(screen.getByTestId('teacher-archive-teacher-a'));
    fireEvent.click(screen.getByTestId('teacher-archive-confirm-yes'));
    expect((await screen.findByTestId('teacher-list-error')).textContent).toMatch(
      /ведёт подгруппы «.+»: сначала назначьте им другого педагога/,
    );
    expect(screen.getByTestId('teacher-row-teacher-a')).toBeTruthy();
  });
});
