import { afterEach, describe, expect, it } from 'vitest';
import { webCryptoSuite } from '../../../common/protocol/crypto-web.js';
import { applyPolicy, loadPolicy, type ManagedArea } from '../../../extension/src/background/policy.js';
import { createBackground, type Background } from '../../../extension/src/background/service.js';
import { memoryArea } from '../../../extension/src/background/storage.js';
import { TrustStore } from '../../../extension/src/background/trust.js';
import { DEFAULT_SETTINGS } from '../../../extension/src/shared/api.js';

/* An organization's policy (storage.managed): what it fixes, and that nothing here can change it. */

const FINGERPRINT = 'ab'.repeat(32);
const area = (values: Record<string, unknown>): ManagedArea => ({ get: async () => values });

describe('reading the policy', () => {
  it('takes each valid field, normalizes the fingerprint, and drops (and reports) each invalid one alone', async () => {
    const logged: string[] = [];
    const policy = await loadPolicy(
      area({ relayUrl: 'wss://bank.example/', relayFingerprint: 'AB:'.repeat(31) + 'AB', autoLockMinutes: 0, notifications: 'yes', unknown: 1 }),
      (m) => logged.push(m),
    );
    expect(policy).toEqual({ relayUrl: 'wss://bank.example/', relayFingerprint: FINGERPRINT });
    expect(logged).toEqual([expect.stringMatching(/^ignored the policy's autoLockMinutes: /), expect.stringMatching(/^ignored the policy's notifications: /)]);
    expect(await loadPolicy(area({ relayFingerprint: 'abc' }), () => {})).toEqual({});
  });

  it('is empty without managed storage, or when the browser refuses it (Firefox with no policy)', async () => {
    expect(await loadPolicy(undefined, () => {})).toEqual({});
    expect(await loadPolicy({ get: () => Promise.reject(new Error('Managed storage manifest not found')) }, () => {})).toEqual({});
  });

  it('fixes its settings over the person\'s own', () => {
    expect(applyPolicy({ ...DEFAULT_SETTINGS, autoLockMinutes: 30 }, { autoLockMinutes: 7, relayFingerprint: FINGERPRINT })).toEqual({ ...DEFAULT_SETTINGS, autoLockMinutes: 7 });
  });

  it('pins its fingerprint for every relay, which cannot be replaced or forgotten', async () => {
    const trust = new TrustStore(memoryArea({ pins: { 'ws://a/': 'cd'.repeat(32) } }), () => FINGERPRINT);
    expect(await trust.pinned('ws://a/')).toBe(FINGERPRINT);
    expect(await trust.pinned('wss://b/')).toBe(FINGERPRINT);
    await expect(trust.pin('ws://a/', 'ef'.repeat(32))).rejects.toThrow(/policy/);
    await expect(trust.forget('ws://a/')).rejects.toThrow(/policy/);
  });
});

describe('a background under a policy', () => {
  let bg: Background | undefined;
  afterEach(() => bg?.stop());

  function managedBackground(values: Record<string, unknown>, stored: Record<string, unknown> = {}) {
    const dialled: string[] = [];
    const managed = { values };
    bg = createBackground({
      local: memoryArea(stored),
      session: memoryArea(),
      openTransport: (url) => {
        dialled.push(url);
        return Promise.reject(new Error('connect ECONNREFUSED'));
      },
      suite: webCryptoSuite,
      notifications: { create: async () => {} },
      badge: { setBadgeText: async () => {}, setBadgeBackgroundColor: async () => {} },
      alarms: { create: async () => {}, clear: async () => true },
      idle: { setDetectionInterval: () => {} },
      managed: { get: async () => managed.values },
      timing: { backoff: { baseMs: 5, factor: 2, capMs: 20, offlineAfter: 2 }, readyWaitMs: 50 },
      log: () => {},
    });
    return { bg, dialled, managed };
  }

  it('dials the policy\'s relay, shows its settings as fixed, and refuses to change them or the key', async () => {
    const { bg, dialled } = managedBackground(
      { relayUrl: 'ws://127.0.0.1:9/', relayFingerprint: FINGERPRINT, autoLockMinutes: 7 },
      { settings: { ...DEFAULT_SETTINGS, relayUrl: 'ws://127.0.0.1:8/', autoLockMinutes: 30 } },
    );
    await bg.ready;
    const state = bg.store.get();
    expect(state.settings).toEqual({ ...DEFAULT_SETTINGS, relayUrl: 'ws://127.0.0.1:9/', autoLockMinutes: 7 });
    expect(state.policy).toEqual({ relayUrl: 'ws://127.0.0.1:9/', relayFingerprint: FINGERPRINT, autoLockMinutes: 7 });
    expect(state.trust.pinned).toBe(FINGERPRINT);
    expect(dialled[0]).toBe('ws://127.0.0.1:9/');
    expect(await bg.handleRequest({ type: 'settings', settings: { relayUrl: 'ws://127.0.0.1:8/' } })).toEqual({
      ok: false,
      error: { code: 'BAD_REQUEST', message: "relayUrl: set by your organization's policy; it cannot be changed here" },
    });
    expect(await bg.handleRequest({ type: 'settings', settings: { autoLockMinutes: 9 } })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    // What the policy leaves free stays the person's; the same value as the policy's is no change.
    expect(await bg.handleRequest({ type: 'settings', settings: { notifications: false, autoLockMinutes: 7 } })).toMatchObject({ ok: true, result: { settings: { notifications: false } } });
    for (const type of ['trust.accept', 'trust.forget'] as const) {
      expect(await bg.handleRequest({ type })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.stringMatching(/organization's policy/) } });
    }
  });

  it('applies a changed policy at once: a new relay is dialled, a lifted one leaves the person\'s settings', async () => {
    const { bg, dialled, managed } = managedBackground({ relayUrl: 'ws://127.0.0.1:9/' });
    await bg.ready;
    managed.values = { relayUrl: 'ws://127.0.0.1:10/' };
    await bg.onPolicyChanged();
    expect(bg.store.get().settings.relayUrl).toBe('ws://127.0.0.1:10/');
    await expect.poll(() => dialled.at(-1)).toBe('ws://127.0.0.1:10/');
    managed.values = {};
    await bg.onPolicyChanged();
    expect(bg.store.get().policy).toEqual({});
    expect(await bg.handleRequest({ type: 'settings', settings: { relayUrl: 'ws://127.0.0.1:11/' } })).toMatchObject({ ok: true });
  });
});
