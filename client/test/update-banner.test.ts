import { describe, expect, it, vi } from 'vitest';
import { applyUpdate } from '../src/app/UpdateBanner.tsx';

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
});
