import type { Settings } from '../../../shared/api.js';
import { t } from '../../../shared/i18n.js';

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
  if (url === '') return t('settings_url_missing');
  if (!/^wss?:\/\//i.test(url)) return t('settings_url_scheme');
  if (/\s/.test(url)) return t('settings_url_spaces');
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') return t('settings_url_scheme');
    if (!parsed.hostname) return t('settings_url_host');
  } catch {
    return t('settings_url_invalid');
  }
  return undefined;
}

export function autoLockError(text: string): string | undefined {
  const minutes = text.trim();
  if (minutes === '') return t('settings_lock_missing');
  if (!/^\d+$/.test(minutes)) return t('settings_lock_whole');
  const n = Number(minutes);
  if (n < 1 || n > 240) return t('settings_lock_range');
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
