import { render } from 'preact';
import { App } from './app/App.tsx';
import { listenForInstallPrompt } from './app/InstallOffer.tsx';
import { requestPersistentStorage } from './app/StorageWarning.tsx';
import { defaultStore, Session } from './sync/session.ts';
import { indexedDbMirror } from './sync/session-mirror.ts';
import './styles.css';

/**
 * Entry point. The session comes from local storage, checked against its durable copy in
 * IndexedDB (SO4), so after the first sign-in the journal opens with no network, even after the
 * browser was killed: the shell from the service worker, the data from IndexedDB.
 */
const session = new Session({ baseUrl: '' }, defaultStore(), indexedDbMirror());
void requestPersistentStorage();
listenForInstallPrompt();
void session.restore().finally(() => {
  render(<App session={session} />, document.getElementById('app')!);
});
