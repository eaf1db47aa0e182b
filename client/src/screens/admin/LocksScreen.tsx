import { monthOf } from '@otmetka/shared';
import { useState } from 'preact/hooks';
import { fieldErrors } from '../../api/messages.ts';
import { useOrgTime } from '../org-time.ts';
import { useAdmin } from './context.ts';
import { monthLabel, shiftMonth } from './format.ts';
import { SubgroupPicker } from './SubgroupPicker.tsx';
import { AdminError, Field, Loading, TextInput, useAction, useLoad } from './ui.tsx';

/**
 * Month locks: a locked month refuses journal edits (MONTH_LOCKED). The admin locks a month of
 * one subgroup or of the whole organisation, and unlocks with a reason; every lock and unlock
 * stays listed under «История» with who made it and why (LK5).
 */
export function LocksScreen() {
  const time = useOrgTime();
  const { api, subgroupId } = useAdmin();
  const [month, setMonth] = useState(() => shiftMonth(monthOf(time.today()), -1));
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const list = useLoad(() => api.listLocks(subgroupId || undefined), [api, subgroupId]);
  const action = useAction();

  const submit = async (locked: boolean) => {
    if (!/^\d{4}-\d{2}$/.test(month)) return setErrors({ month: 'Укажите месяц' });
    if (!locked && !reason.trim()) return setErrors({ reason: 'Укажите причину открытия месяца' });
    setErrors({});

    const done = await action.run(() =>
      api
        .setLock({ subgroupId: subgroupId || null, month, locked, reason: reason.trim() })
        .catch((error: unknown) => {
          setErrors(fieldErrors(error));
          throw error;
        }),
    );
    if (done) {
      setReason('');
      list.reload();
    }
  };

  return (
    <section class="ap-screen" data-testid="locks">
      <h2>Закрытие месяцев</h2>
      <SubgroupPicker testid="lock-subgroup" allowAll="Вся организация" />
      {list.data?.lockDay ? (
        <p class="ap-muted">
          Месяц закрывается автоматически {list.data.lockDay}-го числа следующего месяца.
        </p>
      ) : null}
      <div class="ap-grid">
        <Field label="Месяц" error={errors.month} testid="lock-month">
          <TextInput type="month" value={month} onValue={setMonth} testid="lock-month" />
        </Field>
        <Field label="Причина" error={errors.reason} testid="lock-reason">
          <TextInput value={reason} onValue={setReason} testid="lock-reason" />
        </Field>
      </div>
      <AdminError error={action.error} testid="lock-error" />
      <div class="ap-actions">
        <button
          type="button"
          class="ap-btn ap-btn--primary"
          disabled={action.busy}
          onClick={() => submit(true)}
          data-testid="lock-lock"
        >
          Закрыть месяц
        </button>
        <button
          type="button"
          class="ap-btn"
          disabled={action.busy}
          onClick={() => submit(false)}
          data-testid="lock-unlock"
        >
          Открыть месяц
        </button>
      </div>
      <AdminError error={list.error} testid="lock-list-error" />
      {list.loading && !list.data ? <Loading testid="lock-list-loading" /> : null}
      <ul class="ap-list" data-testid="lock-list">
        {list.data?.locks.map((l) => (
          <li key={l.id} data-testid={`lock-row-${l.subgroupId ?? 'all'}-${l.month}`}>
            <b>{monthLabel(l.month)}</b> · {l.subgroupId ? 'подгруппа' : 'вся организация'} ·{' '}
            {l.locked ? 'закрыт' : 'открыт'}
            {l.reason ? ` · ${l.reason}` : ''} · {time.formatInstant(l.at)}
          </li>
        ))}
      </ul>
      {list.data?.history.length ? (
        <>
          <h3>История</h3>
          <ul class="ap-list" data-testid="lock-history">
            {list.data.history.map((l, i) => (
              <li key={`${l.id}-${l.at}-${i}`} data-testid="lock-history-row">
                {time.formatInstant(l.at)} · {l.byName} · {l.locked ? 'закрыл' : 'открыл'}{' '}
                <b>{monthLabel(l.month)}</b> ({l.subgroupId ? 'подгруппа' : 'вся организация'})
                {l.reason ? ` · ${l.reason}` : ''}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
