import { CATEGORY_LABELS } from '@otmetka/shared';
import type {
  TeacherAccountRequest,
  TeacherListItem,
  TeacherRecordView,
} from '@otmetka/shared/api';
import { useState } from 'preact/hooks';
import { useAdmin } from './context.ts';
import {
  type Checked,
  type FieldErrors,
  FormActions,
  InputField,
  PasswordField,
  useForm,
} from './form.tsx';
import { hours } from './format.ts';
import { TeacherForm } from './TeacherForm.tsx';
import { AdminError, ConfirmPanel, Loading, useAction, useLoad } from './ui.tsx';
import { useMayLeave } from './unsaved.ts';

/**
 * The teacher registry (реестр педагогов). The list shows the СНИЛС masked, as the server sends
 * it; the full card with passport data is fetched only when the admin opens it for editing, and
 * is dropped from memory when the form closes.
 */

type Mode =
  | { kind: 'list' }
  | { kind: 'create' }
  | { kind: 'edit'; record: TeacherRecordView }
  | { kind: 'account'; teacher: TeacherListItem }
  | { kind: 'password'; teacher: TeacherListItem };

export function TeacherRegistry() {
  const { api } = useAdmin();
  const list = useLoad(() => api.listTeachers(), [api]);
  const [mode, setMode] = useState<Mode>({ kind: 'list' });
  const [notice, setNotice] = useState('');
  const [showArchive, setShowArchive] = useState(false);
  const [archiving, setArchiving] = useState<TeacherListItem | null>(null);
  const opening = useAction();
  // AS13: the account and password forms open beside the table; another row's button must not
  // drop what was typed in one without asking.
  const mayLeave = useMayLeave();
  const switchTo = (next: Mode) => {
    if (mayLeave()) setMode(next);
  };

  const close = (message = '') => {
    setMode({ kind: 'list' });
    setNotice(message);
    list.reload();
  };

  const openEdit = (id: string) => {
    if (!mayLeave()) return;
    void opening.run(async () => setMode({ kind: 'edit', record: await api.getTeacher(id) }));
  };

  // AC3: blocking ends every session of the account at once; no confirmation, it is undone
  // by the same button.
  const setAccess = (teacher: TeacherListItem, disabled: boolean) => {
    if (!mayLeave()) return;
    void opening.run(async () => {
      const account = await api.setAccountAccess(teacher.id, { disabled });
      close(
        disabled
          ? `Вход ${account.login} заблокирован: сеансы на всех устройствах завершены`
          : `Вход ${account.login} снова разрешён`,
      );
    });
  };

  // RG5: the archive blocks sign-in, so it is asked first; bringing back is undone as easily.
  const setArchived = (teacher: TeacherListItem, archived: boolean) => {
    if (!mayLeave()) return;
    void opening.run(async () => {
      await api.setTeacherArchived(teacher.id, { archived });
      setArchiving(null);
      close(
        archived
          ? `${teacher.displayName}: в архиве${teacher.account ? ', вход заблокирован' : ''}`
          : `${teacher.displayName}: снова в реестре${teacher.account ? ' (вход разрешите отдельно)' : ''}`,
      );
    });
  };

  if (mode.kind === 'create' || mode.kind === 'edit') {
    const record = mode.kind === 'edit' ? mode.record : null;
    return (
      <section class="ap-screen" data-testid="teacher-registry">
        <TeacherForm
          initial={record}
          onCancel={() => close()}
          onSave={async (input) => {
            const saved = record
              ? await api.updateTeacher(record.id, input)
              : await api.createTeacher(input);
            close(`Сохранено: ${saved.displayName}`);
          }}
        />
      </section>
    );
  }

  return (
    <section class="ap-screen" data-testid="teacher-registry">
      <header class="ap-screen__head">
        <h2>Реестр педагогов</h2>
        <button
          type="button"
          class="ap-btn ap-btn--primary"
          data-testid="teacher-add"
          onClick={() => {
            if (!mayLeave()) return;
            setNotice('');
            setMode({ kind: 'create' });
          }}
        >
          Добавить педагога
        </button>
      </header>
      {notice ? (
        <p class="ap-notice" role="status" data-testid="teacher-notice">
          {notice}
        </p>
      ) : null}
      <AdminError error={list.error ?? opening.error} testid="teacher-list-error" />
      {mode.kind === 'account' ? (
        <AccountForm
          key={mode.teacher.id}
          teacher={mode.teacher}
          onDone={(login) => close(`Учётная запись ${login} создана`)}
          onCancel={() => setMode({ kind: 'list' })}
        />
      ) : null}
      {mode.kind === 'password' ? (
        <PasswordForm
          key={mode.teacher.id}
          teacher={mode.teacher}
          onDone={(login) => close(`Пароль ${login} изменён: сеансы на всех устройствах завершены`)}
          onCancel={() => setMode({ kind: 'list' })}
        />
      ) : null}
      {archiving ? (
        <ConfirmPanel
          testid="teacher-archive-confirm"
          yesLabel="В архив"
          busy={opening.busy}
          onYes={() => setArchived(archiving, true)}
          onNo={() => setArchiving(null)}
        >
          Перенести в архив: {archiving.displayName}? Педагог пропадёт из реестра и из выбора
          педагогов подгрупп
          {archiving.account ? ', вход будет заблокирован на всех устройствах' : ''}. Запись
          сохранится, её можно вернуть.
        </ConfirmPanel>
      ) : null}
      {list.loading && !list.data ? <Loading testid="teacher-list-loading" /> : null}
      {list.data ? (
        <>
          <TeacherTable
            teachers={list.data.teachers.filter((t) => t.archived === showArchive)}
            archive={showArchive}
            onEdit={openEdit}
            onAccount={(teacher) => switchTo({ kind: 'account', teacher })}
            onPassword={(teacher) => switchTo({ kind: 'password', teacher })}
            onAccess={setAccess}
            onArchive={(teacher, archived) =>
              archived ? setArchiving(teacher) : setArchived(teacher, false)
            }
          />
          <ArchiveToggle
            count={list.data.teachers.filter((t) => t.archived).length}
            showing={showArchive}
            onToggle={() => {
              setArchiving(null);
              setShowArchive(!showArchive);
            }}
          />
        </>
      ) : null}
    </section>
  );
}

