import type { ChildView } from '@otmetka/shared/api';
import { useEffect, useState } from 'preact/hooks';
import { fieldErrors } from '../../api/messages.ts';
import { ErrorLine, Field, Select, TextInput, useAction, useLoad } from '../admin/ui.tsx';
import { useParent } from './context.ts';

/**
 * An application for one subgroup: pick a registered child or register one (name and birth
 * date; the birth date goes to the server only and is never shown back or cached).
 */

const NEW = '__new__';
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

interface Props {
  subgroup: { id: string; name: string };
  programmeName: string;
  onCancel: () => void;
  onDone: () => void;
}

export function ApplyForm({ subgroup, programmeName, onCancel, onDone }: Props) {
  const { api, version, changed } = useParent();
  const children = useLoad(() => api.listChildren(), [api, version]);
  const list = children.data?.value.children ?? [];
  const [learnerId, setLearnerId] = useState('');
  const [child, setChild] = useState({
    lastName: '',
    firstName: '',
    middleName: '',
    birthDate: '',
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const action = useAction();

  // Preselect the only child, or the new-child form when there is none.
  useEffect(() => {
    if (children.data && !learnerId) setLearnerId(list[0]?.id ?? NEW);
  }, [children.data]);

  const setField = (key: keyof typeof child) => (value: string) =>
    setChild((c) => ({ ...c, [key]: value }));

  const checkChild = (): Record<string, string> => {
    const e: Record<string, string> = {};
    if (!child.lastName.trim()) e.lastName = 'Укажите фамилию';
    if (!child.firstName.trim()) e.firstName = 'Укажите имя';
    if (!DATE_RE.test(child.birthDate)) e.birthDate = 'Укажите дату рождения';
    return e;
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    const own = learnerId === NEW ? checkChild() : {};
    setErrors(own);
    if (Object.keys(own).length > 0) return;

    const done = await action.run(async () => {
      try {
        const id = learnerId === NEW ? (await registerChild()).id : learnerId;
        return await api.apply({ learnerId: id, subgroupId: subgroup.id });
      } catch (error) {
        setErrors(fieldErrors(error));
        throw error;
      }
    });
    if (done) {
      changed();
      onDone();
    }
  };

  const registerChild = async (): Promise<ChildView> => {
    const created = await api.addChild({
      lastName: child.lastName.trim(),
      firstName: child.firstName.trim(),
      middleName: child.middleName.trim(),
      birthDate: child.birthDate,
    });
    // The next attempt (after a failed application) must not register the child twice.
    setLearnerId(created.id);
    changed();
    return created;
  };

  const options = [
    ...list.map((c) => ({ value: c.id, label: c.displayName })),
    { value: NEW, label: '+ Новый ребёнок' },
  ];

  return (
    <form class="ap-form ap-card" onSubmit={submit} data-testid="apply-form" noValidate>
      <h2>
        Заявка: {programmeName}, {subgroup.name}
      </h2>
      <Field label="Ребёнок" testid="apply-child">
        <Select value={learnerId} onValue={setLearnerId} testid="apply-child" options={options} />
      </Field>
      {learnerId === NEW ? (
        <fieldset class="ap-grid">
          <legend>Данные ребёнка</legend>
          <Field label="Фамилия" error={errors.lastName} testid="child-last-name">
            <TextInput
              value={child.lastName}
              onValue={setField('lastName')}
              testid="child-last-name"
            />
          </Field>
          <Field label="Имя" error={errors.firstName} testid="child-first-name">
            <TextInput
              value={child.firstName}
              onValue={setField('firstName')}
              testid="child-first-name"
            />
          </Field>
          <Field label="Отчество" error={errors.middleName} testid="child-middle-name">
            <TextInput
              value={child.middleName}
              onValue={setField('middleName')}
              testid="child-middle-name"
            />
          </Field>
          <Field label="Дата рождения" error={errors.birthDate} testid="child-birth-date">
            <TextInput
              type="date"
              value={child.birthDate}
              onValue={setField('birthDate')}
              testid="child-birth-date"
            />
          </Field>
        </fieldset>
      ) : null}
      <ErrorLine error={children.error ?? action.error} testid="apply-error" />
      <div class="ap-actions">
        <button
          type="submit"
          class="ap-btn ap-btn--primary"
          disabled={action.busy}
          data-testid="apply-submit"
        >
          {action.busy ? 'Отправка…' : 'Отправить заявку'}
        </button>
        <button type="button" class="ap-btn" onClick={onCancel} data-testid="apply-cancel">
          Отмена
        </button>
      </div>
    </form>
  );
}
