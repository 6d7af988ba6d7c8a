import 'fake-indexeddb/auto';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webCryptoSuite } from '../../../common/protocol/crypto-web.js';
import { openWebSocketTransport, type WebSocketConstructor } from '../../../extension/src/background/browser-transport.js';
import { openViewCache } from '../../../extension/src/background/cache.js';
import { createBackground, type Background } from '../../../extension/src/background/service.js';
import { memoryArea } from '../../../extension/src/background/storage.js';
import { importLegacyFile } from '../../helpers/legacy-import.js';
import { startTestRelay, tempDir, type TestRelay } from '../../helpers/relay.js';
import { waitForState } from './wait-for-state.js';

/*
 * A customer brought over from the old Qt bank with a password below today's rules: the
 * background's real connection logic against a real relay holding the imported bank. The wallet
 * asks for a new password first (AppState.mustChangePassword) and stops asking once it is changed.
 */

const FIXTURE = readFileSync(new URL('../../fixtures/legacy/BankDatabase.json', import.meta.url), 'utf8');

describe('an imported customer whose password is below today\'s rules', () => {
  let dataDir: string;
  let relay: TestRelay;
  let bg: Background;

  beforeAll(async () => {
    dataDir = await tempDir('bank-bg-legacy-');
    await importLegacyFile(dataDir, FIXTURE);
    relay = await startTestRelay({ dataDir });
    const local = memoryArea();
    await local.set('settings', { relayUrl: relay.wsUrl, autoLockMinutes: 5, notifications: true });
    bg = createBackground({
      local,
      session: memoryArea(),
      cache: openViewCache(`bg-legacy-${randomUUID()}`),
      openTransport: (u) => openWebSocketTransport(u, { WebSocketImpl: WebSocket as unknown as WebSocketConstructor, timeoutMs: 3_000 }),
      suite: webCryptoSuite,
      notifications: { create: async () => {} },
      badge: { setBadgeText: async () => {}, setBadgeBackgroundColor: async () => {} },
      alarms: { create: async () => {}, clear: async () => true },
      idle: { setDetectionInterval: () => {} },
      log: () => {},
    });
    await bg.ready;
    await waitForState(bg.store, (s) => s.status === 'live', 'live');
  });

  afterAll(async () => {
    bg?.connection.stop();
    await relay?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('is asked for a new password at sign-in, and no more once it is changed', async () => {
    expect(await bg.handleRequest({ type: 'login', username: 'omar.k', password: '1234' })).toMatchObject({ ok: true });
    expect(bg.store.get().mustChangePassword).toBe(true);
    const changed = await bg.handleRequest({ type: 'call', op: 'auth.changePassword', args: { oldPassword: '1234', newPassword: 'a much better password' } });
    expect(changed).toMatchObject({ ok: true });
    expect(bg.store.get().mustChangePassword).toBeUndefined();
    await bg.handleRequest({ type: 'logout' });
    expect(await bg.handleRequest({ type: 'login', username: 'omar.k', password: 'a much better password' })).toMatchObject({ ok: true });
    expect(bg.store.get().mustChangePassword).toBeUndefined();
  });
});
