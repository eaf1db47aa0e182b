import { todayIn } from '@otmetka/shared';
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

/** The codes a tap steps through, from the register's legend («✓ — присутствовал(а), Н — …»). */
async function tapCycle(page: Page): Promise<string[]> {
  const legend = (await page.locator('[data-testid="roll"] .legend').textContent()) ?? '';
  const list = legend.slice(legend.indexOf(':') + 1);
  return [...list.matchAll(/(\S+) — /g)].map((m) => (m[1] === '✓' ? 'present' : m[1]!));
}

/** The register of the last lesson of the month list dated before today (attendance is open). */
async function openPastLesson(page: Page): Promise<void> {
  const today = todayIn('Asia/Yekaterinburg');
  for (let step = 0; step < 3; step++) {
    const ids = await page
      .locator('[data-testid^="lesson-open-"]')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-testid') ?? ''));
    const past = ids.filter((id) => (/(\d{4}-\d{2}-\d{2})-\d{4}$/.exec(id)?.[1] ?? '') < today);
    if (past.length > 0) {
      await page.getByTestId(past.at(-1)!).click();
      await page.getByTestId('roll').waitFor();
      return;
    }
    const shown = await page.getByTestId('lessons-month').getAttribute('data-month');
    await page.getByTestId('month-prev').click();
    await page.locator(`[data-testid="lessons-month"]:not([data-month="${shown}"])`).waitFor();
  }
  throw new Error('no lesson before today in the last three months');
}

describe('on a teacher’s tablet', () => {
  it('[LS14] quick taps on a slow tablet step a mark once each, and the last one is saved', async () => {
    const device = await newDevice(env.browser, {
      viewport: TABLET[1],
      isMobile: true,
      hasTouch: true,
    });
    const page = await device.newPage();
    await signIn(page, env.server, 'teacher');
    await page.getByTestId('journals').waitFor();
    await page.locator('[data-testid="journals"] a.tile').first().click();
    await page.getByTestId('lessons-month').waitFor();
    await openPastLesson(page);
    const button = page.locator('[data-testid="roll"] button.code:not([disabled])').first();
    await button.waitFor();
    const learner = ((await button.getAttribute('data-testid')) ?? '').slice('mark-'.length);
    const mark = page.getByTestId(`mark-${learner}`);
    const cycle = await tapCycle(page);
    const before = (await mark.getAttribute('data-code')) ?? '';
    const step = (code: string) =>
      code === 'none' ? cycle[0]! : cycle[(cycle.indexOf(code) + 1) % cycle.length]!;
    const expected = step(step(step(before)));

    // A cheap tablet: the taps come faster than the page saves and redraws.
    const cdp = await device.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 6 });
    await mark.evaluate((el: HTMLElement) => {
      el.click();
      el.click();
      el.click();
    });
    await waitFor('the third tap’s code', async () =>
      (await mark.getAttribute('data-code')) === expected ? true : null,
    );
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });

    // What is saved is what the teacher sees: after a reload the register shows the same code.
    await page.reload();
    await page.getByTestId('roll').waitFor();
    await waitFor('the saved code after a reload', async () =>
      (await page.getByTestId(`mark-${learner}`).getAttribute('data-code')) === expected
        ? true
        : null,
    );
    await device.close();
  }, 90_000);

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
