import { describe, expect, it } from 'vitest';
import { loadSettings, relayKey, saveSettings } from '../../../extension/src/background/settings.js';
import { memoryArea } from '../../../extension/src/background/storage.js';
import { DEFAULT_SETTINGS } from '../../../extension/src/shared/api.js';

describe('settings in storage.local', () => {
  it('defaults when nothing is stored', async () => {
    expect(await loadSettings(memoryArea())).toEqual(DEFAULT_SETTINGS);
    expect(DEFAULT_SETTINGS).toEqual({ relayUrl: 'ws://127.0.0.1:1235/', autoLockMinutes: 5, notifications: true });
  });

  it('merges what is stored over the defaults, dropping invalid fields', async () => {
    expect(await loadSettings(memoryArea({ settings: { autoLockMinutes: 15 } }))).toEqual({ ...DEFAULT_SETTINGS, autoLockMinutes: 15 });
    expect(await loadSettings(memoryArea({ settings: { relayUrl: 'http://nope', autoLockMinutes: 10, extra: 1 } }))).toEqual({
      ...DEFAULT_SETTINGS,
      autoLockMinutes: 10,
    });
    expect(await loadSettings(memoryArea({ settings: 'garbage' }))).toEqual(DEFAULT_SETTINGS);
  });

  it('validates and stores a change', async () => {
    const local = memoryArea();
    const next = await saveSettings(local, DEFAULT_SETTINGS, { notifications: false, autoLockMinutes: 30 });
    expect(next).toEqual({ ...DEFAULT_SETTINGS, notifications: false, autoLockMinutes: 30 });
    expect(await loadSettings(local)).toEqual(next);
    await expect(saveSettings(local, next, { autoLockMinutes: 0 })).rejects.toThrow();
    await expect(saveSettings(local, next, { relayUrl: 'https://bank.example' })).rejects.toThrow();
    expect(await loadSettings(local)).toEqual(next);
  });

  it('spells each relay URL one way', () => {
    expect(relayKey('ws://127.0.0.1:1235')).toBe('ws://127.0.0.1:1235/');
    expect(relayKey('WSS://Bank.Example:443/')).toBe('wss://bank.example/');
    expect(relayKey('not a url')).toBe('not a url');
  });
});
