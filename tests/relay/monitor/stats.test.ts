import { describe, expect, it } from 'vitest';
import { MonitorAggregator, Ring, commitRate, percentile, type RelayStats, type RequestSample } from '../../../relay/monitor/stats.js';

const T0 = 1_700_000_000_000; // a whole second
const req = (at: number, op: string, ms: number, outcome = 'ok'): RequestSample => ({ at, op, actor: 'jane', transport: 'tcp', ms, outcome });

describe('percentile (nearest rank)', () => {
  it('picks the nearest-rank value and 0 for no samples', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 95)).toBe(95);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBe(0);
  });
});

describe('Ring', () => {
  it('keeps the newest items, newest first', () => {
    const r = new Ring<number>(3);
    for (let i = 1; i <= 5; i++) r.push(i);
    expect(r.length).toBe(3);
    expect(r.latest()).toEqual([5, 4, 3]);
    expect(r.latest(2)).toEqual([5, 4]);
  });
});

describe('MonitorAggregator', () => {
  it('computes ops/s and per-op latency percentiles, busiest op first', () => {
    const agg = new MonitorAggregator(T0 - 10_000, { windowS: 10, rateWindowS: 2 });
    for (let i = 1; i <= 100; i++) agg.record(req(T0 + 500 + i, 'transfer.create', i));
    for (let i = 0; i < 10; i++) agg.record(req(T0 + 1500 + i, 'account.balance', 2));
    const s = agg.summary(T0 + 1999); // rate window: the seconds starting T0 and T0+1000, 1.999 s long
    expect(s.ops.map((o) => o.op)).toEqual(['transfer.create', 'account.balance']);
    const tc = s.ops[0]!;
    expect(tc).toMatchObject({ count: 100, p50: 50, p95: 95, p99: 99 });
    expect(tc.rate).toBeCloseTo(100 / 1.999, 5);
    expect(s.ops[1]).toMatchObject({ count: 10, p50: 2, p99: 2 });
    expect(s.rate).toBeCloseTo(110 / 1.999, 5);
    // A second later the first second has left the rate window, not the latency window.
    const later = agg.summary(T0 + 2500);
    expect(later.ops[0]).toMatchObject({ op: 'transfer.create', count: 100, rate: 0 });
    expect(later.rate).toBeCloseTo(10 / 1.5, 5);
    expect(agg.total).toBe(110);
  });

  it('forgets requests older than the window, and rates do not count time before the monitor started', () => {
    const agg = new MonitorAggregator(T0, { windowS: 5, rateWindowS: 5 });
    agg.record(req(T0 + 100, 'ping', 1));
    expect(agg.summary(T0 + 500).rate).toBeCloseTo(1 / 0.5, 5);
    expect(agg.summary(T0 + 4_900).ops).toHaveLength(1);
    const later = agg.summary(T0 + 5_100);
    expect(later.ops).toHaveLength(0);
    expect(later.rate).toBe(0);
    // A bucket is reused for a later second without mixing in the old one.
    agg.record(req(T0 + 6_200, 'ping', 9));
    expect(agg.summary(T0 + 6_300).ops[0]).toMatchObject({ count: 1, p50: 9 });
    expect(agg.recent.latest().map((r) => r.ms)).toEqual([9, 1]);
  });

  it('keeps bounded samples per second at high rates and still reports every request in counts', () => {
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const agg = new MonitorAggregator(T0, { samplesPerSecond: 256, recent: 50 }, random);
    for (let i = 0; i < 20_000; i++) agg.record(req(T0 + (i % 1000), 'transfer.create', (i % 100) + 1));
    const s = agg.summary(T0 + 999);
    expect(s.ops[0]!.count).toBe(20_000);
    expect(s.ops[0]!.p50).toBeGreaterThan(35);
    expect(s.ops[0]!.p50).toBeLessThan(65);
    expect(s.ops[0]!.p99).toBeGreaterThan(90);
    expect(agg.recent.length).toBe(50);
  });
});

describe('commitRate', () => {
  const stats = (batches: number, jobs: number): RelayStats => ({
    connections: { tcp: 1, ws: 0 },
    sessions: 1,
    uptimeS: 1,
    ops: {},
    ledger: { accounts: 1, transfers: 0 },
    commits: { batches, jobs },
  });
  it('turns counter deltas into fsyncs/s and mean batch size', () => {
    expect(commitRate(undefined, { stats: stats(1, 1), at: T0 })).toBeNull();
    expect(commitRate({ stats: stats(10, 20), at: T0 }, { stats: stats(30, 100), at: T0 + 2000 })).toEqual({ fsyncsPerS: 10, meanBatch: 4 });
    expect(commitRate({ stats: stats(10, 20), at: T0 }, { stats: stats(10, 20), at: T0 + 1000 })).toEqual({ fsyncsPerS: 0, meanBatch: null });
    expect(commitRate({ stats: stats(10, 20), at: T0 }, { stats: stats(1, 1), at: T0 + 1000 })).toBeNull(); // relay restarted
  });
});
