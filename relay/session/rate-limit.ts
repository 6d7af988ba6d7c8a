/**
 * A sliding window per key (a session, an IP address): at most `max` hits within `windowMs`.
 * Keys whose hits have all aged out are pruned, so a flood of distinct keys stays bounded.
 */
export class WindowRateLimit {
  private hits = new Map<string, number[]>();
  /** Hits taken ahead of an outcome not yet known (a password being checked), by key. */
  private pending = new Map<string, number>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly clock: () => number,
  ) {}

  /** Records a hit; false when the key is over its allowance (the hit is not counted). */
  take(key: string): boolean {
    if (this.isOver(key)) return false;
    this.record(key);
    return true;
  }

  /** True when the key's recorded hits alone fill the window (reserved ones may still come back). */
  isSpent(key: string): boolean {
    return this.recent(key).length >= this.max;
  }

  /** True when the key already has `max` hits in the window, reserved ones included (nothing is recorded). */
  isOver(key: string): boolean {
    return this.recent(key).length + (this.pending.get(key) ?? 0) >= this.max;
  }

  /**
   * Holds one hit of the key's allowance while an outcome is pending, so work already under way
   * counts against it (a burst of pipelined guesses cannot all pass the check before the first
   * failure is recorded). Null when nothing is left. The holder then `spend`s it (it becomes a
   * hit, as `record`) or `release`s it; either once.
   */
  reserve(key: string): { spend(): void; release(): void } | null {
    if (this.isOver(key)) return null;
    this.pending.set(key, (this.pending.get(key) ?? 0) + 1);
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      settled = true;
      const left = this.pending.get(key)! - 1;
      if (left === 0) this.pending.delete(key);
      else this.pending.set(key, left);
    };
    return {
      spend: () => {
        if (settled) return;
        settle();
        this.record(key);
      },
      release: settle,
    };
  }

  /** Counts a hit whatever the allowance (e.g. a failed sign-in that already happened). */
  record(key: string): void {
    const recent = this.recent(key);
    recent.push(this.clock());
    this.hits.set(key, recent);
    if (this.hits.size > 10_000) this.prune();
  }

  /** Milliseconds until the key is under its allowance again (0 when it is). */
  retryAfterMs(key: string): number {
    const recent = this.recent(key);
    // Reserved hits settle within seconds; only a window full of recorded ones makes anyone wait.
    if (recent.length < this.max) return 0;
    return Math.max(0, recent[recent.length - this.max]! + this.windowMs - this.clock());
  }

  private recent(key: string): number[] {
    const now = this.clock();
    const all = this.hits.get(key);
    if (!all) return [];
    const kept = all.filter((t) => now - t < this.windowMs);
    if (kept.length === 0) this.hits.delete(key);
    else if (kept.length !== all.length) this.hits.set(key, kept);
    return kept;
  }

  private prune(): void {
    const now = this.clock();
    for (const [k, v] of this.hits) if (v.every((t) => now - t >= this.windowMs)) this.hits.delete(k);
  }
}

/** `account.lookup`'s allowance: a one-minute window per user. */
export class MinuteRateLimit extends WindowRateLimit {
  constructor(perMinute: number, clock: () => number) {
    super(perMinute, 60_000, clock);
  }
}

/** "3 minutes", "1 minute": a wait for people, rounded up. */
export function inMinutes(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
