import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { webCryptoSuite } from '../../common/protocol/crypto-web.js';
import { openWebSocketTransport } from '../src/background/browser-transport.js';
import { openViewCache } from '../src/background/cache.js';
import type { IdleState } from '../src/background/autolock.js';
import { isOwnPage, type SenderLike } from '../src/background/messages.js';
import { openRunStore } from '../src/background/runs/run-store.js';
import { createBackground } from '../src/background/service.js';
import { browserArea } from '../src/background/storage.js';
import type { UiPort } from '../src/background/ui-ports.js';
import { UI_PORT } from '../src/shared/api.js';

/*
 * The service worker: it owns the one relay connection and the state the pages render. MV3 may
 * stop it at any time; every listener is registered synchronously here so an event that wakes
 * it is delivered, and the state is rebuilt from storage, the cache and a session resume.
 */
export default defineBackground({
  type: 'module',
  main() {
    // runtime.getURL's type comes from WXT's generated paths, which the root tsconfig leaves out.
    const extensionUrl = (browser.runtime as unknown as { getURL(path: string): string }).getURL('');
    const extensionId = browser.runtime.id;

    const background = createBackground({
      local: browserArea(browser.storage.local),
      session: browserArea(browser.storage.session),
      openTransport: (url) => openWebSocketTransport(url, { timeoutMs: 10_000 }),
      suite: webCryptoSuite,
      cache: openViewCache(),
      runStore: openRunStore(),
      notifications: { create: (id, options) => browser.notifications.create(id, options) },
      badge: {
        setBadgeText: (details) => browser.action.setBadgeText(details),
        setBadgeBackgroundColor: (details) => browser.action.setBadgeBackgroundColor(details),
      },
      alarms: {
        create: (name, info) => browser.alarms.create(name, info),
        clear: (name) => browser.alarms.clear(name),
      },
      idle: { setDetectionInterval: (seconds) => browser.idle.setDetectionInterval(seconds) },
      managed: { get: () => browser.storage.managed.get() },
    });

    // Only our own pages get an answer; anything else gets none (no onMessageExternal at all).
    browser.runtime.onMessage.addListener((message: unknown, sender: SenderLike, sendResponse: (response: unknown) => void) => {
      if (!isOwnPage(sender, extensionId, extensionUrl)) return undefined;
      void background.handleRequest(message).then(sendResponse);
      return true; // answered asynchronously
    });

    browser.runtime.onConnect.addListener((port: UiPort & { name: string; sender?: SenderLike; disconnect(): void }) => {
      if (port.name !== UI_PORT || !isOwnPage(port.sender, extensionId, extensionUrl)) {
        port.disconnect();
        return;
      }
      background.connectPort(port);
    });

    browser.storage.onChanged.addListener((_changes: unknown, area: string) => {
      if (area === 'managed') void background.onPolicyChanged();
    });
    browser.alarms.onAlarm.addListener((alarm: { name: string }) => background.onAlarm(alarm));
    browser.idle.onStateChanged.addListener((state: IdleState) => background.onIdleState(state));
    browser.notifications.onClicked.addListener((id: string) => void browser.notifications.clear(id));
  },
});
