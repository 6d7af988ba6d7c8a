import { createHash, generateKeyPairSync } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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

/** An extension identity of its own: the manifest `key` and the ID Chromium derives from it. */
export interface ExtensionIdentity {
  key: string;
  id: string;
}

/**
 * A new identity, for a test whose browser must not share the built extension's ID (a policy
 * for one ID reaches only that browser). Chromium's rule: SHA-256 of the key, first 32 hex
 * digits, each mapped 0-f → a-p.
 */
export function newExtensionIdentity(): ExtensionIdentity {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const hex = createHash('sha256').update(der).digest('hex').slice(0, 32);
  return { key: der.toString('base64'), id: [...hex].map((c) => String.fromCharCode(97 + Number.parseInt(c, 16))).join('') };
}

/**
 * A fresh Chromium profile with the built extension loaded, as a person would have it;
 * `identity` loads it under another ID.
 */
export async function launchWithExtension(opts: { identity?: ExtensionIdentity } = {}): Promise<ExtensionBrowser> {
  if (!existsSync(path.join(EXTENSION_DIR, 'manifest.json'))) {
    throw new Error(`${EXTENSION_DIR} has no manifest.json: run "npm run build:extension" first`);
  }
  const home = await mkdtemp(path.join(os.tmpdir(), 'bank-chromium-'));
  // Chromium loads an unpacked extension's files as it needs them: a private copy keeps a
  // rebuild meanwhile (another test run, a developer's build) from pulling them out from under
  // a running test. The manifest's key keeps the ID the same wherever the copy is.
  const extensionDir = path.join(home, 'extension');
  await cp(EXTENSION_DIR, extensionDir, { recursive: true });
  if (opts.identity) {
    const manifestFile = path.join(extensionDir, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Record<string, unknown>;
    await writeFile(manifestFile, JSON.stringify({ ...manifest, key: opts.identity.key }));
  }
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
