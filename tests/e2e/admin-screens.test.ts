import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  api,
  apiLogin,
  LANDSCAPE,
  newDevice,
  PORTRAIT,
  serverAndBrowser,
  signIn,
} from './harness.ts';

/**
 * The admin's screens as Chromium lays them out: what a unit test in happy-dom cannot see
 * (widths, what a closed select shows).
 */

const env = serverAndBrowser();

interface PickerLayout {
  labels: string[];
  /** The select's width on screen. */
  width: number;
  /** The width the select needs to show its longest option whole (its max-content width). */
  needed: number;
}

/** A subgroup select's options and whether its longest option fits when chosen. */
function pickerLayout(page: Page, testid: string): Promise<PickerLayout> {
  return page.getByTestId(testid).evaluate((el) => {
    const select = el as HTMLSelectElement;
    const probe = select.cloneNode(true) as HTMLSelectElement;
    probe.style.width = 'max-content';
    probe.style.minWidth = '0';
    probe.style.maxWidth = 'none';
    probe.style.position = 'absolute';
    // Beside the select, so it inherits the same font.
    select.after(probe);
    const needed = probe.getBoundingClientRect().width;
    probe.remove();
    return {
      labels: Array.from(select.options, (o) => o.text),
      width: select.getBoundingClientRect().width,
      needed,
    };
  });
}

describe('admin: subgroup pickers', () => {
  it.each([
    ['landscape', LANDSCAPE],
    ['portrait', PORTRAIT],
  ])(
    '[AS1] on the reports and mark-history tabs every subgroup can be picked and read whole (%s)',
    async (_name, viewport) => {
      const token = (await apiLogin(env.server, 'admin')).accessToken;
      const listed = await api<{ subgroups: { name: string; programmeName: string }[] }>(
        env.server,
        'GET',
        '/api/admin/subgroups',
        { token },
      );
      const expected = listed.body.subgroups.map((s) => `${s.programmeName} — ${s.name}`);
      // The demo names every programme's groups «Группа 1», «Группа 2», …: only the programme
      // tells them apart.
      expect(new Set(listed.body.subgroups.map((s) => s.name)).size).toBeLessThan(expected.length);

      const device = await newDevice(env.browser, { viewport });
      const page = await device.newPage();
      await signIn(page, env.server, 'admin');
      for (const [tab, testid] of [
        ['reports', 'report-subgroup'],
        ['audit', 'audit-subgroup'],
      ] as const) {
        await page.getByTestId(`admin-tab-${tab}`).click();
        await page
          .locator(`select[data-testid="${testid}"] option`)
          .nth(expected.length - 1)
          .waitFor({
            state: 'attached',
          });

        const layout = await pickerLayout(page, `${testid}`);
        expect(layout.labels, tab).toEqual(expected);
        expect(
          layout.width,
          `${tab}: the select is narrower than its longest option`,
        ).toBeGreaterThanOrEqual(layout.needed - 0.5);
      }
      await device.close();
    },
    90_000,
  );
});

