import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ADMIN_PASSWORD, connect, startTestRelay, type TestRelay } from '../helpers/relay.js';
import { startDemoRelay } from '../helpers/demo-relay.js';
import { launchWithExtension, pointAtRelay, signIn, type ExtensionBrowser } from '../helpers/extension.js';

/**
 * The built extension in Debian's Chromium against a real relay with the demo customers:
 * what customers and an admin do, through the real popup and options pages.
 */
describe('the extension, end to end', () => {
  let relay: TestRelay;
  let jane: ExtensionBrowser;
  let john: ExtensionBrowser;
  let janePopup: Page;
  let johnPopup: Page;

  beforeAll(async () => {
    relay = await startDemoRelay();
    [jane, john] = await Promise.all([launchWithExtension(), launchWithExtension()]);
    await Promise.all([pointAtRelay(jane, relay.wsUrl), pointAtRelay(john, relay.wsUrl)]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([jane?.close(), john?.close()]);
    await relay?.stop();
  });

  it('shows a wrong password next to the form, then signs the customer in', async () => {
    janePopup = await jane.popup();
    await signIn(janePopup, 'jane_smith', 'not her password');
    await expect.poll(() => janePopup.locator('body').innerText(), { timeout: 15_000 }).toMatch(/invalid username or password/i);
    await signIn(janePopup, 'jane_smith', 'jane-demo-pass');
    await expect.poll(() => janePopup.locator('body').innerText(), { timeout: 15_000 }).toMatch(/\$4,187\.50/);
  }, 60_000);

  it('keeps the session token in storage.session only: never in storage.local, never in IndexedDB', async () => {
    const worker = await jane.worker();
    const stored = await worker.evaluate(async () => {
      type Area = { get(keys?: null): Promise<Record<string, unknown>> };
      const chrome = (globalThis as unknown as { chrome: { storage: { local: Area; session: Area } } }).chrome;
      const dump: string[] = [];
      for (const name of await indexedDB.databases()) {
        const db = await new Promise<IDBDatabase>((ok, fail) => {
          const req = indexedDB.open(name.name!);
          req.onsuccess = () => ok(req.result);
          req.onerror = () => fail(req.error);
        });
        for (const store of Array.from(db.objectStoreNames)) {
          const all = await new Promise<unknown[]>((ok) => {
            const req = db.transaction(store).objectStore(store).getAll();
            req.onsuccess = () => ok(req.result as unknown[]);
          });
          dump.push(JSON.stringify(all));
        }
        db.close();
      }
      return { local: JSON.stringify(await chrome.storage.local.get(null)), session: await chrome.storage.session.get(null), idb: dump.join('\n') };
    });
    const token = (stored.session.relaySession as { token?: string } | undefined)?.token;
    expect(token, 'the signed-in session is in storage.session').toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(stored.local).not.toContain(token!);
    expect(stored.idb).not.toContain(token!);
  });

  it('sends money; the payee\'s open popup shows it arrive without reloading, with a notification', async () => {
    johnPopup = await john.popup();
    await signIn(johnPopup, 'john_doe', 'john-demo-pass');
    await expect.poll(() => johnPopup.locator('body').innerText(), { timeout: 15_000 }).toMatch(/\$2,483\.01/);
    const johnAccount = (await relay.relay.context.ledger.accountsOf('john_doe'))[0]!.account;

    await janePopup.getByRole('button', { name: 'Send', exact: true }).click();
    await janePopup.getByLabel('Pay to account number').fill(johnAccount);
    await janePopup.getByLabel('Amount').fill('12.34');
    await janePopup.getByLabel('Memo (optional)').fill('e2e lunch');
    await janePopup.getByRole('button', { name: 'Review' }).click();
    await expect.poll(() => janePopup.locator('body').innerText(), { timeout: 15_000 }).toMatch(/John D\./);
    await janePopup.getByRole('button', { name: 'Send $12.34' }).click();
    await expect.poll(() => janePopup.locator('body').innerText(), { timeout: 15_000 }).toMatch(/Sent \$12\.34 to John D\./);

    // John's popup was never reloaded.
    await expect.poll(() => johnPopup.locator('body').innerText(), { timeout: 15_000 }).toMatch(/\$2,495\.35/);
    await expect.poll(() => johnPopup.locator('body').innerText()).toMatch(/e2e lunch/);
    const worker = await john.worker();
    const notifications = await worker.evaluate(
      () =>
        new Promise<Record<string, unknown>>((resolve) =>
          (globalThis as unknown as { chrome: { notifications: { getAll(cb: (n: Record<string, unknown>) => void): void } } }).chrome.notifications.getAll(resolve),
        ),
    );
    expect(Object.keys(notifications).length).toBeGreaterThan(0);
    const badge = await worker.evaluate(() =>
      (globalThis as unknown as { chrome: { action: { getBadgeText(d: object): Promise<string> } } }).chrome.action.getBadgeText({}),
    );
    expect(badge).toBe('1');
  }, 60_000);

  it('refuses a transfer over the balance with a clear error', async () => {
    await janePopup.getByRole('button', { name: 'Done' }).click();
    const johnAccount = (await relay.relay.context.ledger.accountsOf('john_doe'))[0]!.account;
    await janePopup.getByRole('button', { name: 'Send', exact: true }).click();
    await janePopup.getByLabel('Pay to account number').fill(johnAccount);
    await janePopup.getByLabel('Amount').fill('5000');
    await janePopup.getByRole('button', { name: 'Review' }).click();
    await janePopup.getByRole('button', { name: 'Send $5,000.00' }).click();
    await expect.poll(() => janePopup.locator('body').innerText(), { timeout: 15_000 }).toMatch(/Not sent: Not enough money/i);
    expect((await relay.relay.context.ledger.accountsOf('jane_smith'))[0]!.balance).toBe(418_750 - 1_234);
  }, 60_000);

  it('stays signed in across a relay restart (the worker resumes without the password)', async () => {
    const { tcpPort, wsPort, dataDir } = relay;
    await relay.relay.close();
    await expect.poll(() => janePopup.locator('body').innerText(), { timeout: 20_000 }).toMatch(/reconnecting|offline/i);
    relay = await startTestRelay({ dataDir, tcpPort, wsPort });
    await expect.poll(() => janePopup.locator('body').innerText(), { timeout: 45_000 }).toMatch(/live/i);
    const fresh = await jane.popup();
    await expect.poll(() => fresh.locator('body').innerText(), { timeout: 15_000 }).toMatch(/\$4,175\.16/);
    expect(await fresh.getByLabel('Username').count()).toBe(0);
    await fresh.close();
  }, 90_000);

  it('shows a customer no admin screens on the options page', async () => {
    const options = await jane.options('#/settings');
    await expect.poll(() => options.locator('body').innerText(), { timeout: 15_000 }).toMatch(/jane/i);
    const nav = options.getByRole('navigation', { name: 'Sections' });
    expect(await nav.getByRole('link', { name: 'Users' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'Registrations' }).count()).toBe(0);
    await options.goto(options.url().replace(/#.*$/, '#/users'));
    await expect.poll(() => options.locator('body').innerText()).toMatch(/not available/i);
    await options.close();
  }, 60_000);

  it('lets an admin approve a registration from the options page, after which the new customer signs in', async () => {
    // A newcomer registers from John's browser after he signs out.
    await johnPopup.getByRole('button', { name: 'Sign out' }).click();
    await johnPopup.getByRole('button', { name: 'Create an account' }).click();
    await johnPopup.getByLabel('Username').fill('new_customer');
    await johnPopup.getByLabel('Your name').fill('Nora Newcomer');
    await johnPopup.getByLabel('Password', { exact: true }).fill('nora-password-1');
    await johnPopup.getByLabel('Confirm password').fill('nora-password-1');
    await johnPopup.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => johnPopup.locator('body').innerText(), { timeout: 15_000 }).toMatch(/approval/i);

    // The admin signs in (from Jane's browser, after she signs out) and approves.
    await janePopup.reload();
    await janePopup.getByRole('button', { name: 'Sign out' }).click();
    await signIn(janePopup, 'admin', ADMIN_PASSWORD);
    await expect.poll(() => janePopup.locator('body').innerText(), { timeout: 15_000 }).not.toMatch(/Sign in/);
    const options = await jane.options('#/registrations');
    await options.getByRole('button', { name: 'Approve new_customer' }).click();
    await expect.poll(() => options.locator('body').innerText(), { timeout: 15_000 }).toMatch(/Approved new_customer/);
    await options.close();

    const popup = await john.popup();
    await signIn(popup, 'new_customer', 'nora-password-1');
    await expect.poll(() => popup.locator('body').innerText(), { timeout: 15_000 }).toMatch(/\$0\.00/);
    await popup.close();
  }, 90_000);

  it('lets a second admin approve the reset of an administrator\'s password that another asked for, from the Users screen', async () => {
    const lead = await connect(relay, 'tcp');
    await lead.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
    for (const username of ['ops_target', 'ops_asker']) {
      await lead.request('admin.user.create', { username, password: 'ops admin password', displayName: `Ops ${username}`, role: 'admin' });
    }
    const asker = await connect(relay, 'tcp');
    await asker.request('auth.login', { username: 'ops_asker', password: 'ops admin password' });
    await asker.request('admin.user.update', { username: 'ops_target', password: 'ops target new password' });

    // The admin signed in on Jane's browser (above) sees the waiting reset and approves it.
    const options = await jane.options('#/users');
    await expect.poll(() => options.locator('body').innerText(), { timeout: 15_000 }).toMatch(/Password reset by ops_asker awaits approval/);
    await options.getByRole('button', { name: 'More actions for ops_target' }).click();
    await options.getByRole('button', { name: 'Approve the password reset of ops_target' }).click();
    await options.getByRole('button', { name: 'Approve reset' }).click();
    await expect.poll(() => options.locator('body').innerText(), { timeout: 15_000 }).toMatch(/ops_target has the new password/);
    await options.close();
    const check = await connect(relay, 'ws');
    expect((await check.call('auth.login', { username: 'ops_target', password: 'ops target new password' })).ok).toBe(true);
    for (const c of [lead, asker, check]) c.close();
  }, 90_000);
});
