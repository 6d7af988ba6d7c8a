import { createHash, generateKeyPairSync } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { findChromium } from './chromium.js';
import { messageIn, type Language } from './i18n.js';

/** The unpacked extension built by `npm run build:extension` (the test command builds it first). */
export const EXTENSION_DIR = fileURLToPath(new URL('../../dist/extension/chrome-mv3', import.meta.url));

export interface ExtensionBrowser {
  context: BrowserContext;
  extensionId: string;
  /** The browser's UI language: the pages show its messages. */
  lang: Language;
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
 * `identity` loads it under another ID, `lang` sets the browser's UI language (English by
 * default).
 */
export async function launchWithExtension(opts: { identity?: ExtensionIdentity; lang?: Language } = {}): Promise<ExtensionBrowser> {
  const lang = opts.lang ?? 'en';
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
    // --lang is the language chrome.i18n serves the extension's messages in. Headless Chromium
    // on Linux still reports en-US from navigator.language and i18n.getUILanguage() (and
    // LANGUAGE/LANG change neither): `locale` makes them agree, as in a browser set up in it.
    locale: lang === 'en' ? 'en-US' : lang,
    args: [
      `--lang=${lang}`,
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
    lang,
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
  const m = (key: Parameters<typeof messageIn>[1]) => messageIn(browser.lang, key);
  const options = await browser.options('#/settings');
  await options.getByLabel(m('connection_relay_url')).fill(wsUrl);
  await options.getByRole('button', { name: m('connection_save') }).click();
  await options.getByText(m('status_live'), { exact: true }).first().waitFor({ timeout: 15_000 });
  await options.close();
}

/** Fills and submits the popup's sign-in form (what it shows when nobody is signed in), in the browser's language. */
export async function signIn(popup: Page, username: string, password: string, lang: Language = 'en'): Promise<void> {
  await popup.getByLabel(messageIn(lang, 'common_username')).fill(username);
  await popup.getByLabel(messageIn(lang, 'common_password'), { exact: true }).fill(password);
  await popup.getByRole('button', { name: messageIn(lang, 'sign_in_submit') }).click();
}
