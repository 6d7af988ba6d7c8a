import { describe, expect, it } from 'vitest';
import { WIDE, clock, formatMs, formatUptime, renderView, toScreen, type ViewState } from '../../../relay/monitor/render.js';
import type { RequestSample } from '../../../relay/monitor/stats.js';

const T0 = 1_700_000_000_000;
const requests: RequestSample[] = Array.from({ length: 40 }, (_, i) => ({
  at: T0 - i * 1000,
  op: i % 2 ? 'account.balance' : 'transfer.create',
  actor: `user${i}`,
  transport: i % 3 ? 'tcp' : 'ws',
  ms: 1.5 + i,
  outcome: i === 1 ? 'INSUFFICIENT_FUNDS' : 'ok',
}));

function state(over: Partial<ViewState> = {}): ViewState {
  return {
    relay: '127.0.0.1:1234',
    user: 'admin',
    stats: { connections: { tcp: 3, ws: 2 }, sessions: 4, uptimeS: 3723, ops: {}, ledger: { accounts: 12, transfers: 345 }, commits: { batches: 1, jobs: 1 } },
    commits: { fsyncsPerS: 12, meanBatch: 3.5 },
    summary: {
      rate: 150,
      ops: [
        { op: 'transfer.create', rate: 100, count: 1000, p50: 1.25, p95: 3.5, p99: 12.5 },
        { op: 'account.balance', rate: 50, count: 500, p50: 0.5, p95: 0.75, p99: 150 },
      ],
    },
    total: 12345,
    recent: requests,
    alerts: [{ at: T0, kind: 'large_transfer', message: 'deposit of 20000.00 to DB18' }],
    windowS: 10,
    color: false,
    ...over,
  };
}

const visible = (s: string) => [...s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')].length;

describe('renderView', () => {
  it('shows the header, ops/s, per-op percentiles, alerts and the latest requests filling the height', () => {
    const lines = renderView(state(), 120, 30);
    const text = lines.join('\n');
    expect(lines).toHaveLength(30);
    expect(lines[0]).toContain('bank-relay monitor · 127.0.0.1:1234 · admin · up 1h02m03s');
    expect(lines[0]).toMatch(/q quit $/);
    expect(lines[1]).toMatch(/conn tcp 3 ws 2 +sessions 4 +accounts 12 +transfers 345 +fsyncs\/s 12\.0 +batch 3\.5/);
    expect(lines[2]).toMatch(/ops\/s 150\.0 +requests seen 12345/);
    expect(text).toContain('latency ms, last 10s');
    expect(text).toMatch(/transfer\.create +100\.0 +1000 +1\.25 +3\.50 +12\.5/);
    expect(text).toMatch(/account\.balance +50\.0 +500 +0\.50 +0\.75 +150/);
    expect(text).toContain(`${clock(T0)} large_transfer deposit of 20000.00 to DB18`);
    expect(text).toMatch(/time +op +actor +transport +outcome +ms/);
    expect(text).toMatch(/transfer\.create +user0 +ws +ok +1\.50/);
    expect(text).toMatch(/account\.balance +user1 +tcp +INSUFFICIENT_FUNDS +2\.50/);
    // Rows of the request list fill what is left: 30 - 3 header - 4 latency - 2 alerts - 2 list header.
    expect(lines.filter((l) => / user\d+ /.test(l))).toHaveLength(19);
    for (const l of lines) expect(visible(l)).toBeLessThanOrEqual(120);
  });

  it('adapts to a narrow, short terminal: no transport column, fewer rows, nothing wider than the screen', () => {
    const lines = renderView(state(), 60, 14);
    expect(lines.length).toBeLessThanOrEqual(14);
    for (const l of lines) expect(visible(l)).toBeLessThanOrEqual(60);
    const text = lines.join('\n');
    expect(60).toBeLessThan(WIDE);
    expect(text).not.toContain('transport');
    expect(text).toMatch(/time +op +actor +outcome +ms/);
    expect(lines.filter((l) => / user\d+ /.test(l)).length).toBeGreaterThanOrEqual(1);
  });

  it('summarises ops that do not fit and survives tiny sizes', () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ op: `op.${i}`, rate: 1, count: 30 - i, p50: 1, p95: 1, p99: 1 }));
    const lines = renderView(state({ summary: { rate: 30, ops: many } }), 80, 24);
    expect(lines.join('\n')).toMatch(/… \d+ more ops/);
    expect(lines).toHaveLength(24);
    expect(renderView(state(), 10, 3)).toHaveLength(3);
    expect(renderView(state(), 1, 1)).toHaveLength(1);
  });

  it('says when nothing arrived yet, and colours outcomes only when asked', () => {
    const empty = renderView(state({ stats: undefined, summary: { rate: 0, ops: [] }, recent: [], alerts: [], total: 0 }), 80, 20).join('\n');
    expect(empty).toContain('waiting for admin.stats');
    expect(empty).toContain('(no requests yet)');
    expect(empty).toContain('(none)');
    expect(empty).not.toContain('\x1b[');
    const coloured = renderView(state({ color: true }), 120, 30).join('\n');
    expect(coloured).toContain('\x1b[32mok');
    expect(coloured).toContain('\x1b[31mINSUFFICIENT_FUNDS');
    for (const l of renderView(state({ color: true }), 50, 30)) expect(visible(l)).toBeLessThanOrEqual(50);
  });

  it('formats numbers and redraws in place', () => {
    expect(formatMs(0.123)).toBe('0.12');
    expect(formatMs(12.34)).toBe('12.3');
    expect(formatMs(1234.5)).toBe('1235');
    expect(formatUptime(59)).toBe('0m59s');
    expect(formatUptime(90061)).toBe('1d01h01m');
    expect(toScreen(['a', 'b'])).toBe('\x1b[Ha\x1b[K\r\nb\x1b[K\x1b[J');
  });
});
