import { formatRuMonth, monthLockOrigin, monthOf, todayIn } from '@otmetka/shared';
import type { LockListResponse } from '@otmetka/shared/api';
import { useEffect, useState } from 'preact/hooks';
import { useOrgTime } from '../org-time.ts';
import { useAdmin } from './context.ts';
import { InputField, isMonthInput, useSave } from './form.tsx';
import { monthLabel, shiftMonth } from './format.ts';
import { SubgroupPicker, subgroupLabel } from './SubgroupPicker.tsx';
import { AdminError, ConfirmPanel, Loading, useLoad } from './ui.tsx';

/**
 * LK7: the months of this academic year the automatic lock holds closed now, for the chosen
 * subgroup or the whole organisation (an explicit unlock below takes a month out): without it
 * the admin saw an empty list while September and October were closed.
 */
function autoClosedLine(data: LockListResponse, subgroupId: string, timeZone: string): string {
  const now = new Date();
  const today = todayIn(timeZone, now);
  const first = `${Number(today.slice(0, 4)) - (today.slice(5, 7) < '09' ? 1 : 0)}-09`;
  const closed: string[] = [];
  for (let month = first; month <= monthOf(today); month = shiftMonth(month, 1)) {
    if (originNow(data, subgroupId, timeZone, month) === 'auto') closed.push(monthLabel(month));
  }
  return closed.length > 0 ? ` Сейчас закрыты автоматически: ${closed.join(', ')}.` : '';
}

/**
 * LK8: the months the whole organisation has closed that a subgroup's own unlock keeps open
 * (LK1: it overrides the organisation's lock). The admin who closed a month for everyone saw
 * it closed while teachers of those subgroups went on editing.
 */
function openApart(data: LockListResponse, names: Map<string, string>): string[] {
  const closedForAll = new Set(
    data.locks.filter((l) => l.subgroupId === null && l.locked).map((l) => l.month),
  );
  return data.locks
    .filter((l) => l.subgroupId !== null && !l.locked && closedForAll.has(l.month))
    .map((l) => `${monthLabel(l.month)} — ${whose(l.subgroupId, names)}`);
}

/** Who holds `month` closed now for the chosen subgroup, or for the whole organisation. */
function originNow(data: LockListResponse, subgroupId: string, timeZone: string, month: string) {
  return monthLockOrigin({
    // The whole organisation: a subgroup no lock document names.
    locks: data.locks.filter((l) => l.subgroupId === null || l.subgroupId === subgroupId),
    org: { lockDay: data.lockDay, timeZone },
    subgroupId: subgroupId || 'whole-org',
    month,
    now: new Date(),
  });
}

/**
 * LK11: the months opened by hand for the chosen subgroup (or the whole organisation). An
 * opened month stays open until an admin closes it (LK1 outranks the automatic lock), and an
 * office that opened one for a correction left it open for good with nothing saying so.
 */
function openedByHand(data: LockListResponse, subgroupId: string) {
  return data.locks.filter((l) => !l.locked && l.subgroupId === (subgroupId || null));
}

/**
 * LK11: what to make sure of before a lock or an unlock that is most likely a slip: closing a
 * month that has not begun (it then refuses every enrolment and lesson in it), or opening a
 * month that is not closed (it then never closes on its own).
 */
function doubt(
  data: LockListResponse | undefined,
  subgroupId: string,
  time: { timeZone: string; today(): string },
  month: string,
  locked: boolean,
): string | null {
  if (!data) return null;
  const label = formatRuMonth(month, true);
  if (locked && month > monthOf(time.today())) {
    return `${label} ещё не начался. Закрытый заранее, он не даст зачислять детей и вести журнал этого месяца, пока его не откроют.`;
  }
  if (!locked && originNow(data, subgroupId, time.timeZone, month) === null) {
    const auto = data.lockDay
      ? `: ${data.lockDay}-го числа следующего месяца он не закроется сам`
      : '';
    return `${label} сейчас не закрыт. Открытый вручную, он останется открытым, пока его не закроют${auto}.`;
  }
  return null;
}

