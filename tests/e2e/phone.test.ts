import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newDevice, serverAndBrowser, signIn } from './harness.ts';

/**
 * A phone (390×844): parents read the diary on one, and a teacher may open the journal on one.
 * Nothing may need a sideways scroll of the whole page: a control past the right edge is one a
 * parent never finds.
 */

const PHONE = { width: 390, height: 844 };

const env = serverAndBrowser();

/** What sticks out past the right edge of the viewport, outside any scrolling box. */
function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const scrolls = (el: Element | null): boolean => {
      for (let p = el?.parentElement; p; p = p.parentElement) {
        if (getComputedStyle(p).overflowX !== 'visible') return true;
      }
      return false;
    };
    return Array.from(document.querySelectorAll('body *'))
      .filter((el) => el.getBoundingClientRect().right > width + 1 && !scrolls(el))
      .map((el) => (el as HTMLElement).dataset.testid ?? el.tagName);
  });
}

describe('on a phone', () => {
  it('the parent’s diary fits the width: month navigation and picker included', async () => {
    const device = await newDevice(env.browser, { viewport: PHONE });
    const page = await device.newPage();
    await signIn(page, env.server, 'parent');
    await page.getByTestId('diary-content').waitFor();

    expect(await overflowing(page)).toEqual([]);
    const next = await page.getByTestId('diary-next').boundingBox();
    expect(next && next.x + next.width).toBeLessThanOrEqual(PHONE.width);
    await device.close();
  }, 90_000);
});
