import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newDevice, serverAndBrowser, signIn } from './harness.ts';

/**
 * SC11: the app keeps to the Content-Security-Policy its server sends (no `eval`, scripts of
 * its own origin only). A violation is reported even when the code that caused it catches the
 * error, so it shows on every load in the console and in a deployment's CSP reports.
 */

const env = serverAndBrowser();

/** Records every CSP violation the page reports, from before its first script runs. */
async function violationsOf(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => {
      seen.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  return () =>
    page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);
}

describe('under the server’s Content-Security-Policy', () => {
  it('[SC11] a teacher’s journal, a lesson and the topics screen (with its spreadsheet code) run without a violation', async () => {
    const device = await newDevice(env.browser);
    const page = await device.newPage();
    const violations = await violationsOf(page);
    await signIn(page, env.server, 'teacher');
    await page.getByTestId('journals').waitFor();
    await page.locator('[data-testid="journals"] a.tile').first().click();
    await page.getByTestId('lessons-month').waitFor();
    await page.locator('[data-testid^="lesson-open-"]').first().click();
    await page.getByTestId('lesson').waitFor();
    await page.goBack();
    await page.getByTestId('tab-topics').click();
    await page.getByTestId('topics').waitFor();

    expect(await violations()).toEqual([]);
    await device.close();
  }, 90_000);

  it('[SC11] an admin’s and a parent’s screens run without a violation', async () => {
    for (const login of ['admin', 'parent']) {
      const device = await newDevice(env.browser);
      const page = await device.newPage();
      const violations = await violationsOf(page);
      await signIn(page, env.server, login);
      await page.waitForLoadState('networkidle');

      expect(await violations(), login).toEqual([]);
      await device.close();
    }
  }, 90_000);
});
