import { render } from 'preact';
import { App } from './app/App.tsx';
import { listenForInstallPrompt } from './app/InstallOffer.tsx';
import { requestPersistentStorage } from './app/StorageWarning.tsx';
import { durableKv } from './sync/durable-kv.ts';
import { defaultStore, Session } from './sync/session.ts';
import './styles.css';

/**
 * Entry point. The session comes from local storage, checked against its durable copy in
 * IndexedDB (SO4), so after the first sign-in the journal opens with no network, even after the
 * browser was killed: the shell from the service worker, the data from IndexedDB.
 */
const session = new Session({ baseUrl: '' }, defaultStore(), durableKv());
void requestPersistentStorage();
listenForInstallPrompt();
// An IndexedDB that does not answer (a stuck open) must not leave the screen blank: the first
// screen then comes from localStorage, and the copy settles it when it answers.
const settled = Promise.race([session.restore(), new Promise((r) => setTimeout(r, 2000))]);
void settled.finally(() => {
  render(<App session={session} />, document.getElementById('app')!);
});