describe('admin and parent: section tabs', () => {
  it.each([
    ['admin, landscape', 'admin', 'admin-app', LANDSCAPE],
    ['admin, portrait', 'admin', 'admin-app', PORTRAIT],
    ['parent, landscape', 'parent', 'parent-app', LANDSCAPE],
  ] as const)(
    '[AS2] scrolled down, every section tab is whole below the top bar (%s)',
    async (_name, login, app, viewport) => {
      const device = await newDevice(env.browser, { viewport });
      const page = await device.newPage();
      await signIn(page, env.server, login);
      await page.getByTestId(app).waitFor();
      // A long page: the admin's registry, the parent's catalogue.
      if (login === 'parent') {
        await page.getByTestId('parent-tab-catalog').click();
        await page.locator('[data-testid^="catalog-apply-"]').first().waitFor();
      } else {
        await page.getByTestId('teacher-list').waitFor();
      }
      await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
      const layout = await page.evaluate(() => ({
        scrolled: window.scrollY,
        barBottom: document.querySelector('.topbar')!.getBoundingClientRect().bottom,
        tabs: Array.from(document.querySelectorAll('nav.ap-tabs > *'), (tab) => ({
          text: tab.textContent ?? '',
          top: tab.getBoundingClientRect().top,
        })),
      }));
      // Scrolled past where the tabs sit unscrolled (just below the bar), so they are stuck.
      expect(layout.scrolled, 'the page scrolled').toBeGreaterThan(layout.barBottom + 20);
      expect(layout.tabs.length).toBeGreaterThanOrEqual(3);
      for (const tab of layout.tabs) {
        expect(tab.top, `«${tab.text}» under the top bar`).toBeGreaterThanOrEqual(
          layout.barBottom - 0.5,
        );
      }
      await device.close();
    },
    90_000,
  );

  it('[AS12] on a phone the admin sections are one row, and held sideways they scroll away', async () => {
    const device = await newDevice(env.browser, { viewport: { width: 375, height: 667 } });
    const page = await device.newPage();
    await signIn(page, env.server, 'admin');
    await page.getByTestId('teacher-list').waitFor();
    const upright = await page.evaluate(() => {
      const nav = document.querySelector('nav.ap-tabs') as HTMLElement;
      const tops = new Set(Array.from(nav.children, (tab) => tab.getBoundingClientRect().top));
      return { rows: tops.size, height: nav.getBoundingClientRect().height };
    });
    expect(upright.rows).toBe(1);
    expect(upright.height).toBeLessThan(80);
    // A section at the far end is opened and brought into view.
    await page.getByTestId('admin-tab-refusals').click();
    const box = await page.getByTestId('admin-tab-refusals').boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(375.5);

    await page.setViewportSize({ width: 740, height: 360 });
    await page.getByTestId('admin-tab-teachers').click();
    await page.getByTestId('teacher-list').waitFor();
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    const navBottom = await page.evaluate(
      () => document.querySelector('nav.ap-tabs')!.getBoundingClientRect().bottom,
    );
    expect(navBottom, 'the sections scrolled away with the page').toBeLessThanOrEqual(0);
    await device.close();
  });

  it('[AS12] on a portrait tablet the registry’s «Изменить» stays on screen', async () => {
    const device = await newDevice(env.browser, { viewport: PORTRAIT });
    const page = await device.newPage();
    await signIn(page, env.server, 'admin');
    await page.getByTestId('teacher-list').waitFor();
    const edit = page.getByTestId('teacher-list').locator('tbody tr').first().locator('td').last();
    const box = await edit.boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(PORTRAIT.width);
    await device.close();
  });

  it('[AS2] the teacher’s sync bar sticks whole below the top bar on a long month (phone)', async () => {
    // A short screen, so a month's lessons run past it.
    const device = await newDevice(env.browser, { viewport: { width: 390, height: 560 } });
    const page = await device.newPage();
    await signIn(page, env.server, 'teacher');
    await page.getByTestId('journals').waitFor();
    // A month's lessons: a list longer than the screen.
    await page.locator('[data-testid^="subgroup-"]').first().click();
    await page.locator('[data-testid^="lesson-open-"]').first().waitFor();

    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    const layout = await page.evaluate(() => ({
      scrolled: window.scrollY,
      barBottom: document.querySelector('.topbar')!.getBoundingClientRect().bottom,
      syncTop: document.querySelector('[data-testid="sync-bar"]')!.getBoundingClientRect().top,
    }));
    expect(layout.scrolled, 'the page scrolled').toBeGreaterThan(layout.barBottom + 20);
    expect(layout.syncTop, 'the sync bar under the top bar').toBeGreaterThanOrEqual(
      layout.barBottom - 0.5,
    );
    await device.close();
  }, 90_000);
});
