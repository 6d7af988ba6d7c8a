import { DEFAULT_SETTINGS, settingsSchema, type Settings } from '../shared/api.js';
import type { KeyValueArea } from './storage.js';

const SETTINGS_KEY = 'settings';

/** Stored settings over the defaults; a stored value that no longer validates falls back to its default. */
export async function loadSettings(local: KeyValueArea): Promise<Settings> {
  const stored = await local.get(SETTINGS_KEY);
  const merged: Settings = { ...DEFAULT_SETTINGS };
  if (stored && typeof stored === 'object') {
    const fields = settingsSchema.partial().safeParse(stored);
    if (fields.success) return settingsSchema.parse({ ...merged, ...stripUndefined(fields.data) });
    for (const key of Object.keys(DEFAULT_SETTINGS) as (keyof Settings)[]) {
      const one = settingsSchema.shape[key].safeParse((stored as Record<string, unknown>)[key]);
      if (one.success) (merged as unknown as Record<string, unknown>)[key] = one.data;
    }
  }
  return merged;
}

/** Validates the merged result, stores it and returns it; throws the zod error when invalid. */
export async function saveSettings(local: KeyValueArea, current: Settings, patch: Partial<Settings>): Promise<Settings> {
  const next = settingsSchema.parse({ ...current, ...stripUndefined(patch) });
  await local.set(SETTINGS_KEY, next);
  return next;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** One spelling per relay, so "ws://h:1/" and "ws://h:1" share their key pin and session. */
export function relayKey(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}
