import http from 'node:http';
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
    type Manifest = {
      manifest_version: number;
      minimum_chrome_version?: string;
      content_security_policy?: { extension_pages?: string };
      content_scripts?: unknown;
      externally_connectable?: unknown;
      web_accessible_resources?: unknown;
      host_permissions?: unknown;
    };
    const manifest = await worker.evaluate(
      () => (globalThis as unknown as { chrome: { runtime: { getManifest(): Manifest } } }).chrome.runtime.getManifest(),
    );
    expect(manifest.manifest_version).toBe(3);
    expect(manifest.minimum_chrome_version).toBe('116');
    expect(manifest.content_security_policy?.extension_pages).toBe("script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'");
    // Nothing of ours runs in, or is reachable from, web pages.
    expect(manifest.content_scripts).toBeUndefined();
    expect(manifest.externally_connectable).toBeUndefined();
    expect(manifest.web_accessible_resources).toBeUndefined();
    expect(manifest.host_permissions).toBeUndefined();
  });

  it('enforces the CSP on its pages: an injected inline script does not run', async () => {
    for (const page of [await browser.popup(), await browser.options()]) {
      await expect.poll(() => page.locator('body').innerText()).toMatch(/\S/);
      const ran = await page.evaluate(async () => {
        const w = window as unknown as { injected?: boolean };
        const s = document.createElement('script');
        s.textContent = 'window.injected = true;';
        document.head.append(s);
        await new Promise((r) => setTimeout(r, 100));
        return w.injected === true;
      });
      expect(ran).toBe(false);
      await page.close();
    }
  });

  it('gives a web page no way to talk to its background', async () => {
    const page = await browser.context.newPage();
    // Any ordinary web origin will do; a data: URL has none, so use a local HTTP page.
    const server = http.createServer((_req, res) => res.end('<!doctype html><title>a web page</title>'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const { port } = server.address() as { port: number };
      await page.goto(`http://127.0.0.1:${port}/`);
      const reach = await page.evaluate(async (id) => {
        const chrome = (globalThis as { chrome?: { runtime?: { sendMessage?: (...a: unknown[]) => unknown; connect?: unknown } } }).chrome;
        if (!chrome?.runtime?.sendMessage) return 'no runtime API';
        try {
          await chrome.runtime.sendMessage(id, { kind: 'state' });
          return 'answered';
        } catch (err) {
          return `refused: ${(err as Error).message}`;
        }
      }, browser.extensionId);
      expect(reach).not.toBe('answered');
      // And the extension's pages cannot be framed or opened by it.
      const framed = await page.evaluate(async (url) => {
        const f = document.createElement('iframe');
        f.src = url;
        document.body.append(f);
        await new Promise((r) => setTimeout(r, 500));
        try {
          return f.contentDocument?.body?.innerText ?? 'blocked';
        } catch {
          return 'blocked';
        }
      }, `chrome-extension://${browser.extensionId}/popup.html`);
      expect(framed === 'blocked' || framed === '').toBe(true);
    } finally {
      await page.close();
      server.close();
    }
  });

  it('opens the popup and the options page', async () => {
    const popup = await browser.popup();
    await expect.poll(() => popup.locator('body').innerText()).toMatch(/\S/);
    const options = await browser.options();
    await expect.poll(() => options.locator('body').innerText()).toMatch(/\S/);
  });
});
