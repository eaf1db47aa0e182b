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

const PHONE = { width: 390, height: 844 };

const env = serverAndBrowser();

/**
 * The visible controls smaller than a fingertip's 44×44 px. A checkbox, radio or file input
 * counts by its label, which takes the tap.
 */
function smallControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const selector =
      'button, a[href], input:not([type=hidden]), select, textarea, [role=button], summary';
    const byLabel = new Set(['checkbox', 'radio', 'file']);
    return Array.from(document.querySelectorAll<HTMLElement>(selector))
      .map((el) => {
        const label = el.closest('label');
        const input = el as HTMLInputElement;
        const target = label && byLabel.has(input.type) ? label : el;
        return { el, box: target.getBoundingClientRect() };
      })
      .filter(({ el, box }) => box.width > 0 && getComputedStyle(el).visibility !== 'hidden')
      .filter(({ box }) => box.width < 44 || box.height < 44)
      .map(({ el, box }) => {
        const name = el.dataset.testid ?? (el.textContent ?? '').trim().slice(0, 30);
        return `${el.tagName.toLowerCase()} «${name}» ${Math.round(box.width)}×${Math.round(box.height)}`;
      });
  });
}

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

  it('[LS13] every control of the journal’s screens takes a fingertip (44×44 px), on a tablet and a phone', async () => {
    for (const viewport of [...TABLET, PHONE]) {
      const device = await newDevice(env.browser, { viewport, isMobile: true, hasTouch: true });
      const page = await device.newPage();
      const at = async (screen: string) => [
        screen,
        `${viewport.width}×${viewport.height}`,
        ...(await smallControls(page)),
      ];
      const screens: string[][] = [];
      await signIn(page, env.server, 'teacher');
      await page.getByTestId('journals').waitFor();
      screens.push(await at('journals'));
      await page.locator('[data-testid="journals"] a.tile').first().click();
      await page.getByTestId('lessons-month').waitFor();
      screens.push(await at('month'));
      await page.locator('[data-testid^="lesson-open-"]').first().click();
      await page.getByTestId('roll').waitFor();
      screens.push(await at('lesson'));
      await page.getByTestId('lesson-status-cancelled').click();
      await page.getByTestId('lesson-status-dialog').waitFor();
      screens.push(await at('lesson status dialog'));
      // Leaves the lesson as it was: the dialog's «Отмена».
      await page.getByTestId('lesson-status-cancel').click();
      await page.goBack();
      await page.getByTestId('tab-topics').click();
      await page.getByTestId('topics').waitFor();
      screens.push(await at('topics'));

      expect(screens.filter((s) => s.length > 2)).toEqual([]);
      await device.close();
    }
  }, 180_000);
});
