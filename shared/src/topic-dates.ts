import { formatRuDate } from './dates.ts';

/**
 * Where a topic's planned date may fall (TI7, PR8). A plan serves one subgroup's study period,
 * and its lessons only happen inside it, so a date outside is a typo («1900», a year off). Where
 * the period is not known, only dates no plan could mean are refused.
 */

export interface DatePeriod {
  from: string;
  to: string;
}

/** Used when the subgroup's study period is not at hand. */
export const PLAUSIBLE_PLAN_PERIOD: DatePeriod = { from: '2000-01-01', to: '2099-12-31' };

/**
 * Null when `date` (a civil date) is inside the subgroup's study period `period` (or, without
 * one, inside PLAUSIBLE_PLAN_PERIOD); otherwise the Russian reason, naming the allowed range.
 */
export function plannedDateProblem(date: string, period?: DatePeriod): string | null {
  const range = period ?? PLAUSIBLE_PLAN_PERIOD;
  if (date >= range.from && date <= range.to) return null;
  const bounds = `${formatRuDate(range.from)}–${formatRuDate(range.to)}`;
  return period
    ? `дата ${formatRuDate(date)} вне учебного периода подгруппы (${bounds})`
    : `дата ${formatRuDate(date)} вне допустимого диапазона (${bounds})`;
}