/** Whose month it is: the subgroup by name (programme first), or the whole organisation. */
function whose(subgroupId: string | null, names: Map<string, string>): string {
  if (!subgroupId) return 'вся организация';
  return names.get(subgroupId) ?? 'подгруппа';
}

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
  const [names, setNames] = useState<Map<string, string>>(new Map());
  const list = useLoad(() => api.listLocks(subgroupId || undefined), [api, subgroupId]);
  const { busy, error, errors, setErrors, save } = useSave();
  const [asking, setAsking] = useState<{ month: string; locked: boolean; text: string } | null>(
    null,
  );
  const apart = list.data ? openApart(list.data, names) : [];
  const opened = list.data ? openedByHand(list.data, subgroupId) : [];
  // A question is about one month of one scope: another choice drops it (asked again on the
  // next press), or «Закрыть заранее» closed a month of a subgroup nobody asked about.
  useEffect(() => setAsking(null), [subgroupId, month]);

  const submit = async (locked: boolean, target = month, sure = false) => {
    if (!isMonthInput(target)) return setErrors({ month: 'Укажите месяц' });
    if (!locked && !reason.trim()) return setErrors({ reason: 'Укажите причину открытия месяца' });
    setErrors({});
    const text = sure ? null : doubt(list.data, subgroupId, time, target, locked);
    setAsking(text ? { month: target, locked, text } : null);
    if (text) return;

    const done = await save(() =>
      api.setLock({
        subgroupId: subgroupId || null,
        month: target,
        locked,
        reason: reason.trim(),
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
      <SubgroupPicker
        testid="lock-subgroup"
        allowAll="Вся организация"
        onLoaded={(subgroups) => setNames(new Map(subgroups.map((g) => [g.id, subgroupLabel(g)])))}
      />
      {list.data?.lockDay ? (
        <p class="ap-muted" data-testid="lock-auto">
          Месяц закрывается автоматически {list.data.lockDay}-го числа следующего месяца.
          {autoClosedLine(list.data, subgroupId, time.timeZone)}
        </p>
      ) : null}
      <div class="ap-grid">
        <InputField
          label="Месяц"
          error={errors.month}
          type="month"
          value={month}
          onValue={setMonth}
          testid="lock-month"
        />
        <InputField
          label="Причина"
          error={errors.reason}
          value={reason}
          onValue={setReason}
          testid="lock-reason"
        />
      </div>
      <AdminError error={error} testid="lock-error" />
      {asking ? (
        <ConfirmPanel
          testid="lock-confirm"
          yesLabel={asking.locked ? 'Закрыть заранее' : 'Открыть всё равно'}
          busy={busy}
          onYes={() => submit(asking.locked, asking.month, true)}
          onNo={() => setAsking(null)}
        >
          {asking.text}
        </ConfirmPanel>
      ) : null}
      <div class="ap-actions">
        <button
          type="button"
          class="ap-btn ap-btn--primary"
          disabled={busy}
          onClick={() => submit(true)}
          data-testid="lock-lock"
        >
          Закрыть месяц
        </button>
        <button
          type="button"
          class="ap-btn"
          disabled={busy}
          onClick={() => submit(false)}
          data-testid="lock-unlock"
        >
          Открыть месяц
        </button>
      </div>
      {apart.length > 0 ? (
        <p class="ap-warn" data-testid="lock-open-apart">
          Месяц закрыт для всей организации, но открыт отдельно для подгрупп: {apart.join('; ')}.
          Чтобы закрыть и их, выберите подгруппу и нажмите «Закрыть месяц».
        </p>
      ) : null}
      {opened.length > 0 ? (
        <div class="ap-warn" data-testid="lock-opened">
          <p>
            Открыты вручную и сами не закроются ({whose(subgroupId || null, names)}). Закройте
            месяц, когда исправления внесены:
          </p>
          <ul class="ap-list">
            {opened.map((l) => (
              <li key={l.id} data-testid={`lock-opened-${l.month}`}>
                <b>{monthLabel(l.month)}</b>
                {l.reason ? ` · ${l.reason}` : ''} · {time.formatInstant(l.at)}{' '}
                <button
                  type="button"
                  class="ap-btn"
                  disabled={busy}
                  onClick={() => submit(true, l.month)}
                  data-testid={`lock-close-${l.month}`}
                >
                  Закрыть
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <AdminError error={list.error} testid="lock-list-error" />
      {list.loading && !list.data ? <Loading testid="lock-list-loading" /> : null}
      <ul class="ap-list" data-testid="lock-list">
        {list.data?.locks.map((l) => (
          <li key={l.id} data-testid={`lock-row-${l.subgroupId ?? 'all'}-${l.month}`}>
            <b>{monthLabel(l.month)}</b> · {whose(l.subgroupId, names)} ·{' '}
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
                {/* The verb agrees with the month, not with the admin, whose gender is unknown (RU2). */}
                {time.formatInstant(l.at)} · {l.byName} · <b>{monthLabel(l.month)}</b> (
                {whose(l.subgroupId, names)}) {l.locked ? 'закрыт' : 'открыт'}
                {l.reason ? ` · ${l.reason}` : ''}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
