import { signal } from '@preact/signals';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { linkTabs } from '../src/sync/tabs.ts';

/**
 * SY3 between two tabs of one teacher, on Node's BroadcastChannel: the leading tab's status
 * reaches the other, a ⟳ in the other runs the leader's sync, and a tab that takes the lead
 * tells the others at once.
 */

type Tab = ReturnType<typeof tab>;
const open: { close: () => void }[] = [];

afterEach(() => {
  for (const link of open.splice(0)) link.close();
});

function tab(userId: string) {
  let leads = false;
  let crown: () => void = () => {};
  const crowned = new Promise<void>((resolve) => {
    crown = resolve;
  });
  const status = {
    online: signal(true),
    lastSyncAt: signal<number | null>(null),
    error: signal<string | null>(null),
  };
  const rx = {
    multiInstance: true,
    isLeader: () => leads,
    waitForLeadership: () => crowned,
  };
  const resync = vi.fn();
  const link = linkTabs(
    { status: status as never, db: { rx, user: { id: userId } } },
    resync,
    () => {},
  )!;
  open.push(link);
  const lead = () => {
    leads = true;
    crown();
  };
  return { status, link, resync, lead };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('tabs of one teacher', () => {
  it('[SY3] the leader’s status reaches the other tab, whose ⟳ makes the leader sync', async () => {
    const leader: Tab = tab('teacher-1');
    leader.lead();
    const other: Tab = tab('teacher-1');
    await settle();

    leader.status.online.value = false;
    leader.status.lastSyncAt.value = 1_700_000_000_000;
    await settle();
    expect(other.status.online.value).toBe(false);
    expect(other.status.lastSyncAt.value).toBe(1_700_000_000_000);

    other.link.askLeader();
    await settle();
    expect(leader.resync).toHaveBeenCalledTimes(1);
    expect(other.resync).not.toHaveBeenCalled();
  });

  it('[SY3] a tab that takes the lead tells the others its status at once', async () => {
    const next: Tab = tab('teacher-2');
    const other: Tab = tab('teacher-2');
    next.status.error.value = 'Сервер недоступен';
    await settle();
    expect(other.status.error.value).toBeNull();

    next.lead();
    await settle();
    expect(other.status.error.value).toBe('Сервер недоступен');
  });

  it('[SY3] another teacher’s tabs hear nothing', async () => {
    const leader: Tab = tab('teacher-3');
    leader.lead();
    const stranger: Tab = tab('teacher-4');
    await settle();
    leader.status.online.value = false;
    await settle();
    expect(stranger.status.online.value).toBe(true);
  });
});
