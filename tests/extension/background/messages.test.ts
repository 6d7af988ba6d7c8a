import { afterEach, describe, expect, it } from 'vitest';
import { webCryptoSuite } from '../../../common/protocol/crypto-web.js';
import { isOwnPage } from '../../../extension/src/background/messages.js';
import { createBackground, type Background } from '../../../extension/src/background/service.js';
import { memoryArea } from '../../../extension/src/background/storage.js';
import { DEFAULT_SETTINGS } from '../../../extension/src/shared/api.js';

const ID = 'aokpbbgnhbokodghmipdjiigomgdjool';
const BASE = `chrome-extension://${ID}/`;

describe('isOwnPage: only the extension’s own pages are answered', () => {
  it('accepts the popup and the options page (also when opened in a tab)', () => {
    expect(isOwnPage({ id: ID, url: `${BASE}popup.html`, origin: `chrome-extension://${ID}` }, ID, BASE)).toBe(true);
    expect(isOwnPage({ id: ID, url: `${BASE}options.html#/users`, tab: { url: `${BASE}options.html#/users` } }, ID, BASE)).toBe(true);
    // Without the tabs permission a tab's url may be withheld; the document url still decides.
    expect(isOwnPage({ id: ID, url: `${BASE}options.html`, tab: {} }, ID, BASE)).toBe(true);
    expect(isOwnPage({ id: ID, url: `${BASE}popup.html` }, ID, BASE.slice(0, -1))).toBe(true);
  });

  it('ignores content scripts: our id, but a web page', () => {
    expect(isOwnPage({ id: ID, url: 'https://evil.example/', tab: { url: 'https://evil.example/' }, origin: 'https://evil.example' }, ID, BASE)).toBe(false);
  });

  it('ignores an extension frame inside a web page', () => {
    expect(isOwnPage({ id: ID, url: `${BASE}popup.html`, tab: { url: 'https://evil.example/' } }, ID, BASE)).toBe(false);
  });

  it('ignores other extensions and senders without an id or url', () => {
    const other = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
    expect(isOwnPage({ id: other, url: `chrome-extension://${other}/popup.html` }, ID, BASE)).toBe(false);
    expect(isOwnPage({ id: other, url: `${BASE}popup.html` }, ID, BASE)).toBe(false);
    expect(isOwnPage({ url: `${BASE}popup.html` }, ID, BASE)).toBe(false);
    expect(isOwnPage({ id: ID }, ID, BASE)).toBe(false);
    expect(isOwnPage(undefined, ID, BASE)).toBe(false);
    expect(isOwnPage({ id: ID, url: `${BASE}popup.html` }, '', BASE)).toBe(false);
    expect(isOwnPage({ id: ID, url: `${BASE}popup.html` }, ID, '')).toBe(false);
  });

  it('does not take a longer id for ours, nor a mismatched origin', () => {
    expect(isOwnPage({ id: ID, url: `chrome-extension://${ID}x/popup.html` }, ID, BASE)).toBe(false);
    expect(isOwnPage({ id: ID, url: `${BASE}popup.html`, origin: 'null' }, ID, BASE)).toBe(false);
    expect(isOwnPage({ id: ID, url: `${BASE}popup.html`, origin: 'https://evil.example' }, ID, BASE)).toBe(false);
  });
});

