import type { SubgroupView } from '@otmetka/shared/api';
import { useEffect } from 'preact/hooks';
import { useAdmin } from './context.ts';
import { AdminError, Field, Select, useLoad } from './ui.tsx';

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
      <Field label="Подгруппа" testid={testid}>
        <Select value={subgroupId} onValue={selectSubgroup} testid={testid} options={options} />
      </Field>
      <AdminError error={list.error} testid={`${testid}-error`} />
      {subgroups && subgroups.length === 0 ? (
        <p class="ap-muted">Подгрупп пока нет — создайте их во вкладке «Подгруппы».</p>
      ) : null}
    </div>
  );
}
