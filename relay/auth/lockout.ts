import type { RelayConfig } from '../config.js';

/** A user's failed password checks after one more: the ones inside the window, and whether this one locks. */
export function afterFailure(failedLogins: readonly number[], now: number, rule: RelayConfig['lockout']): { recent: number[]; lockedNow: boolean } {
  const recent = [...failedLogins.filter((t) => now - t < rule.windowMs), now];
  return { recent, lockedNow: recent.length >= rule.maxFailures };
}

/**
 * The same lockout for usernames nobody has: without it, "locked out" after a few guesses would
 * tell a guesser which names exist. Kept in memory (bounded): it protects a secret, not money.
 */
export class UnknownUserLockout {
  private readonly failures = new Map<string, number[]>();
  private readonly lockedUntil = new Map<string, number>();

  constructor(
    private readonly rule: RelayConfig['lockout'],
    private readonly maxNames = 10_000,
  ) {}

  /** When the name is locked now, until when. */
  locked(username: string, now: number): number | undefined {
    const until = this.lockedUntil.get(username);
    if (until === undefined) return undefined;
    if (until > now) return until;
    this.lockedUntil.delete(username);
    return undefined;
  }

  /** Counts a failed check; true when it locks the name, as the Nth within the window does for a real user. */
  fail(username: string, now: number): boolean {
    const { recent, lockedNow } = afterFailure(this.failures.get(username) ?? [], now, this.rule);
    this.failures.delete(username);
    if (lockedNow) this.lockedUntil.set(username, now + this.rule.durationMs);
    else this.failures.set(username, recent);
    // Oldest names go first (a Map keeps insertion order; a name is re-inserted at each failure).
    for (const map of [this.failures, this.lockedUntil] as Map<string, unknown>[]) {
      while (map.size > this.maxNames) map.delete(map.keys().next().value!);
    }
    return lockedNow;
  }
}
