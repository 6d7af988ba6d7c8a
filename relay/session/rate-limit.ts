/**
 * A sliding window per key (a session, an IP address): at most `max` hits within `windowMs`.
 * Keys whose hits have all aged out are pruned, so a flood of distinct keys stays bounded.
 */
export class WindowRateLimit {
  private hits = new Map<string, number[]>();

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

  /** True when the key already has `max` hits in the window (nothing is recorded). */
  isOver(key: string): boolean {
    return this.recent(key).length >= this.max;
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

/** `account.lookup`'s allowance: a one-minute window per session. */
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
