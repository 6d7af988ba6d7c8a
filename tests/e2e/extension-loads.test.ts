import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_ID } from '../../common/extension-identity.js';
import { launchWithExtension, type ExtensionBrowser } from '../helpers/extension.js';

describe('the built extension in Chromium', () => {
  let browser: ExtensionBrowser;
  beforeAll(async () => {
    browser = await launchWithExtension();
  }, 60_000);
  afterAll(() => browser?.close());

  it('loads with its fixed ID (the relay\'s default allowed origin) and a strict CSP', async () => {
    expect(browser.extensionId).toBe(EXTENSION_ID);
    const worker = await browser.worker();
    type Manifest = { manifest_version: number; minimum_chrome_version?: string; content_security_policy?: { extension_pages?: string } };
    const manifest = await worker.evaluate(
      () => (globalThis as unknown as { chrome: { runtime: { getManifest(): Manifest } } }).chrome.runtime.getManifest(),
    );
    expect(manifest.manifest_version).toBe(3);
    expect(manifest.minimum_chrome_version).toBe('116');
    expect(manifest.content_security_policy?.extension_pages).toMatch(/script-src 'self'/);
  });

  it('opens the popup and the options page', async () => {
    const popup = await browser.popup();
    await expect.poll(() => popup.locator('body').innerText()).toMatch(/\S/);
    const options = await browser.options();
    await expect.poll(() => options.locator('body').innerText()).toMatch(/\S/);
  });
});
