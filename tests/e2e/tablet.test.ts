import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newDevice, serverAndBrowser, signIn, waitFor } from './harness.ts';

/**
 * A teacher's cheap tablet, portrait and landscape (800×1280, 1280×800, touch): what only a
 * real layout shows on the journal's screens.
 */

const TABLET = [
  { width: 800, height: 1280 },
  { width: 1280, height: 800 },
];

const env = serverAndBrowser();

/** Each row of the month's lesson list whose date and time take more than one line. */
function wrappedWhen(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>('[data-testid="lesson-list"] .when'))
      .filter((el) => {
        // One rectangle per line the text takes.
        const range = document.createRange();
        range.selectNodeContents(el);
        const tops = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
        return tops.size > 1;
      })
      .map((el) => el.textContent ?? ''),
  );
}

describe('on a teacher’s tablet', () => {
  it('[LS11] the month’s lesson list shows each lesson’s date and time on one line, portrait and landscape', async () => {
    const device = await newDevice(env.browser, { viewport: TABLET[0], isMobile: true });
    const page = await device.newPage();
    await signIn(page, env.server, 'teacher');
    await page.getByTestId('journals').waitFor();
    await page.locator('[data-testid="journals"] a.tile').first().click();
    await waitFor('the month’s lessons', async () =>
      (await page.locator('[data-testid="lesson-list"] .when').count()) > 0 ? true : null,
    );

    for (const viewport of TABLET) {
      await page.setViewportSize(viewport);
      expect(await wrappedWhen(page), `${viewport.width}×${viewport.height}`).toEqual([]);
    }
    await device.close();
  }, 90_000);
});
