import type { SessionUser } from '@otmetka/shared';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { AdminApi } from '../../api/admin.ts';
import type { FetchApi } from '../../api/http.ts';
import type { ReportsApi } from '../../api/reports.ts';

/** What the app shell hands to the admin and parent screens. */
export interface ScreenSession {
  user: SessionUser;
  fetchApi: FetchApi;
}

export interface AdminContextValue {
  user: SessionUser;
  api: AdminApi;
  reports: ReportsApi;
  /** The subgroup the admin works on, shared by the schedule, roster, lock and report tabs. */
  subgroupId: string;
  selectSubgroup: (id: string) => void;
  /** Opens the first of `ids` unless the chosen subgroup is among them (reads the latest choice). */
  ensureSubgroup: (ids: string[]) => void;
  /** Switches tab, optionally opening a subgroup or a mark's history there. */
  go: (tab: AdminTab, options?: { subgroupId?: string; docId?: string }) => void;
  /** The mark or lesson id whose history the audit tab shows. */
  auditDocId: string;
}

export const ADMIN_TABS = [
  ['teachers', 'Педагоги'],
  ['programmes', 'Программы'],
  ['subgroups', 'Подгруппы'],
  ['schedule', 'Расписание'],
  ['applications', 'Заявки'],
  ['roster', 'Состав'],
  ['locks', 'Закрытие месяцев'],
  ['refusals', 'Отклонённые правки'],
  ['audit', 'История отметки'],
  ['reports', 'Отчёты'],
] as const;

export type AdminTab = (typeof ADMIN_TABS)[number][0];

export const AdminContext = createContext<AdminContextValue | null>(null);

export function useAdmin(): AdminContextValue {
  const value = useContext(AdminContext);
  if (!value) throw new Error('useAdmin outside AdminApp');
  return value;
}
