import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { MessageKey } from '../../extension/src/shared/i18n.js';
import { ROUTES } from '../../extension/src/ui/options/routes.js';
import { accessibilityProblems } from '../helpers/axe.js';
import { DEMO, startDemoRelay } from '../helpers/demo-relay.js';
import { launchWithExtension, pointAtRelay, signIn, type ExtensionBrowser } from '../helpers/extension.js';
import { LANGUAGES, messageIn } from '../helpers/i18n.js';
import { expectFocusVisibleEverywhere, focusedName, focusIsVisible, tabTo } from '../helpers/keyboard.js';
import { ADMIN_PASSWORD, connect, loginAs, startTestRelay, type TestRelay } from '../helpers/relay.js';
import { takeScreenshot } from '../helpers/screenshot.js';

/** A RegExp matching `text` literally. */
const literally = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Every screen of the built popup and options page, signed out, as a customer and as an admin,
 * checked with axe-core in Chromium in the light and the dark theme (no serious or critical
 * violation), and used with the keyboard alone, in each language the extension speaks: English,
 * and Arabic, written right to left, where the pages must be mirrored. A new screen belongs in
 * here too; the options page's screens are taken from its routes, so a new route is scanned
 * without being listed. The customer's wallet is photographed in each language
 * (docs/popup-<language>.png).
 */
