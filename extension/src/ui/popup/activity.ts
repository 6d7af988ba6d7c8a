import { useEffect } from 'preact/hooks';
import { send } from '../bridge.js';

/** How often at most a key press or click tells the background the person is still here. */
export const ACTIVITY_INTERVAL_MS = 30_000;

// Module-level, so remounting the signed-in screens does not reset the throttle.
let lastPing = -Infinity;

/** Test seam: forget when the last activity was sent. */
export function resetActivityThrottle(): void {
  lastPing = -Infinity;
}

/** Tells the background about activity (it resets the auto-lock timer), at most once per interval. */
export function noteActivity(now = Date.now()): void {
  if (now - lastPing < ACTIVITY_INTERVAL_MS) return;
  lastPing = now;
  void send({ type: 'activity' }).catch(() => undefined);
}

/** While `enabled` (someone is signed in), key presses and clicks anywhere in the page count. */
export function useActivityPing(enabled: boolean): void {
  useEffect(() => {
    if (!enabled) return;
    const onActivity = (): void => noteActivity();
    document.addEventListener('keydown', onActivity, true);
    document.addEventListener('pointerdown', onActivity, true);
    document.addEventListener('click', onActivity, true);
    return () => {
      document.removeEventListener('keydown', onActivity, true);
      document.removeEventListener('pointerdown', onActivity, true);
      document.removeEventListener('click', onActivity, true);
    };
  }, [enabled]);
}
