import { cp, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { findChromium } from './chromium.js';

/** The unpacked extension built by `npm run build:extension` (the test command builds it first). */
export const EXTENSION_DIR = fileURLToPath(new URL('../../dist/extension/chrome-mv3', import.meta.url));

export interface ExtensionBrowser {
  context: BrowserContext;
  extensionId: string;
  worker(): Promise<Worker>;
  popup(): Promise<Page>;
  options(hash?: string): Promise<Page>;
  close(): Promise<void>;
}

/** A fresh Chromium profile with the built extension loaded, as a person would have it. */
export async function launchWithExtension(): Promise<ExtensionBrowser> {
  if (!existsSync(path.join(EXTENSION_DIR, 'manifest.json'))) {
    throw new Error(`${EXTENSION_DIR} has no manifest.json: run "npm run build:extension" first`);
  }
  const home = await mkdtemp(path.join(os.tmpdir(), 'bank-chromium-'));
  // Chromium loads an unpacked extension's files as it needs them: a private copy keeps a
  // rebuild meanwhile (another test run, a developer's build) from pulling them out from under
  // a running test. The manifest's key keeps the ID the same wherever the copy is.
  const extensionDir = path.join(home, 'extension');
  await cp(EXTENSION_DIR, extensionDir, { recursive: true });
  const context = await chromium.launchPersistentContext(path.join(home, 'profile'), {
    executablePath: findChromium(),
    headless: true,
    viewport: { width: 1100, height: 800 },
    args: [
      '--no-sandbox',
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
    ],
  });
  const worker = async (): Promise<Worker> => {
    const existing = context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://'));
    return existing ?? context.waitForEvent('serviceworker', { timeout: 20_000 });
  };
  const extensionId = new URL((await worker()).url()).host;
  const open = async (file: string): Promise<Page> => {
    const page = await context.newPage();
    await page.goto(`chrome-extension://${extensionId}/${file}`);
    return page;
  };
  return {
    context,
    extensionId,
    worker,
    popup: async () => {
      const page = await open('popup.html');
      await page.setViewportSize({ width: 360, height: 600 });
      return page;
    },
    options: (hash = '') => open(`options.html${hash}`),
    async close() {
      await context.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** Points the extension at a relay, as a person would on the options page, and waits until it is live. */
export async function pointAtRelay(browser: ExtensionBrowser, wsUrl: string): Promise<void> {
  const options = await browser.options('#/settings');
  await options.getByLabel('Relay address').fill(wsUrl);
  await options.getByRole('button', { name: 'Save settings' }).click();
  await options.getByText(/live/i).first().waitFor({ timeout: 15_000 });
  await options.close();
}

/** Fills and submits the popup's sign-in form (what it shows when nobody is signed in). */
export async function signIn(popup: Page, username: string, password: string): Promise<void> {
  await popup.getByLabel('Username').fill(username);
  await popup.getByLabel('Password', { exact: true }).fill(password);
  await popup.getByRole('button', { name: 'Sign in' }).click();
}
