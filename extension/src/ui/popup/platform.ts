import { browser } from 'wxt/browser';

/*
 * The few extension APIs the popup touches directly (everything about the relay goes through
 * the background via bridge.ts). One small module, so tests replace it with vi.mock.
 */

/** Opens the options page (settings, and the dashboard for admins) in a tab. */
export function openOptionsPage(): void {
  void browser.runtime.openOptionsPage().catch(() => undefined);
}

/** chrome.storage.session: in memory, gone when the browser closes, readable only by our pages. */
export async function sessionGet<T>(key: string): Promise<T | undefined> {
  try {
    const got = await browser.storage.session.get(key);
    return got[key] as T | undefined;
  } catch {
    return undefined;
  }
}

export async function sessionSet(key: string, value: unknown): Promise<void> {
  try {
    if (value === undefined) await browser.storage.session.remove(key);
    else await browser.storage.session.set({ [key]: value });
  } catch {
    // Not persisted: the popup still keeps it in memory while open.
  }
}
