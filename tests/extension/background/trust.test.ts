import { describe, expect, it } from 'vitest';
import { memoryArea } from '../../../extension/src/background/storage.js';
import { decideTrust, normalizeFingerprint, TrustStore, trustInfoFor } from '../../../extension/src/background/trust.js';

const FP_A = 'a'.repeat(64);
const FP_B = 'b'.repeat(64);

describe('trust decisions', () => {
  it('pins on first use, trusts the same key, and flags a different one', () => {
    expect(decideTrust(undefined, FP_A)).toEqual({ kind: 'pin-now', fingerprint: FP_A });
    expect(decideTrust(FP_A, FP_A)).toEqual({ kind: 'trusted', fingerprint: FP_A });
    expect(decideTrust(FP_A, FP_B)).toEqual({ kind: 'changed', pinned: FP_A, offered: FP_B });
  });

  it('ignores case and colons in fingerprints', () => {
    const colons = FP_A.toUpperCase().replace(/(..)(?=.)/g, '$1:');
    expect(normalizeFingerprint(colons)).toBe(FP_A);
    expect(decideTrust(colons, FP_A).kind).toBe('trusted');
  });

  it('says what the pages show', () => {
    expect(trustInfoFor({ kind: 'pin-now', fingerprint: FP_A })).toEqual({ pinned: FP_A, current: FP_A });
    expect(trustInfoFor({ kind: 'trusted', fingerprint: FP_A })).toEqual({ pinned: FP_A, current: FP_A });
    expect(trustInfoFor({ kind: 'changed', pinned: FP_A, offered: FP_B })).toEqual({ pinned: FP_A, current: FP_B, offered: FP_B });
  });
});

describe('TrustStore (pins in storage.local)', () => {
  it('pins on first use and keeps the pin', async () => {
    const local = memoryArea();
    const trust = new TrustStore(local);
    expect(await trust.pinned('ws://127.0.0.1:1235/')).toBeUndefined();
    expect(await trust.record('ws://127.0.0.1:1235/', decideTrust(undefined, FP_A))).toEqual({ pinned: FP_A, current: FP_A });
    expect(await trust.pinned('ws://127.0.0.1:1235/')).toBe(FP_A);
    // A fresh store over the same storage (a restarted worker) sees it.
    expect(await new TrustStore(local).pinned('ws://127.0.0.1:1235/')).toBe(FP_A);
  });

  it('never replaces a pin by itself when the key changes', async () => {
    const trust = new TrustStore(memoryArea());
    await trust.pin('ws://h:1/', FP_A);
    expect(await trust.record('ws://h:1/', decideTrust(FP_A, FP_B))).toEqual({ pinned: FP_A, current: FP_B, offered: FP_B });
    expect(await trust.pinned('ws://h:1/')).toBe(FP_A);
    // Accepting is an explicit pin.
    await trust.pin('ws://h:1/', FP_B);
    expect(await trust.pinned('ws://h:1/')).toBe(FP_B);
  });

  it('keeps one pin per relay URL, whatever its spelling', async () => {
    const trust = new TrustStore(memoryArea());
    await trust.pin('ws://127.0.0.1:1235', FP_A);
    await trust.pin('wss://bank.example/', FP_B);
    expect(await trust.pinned('ws://127.0.0.1:1235/')).toBe(FP_A);
    expect(await trust.pinned('WS://127.0.0.1:1235/')).toBe(FP_A);
    expect(await trust.pinned('wss://bank.example')).toBe(FP_B);
    expect(await trust.pinned('ws://127.0.0.1:1236/')).toBeUndefined();
  });

  it('forgets one relay without touching the others', async () => {
    const trust = new TrustStore(memoryArea());
    await trust.pin('ws://a/', FP_A);
    await trust.pin('ws://b/', FP_B);
    await trust.forget('ws://a');
    expect(await trust.pinned('ws://a/')).toBeUndefined();
    expect(await trust.pinned('ws://b/')).toBe(FP_B);
  });

  it('treats damaged storage as no pins', async () => {
    expect(await new TrustStore(memoryArea({ pins: 'garbage' })).pinned('ws://a/')).toBeUndefined();
    expect(await new TrustStore(memoryArea({ pins: { 'ws://a/': 42 } })).pinned('ws://a/')).toBeUndefined();
  });
});
