import { render } from 'preact';
import { App } from './app/App.tsx';
import { listenForInstallPrompt } from './app/InstallOffer.tsx';
import { requestPersistentStorage } from './app/StorageWarning.tsx';
import { Session } from './sync/session.ts';
import './styles.css';

/**
 * Entry point. The session comes from local storage, so after the first sign-in the journal
 * opens with no network: the shell from the service worker, the data from IndexedDB.
 */
const session = new Session({ baseUrl: '' });
void requestPersistentStorage();
listenForInstallPrompt();
render(<App session={session} />, document.getElementById('app')!);
