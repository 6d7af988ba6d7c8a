import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, connect, startTestRelay, type TestRelay } from '../helpers/relay.js';
import { launchWithExtension, newExtensionIdentity, signIn, type ExtensionBrowser, type ExtensionIdentity } from '../helpers/extension.js';

/*
 * An organization's policy, as IT deploys it: a file under /etc/chromium/policies/managed/
 * naming the extension's id. Each browser here loads a copy of the built extension with an id
 * of its own, so the policy reaches only that browser, not the other suites' (the tests run as
 * root here, and the file is removed afterwards).
 */

const POLICY_DIR = '/etc/chromium/policies/managed';
const PASSWORD = 'managed wallet password';

describe('the wallet under an organization\'s policy, in Chromium', () => {
  let bank: TestRelay;
  let impostor: TestRelay;
  const files: string[] = [];
  const browsers: ExtensionBrowser[] = [];

  /** One id per browser, made before the relays start so that they can allow its origin. */
  const identities: ExtensionIdentity[] = [newExtensionIdentity(), newExtensionIdentity()];

  async function managedBrowser(identity: ExtensionIdentity, policy: Record<string, unknown>): Promise<ExtensionBrowser> {
    await mkdir(POLICY_DIR, { recursive: true });
    const file = path.join(POLICY_DIR, `distributed-bank-test-${identity.id}.json`);
    files.push(file);
    await writeFile(file, JSON.stringify({ '3rdparty': { extensions: { [identity.id]: policy } } }), { mode: 0o644 });
    const browser = await launchWithExtension({ identity });
    browsers.push(browser);
    return browser;
  }

  beforeAll(async () => {
    const allowedOrigins = identities.map((i) => `chrome-extension://${i.id}`);
    bank = await startTestRelay({ allowedOrigins });
    impostor = await startTestRelay({ allowedOrigins });
    const admin = await connect(bank, 'ws');
    await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
    await admin.request('admin.user.create', { username: 'petra_policy', password: PASSWORD, displayName: 'Petra Policy', role: 'user', openingDeposit: 12_345 });
    admin.close();
  }, 60_000);

  afterAll(async () => {
    await Promise.all(browsers.map((b) => b.close()));
    await Promise.all(files.map((f) => rm(f, { force: true })));
    await Promise.all([bank?.stop(), impostor?.stop()]);
  });

  it('connects to the policy\'s relay with its pinned key untouched by anyone, and shows the fixed settings read-only', async () => {
    const browser = await managedBrowser(identities[0]!, { relayUrl: bank.wsUrl, relayFingerprint: bank.relay.fingerprint, autoLockMinutes: 7, notifications: false });
    const popup = await browser.popup();
    await signIn(popup, 'petra_policy', PASSWORD);
    await expect.poll(() => popup.locator('body').innerText(), { timeout: 20_000 }).toMatch(/\$123\.45/);

    const options = await browser.options('#/settings');
    const relayField = options.getByLabel('Relay address');
    await expect.poll(() => relayField.inputValue(), { timeout: 15_000 }).toBe(bank.wsUrl);
    expect(await relayField.getAttribute('readonly')).not.toBeNull();
    expect(await options.getByLabel('Lock after (minutes idle)').inputValue()).toBe('7');
    expect(await options.getByLabel('Show notifications').isDisabled()).toBe(true);
    expect(await options.getByText('Set by your organization: it cannot be changed here.').count()).toBe(3);
    expect(await options.getByRole('button', { name: 'Save settings' }).count()).toBe(0);
    const body = await options.locator('body').innerText();
    expect(body).toMatch(/Pinned by your organization/);
    expect(await options.getByRole('button', { name: 'Forget key' }).count()).toBe(0);
    // What the page may not change, the background refuses too.
    const refused = await options.evaluate(async () => {
      const runtime = (globalThis as unknown as { chrome: { runtime: { sendMessage(m: unknown): Promise<unknown> } } }).chrome.runtime;
      return runtime.sendMessage({ type: 'settings', settings: { relayUrl: 'ws://127.0.0.1:9/' } });
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.stringMatching(/organization's policy/) } });
  }, 90_000);

  it('refuses a relay that presents another key than the policy pins, with no way to accept it', async () => {
    const browser = await managedBrowser(identities[1]!, { relayUrl: impostor.wsUrl, relayFingerprint: bank.relay.fingerprint });
    const options = await browser.options('#/settings');
    await expect.poll(() => options.locator('body').innerText(), { timeout: 20_000 }).toMatch(/The relay's key has changed/);
    expect(await options.getByRole('button', { name: 'Trust new key' }).count()).toBe(0);
    expect(await options.locator('body').innerText()).toMatch(/Pinned by your organization/);
  }, 90_000);
});
