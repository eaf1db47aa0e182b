import { useEffect, useMemo, useState } from 'preact/hooks';
import { parentApi, SLOW_AFTER_MS } from '../../api/parent.ts';
import { OrgTimeZone } from '../org-time.ts';
import '../admin/admin.css';
import type { ScreenSession } from '../admin/context.ts';
import { OfflineBanner, TabBar, useOnline } from '../admin/ui.tsx';
import './parent.css';
import { CatalogueScreen } from './CatalogueScreen.tsx';
import { ParentContext, type ParentContextValue } from './context.ts';
import { DiaryScreen } from './DiaryScreen.tsx';
import { MyApplications } from './MyApplications.tsx';

/**
 * The parent's part of the PWA: the catalogue (apply for a place), the applications with their
 * status, and the child's diary, which stays readable offline from the last answer.
 */

const TABS = [
  ['diary', 'Дневник'],
  ['applications', 'Мои заявки'],
  ['catalog', 'Кружки и секции'],
] as const;

type Tab = (typeof TABS)[number][0];

/** How often screens showing a copy for want of a network ask the server again. */
export const OFFLINE_RETRY_MS = 10_000;

/**
 * `slowAfterMs`: how long a read waits for the server before showing the kept copy (PD8);
 * `offlineRetryMs`: how often, while a copy is shown for want of a network, it asks again (PD7).
 */
export function ParentApp({
  session,
  slowAfterMs = SLOW_AFTER_MS,
  offlineRetryMs = OFFLINE_RETRY_MS,
}: {
  session: ScreenSession;
  slowAfterMs?: number;
  offlineRetryMs?: number;
}) {
  const [tab, setTab] = useState<Tab>('diary');
  const [version, setVersion] = useState(0);
  const online = useOnline();
  const api = useMemo(
    () => parentApi(session.fetchApi, session.user.id, slowAfterMs),
    [session.fetchApi, session.user.id, slowAfterMs],
  );

  const changed = () => setVersion((v) => v + 1);
  // PD7: back online, every screen asks again, so no copy stays labelled «Нет связи» (or stale
  // without a label) while the network is there.
  useEffect(() => {
    window.addEventListener('online', changed);
    const retry = setInterval(() => {
      if (document.visibilityState === 'visible' && api.takeUnreachable()) changed();
    }, offlineRetryMs);
    return () => {
      window.removeEventListener('online', changed);
      clearInterval(retry);
    };
  }, [api, offlineRetryMs]);

  const value: ParentContextValue = { user: session.user, api, version, changed };

  return (
    <OrgTimeZone.Provider value={session.user.timeZone}>
      <ParentContext.Provider value={value}>
        <div class="ap-app" data-testid="parent-app">
          <TabBar tabs={TABS} current={tab} label="Разделы" testid="parent-tab" onOpen={setTab} />
          {online ? null : (
            <OfflineBanner
              text="Нет связи с сервером — показано то, что сохранено на этом устройстве"
              testid="parent-offline"
            />
          )}
          <main class="ap-main">
            {tab === 'diary' ? <DiaryScreen /> : null}
            {tab === 'applications' ? (
              <MyApplications onCatalogue={() => setTab('catalog')} />
            ) : null}
            {tab === 'catalog' ? (
              <CatalogueScreen onApplied={() => setTab('applications')} />
            ) : null}
          </main>
        </div>
      </ParentContext.Provider>
    </OrgTimeZone.Provider>
  );
}
