import { describe, expect, it, vi } from 'vitest';
import { applyUpdate, watchForUpdates } from '../src/app/UpdateBanner.tsx';

/** «Обновить» of the update banner (UpdateBanner.tsx), with the service worker API stood in. */

const registrationWith = (waiting: object | null) => ({
  getRegistration: async () => ({ waiting }) as unknown as ServiceWorkerRegistration,
});

describe('update banner', () => {
  it('[UP2] «Обновить» activates the waiting version, which then reloads the page itself', async () => {
    const update = vi.fn(async (_reload?: boolean) => {});
    const reload = vi.fn();
    await applyUpdate(update, registrationWith({ state: 'installed' }), reload);
    expect(update).toHaveBeenCalledWith(true);
    expect(reload).not.toHaveBeenCalled();
  });

  it('[UP2] «Обновить» reloads a tab whose new version another tab already activated', async () => {
    const update = vi.fn(async (_reload?: boolean) => {});
    const reload = vi.fn();
    await applyUpdate(update, registrationWith(null), reload);
    expect(reload).toHaveBeenCalledOnce();
  });

  it('[UP3] an app left open asks for a new version every half hour, back online and shown again; never offline', () => {
    vi.useFakeTimers();
    try {
      const update = vi.fn(async () => undefined);
      const doc = Object.assign(new EventTarget(), { visibilityState: 'hidden' });
      const win = new EventTarget();
      let online = true;
      const stop = watchForUpdates({ update }, 1000, {
        window: win,
        document: doc,
        online: () => online,
      });

      vi.advanceTimersByTime(1000);
      expect(update).toHaveBeenCalledTimes(1);
      win.dispatchEvent(new Event('online'));
      expect(update).toHaveBeenCalledTimes(2);
      doc.dispatchEvent(new Event('visibilitychange'));
      expect(update).toHaveBeenCalledTimes(2);
      doc.visibilityState = 'visible';
      doc.dispatchEvent(new Event('visibilitychange'));
      expect(update).toHaveBeenCalledTimes(3);
      online = false;
      vi.advanceTimersByTime(1000);
      expect(update).toHaveBeenCalledTimes(3);

      stop();
      online = true;
      vi.advanceTimersByTime(5000);
      win.dispatchEvent(new Event('online'));
      expect(update).toHaveBeenCalledTimes(3);
    } finally {
      vi.useRealTimers();
    }
  });
});
