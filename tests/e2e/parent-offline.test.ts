import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newDevice, serverAndBrowser, signIn, waitFor, waitForServiceWorker } from './harness.ts';

/**
 * A mother of two on a cheap phone (360×740) where the signal comes and goes: she reads the
 * second child's previous month, looks at the catalogue, loses the network, reloads the app,
 * tries to apply, gets the network back and finally signs out of a phone the family shares.
 */

const PHONE = { width: 360, height: 740 };

const env = serverAndBrowser();

/** The keys left in the parent's API cache (IndexedDB) of this device. */
function keptKeys(page: Page): Promise<string[]> {
  return page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open('otmetka-api-cache', 1);
        open.onupgradeneeded = () => open.result.createObjectStore('entries');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const keys = open.result.transaction('entries').objectStore('entries').getAllKeys();
          keys.onsuccess = () => {
            open.result.close();
            resolve(keys.result.map(String));
          };
        };
      }),
  );
}

async function shownView(page: Page) {
  await page.getByTestId('diary-content').waitFor();
  return {
    child: await page.locator('select[data-testid=diary-child]').inputValue(),
    month: await page.getByTestId('diary-month').textContent(),
  };
}

describe('a parent’s phone with an unreliable signal', () => {
  it('[PD5][PD6][PD7][AP9] the diary reopens offline where it was, the catalogue reads offline, applying offline says it was not sent', async () => {
    const device = await newDevice(env.browser, { viewport: PHONE });
    const page = await device.newPage();
    await signIn(page, env.server, 'parent');
    const first = await shownView(page);
    await waitForServiceWorker(page);

    // The second child, the month before.
    const children = page.locator('select[data-testid=diary-child] option');
    const second = await children.nth(1).getAttribute('value');
    await page.locator('select[data-testid=diary-child]').selectOption(second!);
    await page.getByTestId('diary-prev').click();
    await waitFor('the second child’s previous month', async () => {
      const view = await shownView(page);
      return view.child === second && view.month !== first.month && view;
    });
    const chosen = await shownView(page);
    await page.getByTestId('parent-tab-catalog').click();
    await page.locator('[data-testid^=catalog-apply-]').first().waitFor();

    // No signal; the app is reloaded.
    await device.setOffline(true);
    await page.reload();
    expect(await shownView(page)).toEqual(chosen);
    await page.getByTestId('diary-stale').waitFor();

    await page.getByTestId('parent-tab-catalog').click();
    expect(await page.getByTestId('catalog-stale').textContent()).toMatch(/^Нет связи\. Данные на/);
    await page.locator('[data-testid^=catalog-apply-]').first().click();
    await page.getByTestId('apply-offline').waitFor();
    await page.getByTestId('apply-submit').click();
    expect(await page.getByTestId('apply-error').textContent()).toMatch(
      /^Заявка не отправлена: нет связи с сервером/,
    );
    await page.getByTestId('apply-cancel').click();

    // The signal is back: the diary asks again and is no longer labelled «Нет связи».
    await page.getByTestId('parent-tab-diary').click();
    await page.getByTestId('diary-stale').waitFor();
    await device.setOffline(false);
    await page.getByTestId('diary-stale').waitFor({ state: 'detached' });
    expect(await shownView(page)).toEqual(chosen);

    // A shared phone: nothing of this family stays behind, and the next sign-in starts afresh.
    expect((await keptKeys(page)).length).toBeGreaterThan(0);
    await page.getByTestId('logout').click();
    await page.getByTestId('signin-form').waitFor();
    await waitFor('the kept answers to leave the device', async () =>
      (await keptKeys(page)).length === 0 ? true : null,
    );
    await signIn(page, env.server, 'parent');
    expect(await shownView(page)).toEqual(first);
    await device.close();
  }, 150_000);
});
