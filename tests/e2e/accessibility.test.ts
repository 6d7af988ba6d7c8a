import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ROUTES } from '../../extension/src/ui/options/routes.js';
import { accessibilityProblems } from '../helpers/axe.js';
import { DEMO, startDemoRelay } from '../helpers/demo-relay.js';
import { launchWithExtension, pointAtRelay, signIn, type ExtensionBrowser } from '../helpers/extension.js';
import { expectFocusVisibleEverywhere, focusedName, focusIsVisible, tabTo } from '../helpers/keyboard.js';
import { ADMIN_PASSWORD, connect, loginAs, startTestRelay, type TestRelay } from '../helpers/relay.js';

/**
 * Every screen of the built popup and options page, signed out, as a customer and as an admin,
 * checked with axe-core in Chromium in the light and the dark theme (no serious or critical
 * violation), and used with the keyboard alone. A new screen belongs in here too; the options
 * page's screens are taken from its routes, so a new route is scanned without being listed.
 */
describe('accessibility of the extension, in the real browser', () => {
  let relay: TestRelay;
  let browser: ExtensionBrowser;
  let popup: Page;
  let impostor: TestRelay | undefined;

  async function expectAccessible(page: Page, screen: string): Promise<void> {
    expect(await accessibilityProblems(page), `serious or critical axe-core violations on ${screen}`).toEqual([]);
  }

  async function accountOf(username: string): Promise<string> {
    return (await relay.relay.context.ledger.accountsOf(username))[0]!.account;
  }

  /** The options page on a route, once its heading is there and nothing on it is still loading. */
  async function optionsAt(page: Page, route: string, heading: string): Promise<void> {
    await page.goto(page.url().replace(/#.*$/, '') + `#/${route}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor({ timeout: 15_000 });
    await expect.poll(() => page.locator('main .o-loading, main [aria-busy="true"]').count(), { timeout: 15_000 }).toBe(0);
  }

  beforeAll(async () => {
    relay = await startDemoRelay();
    browser = await launchWithExtension();
    await pointAtRelay(browser, relay.wsUrl);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await impostor?.stop();
    await relay?.stop();
  });

  it('has no serious or critical violations on the signed-out popup: sign in, register, their errors, waiting for approval', async () => {
    popup = await browser.popup();
    await popup.getByRole('heading', { name: 'Sign in' }).waitFor();
    await expectAccessible(popup, 'the sign-in form');
    await expectFocusVisibleEverywhere(popup, 'the sign-in form');
    await popup.getByRole('button', { name: 'Sign in' }).click();
    await popup.getByText('Enter your username').waitFor();
    await expectAccessible(popup, 'the sign-in form with its errors');

    await popup.getByRole('button', { name: 'Create an account' }).click();
    await popup.getByRole('heading', { name: 'Create an account' }).waitFor();
    await expectAccessible(popup, 'the register form');
    await popup.getByRole('button', { name: 'Create account' }).click();
    await popup.getByText('Choose a username').waitFor();
    await expectAccessible(popup, 'the register form with its errors');

    await popup.getByLabel('Username').fill('nora_newcomer');
    await popup.getByLabel('Your name').fill('Nora Newcomer');
    await popup.getByLabel('Password', { exact: true }).fill('nora-password-1');
    await popup.getByLabel('Confirm password').fill('nora-password-1');
    await popup.getByRole('button', { name: 'Create account' }).click();
    await popup.getByRole('heading', { name: 'Waiting for approval' }).waitFor({ timeout: 15_000 });
    await expectAccessible(popup, 'waiting for approval');
    await popup.getByRole('button', { name: 'Back to sign in' }).click();
  }, 90_000);

  it('has no serious or critical violations on the signed-out options page', async () => {
    const options = await browser.options('#/settings');
    await optionsAt(options, 'settings', 'Settings');
    await expectAccessible(options, 'the options page signed out');
    await expectFocusVisibleEverywhere(options, 'the options page signed out');
    await optionsAt(options, 'users', 'Not available');
    await expectAccessible(options, 'an admin screen signed out (not available)');
    await options.close();
  }, 60_000);

  it('signs in and sends money with the keyboard alone, in a logical order, focus always visible', async () => {
    const johnAccount = await accountOf(DEMO.john.username);
    await popup.reload();
    await popup.getByRole('heading', { name: 'Sign in' }).waitFor();
    // The form puts the cursor in Username; from there on, only keys.
    expect(await focusedName(popup)).toBe('Username');
    await popup.keyboard.type(DEMO.jane.username);
    expect(await tabTo(popup, 'Password')).toEqual(['Password']);
    await popup.keyboard.type(DEMO.jane.password);
    await popup.keyboard.press('Enter');
    await popup.getByText('$4,187.50', { exact: true }).waitFor({ timeout: 15_000 });

    // Signed in, the keyboard starts at the top: the top bar, the balance, then Send.
    expect(await tabTo(popup, 'Send')).toEqual(['Notifications', 'Settings', 'Lock', 'Copy account number', 'Send']);
    await popup.keyboard.press('Enter');
    await popup.getByRole('heading', { name: 'Send money' }).waitFor();
    expect(await focusedName(popup)).toBe('Pay to account number');
    await popup.keyboard.type(johnAccount);
    await tabTo(popup, 'Amount');
    await popup.keyboard.type('1.00');
    await tabTo(popup, 'Memo (optional)');
    await popup.keyboard.type('by keyboard');
    // Back and forth: Shift+Tab returns to the amount, Tab comes back to the memo.
    expect(await tabTo(popup, 'Amount', { back: true })).toEqual(['Amount']);
    expect(await tabTo(popup, 'Memo (optional)')).toEqual(['Memo (optional)']);
    await popup.keyboard.press('Enter');

    await popup.getByRole('heading', { name: 'Review and send' }).waitFor();
    await popup.getByText('John D.', { exact: true }).waitFor({ timeout: 15_000 });
    await tabTo(popup, 'Send $1.00');
    await popup.keyboard.press('Space');
    await popup.getByRole('heading', { name: 'Sent $1.00 to John D.' }).waitFor({ timeout: 15_000 });
    await tabTo(popup, 'Done');
    await popup.keyboard.press('Enter');
    // Back on the wallet, the keyboard is where the person left it.
    await popup.getByText('$4,186.50', { exact: true }).waitFor({ timeout: 15_000 });
    expect(await focusedName(popup)).toBe('Send');
    expect((await relay.relay.context.ledger.accountsOf(DEMO.john.username))[0]!.balance).toBe(248_301 + 100);
  }, 90_000);

  it('announces incoming money and the new balance in a polite live region', async () => {
    const announcer = popup.getByRole('status', { name: 'Balance updates' });
    expect(await announcer.getAttribute('aria-live')).not.toBe('assertive');
    const before = (await announcer.textContent()) ?? '';
    const { client } = await loginAs(relay, 'tcp', DEMO.john.username, DEMO.john.password);
    await client.request('transfer.create', { transferId: randomUUID(), to: await accountOf(DEMO.jane.username), amount: 500, memo: 'for the live region' });
    client.close();
    await expect.poll(() => announcer.textContent(), { timeout: 15_000 }).toMatch(/Received \$5\.00 .*Your balance is now \$4,191\.50/);
    expect(await announcer.textContent()).not.toBe(before);
  }, 60_000);

  it('never says anything by colour alone: the connection badge has words, amounts a sign', async () => {
    await expect.poll(() => popup.locator('.pill').innerText()).toBe('Live');
    const amounts = await popup.locator('.row__amount').allInnerTexts();
    expect(amounts.length).toBeGreaterThan(0);
    for (const amount of amounts) expect(amount).toMatch(/^[+\u2212]\$/);
  });

  it('follows the system\'s dark theme on the popup and the options page', async () => {
    const options = await browser.options('#/settings');
    for (const page of [popup, options]) {
      const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      await page.emulateMedia({ colorScheme: 'light' });
      const light = await background();
      await page.emulateMedia({ colorScheme: 'dark' });
      await expect.poll(background).not.toBe(light);
      await page.emulateMedia({ colorScheme: 'light' });
    }
    await options.close();
  });

  it('has no serious or critical violations on the customer\'s popup: wallet, notifications, the send flow and its outcomes', async () => {
    await expectAccessible(popup, 'the wallet');
    await expectFocusVisibleEverywhere(popup, 'the wallet');
    await popup.getByRole('button', { name: /^Notifications/ }).click();
    await popup.getByRole('heading', { name: 'Notifications' }).waitFor();
    await expectAccessible(popup, 'the notifications');
    await popup.getByRole('button', { name: 'Close' }).click();

    await popup.getByRole('button', { name: 'Send', exact: true }).click();
    await popup.getByRole('heading', { name: 'Send money' }).waitFor();
    await expectAccessible(popup, 'the send form');
    await expectFocusVisibleEverywhere(popup, 'the send form');
    await popup.getByRole('button', { name: 'Review' }).click();
    await popup.getByText("Enter the payee's account number").waitFor();
    await expectAccessible(popup, 'the send form with its errors');
    await popup.getByLabel('Pay to account number').fill(await accountOf(DEMO.john.username));
    await popup.getByLabel('Amount').fill('5000');
    await popup.getByRole('button', { name: 'Review' }).click();
    await popup.getByText('John D.', { exact: true }).waitFor({ timeout: 15_000 });
    await expectAccessible(popup, 'the send review');
    await popup.getByRole('button', { name: 'Send $5,000.00' }).click();
    await popup.getByRole('heading', { name: /Not sent/ }).waitFor({ timeout: 15_000 });
    await expectAccessible(popup, 'a refused transfer');
    await popup.getByRole('button', { name: 'Change the amount' }).click();
    await popup.getByLabel('Amount').fill('2.00');
    await popup.getByRole('button', { name: 'Review' }).click();
    await popup.getByRole('button', { name: 'Send $2.00' }).click();
    await popup.getByRole('heading', { name: /^Sent \$2\.00/ }).waitFor({ timeout: 15_000 });
    await expectAccessible(popup, 'a sent transfer');
    await popup.getByRole('button', { name: 'Done' }).click();
  }, 90_000);

  it('has no serious or critical violations on the customer\'s options page', async () => {
    const options = await browser.options('#/settings');
    await optionsAt(options, 'settings', 'Settings');
    await options.getByRole('heading', { name: 'Export my statement' }).waitFor();
    await expectAccessible(options, 'the customer\'s settings');
    await expectFocusVisibleEverywhere(options, 'the customer\'s settings');
    await options.close();
  }, 60_000);

  it('has no serious or critical violations on any admin screen, nor on its dialogs', async () => {
    await popup.getByRole('button', { name: 'Sign out' }).click();
    await signIn(popup, 'admin', ADMIN_PASSWORD);
    await popup.getByText('Administrators manage the bank from the dashboard.').waitFor({ timeout: 15_000 });
    await expectAccessible(popup, 'the admin\'s popup');

    const options = await browser.options('#/settings');
    // An alert while the page is open, for the Alerts screen and the navigation's "new" count.
    const newcomer = await connect(relay, 'tcp');
    await newcomer.request('auth.register', { username: 'olga_pending', password: 'olga-password-1', displayName: 'Olga Pending' });
    newcomer.close();
    for (const route of ROUTES) {
      await optionsAt(options, route.id, route.label);
      await expectAccessible(options, `the ${route.label} screen`);
      await expectFocusVisibleEverywhere(options, `the ${route.label} screen`);
    }

    await optionsAt(options, 'users', 'Users');
    const dialog = options.getByRole('dialog');
    await options.getByRole('button', { name: 'Create user' }).click();
    await expectAccessible(options, 'the create-user dialog');
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await dialog.getByText('Enter a username').waitFor();
    await expectAccessible(options, 'the create-user dialog with its errors');
    await options.keyboard.press('Escape');

    await options.getByRole('button', { name: `More actions for ${DEMO.jane.username}` }).click();
    await expectAccessible(options, 'a row\'s menu');
    await options.getByRole('button', { name: `Edit ${DEMO.jane.username}` }).click();
    await dialog.waitFor();
    await expectAccessible(options, 'the edit-user dialog');
    await options.keyboard.press('Escape');

    await options.getByRole('button', { name: `Deposit to ${DEMO.jane.username}` }).click();
    await dialog.waitFor();
    await expectAccessible(options, 'the deposit dialog');
    await options.keyboard.press('Escape');

    await options.getByRole('button', { name: `More actions for ${DEMO.jane.username}` }).click();
    await options.getByRole('button', { name: `Freeze ${DEMO.jane.username}` }).click();
    await options.getByRole('alertdialog').waitFor();
    await expectAccessible(options, 'the freeze confirmation');
    await options.getByRole('alertdialog').getByRole('button', { name: 'Cancel' }).click();

    await optionsAt(options, 'registrations', 'Registrations');
    await options.getByRole('button', { name: 'Reject olga_pending' }).click();
    await options.getByRole('alertdialog').waitFor();
    await expectAccessible(options, 'the reject confirmation');
    await options.getByRole('alertdialog').getByRole('button', { name: 'Cancel' }).click();

    await optionsAt(options, 'relay', 'Relay');
    await options.getByRole('button', { name: 'Verify ledger' }).click();
    await options.getByText('Ledger balanced').waitFor({ timeout: 15_000 });
    await expectAccessible(options, 'the relay screen with a verified ledger');

    await optionsAt(options, 'audit', 'Audit log');
    await options.getByRole('button', { name: 'Verify chain' }).click();
    await options.getByText('Audit chain intact').waitFor({ timeout: 15_000 });
    await expectAccessible(options, 'the audit log with a verified chain');
    await options.close();
  }, 180_000);

  it('keeps the keyboard inside an options dialog, closes it on Escape and gives focus back to what opened it', async () => {
    const options = await browser.options('#/users');
    await optionsAt(options, 'users', 'Users');
    const dialog = options.getByRole('dialog');
    const inDialog = () => dialog.evaluate((d) => d.contains(document.activeElement));

    await tabTo(options, 'Create user');
    await options.keyboard.press('Enter');
    await dialog.waitFor();
    expect(await inDialog()).toBe(true);
    // More presses than the dialog has fields and buttons, both ways: focus never leaves it.
    for (const key of ['Tab', 'Shift+Tab']) {
      for (let i = 0; i < 12; i++) {
        await options.keyboard.press(key);
        expect(await inDialog(), `focus stays in the dialog after ${key} ×${i + 1}`).toBe(true);
        expect(await focusIsVisible(options), `focus is visible on "${await focusedName(options)}"`).toBe(true);
      }
    }
    await options.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await focusedName(options)).toBe('Create user');

    // A dialog opened from a row's menu gives focus back to that menu's button.
    await tabTo(options, `More actions for ${DEMO.john.username}`);
    await options.keyboard.press('Enter');
    expect(await focusedName(options)).toBe(`Edit ${DEMO.john.username}`);
    await options.keyboard.press('Enter');
    await dialog.waitFor();
    expect(await inDialog()).toBe(true);
    await options.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await focusedName(options)).toBe(`More actions for ${DEMO.john.username}`);
    await options.close();
  }, 60_000);

  it('says in words, not only in colour, that the relay is out of reach', async () => {
    await relay.relay.close();
    await expect.poll(() => popup.locator('.pill').innerText(), { timeout: 20_000 }).toMatch(/^(Reconnecting…|Offline)/);
    await expectAccessible(popup, 'the popup out of reach of the relay');
  }, 60_000);

  it('has no serious or critical violations on the warning about a relay with another identity key', async () => {
    // Another relay, with a key of its own, where the bank's was.
    impostor = await startTestRelay({ tcpPort: relay.tcpPort, wsPort: relay.wsPort });
    await popup.getByRole('heading', { name: "The relay's identity key changed" }).waitFor({ timeout: 60_000 });
    await expectAccessible(popup, 'the changed-key warning');
    await popup.getByRole('button', { name: 'Trust the new key…' }).click();
    await popup.getByRole('alertdialog').waitFor();
    await expectAccessible(popup, 'the confirmation to trust a new key');
    await popup.keyboard.press('Escape');

    const options = await browser.options('#/settings');
    await options.getByText("The relay's key has changed").waitFor({ timeout: 15_000 });
    await expectAccessible(options, 'the settings with a changed relay key');
    await options.close();
  }, 90_000);
});
