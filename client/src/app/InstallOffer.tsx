import { signal } from '@preact/signals';
import { requestPersistentStorage } from './StorageWarning.tsx';

/**
 * PW1: the app offers to install itself when the browser says it can (Chromium's
 * `beforeinstallprompt`; Safari has no such event, and its «На экран „Домой“» stays the way).
 * An installed app is also what makes a browser keep the journal's storage (StorageWarning).
 * The event can fire before the first render, so it is caught from the entry point.
 */

interface InstallPromptEvent extends Event {
  prompt(): Promise<void>;
  userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

export const installPrompt = signal<InstallPromptEvent | null>(null);

export function listenForInstallPrompt(target: Window = window): void {
  target.addEventListener('beforeinstallprompt', (event) => {
    // Not the browser's own mini-bar: the offer is the app's button, at a calm moment.
    event.preventDefault();
    installPrompt.value = event as InstallPromptEvent;
  });
  target.addEventListener('appinstalled', () => {
    installPrompt.value = null;
    void requestPersistentStorage();
  });
}

export function InstallOffer() {
  const prompt = installPrompt.value;
  if (!prompt) return null;
  // A prompt can be shown once; whatever the answer, the offer goes.
  const install = async () => {
    installPrompt.value = null;
    await prompt.prompt();
    if ((await prompt.userChoice).outcome === 'accepted') void requestPersistentStorage();
  };
  return (
    <div class="banner" role="status" data-testid="install-offer">
      <span>
        Установите «Отметку» на устройство: она будет открываться как приложение, и без сети.
      </span>
      <button type="button" onClick={install} data-testid="install-app">
        Установить
      </button>
      <button
        type="button"
        onClick={() => {
          installPrompt.value = null;
        }}
        data-testid="install-later"
      >
        Не сейчас
      </button>
    </div>
  );
}
