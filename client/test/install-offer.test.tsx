// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { InstallOffer, installPrompt, listenForInstallPrompt } from '../src/app/InstallOffer.tsx';

/**
 * The install offer against the browser's event as Chromium sends it (an Event with prompt()
 * and userChoice); headless Chromium never sends one, so the event is made here.
 */

function installEvent(outcome: 'accepted' | 'dismissed') {
  const event = new Event('beforeinstallprompt', { cancelable: true });
  const calls = { prompted: 0 };
  Object.assign(event, {
    prompt: async () => {
      calls.prompted++;
    },
    userChoice: Promise.resolve({ outcome }),
  });
  return { event, calls };
}

afterEach(() => {
  cleanup();
  installPrompt.value = null;
});

describe('installing the app', () => {
  listenForInstallPrompt(window);

  it('[PW1] offers to install once the browser can, and asks the browser once', async () => {
    render(<InstallOffer />);
    expect(screen.queryByTestId('install-offer')).toBeNull();

    const { event, calls } = installEvent('accepted');
    window.dispatchEvent(event);
    expect(event.defaultPrevented).toBe(true);
    fireEvent.click(await screen.findByTestId('install-app'));

    await waitFor(() => expect(screen.queryByTestId('install-offer')).toBeNull());
    expect(calls.prompted).toBe(1);
  });

  it('[PW1] «Не сейчас» hides the offer without asking; an installed app hides it too', async () => {
    render(<InstallOffer />);
    const { event, calls } = installEvent('dismissed');
    window.dispatchEvent(event);
    fireEvent.click(await screen.findByTestId('install-later'));
    await waitFor(() => expect(screen.queryByTestId('install-offer')).toBeNull());
    expect(calls.prompted).toBe(0);

    window.dispatchEvent(installEvent('dismissed').event);
    await screen.findByTestId('install-offer');
    window.dispatchEvent(new Event('appinstalled'));
    await waitFor(() => expect(screen.queryByTestId('install-offer')).toBeNull());
  });
});