describe.each(LANGUAGES)('accessibility of the extension in the real browser, in %s', (lang) => {
  /** The page's words for `key`, as the browser in this language shows them. */
  const m = (key: MessageKey, ...substitutions: string[]): string => messageIn(lang, key, ...substitutions);
  const direction = messageIn(lang, 'ui_direction');
  let relay: TestRelay;
  let browser: ExtensionBrowser;
  let popup: Page;
  let impostor: TestRelay | undefined;

  async function expectAccessible(page: Page, screen: string): Promise<void> {
    expect(await accessibilityProblems(page), `serious or critical axe-core violations on ${screen} (${lang})`).toEqual([]);
  }

  /** The page is in this language, laid out in its direction (mirrored for right-to-left). */
  async function expectLanguage(page: Page): Promise<void> {
    expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual([lang, direction]);
  }

  /**
   * An amount of dollars as the page writes it in this language: Intl in the browser itself,
   * kept left to right as a whole in a right-to-left page (Unicode isolates).
   */
  async function money(page: Page, minor: number): Promise<string> {
    const text = await page.evaluate(
      ([cents, language]) => new Intl.NumberFormat(language, { style: 'currency', currency: 'USD' }).format(cents / 100),
      [minor, lang] as const,
    );
    return direction === 'rtl' ? `\u2066${text}\u2069` : text;
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
    browser = await launchWithExtension({ lang });
    await pointAtRelay(browser, relay.wsUrl);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await impostor?.stop();
    await relay?.stop();
  });

  it('has no serious or critical violations on the signed-out popup: sign in, register, their errors, waiting for approval', async () => {
    popup = await browser.popup();
    await popup.getByRole('heading', { name: m('sign_in_title') }).waitFor();
    await expectLanguage(popup);
    await expectAccessible(popup, 'the sign-in form');
    await expectFocusVisibleEverywhere(popup, 'the sign-in form');
    await popup.getByRole('button', { name: m('sign_in_submit'), exact: true }).click();
    await popup.getByText(m('sign_in_username_missing')).waitFor();
    await expectAccessible(popup, 'the sign-in form with its errors');

    await popup.getByRole('button', { name: m('register_title') }).click();
    await popup.getByRole('heading', { name: m('register_title') }).waitFor();
    await expectAccessible(popup, 'the register form');
    await popup.getByRole('button', { name: m('register_submit'), exact: true }).click();
    await popup.getByText(m('register_username_missing')).waitFor();
    await expectAccessible(popup, 'the register form with its errors');

    await popup.getByLabel(m('common_username')).fill('nora_newcomer');
    await popup.getByLabel(m('register_name_label')).fill('Nora Newcomer');
    await popup.getByLabel(m('common_password'), { exact: true }).fill('nora-password-1');
    await popup.getByLabel(m('register_confirm_label')).fill('nora-password-1');
    await popup.getByRole('button', { name: m('register_submit'), exact: true }).click();
    await popup.getByRole('heading', { name: m('waiting_title') }).waitFor({ timeout: 15_000 });
    await expectAccessible(popup, 'waiting for approval');
    await popup.getByRole('button', { name: m('waiting_back') }).click();
  }, 90_000);

  it('has no serious or critical violations on the signed-out options page', async () => {
    const options = await browser.options('#/settings');
    await optionsAt(options, 'settings', m('route_settings'));
    await expectLanguage(options);
    await expectAccessible(options, 'the options page signed out');
    await expectFocusVisibleEverywhere(options, 'the options page signed out');
    await optionsAt(options, 'users', m('options_not_available_title'));
    await expectAccessible(options, 'an admin screen signed out (not available)');
    await options.close();
  }, 60_000);

  it('signs in and sends money with the keyboard alone, in a logical order, focus always visible', async () => {
    const johnAccount = await accountOf(DEMO.john.username);
    await popup.reload();
    await popup.getByRole('heading', { name: m('sign_in_title') }).waitFor();
    // The form puts the cursor in Username; from there on, only keys.
    expect(await focusedName(popup)).toBe(m('common_username'));
    await popup.keyboard.type(DEMO.jane.username);
    expect(await tabTo(popup, m('common_password'))).toEqual([m('common_password')]);
    await popup.keyboard.type(DEMO.jane.password);
    await popup.keyboard.press('Enter');
    await popup.getByText(await money(popup, 418_750), { exact: true }).waitFor({ timeout: 15_000 });

    // Signed in, the keyboard starts at the top: the top bar, the balance, then Send.
    const send = m('wallet_send');
    expect(await tabTo(popup, send)).toEqual([m('common_notifications'), m('common_settings'), m('common_lock'), m('balance_copy_account'), send]);
    await popup.keyboard.press('Enter');
    await popup.getByRole('heading', { name: m('send_title') }).waitFor();
    expect(await focusedName(popup)).toBe(m('send_payee_label'));
    await popup.keyboard.type(johnAccount);
    await tabTo(popup, m('common_amount'));
    await popup.keyboard.type('1.00');
    await tabTo(popup, m('common_memo_optional'));
    await popup.keyboard.type('by keyboard');
    // Back and forth: Shift+Tab returns to the amount, Tab comes back to the memo.
    expect(await tabTo(popup, m('common_amount'), { back: true })).toEqual([m('common_amount')]);
    expect(await tabTo(popup, m('common_memo_optional'))).toEqual([m('common_memo_optional')]);
    await popup.keyboard.press('Enter');

    await popup.getByRole('heading', { name: m('send_review_title') }).waitFor();
    await popup.getByText('John D.', { exact: true }).waitFor({ timeout: 15_000 });
    const dollar = await money(popup, 100);
    await tabTo(popup, m('send_review_confirm', dollar));
    await popup.keyboard.press('Space');
    await popup.getByRole('heading', { name: m('send_done_title', dollar, 'John D.') }).waitFor({ timeout: 15_000 });
    await tabTo(popup, m('common_done'));
    await popup.keyboard.press('Enter');
    // Back on the wallet, the keyboard is where the person left it.
    await popup.getByText(await money(popup, 418_650), { exact: true }).waitFor({ timeout: 15_000 });
    expect(await focusedName(popup)).toBe(send);
    expect((await relay.relay.context.ledger.accountsOf(DEMO.john.username))[0]!.balance).toBe(248_301 + 100);
  }, 90_000);

  it('announces incoming money and the new balance in a polite live region', async () => {
    const announcer = popup.getByRole('status', { name: m('announce_region_label') });
    expect(await announcer.getAttribute('aria-live')).not.toBe('assertive');
    const before = (await announcer.textContent()) ?? '';
    const { client } = await loginAs(relay, 'tcp', DEMO.john.username, DEMO.john.password);
    await client.request('transfer.create', { transferId: randomUUID(), to: await accountOf(DEMO.jane.username), amount: 500, memo: 'for the live region' });
    client.close();
    const received = m('notice_received', await money(popup, 500), '');
    const balance = m('announce_balance_now', await money(popup, 419_150));
    await expect
      .poll(() => announcer.textContent(), { timeout: 15_000 })
      .toMatch(new RegExp(`${literally(received)}.*${literally(balance)}`));
    expect(await announcer.textContent()).not.toBe(before);
  }, 60_000);

  it('never says anything by colour alone: the connection badge has words, amounts a sign', async () => {
    await expect.poll(() => popup.locator('.pill').innerText()).toBe(m('status_live'));
    const amounts = await popup.locator('.row__amount').allInnerTexts();
    expect(amounts.length).toBeGreaterThan(0);
    // A sign, then the amount as the language writes it (in Arabic with its direction marks).
    for (const amount of amounts) expect(amount).toMatch(/^\u2066?[+\u2212][\u200e\u200f]*(\$|\d)/);
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
    await popup.locator('.balance__spark').waitFor({ state: 'visible' });
    await takeScreenshot(popup, `popup-${lang}.png`);
    await expectAccessible(popup, 'the wallet');
    await expectFocusVisibleEverywhere(popup, 'the wallet');
    await popup.getByRole('button', { name: new RegExp(`^${literally(m('common_notifications'))}`) }).click();
    await popup.getByRole('heading', { name: m('common_notifications') }).waitFor();
    await expectAccessible(popup, 'the notifications');
    await popup.getByRole('button', { name: m('common_close') }).click();

    await popup.getByRole('button', { name: m('wallet_send'), exact: true }).click();
    await popup.getByRole('heading', { name: m('send_title') }).waitFor();
    await expectAccessible(popup, 'the send form');
    await expectFocusVisibleEverywhere(popup, 'the send form');
    await popup.getByRole('button', { name: m('send_review_button'), exact: true }).click();
    await popup.getByText(m('send_payee_missing')).waitFor();
    await expectAccessible(popup, 'the send form with its errors');
    await popup.getByLabel(m('send_payee_label')).fill(await accountOf(DEMO.john.username));
    await popup.getByLabel(m('common_amount')).fill('5000');
    await popup.getByRole('button', { name: m('send_review_button'), exact: true }).click();
    await popup.getByText('John D.', { exact: true }).waitFor({ timeout: 15_000 });
    await expectAccessible(popup, 'the send review');
    await popup.getByRole('button', { name: m('send_review_confirm', await money(popup, 500_000)) }).click();
    await popup.getByRole('heading', { name: m('send_error_heading_not_sent', m('send_error_funds_title')) }).waitFor({ timeout: 15_000 });
    await expectAccessible(popup, 'a refused transfer');
    await popup.getByRole('button', { name: m('send_error_change_amount') }).click();
    await popup.getByLabel(m('common_amount')).fill('2.00');
    await popup.getByRole('button', { name: m('send_review_button'), exact: true }).click();
    const two = await money(popup, 200);
    await popup.getByRole('button', { name: m('send_review_confirm', two) }).click();
    await popup.getByRole('heading', { name: m('send_done_title', two, 'John D.') }).waitFor({ timeout: 15_000 });
    await expectAccessible(popup, 'a sent transfer');
    await popup.getByRole('button', { name: m('common_done') }).click();
  }, 90_000);

  it('has no serious or critical violations on the customer\'s options page', async () => {
    const options = await browser.options('#/settings');
    await optionsAt(options, 'settings', m('route_settings'));
    await options.getByRole('heading', { name: m('statement_title') }).waitFor();
    await expectAccessible(options, 'the customer\'s settings');
    await expectFocusVisibleEverywhere(options, 'the customer\'s settings');
    await options.close();
  }, 60_000);

  it('has no serious or critical violations on any admin screen, nor on its dialogs', async () => {
    await popup.getByRole('button', { name: m('wallet_sign_out') }).click();
    await signIn(popup, 'admin', ADMIN_PASSWORD, lang);
    await popup.getByText(m('wallet_no_account_admin')).waitFor({ timeout: 15_000 });
    await expectAccessible(popup, 'the admin\'s popup');

    const options = await browser.options('#/settings');
    // An alert while the page is open, for the Alerts screen and the navigation's "new" count.
    const newcomer = await connect(relay, 'tcp');
    await newcomer.request('auth.register', { username: 'olga_pending', password: 'olga-password-1', displayName: 'Olga Pending' });
    newcomer.close();
    for (const route of ROUTES) {
      await optionsAt(options, route.id, m(route.label));
      await expectAccessible(options, `the ${route.id} screen`);
      await expectFocusVisibleEverywhere(options, `the ${route.id} screen`);
    }

    await optionsAt(options, 'users', m('route_users'));
    const dialog = options.getByRole('dialog');
    await options.getByRole('button', { name: m('users_create') }).click();
    await expectAccessible(options, 'the create-user dialog');
    await dialog.getByRole('button', { name: m('users_create') }).click();
    await dialog.getByText(m('create_user_username_missing')).waitFor();
    await expectAccessible(options, 'the create-user dialog with its errors');
    await options.keyboard.press('Escape');

    await options.getByRole('button', { name: m('users_more_actions_name', DEMO.jane.username) }).click();
    await expectAccessible(options, 'a row\'s menu');
    await options.getByRole('button', { name: m('users_menu_edit_name', DEMO.jane.username) }).click();
    await dialog.waitFor();
    await expectAccessible(options, 'the edit-user dialog');
    await options.keyboard.press('Escape');

    await options.getByRole('button', { name: m('users_deposit_name', DEMO.jane.username) }).click();
    await dialog.waitFor();
    await expectAccessible(options, 'the deposit dialog');
    await options.keyboard.press('Escape');

    await options.getByRole('button', { name: m('users_more_actions_name', DEMO.jane.username) }).click();
    await options.getByRole('button', { name: m('users_menu_freeze_name', DEMO.jane.username) }).click();
    await options.getByRole('alertdialog').waitFor();
    await expectAccessible(options, 'the freeze confirmation');
    await options.getByRole('alertdialog').getByRole('button', { name: m('common_cancel') }).click();

    await optionsAt(options, 'registrations', m('route_registrations'));
    await options.getByRole('button', { name: m('registrations_reject_name', 'olga_pending') }).click();
    await options.getByRole('alertdialog').waitFor();
    await expectAccessible(options, 'the reject confirmation');
    await options.getByRole('alertdialog').getByRole('button', { name: m('common_cancel') }).click();

    await optionsAt(options, 'relay', m('route_relay'));
    await options.getByRole('button', { name: m('relay_verify_ledger') }).click();
    await options.getByText(m('relay_ledger_balanced_title')).waitFor({ timeout: 15_000 });
    await expectAccessible(options, 'the relay screen with a verified ledger');

    await optionsAt(options, 'audit', m('route_audit'));
    await options.getByRole('button', { name: m('audit_verify') }).click();
    await options.getByText(m('audit_intact_title')).waitFor({ timeout: 15_000 });
    await expectAccessible(options, 'the audit log with a verified chain');
    await options.close();
  }, 180_000);

  it('keeps the keyboard inside an options dialog, closes it on Escape and gives focus back to what opened it', async () => {
    const options = await browser.options('#/users');
    await optionsAt(options, 'users', m('route_users'));
    const dialog = options.getByRole('dialog');
    const inDialog = () => dialog.evaluate((d) => d.contains(document.activeElement));

    await tabTo(options, m('users_create'));
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
    expect(await focusedName(options)).toBe(m('users_create'));

    // A dialog opened from a row's menu gives focus back to that menu's button.
    const more = m('users_more_actions_name', DEMO.john.username);
    await tabTo(options, more);
    await options.keyboard.press('Enter');
    expect(await focusedName(options)).toBe(m('users_menu_edit_name', DEMO.john.username));
    await options.keyboard.press('Enter');
    await dialog.waitFor();
    expect(await inDialog()).toBe(true);
    await options.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await focusedName(options)).toBe(more);
    await options.close();
  }, 60_000);

  it('says in words, not only in colour, that the relay is out of reach', async () => {
    await relay.relay.close();
    const outOfReach = new RegExp(`^(${literally(m('status_reconnecting'))}|${literally(m('status_offline'))})`);
    await expect.poll(() => popup.locator('.pill').innerText(), { timeout: 20_000 }).toMatch(outOfReach);
    await expectAccessible(popup, 'the popup out of reach of the relay');
  }, 60_000);

  it('has no serious or critical violations on the warning about a relay with another identity key', async () => {
    // Another relay, with a key of its own, where the bank's was.
    impostor = await startTestRelay({ tcpPort: relay.tcpPort, wsPort: relay.wsPort });
    await popup.getByRole('heading', { name: m('key_changed_title') }).waitFor({ timeout: 60_000 });
    await expectAccessible(popup, 'the changed-key warning');
    await popup.getByRole('button', { name: m('key_changed_trust_button') }).click();
    await popup.getByRole('alertdialog').waitFor();
    await expectAccessible(popup, 'the confirmation to trust a new key');
    await popup.keyboard.press('Escape');

    const options = await browser.options('#/settings');
    await options.getByText(m('trust_changed_title')).waitFor({ timeout: 15_000 });
    await expectAccessible(options, 'the settings with a changed relay key');
    await options.close();
  }, 90_000);
});
