/**
 * A connection's request allowance: `perSecond` requests a second on average, with bursts of
 * up to `burst`. A request over it is answered RATE_LIMITED without running its op.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly clock: () => number,
  ) {
    this.tokens = burst;
    this.last = clock();
  }

  /** Takes `cost` requests' worth of the allowance, or nothing (false) when there is not that much. */
  take(cost = 1): boolean {
    const now = this.clock();
    // A clock stepped back (NTP) refills nothing rather than draining the allowance.
    this.tokens = Math.min(this.burst, this.tokens + (Math.max(0, now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }
}

/**
 * What a `transfer.batch` of `items` transfers costs of its connection's allowance beyond the
 * one request every message costs: one more request per ten transfers. With the default
 * allowance (50 a second, bursts of 200) a full batch of 1,000 (101 requests' worth) is always
 * accepted from a connection with a full allowance, and a connection can keep up about 500
 * batched transfers a second: far more than one request each would give it, far less than a
 * flood.
 */
export function batchExtraCost(items: number): number {
  return Math.ceil(items / 10);
}
