// Background Sync for the generated service worker (imported through workbox.importScripts).
// A service worker cannot run RxDB replication itself; when the browser fires the sync event
// (connectivity is back), it tells every open page to push now. The page answers by resyncing.
self.addEventListener('sync', (event) => {
  if (event.tag !== 'otmetka-sync') return;
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((clients) => {
      for (const client of clients) client.postMessage({ type: 'otmetka-sync' });
    }),
  );
});
