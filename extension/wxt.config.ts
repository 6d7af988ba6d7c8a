import { defineConfig } from 'wxt';
import { EXTENSION_PUBLIC_KEY } from '../common/extension-identity.js';

// The extension: built with `npm run build:extension` into dist/extension/chrome-mv3.
export default defineConfig({
  srcDir: '.',
  entrypointsDir: 'entrypoints',
  outDir: '../dist/extension',
  imports: false,
  manifestVersion: 3,
  zip: { artifactTemplate: 'distributed-bank-{{version}}-{{browser}}.zip' },
  manifest: {
    name: 'Distributed Bank',
    version: '0.1.0',
    description: 'Your Distributed Bank wallet: balance, transfers and alerts, live from your bank\'s relay.',
    key: EXTENSION_PUBLIC_KEY,
    // Chrome 116 keeps a service worker alive while its WebSocket is active.
    minimum_chrome_version: '116',
    permissions: ['storage', 'alarms', 'idle', 'notifications'],
    action: { default_title: 'Distributed Bank' },
    content_security_policy: {
      extension_pages: "script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    },
  },
  vite: () => ({
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: { sourcemap: false },
  }),
});
