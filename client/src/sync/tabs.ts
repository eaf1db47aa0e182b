import type { Ctx } from './context.ts';

/** What linkTabs needs of the RxDB database (a test passes its own). */
interface TabsRx {
  multiInstance: boolean;
  isLeader(): boolean;
  waitForLeadership(): Promise<unknown>;
}

type TabMessage =
  | { kind: 'hello' }
  | { kind: 'syncNow' }
  | { kind: 'status'; online: boolean; lastSyncAt: number | null; error: string | null };

/**
 * SY3: the tabs of one teacher share one replication, RxDB's leader's; the others showed their
 * own guesses («В сети» while the leader could not reach the server, the last sync of when they
 * opened) and their ⟳ sent nothing. Over a BroadcastChannel the leader tells the others its
 * status whenever it changes, when it takes the lead and to a tab that says hello, and runs a
 * sync another tab asks for. A device without BroadcastChannel, or a single-instance database,
 * keeps the tab alone.
 */
export function linkTabs(
  ctx: Pick<Ctx, 'status'> & { db: { rx: TabsRx; user: { id: string } } },
  resync: () => void,
  reconnect: () => void,
): { askLeader: () => void; close: () => void } | null {
  const rx = ctx.db.rx;
  if (!rx.multiInstance || typeof BroadcastChannel === 'undefined') return null;
  const channel = new BroadcastChannel(`otmetka-sync-${ctx.db.user.id}`);
  const { online, lastSyncAt, error } = ctx.status;
  let closed = false;
  const post = (message: TabMessage) => {
    if (!closed) channel.postMessage(message);
  };
  const tell = () => {
    if (!rx.isLeader()) return;
    post({
      kind: 'status',
      online: online.value ?? true,
      lastSyncAt: lastSyncAt.value ?? null,
      error: error.value ?? null,
    });
  };

  channel.onmessage = (event: MessageEvent<TabMessage>) => {
    const message = event.data;
    if (message.kind === 'status' && !rx.isLeader()) {
      online.value = message.online;
      lastSyncAt.value = message.lastSyncAt;
      error.value = message.error;
    } else if (message.kind === 'syncNow' && rx.isLeader()) {
      resync();
      reconnect();
    } else if (message.kind === 'hello') {
      tell();
    }
  };
  const stops = [online, lastSyncAt, error].map((signal) => signal.subscribe(tell));
  post({ kind: 'hello' });
  // A tab that takes the lead (the leading one closed) tells the others at once.
  void rx.waitForLeadership().then(tell, () => {});
  return {
    askLeader: () => {
      if (!rx.isLeader()) post({ kind: 'syncNow' });
    },
    close: () => {
      closed = true;
      for (const stop of stops) stop();
      channel.close();
    },
  };
}