/** RG5: the archive is one press away, with how many entries it holds. */
function ArchiveToggle(props: { count: number; showing: boolean; onToggle: () => void }) {
  if (props.count === 0 && !props.showing) return null;
  return (
    <p class="ap-actions">
      <button
        type="button"
        class="ap-btn"
        onClick={props.onToggle}
        data-testid="teacher-archive-toggle"
      >
        {props.showing ? 'Вернуться к реестру' : `Архив (${props.count})`}
      </button>
    </p>
  );
}

interface TableProps {
  teachers: TeacherListItem[];
  /** The archive's entries are shown (RG5): they can be opened and brought back only. */
  archive: boolean;
  onEdit: (id: string) => void;
  onAccount: (teacher: TeacherListItem) => void;
  onPassword: (teacher: TeacherListItem) => void;
  onAccess: (teacher: TeacherListItem, disabled: boolean) => void;
  onArchive: (teacher: TeacherListItem, archived: boolean) => void;
}

function TeacherTable(props: TableProps) {
  const { teachers, archive, onEdit, onAccount, onPassword, onAccess, onArchive } = props;
  if (teachers.length === 0) {
    return (
      <p class="ap-muted" data-testid="teacher-empty">
        {archive ? 'В архиве нет педагогов.' : 'В реестре пока нет педагогов.'}
      </p>
    );
  }
  return (
    <div class="ap-table-wrap">
      <table class="ap-table ap-table--actions" data-testid="teacher-list">
        <thead>
          <tr>
            <th>ФИО</th>
            <th>СНИЛС</th>
            <th>Категория</th>
            <th>Стаж общий / пед.</th>
            <th>Учётная запись</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {teachers.map((t) => (
            <tr key={t.id} data-testid={`teacher-row-${t.id}`}>
              <td>{[t.lastName, t.firstName, t.middleName].filter(Boolean).join(' ')}</td>
              <td class="ap-mono" data-testid={`teacher-snils-${t.id}`}>
                {t.snilsMasked}
              </td>
              <td>{CATEGORY_LABELS[t.category]}</td>
              <td>
                {hours(t.experienceTotalYears)} / {hours(t.experienceTeachingYears)}
              </td>
              <td>
                {archive ? (
                  <span class="ap-badge" data-testid={`teacher-archived-${t.id}`}>
                    в архиве{t.account ? `, вход ${t.account.login} заблокирован` : ''}
                  </span>
                ) : t.account ? (
                  <AccountCell
                    teacher={t}
                    onPassword={() => onPassword(t)}
                    onAccess={(disabled) => onAccess(t, disabled)}
                  />
                ) : (
                  <button
                    type="button"
                    class="ap-btn"
                    data-testid={`teacher-account-${t.id}`}
                    onClick={() => onAccount(t)}
                  >
                    Создать вход
                  </button>
                )}
              </td>
              <td>
                <button
                  type="button"
                  class="ap-btn"
                  data-testid={`teacher-edit-${t.id}`}
                  onClick={() => onEdit(t.id)}
                >
                  Изменить
                </button>
                <button
                  type="button"
                  class="ap-btn"
                  data-testid={`teacher-archive-${t.id}`}
                  onClick={() => onArchive(t, !archive)}
                >
                  {archive ? 'Вернуть в реестр' : 'В архив'}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The login, whether it may sign in, and what the admin can do about it (AC3). */
function AccountCell({
  teacher,
  onPassword,
  onAccess,
}: {
  teacher: TeacherListItem;
  onPassword: () => void;
  onAccess: (disabled: boolean) => void;
}) {
  const account = teacher.account!;
  return (
    <div class="ap-account">
      <span data-testid={`teacher-login-${teacher.id}`}>{account.login}</span>
      {account.disabled ? (
        <span class="ap-badge" data-testid={`teacher-blocked-${teacher.id}`}>
          вход заблокирован
        </span>
      ) : null}
      <button
        type="button"
        class="ap-btn"
        data-testid={`teacher-password-${teacher.id}`}
        onClick={onPassword}
      >
        Сменить пароль
      </button>
      <button
        type="button"
        class="ap-btn"
        data-testid={`teacher-access-${teacher.id}`}
        onClick={() => onAccess(!account.disabled)}
      >
        {account.disabled ? 'Разрешить вход' : 'Заблокировать вход'}
      </button>
    </div>
  );
}

interface AccountProps {
  teacher: TeacherListItem;
  onDone: (login: string) => void;
  onCancel: () => void;
}

/** The form's own check of a new login (the server checks again and names a taken login). */
function checkAccount(v: { login: string; password: string }): Checked<TeacherAccountRequest> {
  const errors: FieldErrors = {};
  if (!/^[a-zA-Z0-9._-]{3,64}$/.test(v.login.trim())) {
    errors.login = 'От 3 символов: латинские буквы, цифры, точка, дефис, подчёркивание';
  }
  if (v.password.length < 8) errors.password = 'Пароль — не короче 8 символов';

  if (Object.keys(errors).length > 0) return { errors };
  return { errors, input: { login: v.login.trim(), password: v.password } };
}

/** Creates the teacher's login and password; the admin passes them on in person. */
function AccountForm({ teacher, onDone, onCancel }: AccountProps) {
  const { api } = useAdmin();
  const form = useForm(() => ({ login: '', password: '' }));

  const submit = form.submit(
    () => checkAccount(form.values),
    (input) => api.createAccount(teacher.id, input),
    (account) => onDone(account.login),
  );

  return (
    <form class="ap-form ap-card" onSubmit={submit} data-testid="account-form" noValidate>
      <h3>Вход для педагога: {teacher.displayName}</h3>
      <div class="ap-grid">
        <InputField
          label="Логин"
          testid="account-login"
          autocomplete="off"
          maxLength={64}
          {...form.field('login')}
        />
        <PasswordField label="Пароль" testid="account-password" {...form.field('password')} />
      </div>
      <AdminError error={form.lineError} testid="account-error" />
      <FormActions busy={form.busy} label="Создать" testid="account" onCancel={onCancel} />
    </form>
  );
}

/** A new password for a lost tablet or a forgotten one; every device must sign in again. */
function PasswordForm({ teacher, onDone, onCancel }: AccountProps) {
  const { api } = useAdmin();
  const form = useForm(() => ({ password: '' }));

  const submit = form.submit(
    (): Checked<{ password: string }> =>
      form.values.password.length < 8
        ? { errors: { password: 'Пароль — не короче 8 символов' } }
        : { errors: {}, input: { password: form.values.password } },
    (input) => api.setAccountPassword(teacher.id, input),
    (account) => onDone(account.login),
  );

  return (
    <form class="ap-form ap-card" onSubmit={submit} data-testid="password-form" noValidate>
      <h3>Новый пароль: {teacher.displayName}</h3>
      <p class="ap-muted">
        Педагогу придётся войти заново на всех устройствах. Неотправленные изменения на них
        сохранятся и уйдут после входа.
      </p>
      <PasswordField label="Новый пароль" testid="password-new" {...form.field('password')} />
      <AdminError error={form.lineError} testid="password-error" />
      <FormActions busy={form.busy} label="Сменить" testid="password" onCancel={onCancel} />
    </form>
  );
}
