import { describe, expect, it } from 'vitest';
import { makeAccountNumber } from '../../../common/account-number.js';
import {
  applyResults,
  batchRequest,
  createRun,
  isResumable,
  markSending,
  nextChunk,
  runCounts,
  runState,
  startArgs,
  summarize,
  unmarkSending,
} from '../../../extension/src/background/runs/plan.js';
import type { LocalRun, NewRun } from '../../../extension/src/shared/runs.js';

/* The pure part of payment runs: no I/O, a fixed clock and predictable ids. */

const clock = { now: () => new Date('2024-05-01T10:00:00.000Z') };
const later = { now: () => new Date('2024-05-01T10:05:00.000Z') };
const DIGEST = 'ab'.repeat(32);
const OWNER = { relayUrl: 'ws://127.0.0.1:1235/', username: 'jane' };

function ids(prefix = '00000000-0000-4000-8000-') {
  let n = 0;
  return () => `${prefix}${String(++n).padStart(12, '0')}`;
}

function newRun(rows: number, patch: Partial<NewRun> = {}): NewRun {
  return {
    kind: 'payments',
    digest: DIGEST,
    currency: 'USD',
    atomic: false,
    rows: Array.from({ length: rows }, (_, i) => ({ line: i + 2, account: makeAccountNumber(100 + i), amount: 100 * (i + 1), memo: `pay ${i + 1}` })),
    ...patch,
  };
}

function run(rows: number, patch: Partial<NewRun> = {}): LocalRun {
  return createRun(newRun(rows, patch), OWNER, 'run-1', ids(), clock);
}

describe('making a run', () => {
  it('gives every row its own transfer id once, and keeps only what the file had', () => {
    const r = createRun(
      newRun(3, { rows: [...newRun(2).rows, { line: 9, account: 'garbage', amount: 0, name: 'Bob', reference: 'INV-1', excluded: true }] }),
      OWNER,
      'run-1',
      ids(),
      clock,
    );
    expect(r.rows.map((x) => x.transferId)).toEqual(['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003']);
    expect(r.rows.map((x) => x.status)).toEqual(['pending', 'pending', 'excluded']);
    expect(r.rows[2]).toEqual({ line: 9, account: 'garbage', amount: 0, name: 'Bob', reference: 'INV-1', transferId: '00000000-0000-4000-8000-000000000003', status: 'excluded' });
    expect(r).toMatchObject({ runId: 'run-1', kind: 'payments', username: 'jane', createdAt: '2024-05-01T10:00:00.000Z', declared: false, atomic: false });
    // Declared to the relay without the excluded row.
    expect(startArgs(r)).toEqual({ runId: 'run-1', kind: 'payments', digest: DIGEST, rows: 2, total: 300, atomic: false });
  });
});

