// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { MAX_SAMPLES, addSample, areaPath, computeRates, linePath, niceCeiling, type StatsSample } from '../../../../extension/src/ui/options/lib/chart.js';
import { alertsFromNotifications, mergeAlerts, type AlertItem } from '../../../../extension/src/ui/options/lib/alerts.js';
import { sampleOf } from '../../../../extension/src/ui/options/screens/RelayScreen.js';

const s = (t: number, transfers: number, connections = 1, ops = 0, uptimeS = t / 1000): StatsSample => ({ t, transfers, connections, ops, uptimeS });

describe('relay chart rates', () => {
  it('computes transfers and ops per second from counter deltas over elapsed time', () => {
    const rates = computeRates([s(0, 100, 2, 10), s(2000, 140, 3, 30), s(4500, 140, 3, 35), s(5000, 150, 1, 35)]);
    expect(rates).toEqual([
      { t: 2000, transfersPerSecond: 20, opsPerSecond: 10, connections: 3 },
      { t: 4500, transfersPerSecond: 0, opsPerSecond: 2, connections: 3 },
      { t: 5000, transfersPerSecond: 20, opsPerSecond: 0, connections: 1 },
    ]);
  });

  it('needs two samples, skips zero elapsed time and never goes negative', () => {
    expect(computeRates([])).toEqual([]);
    expect(computeRates([s(0, 5)])).toEqual([]);
    expect(computeRates([s(1000, 5), s(1000, 9)])).toEqual([]);
    expect(computeRates([s(0, 50), s(1000, 40)])[0]!.transfersPerSecond).toBe(0);
  });

  it('keeps the last samples and starts over when the relay restarted', () => {
    let list: StatsSample[] = [];
    for (let i = 0; i < 100; i++) list = addSample(list, s(i * 2000, i));
    expect(list).toHaveLength(MAX_SAMPLES);
    expect(list[0]!.transfers).toBe(100 - MAX_SAMPLES);
    expect(computeRates(list)).toHaveLength(MAX_SAMPLES - 1);
    const restarted = addSample(list, { t: 300_000, transfers: 0, connections: 0, ops: 0, uptimeS: 1 });
    expect(restarted).toHaveLength(1);
  });

  it('reads a sample from admin.stats', () => {
    expect(
      sampleOf({ connections: { tcp: 2, ws: 3 }, sessions: 4, uptimeS: 9, ops: { ping: 5, 'auth.login': 2 }, ledger: { accounts: 7, transfers: 11 } }, 1234),
    ).toEqual({ t: 1234, uptimeS: 9, transfers: 11, connections: 5, ops: 7 });
  });

  it('draws the newest value at the right edge, scaled to the axis', () => {
    expect(niceCeiling(0)).toBe(1);
    expect(niceCeiling(3)).toBe(5);
    expect(niceCeiling(17)).toBe(20);
    expect(niceCeiling(120)).toBe(200);
    expect(linePath([], 100, 50, 10)).toBe('');
    expect(linePath([0, 10], 100, 50, 10, 2)).toBe('M0 50 L100 0');
    expect(linePath([5], 100, 50, 10, 3)).toBe('M100 25');
    expect(areaPath([0, 10], 100, 50, 10, 3)).toBe('M50 50 L100 0 L100 50 L50 50 Z');
  });
});

describe('alerts from pushes and from the background', () => {
  it('merges newest first and shows an alert the background also kept only once', () => {
    const live: AlertItem[] = [{ id: 'l1', kind: 'frozen', message: 'root froze bob', ts: '2024-05-01T10:00:05.000Z', live: true }];
    const kept = alertsFromNotifications([
      { id: 'n1', ts: '2024-05-01T10:00:06.000Z', kind: 'alert', alertKind: 'frozen', title: 'Account frozen', body: 'root froze bob', read: false },
      { id: 'n2', ts: '2024-05-01T09:00:00.000Z', kind: 'alert', alertKind: 'large_transfer', title: 'Large transfer', body: 'jane sent $20,000.00', read: true },
      { id: 'n3', ts: '2024-05-01T11:00:00.000Z', kind: 'received', title: 'Money in', body: '$5', read: true },
    ]);
    const merged = mergeAlerts(live, kept);
    expect(merged.map((a) => [a.kind, a.message])).toEqual([
      ['frozen', 'root froze bob'],
      ['large_transfer', 'jane sent $20,000.00'],
    ]);
  });
});
