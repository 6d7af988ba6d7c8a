import type { AppState } from '../../../extension/src/shared/api.js';
import type { StateStore } from '../../../extension/src/background/store.js';

/** Resolves with the first state (current or coming) that satisfies `predicate`. */
export function waitForState(store: StateStore, predicate: (s: AppState) => boolean, what: string, timeoutMs = 15_000): Promise<AppState> {
  const now = store.get();
  if (predicate(now)) return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      const s = store.get();
      reject(new Error(`timed out waiting for ${what}; status ${s.status} (${s.statusDetail ?? ''}), user ${s.user?.username ?? 'none'}`));
    }, timeoutMs);
    const off = store.subscribe((next) => {
      if (!predicate(next)) return;
      clearTimeout(timer);
      off();
      resolve(next);
    });
  });
}