describe('planning batches', () => {
  it('sends rows in file order, at most a batch at a time', () => {
    const r = run(5);
    expect(nextChunk(r, 2).map((x) => x.line)).toEqual([2, 3]);
    expect(nextChunk(r).length).toBe(5);
  });

  it('replays rows in doubt before sending new ones, and never sends a posted or failed row again', () => {
    let r = run(6);
    const first = nextChunk(r, 2);
    r = markSending(r, first, clock);
    expect(r.rows.slice(0, 2).map((x) => x.status)).toEqual(['in_doubt', 'in_doubt']);
    r = applyResults(
      r,
      [
        { transferId: first[0]!.transferId, ok: true, transfer: { id: first[0]!.transferId, from: makeAccountNumber(1), to: first[0]!.account, amount: 100, ts: '2024-05-01T10:00:00.000Z', status: 'posted' }, balance: 0 },
        { transferId: first[1]!.transferId, ok: false, error: { code: 'NOT_FOUND', message: 'no account' } },
      ],
      later,
    );
    expect(r.rows.slice(0, 2).map((x) => x.status)).toEqual(['posted', 'failed']);
    expect(r.rows[1]!.error).toEqual({ code: 'NOT_FOUND', message: 'no account' });
    expect(r.updatedAt).toBe('2024-05-01T10:05:00.000Z');
    const second = nextChunk(r, 2);
    expect(second.map((x) => x.line)).toEqual([4, 5]);
    r = markSending(r, second, clock); // the answer never comes
    const third = nextChunk(r, 3);
    expect(third.map((x) => x.line)).toEqual([4, 5, 6]);
    expect(third.map((x) => x.transferId)).toEqual([second[0]!.transferId, second[1]!.transferId, r.rows[4]!.transferId]);
  });

  it('puts rows back as they were when the batch was refused before anything moved', () => {
    const r0 = run(3);
    const chunk = nextChunk(r0, 2);
    const r1 = unmarkSending(markSending(r0, chunk, clock), chunk, clock);
    expect(r1.rows).toEqual(r0.rows);
  });

  it('keeps a row in doubt when its own answer says so', () => {
    let r = run(1);
    r = markSending(r, r.rows, clock);
    r = applyResults(r, [{ transferId: r.rows[0]!.transferId, ok: false, error: { code: 'IN_DOUBT', message: 'disk' } }], clock);
    expect(r.rows[0]).toMatchObject({ status: 'in_doubt', error: { code: 'IN_DOUBT' } });
    expect(isResumable(r)).toBe(true);
  });

  it('sends an all-or-nothing run as one batch', () => {
    const r = run(5, { atomic: true });
    expect(nextChunk(r, 2).length).toBe(5);
    const { op, args } = batchRequest(r, nextChunk(r));
    expect(op).toBe('transfer.batch');
    expect(args).toMatchObject({ atomic: true, runId: 'run-1' });
  });

  it("makes an administrator's deposits and withdrawals into admin.account.batch", () => {
    const r = run(2, { kind: 'withdrawals' });
    const req = batchRequest(r, r.rows);
    expect(req.op).toBe('admin.account.batch');
    expect(req.args).toEqual({
      kind: 'withdraw',
      items: r.rows.map((x) => ({ transferId: x.transferId, account: x.account, amount: x.amount, memo: x.memo })),
      atomic: false,
      runId: 'run-1',
    });
    expect(batchRequest(run(1, { kind: 'deposits' }), r.rows).args).toMatchObject({ kind: 'deposit' });
  });
});

describe('totals and state', () => {
  it('counts rows, the total and what was sent', () => {
    let r = run(4, { rows: [...newRun(3).rows, { line: 20, account: makeAccountNumber(5), amount: 999, excluded: true }] });
    r = markSending(r, r.rows.slice(0, 3), clock);
    r = applyResults(
      r,
      [
        { transferId: r.rows[0]!.transferId, ok: true, transfer: { id: r.rows[0]!.transferId, from: makeAccountNumber(1), to: r.rows[0]!.account, amount: 100, ts: '2024-05-01T10:00:00.000Z', status: 'posted' }, balance: 0 },
        { transferId: r.rows[1]!.transferId, ok: false, error: { code: 'LIMIT_EXCEEDED', message: 'over the limit' } },
      ],
      clock,
    );
    expect(runCounts(r)).toEqual({ rows: 3, total: 600, posted: 1, failed: 1, inDoubt: 1, pending: 0, excluded: 1, sent: 100 });
    expect(runState(r, undefined)).toBe('paused');
    expect(runState(r, 'running')).toBe('running');
    expect(summarize(r, undefined, { code: 'OFFLINE', message: 'offline' })).toMatchObject({ state: 'paused', problem: { code: 'OFFLINE' }, posted: 1 });
  });

  it('is ready before anything was sent, and done when no row is left', () => {
    let r = run(1);
    expect(runState(r, undefined)).toBe('ready');
    r = markSending(r, r.rows, clock);
    r = applyResults(r, [{ transferId: r.rows[0]!.transferId, ok: false, error: { code: 'NOT_FOUND', message: 'x' } }], clock);
    expect(runState(r, undefined)).toBe('done');
    expect(isResumable(r)).toBe(false);
    expect(summarize(r, undefined, { code: 'OFFLINE', message: 'x' })).not.toHaveProperty('problem');
  });
});
