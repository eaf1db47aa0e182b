import { monthOf } from '@otmetka/shared';
import type { SubgroupView } from '@otmetka/shared/api';
import { useEffect, useState } from 'preact/hooks';
import { useOrgTime } from '../org-time.ts';
import { useAdmin } from './context.ts';
import { InputField, SelectField } from './form.tsx';
import { AdminError, useLoad } from './ui.tsx';

/**
 * How a subgroup reads in the pickers: its programme first, then its own name. Names repeat
 * across programmes («Группа 1» in each), so the programme is what tells them apart; the list
 * comes sorted by programme, so it reads as programmes with their groups.
 */
export function subgroupLabel(s: Pick<SubgroupView, 'name' | 'programmeName'>): string {
  return s.programmeName ? `${s.programmeName} — ${s.name}` : s.name;
}

/**
 * The subgroup selector of the schedule, roster, lock, refusal, audit and report tabs. The
 * choice is shared through the admin context, so moving between tabs keeps the subgroup.
 */
export function SubgroupPicker({
  testid,
  allowAll,
  onLoaded,
}: {
  testid: string;
  /** Offer «Все подгруппы» (value ''). */
  allowAll?: string;
  onLoaded?: (subgroups: SubgroupView[]) => void;
}) {
  const { api, subgroupId, selectSubgroup, ensureSubgroup } = useAdmin();
  const list = useLoad(() => api.listSubgroups(), [api]);
  const subgroups = list.data?.subgroups;

  // Open the first subgroup when none is chosen yet, so the tab shows something useful at once.
  useEffect(() => {
    if (!subgroups) return;
    onLoaded?.(subgroups);
    if (!allowAll) ensureSubgroup(subgroups.map((s) => s.id));
  }, [subgroups]);

  const options = (subgroups ?? []).map((s) => ({ value: s.id, label: subgroupLabel(s) }));
  if (allowAll) options.unshift({ value: '', label: allowAll });

  return (
    <div class="ap-picker">
      <SelectField
        label="Подгруппа"
        value={subgroupId}
        onValue={selectSubgroup}
        testid={testid}
        options={options}
      />
      <AdminError error={list.error} testid={`${testid}-error`} />
      {subgroups && subgroups.length === 0 ? (
        <p class="ap-muted">Подгрупп пока нет — создайте их во вкладке «Подгруппы».</p>
      ) : null}
    </div>
  );
}

/** The month a табель screen opens on: this month in the organisation's zone. */
export function useThisMonth(): [string, (month: string) => void] {
  const time = useOrgTime();
  return useState(() => monthOf(time.today()));
}

/**
 * A subgroup and a month of it, side by side: what the табель screens (reports, a mark's
 * history) show. Test ids: `${testid}-subgroup`, `${testid}-month`.
 */
export function SubgroupMonthFilter({
  testid,
  month,
  onMonth,
}: {
  testid: string;
  month: string;
  onMonth: (month: string) => void;
}) {
  return (
    <div class="ap-filters">
      <SubgroupPicker testid={`${testid}-subgroup`} />
      <InputField
        label="Месяц"
        type="month"
        value={month}
        onValue={onMonth}
        testid={`${testid}-month`}
      />
    </div>
  );
}
