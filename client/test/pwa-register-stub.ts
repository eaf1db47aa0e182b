/**
 * The service worker registration of vite-plugin-pwa exists only in the vite build; tests that
 * render the whole app get this stand-in (vitest.config.ts aliases it): no update waiting.
 */
export function useRegisterSW(_options?: unknown) {
  return {
    needRefresh: [false, (_value: boolean) => {}] as const,
    offlineReady: [false, (_value: boolean) => {}] as const,
    updateServiceWorker: async (_reload?: boolean) => {},
  };
}
