import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import type { Plugin } from 'vite';
import { defineConfig } from 'vite';
import type { ManifestOptions } from 'vite-plugin-pwa';
import { VitePWA } from 'vite-plugin-pwa';

const here = dirname(fileURLToPath(import.meta.url));
const manifestDir = join(here, '..', 'manifest');

/** The manifest's single source is manifest/manifest.json (owned by the manifest part). */
const manifest = JSON.parse(
  readFileSync(join(manifestDir, 'manifest.json'), 'utf8'),
) as Partial<ManifestOptions>;

/**
 * Copies manifest/icons/*.png into dist/icons at build time, before the service worker is
 * generated, so the icons are precached with the shell and the installed app has them offline.
 */
function manifestIcons(): Plugin {
  return {
    name: 'otmetka-manifest-icons',
    apply: 'build',
    generateBundle() {
      const iconDir = join(manifestDir, 'icons');
      for (const file of readdirSync(iconDir).filter((f) => f.endsWith('.png'))) {
        this.emitFile({
          type: 'asset',
          fileName: `icons/${file}`,
          source: readFileSync(join(iconDir, file)),
        });
      }
    },
  };
}

export default defineConfig({
  root: here,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Tablets in schools run evergreen Chromium/Safari; ES2022 keeps the bundle small.
    target: 'es2022',
    rolldownOptions: {
      output: {
        codeSplitting: {
          // zod and the schemas built with it serve the sync and admin code, which load after
          // the journal opens. Left to itself the bundler puts them in one chunk with the
          // zod-free format checks the journal needs at once, and the first paint waits for
          // all of zod (about 28 KB gzip).
          groups: [
            {
              name: 'schemas',
              includeDependenciesRecursively: false,
              // The shared modules built with zod, and zod.ts, which configures zod for the
              // browser: in this chunk it runs after zod and before every schema (SC11).
              test: /node_modules[\\/]zod[\\/]|shared[\\/]src[\\/](zod|schemas[\\/](primitives|catalog|journal|registry)|protocol|api)\.ts/,
            },
          ],
        },
      },
    },
  },
  server: {
    host: '127.0.0.1',
    // In `npm run dev -w @otmetka/client` the API lives on the sync server (default port 8080).
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
  plugins: [
    preact(),
    manifestIcons(),
    VitePWA({
      // generateSW: Workbox writes the whole service worker; we only configure it.
      strategies: 'generateSW',
      // 'prompt': a new version waits until the teacher presses «Обновить» in the banner, so an
      // update never reloads the page in the middle of marking a lesson.
      registerType: 'prompt',
      // The app registers the worker itself through `virtual:pwa-register` (UpdateBanner.tsx).
      injectRegister: false,
      manifest,
      manifestFilename: 'manifest.webmanifest',
      // The icons come from manifestIcons() above, not from public/.
      includeManifestIcons: false,
      // Service worker off in `vite dev` unless asked for: a dev worker caches stale modules.
      devOptions: { enabled: process.env.PWA_DEV === '1', type: 'module' },
      workbox: {
        // Precache the app shell only: the built JS, CSS, HTML, icons and the manifest. Journal
        // data never goes through the HTTP cache; it lives in IndexedDB (RxDB).
        globPatterns: ['**/*.{js,css,html,png,svg,webmanifest}'],
        // Offline, every navigation (a reload on #/… or a deep link) gets the cached shell.
        navigateFallback: '/index.html',
        // API calls must reach the network (or fail, which the sync layer treats as offline);
        // serving them the shell would hand HTML to a JSON parser.
        navigateFallbackDenylist: [/^\/api\//],
        // A fresh install takes control of the open page at once, so the first session is
        // already offline-capable without a second reload.
        clientsClaim: true,
        // Waiting workers are activated only by the update banner (registerType 'prompt').
        skipWaiting: false,
        // Old precaches from previous versions are deleted on activation, freeing quota.
        cleanupOutdatedCaches: true,
        // Background Sync: the worker can only wake the page, which then runs replication.
        importScripts: ['sw-sync.js'],
        // The largest chunk (RxDB + app) stays under Workbox's precache size limit: 4 MiB.
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
      },
    }),
  ],
});
