/** A sliding one-minute window per key (e.g. per session): at most `perMinute` hits. */
export class MinuteRateLimit {
  private hits = new Map<string, number[]>();

  constructor(private readonly perMinute: number, private readonly clock: () => number) {}

  /** Records a hit; false when the key is over its allowance (the hit is not counted). */
  take(key: string): boolean {
    const now = this.clock();
    const recent = (this.hits.get(key) ?? []).filter((t) => now - t < 60_000);
    if (recent.length >= this.perMinute) {
      this.hits.set(key, recent);
      return false;
    }
    recent.push(now);
    this.hits.set(key, recent);
    if (this.hits.size > 10_000) this.prune(now);
    return true;
  }

  private prune(now: number): void {
    for (const [k, v] of this.hits) if (v.every((t) => now - t >= 60_000)) this.hits.delete(k);
  }
}
