import type { Settings } from '../../../shared/api.js';

/** What the Settings form holds: text as typed. */
export interface SettingsForm {
  relayUrl: string;
  autoLockMinutes: string;
  notifications: boolean;
}

export type SettingsErrors = Partial<Record<keyof Settings, string>>;

export function settingsToForm(s: Settings): SettingsForm {
  return { relayUrl: s.relayUrl, autoLockMinutes: String(s.autoLockMinutes), notifications: s.notifications };
}

/** The relay URL: ws:// or wss:// with a host, nothing else (no spaces, no other schemes). */
export function relayUrlError(text: string): string | undefined {
  const url = text.trim();
  if (url === '') return 'enter the relay address, e.g. ws://127.0.0.1:1235';
  if (!/^wss?:\/\//i.test(url)) return 'must start with ws:// or wss://';
  if (/\s/.test(url)) return 'must not contain spaces';
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') return 'must start with ws:// or wss://';
    if (!parsed.hostname) return 'needs a host name, e.g. ws://127.0.0.1:1235';
  } catch {
    return 'is not a valid address; write it like ws://127.0.0.1:1235';
  }
  return undefined;
}

export function autoLockError(text: string): string | undefined {
  const t = text.trim();
  if (t === '') return 'enter a number of minutes from 1 to 240';
  if (!/^\d+$/.test(t)) return 'must be a whole number of minutes';
  const n = Number(t);
  if (n < 1 || n > 240) return 'must be from 1 to 240 minutes';
  return undefined;
}

export function validateSettings(form: SettingsForm): { settings?: Settings; errors: SettingsErrors } {
  const errors: SettingsErrors = {};
  const urlError = relayUrlError(form.relayUrl);
  if (urlError) errors.relayUrl = urlError;
  const lockError = autoLockError(form.autoLockMinutes);
  if (lockError) errors.autoLockMinutes = lockError;
  if (Object.keys(errors).length > 0) return { errors };
  return {
    settings: { relayUrl: form.relayUrl.trim(), autoLockMinutes: Number(form.autoLockMinutes.trim()), notifications: form.notifications },
    errors,
  };
}
