import { fileURLToPath } from 'node:url';
import { defineConfig, type UserManifest } from 'wxt';
import { EXTENSION_PUBLIC_KEY, FIREFOX_ADDON_ID } from '../common/extension-identity.js';

/*
 * The extension: `npm run build:extension` builds it for Chrome into dist/extension/chrome-mv3
 * and for Firefox (`-b firefox`) into dist/extension/firefox-mv3, each with its zip. The pages
 * and the background are the same code; only the manifest's browser-specific keys differ, and
 * WXT writes the background as a service worker for Chrome and as an event page
 * (background.scripts) for Firefox.
 */

/** What each browser needs to give the extension its fixed identity and the APIs it uses. */
function browserSpecific(browser: string): UserManifest {
  if (browser === 'firefox') {
    return {
      browser_specific_settings: {
        gecko: {
          id: FIREFOX_ADDON_ID,
          // 140 (the current ESR) has everything used here: MV3 event pages as modules,
          // storage.session, and the install-time data consent declared below.
          strict_min_version: '140.0',
          // What the wallet sends off the device, all of it to the bank's own relay: the
          // username and password, the customer's name on sign-up, and their transfers.
          // Firefox shows this at install; Mozilla requires it of new add-ons.
          data_collection_permissions: {
            required: ['authenticationInfo', 'personallyIdentifyingInfo', 'financialAndPaymentInfo'],
          },
        },
        // Firefox for Android understands that consent from 142 on.
        gecko_android: { strict_min_version: '142.0' },
      },
    };
  }
  return {
    // Chromium derives the extension ID, and so the relay's default allowed origin, from it.
    key: EXTENSION_PUBLIC_KEY,
    // Chrome 116 keeps a service worker alive while its WebSocket is active.
    minimum_chrome_version: '116',
    // What an organization's policy may fix (storage.managed; docs/MANAGED.md). Firefox takes
    // the same policy from policies.json, with no schema in the manifest.
    storage: { managed_schema: 'managed_schema.json' },
  };
}

export default defineConfig({
  srcDir: '.',
  entrypointsDir: 'entrypoints',
  outDir: '../dist/extension',
  imports: false,
  manifestVersion: 3,
  zip: {
    artifactTemplate: 'distributed-bank-{{version}}-{{browser}}.zip',
    // addons.mozilla.org asks for the source of bundled code, enough to rebuild the same files
    // (docs/FIREFOX.md says how). WXT zips it for Firefox builds only; this names exactly what
    // the extension is built from, so nothing else in the working tree can slip in.
    sourcesTemplate: 'distributed-bank-{{version}}-sources.zip',
    sourcesRoot: fileURLToPath(new URL('..', import.meta.url)),
    excludeSources: ['**/*'],
    includeSources: ['package.json', 'package-lock.json', 'tsconfig.json', 'README.md', 'docs/FIREFOX.md', 'common/**', 'extension/**'],
  },
  manifest: ({ browser }) => ({
    // Words come from public/_locales/<language>/messages.json in the browser's language
    // (src/shared/i18n.ts); English where the browser's language has no file.
    default_locale: 'en',
    name: '__MSG_extName__',
    version: '0.1.0',
    description: '__MSG_extDescription__',
    ...browserSpecific(browser),
    permissions: ['storage', 'alarms', 'idle', 'notifications'],
    action: { default_title: '__MSG_extName__' },
    content_security_policy: {
      extension_pages: "script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    },
  }),
  vite: () => ({
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: { sourcemap: false },
  }),
});
