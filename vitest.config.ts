import { defineConfig } from 'vitest/config';

// One run covers every package and the cross-part tests; each project keeps its own environment.
export default defineConfig({
  test: {
    // The JSON report lets .ci/run print one plain "N passed, N failed" line.
    reporters: ['default', ['json', { outputFile: '.tmp/vitest-report.json' }]],
    projects: [
      { test: { name: 'shared', include: ['shared/test/**/*.test.ts'] } },
      {
        test: {
          name: 'sync-server',
          include: ['sync-server/test/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The app shell imports vite-plugin-pwa's virtual module, which only its build provides.
        resolve: {
          alias: {
            'virtual:pwa-register/preact': new URL(
              './client/test/pwa-register-stub.ts',
              import.meta.url,
            ).pathname,
          },
        },
        test: {
          name: 'client',
          include: ['client/test/**/*.test.{ts,tsx}'],
          setupFiles: ['client/test/setup.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'tests',
          include: ['tests/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
