import { SHORT_TEXT_MAX } from '@otmetka/shared';
import type { ChildView } from '@otmetka/shared/api';
import { useEffect, useState } from 'preact/hooks';
import {
  type Checked,
  type FieldErrors,
  FormActions,
  InputField,
  isDateInput,
  lineErrorOf,
  SelectField,
  useForm,
} from '../admin/form.tsx';
import { ErrorLine, useOnline } from '../admin/ui.tsx';
import { useParent } from './context.ts';
import { useKept } from './kept.tsx';

/**
 * An application for one subgroup: pick a registered child or register one (name and birth
 * date; the birth date goes to the server only and is never shown back or cached).
 */

const NEW = '__new__';

/**
 * AP9: an application is not kept on the device to be sent later (the server decides on places
 * and ages at once), so a failure for want of network says that nothing was sent and what to do.
 */
export const OFFLINE_APPLY_TEXT =
  'Заявка не отправлена: нет связи с сервером. Введённое сохранится, пока форма открыта, — ' +
  'отправьте заявку, когда появится интернет.';

interface Props {
  subgroup: { id: string; name: string };
  programmeName: string;
  onCancel: () => void;
  onDone: () => void;
}

export function ApplyForm({ subgroup, programmeName, onCancel, onDone }: Props) {
  const { api, version, changed } = useParent();
  const children = useKept(() => api.listChildren(), [api, version]);
  // navigator.onLine says true on a Wi-Fi without internet (and after a reload under some
  // browsers' offline mode): the children read from the device for want of a network say more.
  const online = useOnline() && children.data?.keptBecause !== 'offline';
  const list = children.data?.value.children ?? [];
  const [learnerId, setLearnerId] = useState('');
  const form = useForm(() => ({ lastName: '', firstName: '', middleName: '', birthDate: '' }));
  const { values: child, field } = form;

  // Preselect the only child, or the new-child form when there is none.
  useEffect(() => {
    if (children.data && !learnerId) setLearnerId(list[0]?.id ?? NEW);
  }, [children.data]);

  const checkChild = (): FieldErrors => {
    const e: FieldErrors = {};
    if (!child.lastName.trim()) e.lastName = 'Укажите фамилию';
    if (!child.firstName.trim()) e.firstName = 'Укажите имя';
    if (!isDateInput(child.birthDate)) e.birthDate = 'Укажите дату рождения';
    return e;
  };

  // A registered child needs no check here; a new one is checked before anything is sent.
  // AP6: no choice yet (a tap before the list of children arrived on a slow connection) is
  // named on the field; sent, it came back as the server's technical id error.
  const check = (): Checked<{ learnerId: string }> => {
    const errors =
      learnerId === NEW ? checkChild() : learnerId ? {} : { learnerId: 'Выберите ребёнка' };
    return Object.keys(errors).length > 0 ? { errors } : { errors, input: { learnerId } };
  };

  const send = async (chosen: { learnerId: string }) => {
    const id = chosen.learnerId === NEW ? (await registerChild()).id : chosen.learnerId;
    return await api.apply({ learnerId: id, subgroupId: subgroup.id });
  };

  const submit = form.submit(check, send, () => {
    changed();
    onDone();
  });

  const registerChild = async (): Promise<ChildView> => {
    const created = await api.addChild({
      lastName: child.lastName.trim(),
      firstName: child.firstName.trim(),
      middleName: child.middleName.trim(),
      birthDate: child.birthDate,
      // AP10: the server checks the age for this subgroup before it registers the child.
      forSubgroupId: subgroup.id,
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
      <SelectField
        label="Ребёнок"
        value={learnerId}
        onValue={setLearnerId}
        testid="apply-child"
        error={form.errors.learnerId}
        options={options}
      />
      {learnerId === NEW ? (
        <fieldset class="ap-grid">
          <legend>Данные ребёнка</legend>
          <InputField
            label="Фамилия"
            testid="child-last-name"
            maxLength={SHORT_TEXT_MAX}
            {...field('lastName')}
          />
          <InputField
            label="Имя"
            testid="child-first-name"
            maxLength={SHORT_TEXT_MAX}
            {...field('firstName')}
          />
          <InputField
            label="Отчество"
            testid="child-middle-name"
            maxLength={SHORT_TEXT_MAX}
            {...field('middleName')}
          />
          <InputField
            label="Дата рождения"
            testid="child-birth-date"
            type="date"
            {...field('birthDate')}
          />
        </fieldset>
      ) : null}
      {online ? null : (
        <p class="ap-warn" data-testid="apply-offline">
          Нет связи. Заявка отправляется только через интернет — подключитесь и нажмите «Отправить
          заявку».
        </p>
      )}
      {/* The text about a failed send is for the send's own error only. */}
      <ErrorLine
        error={lineErrorOf(form.error, (f) => f === 'learnerId' || f in child) ?? children.error}
        testid="apply-error"
        offlineText={form.error ? OFFLINE_APPLY_TEXT : undefined}
      />
      <FormActions
        busy={form.busy}
        label="Отправить заявку"
        busyLabel="Отправка…"
        testid="apply"
        submitTestid="apply-submit"
        onCancel={onCancel}
      />
    </form>
  );
}
