import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { adminApi } from '../../api/admin.ts';
import { reportsApi } from '../../api/reports.ts';
import { OrgTimeZone } from '../org-time.ts';
import './admin.css';
import { ApplicationsBoard } from './ApplicationsBoard.tsx';
import { AuditScreen } from './AuditScreen.tsx';
import {
  ADMIN_TABS,
  AdminContext,
  type AdminContextValue,
  type AdminTab,
  type ScreenSession,
} from './context.ts';
import { LocksScreen } from './LocksScreen.tsx';
import { ProgrammesScreen } from './ProgrammesScreen.tsx';
import { RefusalsScreen } from './RefusalsScreen.tsx';
import { ReportsScreen } from './ReportsScreen.tsx';
import { RosterScreen } from './RosterScreen.tsx';
import { ScheduleEditor } from './ScheduleEditor.tsx';
import { SubgroupsScreen } from './SubgroupsScreen.tsx';
import { TeacherRegistry } from './TeacherRegistry.tsx';
import { OFFLINE_ADMIN_TEXT, OfflineBanner, TabBar, useOnline } from './ui.tsx';
import { UnsavedContext, UnsavedEdits } from './unsaved.ts';

/**
 * The organisation admin's part of the PWA. It works online only: the registry holds personal
 * data that must not be stored on a device, so nothing here is cached, and the screen says so
 * when the network is missing instead of showing stale or empty lists.
 */
export function AdminApp({ session }: { session: ScreenSession }) {
  const [tab, setTab] = useState<AdminTab>('teachers');
  const tabs = useRef<HTMLElement>(null);
  // AS12: on a phone the sections scroll sideways; the open one is kept in view (a section
  // opened from another, as the refused edits open a mark's history, may be off screen).
  useEffect(() => {
    tabs.current
      ?.querySelector('[aria-current="page"]')
      ?.scrollIntoView?.({ block: 'nearest', inline: 'nearest' });
  }, [tab]);
  const [subgroupId, setSubgroupId] = useState('');
  const [auditDocId, setAuditDocId] = useState('');
  const online = useOnline();

  const api = useMemo(() => adminApi(session.fetchApi), [session.fetchApi]);
  const reports = useMemo(() => reportsApi(session.fetchApi), [session.fetchApi]);

  const edits = useMemo(() => new UnsavedEdits(), []);
  useEffect(() => {
    const warn = (event: BeforeUnloadEvent) => {
      if (edits.any) event.preventDefault();
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [edits]);
  const openTab = (next: AdminTab) => {
    if (next !== tab && edits.mayLeave()) setTab(next);
  };

  const value: AdminContextValue = {
    user: session.user,
    api,
    reports,
    subgroupId,
    selectSubgroup: (id) => {
      if (id !== subgroupId && edits.mayLeave()) setSubgroupId(id);
    },
    // Functional update: a choice made while the list was loading must not be overwritten.
    ensureSubgroup: (ids) =>
      setSubgroupId((current) => (ids.includes(current) ? current : (ids[0] ?? ''))),
    auditDocId,
    go: (next, options = {}) => {
      if (!edits.mayLeave()) return;
      if (options.subgroupId !== undefined) setSubgroupId(options.subgroupId);
      if (options.docId !== undefined) setAuditDocId(options.docId);
      setTab(next);
    },
  };

  return (
    <OrgTimeZone.Provider value={session.user.timeZone}>
      <AdminContext.Provider value={value}>
        <UnsavedContext.Provider value={edits}>
          <div class="ap-app" data-testid="admin-app">
            <TabBar
              tabs={ADMIN_TABS}
              current={tab}
              label="Разделы администратора"
              testid="admin-tab"
              onOpen={openTab}
              navRef={tabs}
            />
            {online ? null : <OfflineBanner text={OFFLINE_ADMIN_TEXT} testid="admin-offline" />}
            <main class="ap-main">
              <AdminTabView tab={tab} />
            </main>
          </div>
        </UnsavedContext.Provider>
      </AdminContext.Provider>
    </OrgTimeZone.Provider>
  );
}

function AdminTabView({ tab }: { tab: AdminTab }) {
  switch (tab) {
    case 'teachers':
      return <TeacherRegistry />;
    case 'programmes':
      return <ProgrammesScreen />;
    case 'subgroups':
      return <SubgroupsScreen />;
    case 'schedule':
      return <ScheduleEditor />;
    case 'applications':
      return <ApplicationsBoard />;
    case 'roster':
      return <RosterScreen />;
    case 'locks':
      return <LocksScreen />;
    case 'refusals':
      return <RefusalsScreen />;
    case 'audit':
      return <AuditScreen />;
    case 'reports':
      return <ReportsScreen />;
  }
}