describe('requests from pages (no relay reachable)', () => {
  let bg: Background | undefined;
  afterEach(() => bg?.stop());

  function offlineBackground() {
    const local = memoryArea();
    const session = memoryArea();
    const alarms: string[] = [];
    const dialled: string[] = [];
    bg = createBackground({
      local,
      session,
      openTransport: (url) => {
        dialled.push(url);
        return Promise.reject(new Error('connect ECONNREFUSED'));
      },
      suite: webCryptoSuite,
      notifications: { create: async () => {} },
      badge: { setBadgeText: async () => {}, setBadgeBackgroundColor: async () => {} },
      alarms: {
        create: async (name) => {
          alarms.push(name);
        },
        clear: async () => true,
      },
      idle: { setDetectionInterval: () => {} },
      timing: { backoff: { baseMs: 5, factor: 2, capMs: 20, offlineAfter: 2 }, readyWaitMs: 50 },
      log: () => {},
    });
    return { bg, local, session, alarms, dialled };
  }

  it('answers BAD_REQUEST to anything that is not a UiRequest', async () => {
    const { bg } = offlineBackground();
    for (const bad of [
      null,
      'state',
      {},
      { type: 'nope' },
      { type: 'state', extra: 1 },
      { type: 'login', username: 'a' },
      { type: 'call', op: 'no.such.op', args: {} },
      { type: 'settings', settings: { relayUrl: 'https://not-a-websocket' } },
      { type: 'settings', settings: { autoLockMinutes: 0 } },
      { type: 'settings', settings: { colour: 'blue' } },
    ]) {
      const r = await bg.handleRequest(bad);
      expect(r, JSON.stringify(bad)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.any(String) } });
    }
  });

  it('answers state, and OFFLINE for anything that needs the relay', async () => {
    const { bg } = offlineBackground();
    expect(await bg.handleRequest({ type: 'state' })).toMatchObject({ ok: true, result: { user: null, settings: DEFAULT_SETTINGS } });
    expect(await bg.handleRequest({ type: 'call', op: 'account.balance', args: {} })).toEqual({
      ok: false,
      error: { code: 'OFFLINE', message: 'not connected to the relay' },
    });
    expect(await bg.handleRequest({ type: 'login', username: 'alice', password: 'secret secret' })).toMatchObject({ ok: false, error: { code: 'OFFLINE' } });
    expect(await bg.handleRequest({ type: 'register', username: 'carol', password: 'secret secret', displayName: 'Carol' })).toMatchObject({
      ok: false,
      error: { code: 'OFFLINE' },
    });
    expect(['reconnecting', 'offline']).toContain(bg.store.get().status);
    expect(bg.store.get().statusDetail).toContain('ECONNREFUSED');
  });

  it('keeps the session ops to itself', async () => {
    const { bg } = offlineBackground();
    for (const op of ['auth.login', 'auth.resume', 'auth.logout']) {
      expect(await bg.handleRequest({ type: 'call', op, args: {} })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    }
  });

  it('stores valid settings and applies them', async () => {
    const { bg, local, dialled } = offlineBackground();
    const r = await bg.handleRequest({ type: 'settings', settings: { autoLockMinutes: 12, notifications: false } });
    expect(r).toMatchObject({ ok: true, result: { settings: { ...DEFAULT_SETTINGS, autoLockMinutes: 12, notifications: false } } });
    expect(await local.get('settings')).toEqual({ ...DEFAULT_SETTINGS, autoLockMinutes: 12, notifications: false });
    await bg.handleRequest({ type: 'settings', settings: { relayUrl: 'ws://127.0.0.1:9/' } });
    expect(bg.store.get().settings.relayUrl).toBe('ws://127.0.0.1:9/');
    // A new relay URL is dialled at once.
    expect(dialled.at(-1)).toBe('ws://127.0.0.1:9/');
    expect(dialled[0]).toBe(DEFAULT_SETTINGS.relayUrl);
  });

  it('answers the small requests', async () => {
    const { bg } = offlineBackground();
    expect(await bg.handleRequest({ type: 'activity' })).toEqual({ ok: true, result: {} });
    expect(await bg.handleRequest({ type: 'notifications.read' })).toMatchObject({ ok: true, result: { unread: 0 } });
    expect(await bg.handleRequest({ type: 'lock' })).toMatchObject({ ok: true, result: { user: null } });
    expect(await bg.handleRequest({ type: 'logout' })).toMatchObject({ ok: true, result: { user: null } });
    // Nobody was signed in: no reason to show.
    expect(bg.store.get()).not.toHaveProperty('signedOutReason');
    expect(await bg.handleRequest({ type: 'trust.accept' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await bg.handleRequest({ type: 'trust.forget' })).toMatchObject({ ok: true });
  });

  it('drops a remembered token that belongs to another relay', async () => {
    const local = memoryArea({ settings: { ...DEFAULT_SETTINGS, relayUrl: 'ws://127.0.0.1:2000/' } });
    const session = memoryArea({
      relaySession: {
        token: 't'.repeat(43),
        relayUrl: 'ws://127.0.0.1:1999/',
        username: 'alice',
        user: { username: 'alice', displayName: 'Alice', role: 'user', status: 'active' },
      },
    });
    bg = createBackground({
      local,
      session,
      openTransport: () => Promise.reject(new Error('refused')),
      suite: webCryptoSuite,
      notifications: { create: async () => {} },
      badge: { setBadgeText: async () => {}, setBadgeBackgroundColor: async () => {} },
      alarms: { create: async () => {}, clear: async () => true },
      idle: { setDetectionInterval: () => {} },
      log: () => {},
    });
    await bg.ready;
    expect(bg.store.get().user).toBeNull();
    expect(await session.get('relaySession')).toBeUndefined();
  });

  it('paints the remembered user at once when the relay is unreachable', async () => {
    const user = { username: 'alice', displayName: 'Alice', role: 'user' as const, status: 'active' as const };
    const session = memoryArea({ relaySession: { token: 't'.repeat(43), relayUrl: DEFAULT_SETTINGS.relayUrl, username: 'alice', user } });
    bg = createBackground({
      local: memoryArea(),
      session,
      openTransport: () => Promise.reject(new Error('refused')),
      suite: webCryptoSuite,
      notifications: { create: async () => {} },
      badge: { setBadgeText: async () => {}, setBadgeBackgroundColor: async () => {} },
      alarms: { create: async () => {}, clear: async () => true },
      idle: { setDetectionInterval: () => {} },
      log: () => {},
    });
    await bg.ready;
    expect(bg.store.get().user).toEqual(user);
    expect(bg.store.get().status).not.toBe('live');
    // Locking drops the token and shows why.
    bg.onIdleState('locked');
    await new Promise((r) => setTimeout(r, 10));
    expect(bg.store.get()).toMatchObject({ user: null, signedOutReason: 'Locked because the screen was locked.' });
    expect(await session.get('relaySession')).toBeUndefined();
  });
});
