import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ADMIN_PASSWORD, loginAs, startTestRelay, type TestRelay } from '../helpers/relay.js';
import { accessibilityProblems } from '../helpers/axe.js';
import { launchWithExtension, pointAtRelay, signIn, type ExtensionBrowser } from '../helpers/extension.js';

/**
 * A payroll run end to end: the built extension in Chromium against a real relay. The file goes
 * in through the options page's real file input, the preview checks the payees on the relay,
 * the person confirms the total, the background sends it, and the results file downloads.
 */
describe('payment runs, end to end', () => {
  let relay: TestRelay;
  let browser: ExtensionBrowser;
  let options: Page;
  const accountOf = async (username: string) => (await relay.relay.context.ledger.accountsOf(username))[0]!;

  beforeAll(async () => {
    relay = await startTestRelay();
    const { client: admin } = await loginAs(relay, 'tcp', 'admin', ADMIN_PASSWORD);
    await admin.request('admin.user.create', { username: 'acme_ltd', password: 'acme-password-1', displayName: 'Acme Ltd', role: 'user', openingDeposit: 100_000 });
    await admin.request('admin.user.create', { username: 'alice_wong', password: 'alice-password-1', displayName: 'Alice Wong', role: 'user' });
    await admin.request('admin.user.create', { username: 'bob_brown', password: 'bob-password-1', displayName: 'Bob Brown', role: 'user' });
    admin.close();
    browser = await launchWithExtension();
    await pointAtRelay(browser, relay.wsUrl);
    const popup = await browser.popup();
    await signIn(popup, 'acme_ltd', 'acme-password-1');
    await popup.getByText('$1,000.00').first().waitFor({ timeout: 15_000 });
    await popup.close();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await relay?.stop();
  });

  async function uploadPayroll(page: Page): Promise<void> {
    const alice = (await accountOf('alice_wong')).account;
    const bob = (await accountOf('bob_brown')).account;
    const csv = ['account;amount;memo;name', `${alice};125,50;May salary;Alice Wong`, `${bob};80,00;May salary;Bob Brown`, 'XX00BAD;1,00;typo;Nobody'].join('\r\n');
    await page.getByLabel('CSV file').setInputFiles({ name: 'may-payroll.csv', mimeType: 'text/csv', buffer: Buffer.from(`\uFEFF${csv}`, 'utf8') });
    await expect.poll(() => page.locator('body').innerText(), { timeout: 15_000 }).toMatch(/Alice W\./);
  }

  it('previews a file, leaves out the bad row, confirms the total, sends it once and downloads the results', async () => {
    options = await browser.options('#/payments');
    await uploadPayroll(options);
    expect(await accessibilityProblems(options), 'axe on the preview').toEqual([]);
    await options.getByRole('checkbox', { name: 'Include line 4' }).uncheck();
    await expect.poll(() => options.locator('body').innerText()).toMatch(/\$205\.50/);
    await options.getByRole('button', { name: 'Review and send' }).click();
    expect(await accessibilityProblems(options), 'axe on the confirmation').toEqual([]);
    await options.getByRole('alertdialog').getByRole('button', { name: 'Send $205.50' }).click();
    await expect.poll(() => options.locator('body').innerText(), { timeout: 30_000 }).toMatch(/Finished/);
    expect(await accessibilityProblems(options), 'axe on the finished run').toEqual([]);
    expect(await options.getByRole('progressbar', { name: /2 of 2 rows done · \$205\.50 sent · 0 failures/ }).evaluate((e) => (e as HTMLProgressElement).value)).toBe(2);
    expect((await accountOf('alice_wong')).balance).toBe(12_550);
    expect((await accountOf('bob_brown')).balance).toBe(8_000);
    expect((await accountOf('acme_ltd')).balance).toBe(100_000 - 20_550);

    const [download] = await Promise.all([options.waitForEvent('download'), options.getByRole('button', { name: 'Download results (CSV)' }).click()]);
    const text = await readFile((await download.path())!, 'utf8');
    expect(text).toContain('"posted"');
    expect(text).toContain('"excluded"');
    expect(text.split('\r\n')[0]).toContain('line,account,name,reference,amount,memo,transferId,status');
  }, 90_000);

  it('recognises the same file uploaded again and asks before paying it twice', async () => {
    await options.getByRole('button', { name: 'New run' }).click();
    await uploadPayroll(options);
    await options.getByRole('checkbox', { name: 'Include line 4' }).uncheck();
    await expect.poll(() => options.locator('body').innerText(), { timeout: 15_000 }).toMatch(/These payments were sent before/);
    await options.getByRole('button', { name: 'Review and send' }).click();
    await expect.poll(() => options.locator('body').innerText()).toMatch(/Confirm that you want to pay this file again/);
    expect(await options.getByRole('alertdialog').count()).toBe(0);
    expect((await accountOf('alice_wong')).balance).toBe(12_550);
  }, 60_000);
});
