import { describe, expect, it } from 'vitest';
import { backoffCeiling, backoffDelay, DEFAULT_BACKOFF, statusAfterFailures } from '../../../extension/src/background/backoff.js';

describe('reconnect backoff (exponential, full jitter)', () => {
  it('doubles from 0.5 s up to the 30 s cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 50, 10_000].map((n) => backoffCeiling(n))).toEqual([
      500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000, 30_000, 30_000,
    ]);
  });

  it('draws each delay uniformly below the ceiling', () => {
    expect(backoffDelay(1, () => 0)).toBe(0);
    expect(backoffDelay(1, () => 0.5)).toBe(250);
    expect(backoffDelay(4, () => 0.25)).toBe(1_000);
    expect(backoffDelay(100, () => 0.999_999)).toBe(29_999);
    for (let failures = 1; failures < 20; failures++) {
      for (const r of [0, 0.1, 0.5, 0.9, 0.999_999_9]) {
        const d = backoffDelay(failures, () => r);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(backoffCeiling(failures));
      }
    }
  });

  it('clamps a random source that strays outside [0, 1)', () => {
    expect(backoffDelay(2, () => -1)).toBe(0);
    expect(backoffDelay(2, () => 7)).toBe(1_000);
  });

  it('honours other options', () => {
    const opts = { baseMs: 100, factor: 3, capMs: 1_000, offlineAfter: 2 };
    expect([1, 2, 3, 4].map((n) => backoffCeiling(n, opts))).toEqual([100, 300, 900, 1_000]);
    expect(statusAfterFailures(1, opts)).toBe('reconnecting');
    expect(statusAfterFailures(2, opts)).toBe('offline');
  });

  it("reads 'reconnecting' for the first failures, then 'offline'", () => {
    expect(DEFAULT_BACKOFF).toEqual({ baseMs: 500, factor: 2, capMs: 30_000, offlineAfter: 3 });
    expect([1, 2, 3, 4, 10].map((n) => statusAfterFailures(n))).toEqual(['reconnecting', 'reconnecting', 'offline', 'offline', 'offline']);
  });
});
