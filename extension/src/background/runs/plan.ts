import { BATCH_MAX, type BatchItemResult, type OpArgs } from '../../../../common/schemas/ops.js';
import type { LocalRun, NewRun, RunRow, RunState, RunSummary } from '../../shared/runs.js';

/*
 * The pure part of payment runs: making a run (each row's transfer id chosen once, here), the
 * next batch to send, what an answer does to the rows, and the totals pages show. No I/O: the
 * clock and the id source come in, so the same inputs always give the same run (runner.ts
 * does the sending and the storing).
 */

export interface Clock {
  now(): Date;
}

/** A new run for `owner`; every row gets its transfer id now, before anything is sent. */
export function createRun(input: NewRun, owner: { relayUrl: string; username: string }, runId: string, newId: () => string, clock: Clock): LocalRun {
  const at = clock.now().toISOString();
  const rows = input.rows.map((r): RunRow => {
    const row: RunRow = { line: r.line, account: r.account, amount: r.amount, transferId: newId(), status: r.excluded ? 'excluded' : 'pending' };
    if (r.memo !== undefined && r.memo !== '') row.memo = r.memo;
    if (r.name !== undefined && r.name !== '') row.name = r.name;
    if (r.reference !== undefined && r.reference !== '') row.reference = r.reference;
    return row;
  });
  return {
    runId,
    kind: input.kind,
    relayUrl: owner.relayUrl,
    username: owner.username,
    createdAt: at,
    updatedAt: at,
    atomic: input.atomic,
    digest: input.digest,
    currency: input.currency,
    declared: false,
    rows,
  };
}

/** The rows that take part (everything but the excluded). */
export function includedRows(run: LocalRun): RunRow[] {
  return run.rows.filter((r) => r.status !== 'excluded');
}

/** What `run.start` declares for this run. */
export function startArgs(run: LocalRun): OpArgs<'run.start'> {
  const rows = includedRows(run);
  return { runId: run.runId, kind: run.kind, digest: run.digest, rows: rows.length, total: rows.reduce((s, r) => s + r.amount, 0), atomic: run.atomic };
}

/** Rows still to send: never sent, or sent without a known answer. */
export function isOpen(row: RunRow): boolean {
  return row.status === 'pending' || row.status === 'in_doubt';
}

/** The run has rows left to send (it can be started or resumed). */
export function isResumable(run: LocalRun): boolean {
  return run.rows.some(isOpen);
}

/**
 * The next batch: rows in doubt first (their replay settles them), then rows never sent, in file
 * order, at most `max`. An all-or-nothing run is one batch of every open row (it holds at most
 * BATCH_MAX). Empty when nothing is left.
 */
export function nextChunk(run: LocalRun, max: number = BATCH_MAX): RunRow[] {
  const open = [...run.rows.filter((r) => r.status === 'in_doubt'), ...run.rows.filter((r) => r.status === 'pending')];
  if (run.atomic) return open;
  return open.slice(0, Math.max(1, max));
}

function withRows(run: LocalRun, rows: RunRow[], clock: Clock): LocalRun {
  return { ...run, rows, updatedAt: clock.now().toISOString() };
}

/**
 * Before a batch goes out its rows become `in_doubt` and that is stored: if the worker stops
 * before the answer, the stored run says truthfully that they may have been paid, and they are
 * replayed (same transfer ids) rather than sent as new.
 */
export function markSending(run: LocalRun, chunk: readonly RunRow[], clock: Clock): LocalRun {
  const ids = new Set(chunk.map((r) => r.transferId));
  return withRows(
    run,
    run.rows.map((r) => {
      if (!ids.has(r.transferId) || !isOpen(r)) return r;
      const { error: _e, ...rest } = r;
      return { ...rest, status: 'in_doubt' };
    }),
    clock,
  );
}

/**
 * The batch was refused as a whole before anything moved (offline, rate limited, the session
 * over): its rows go back to what they were before `markSending`.
 */
export function unmarkSending(run: LocalRun, before: readonly RunRow[], clock: Clock): LocalRun {
  const was = new Map(before.map((r) => [r.transferId, r]));
  return withRows(
    run,
    run.rows.map((r) => was.get(r.transferId) ?? r),
    clock,
  );
}

/** Item codes that say the item may or may not have been applied: it stays in doubt. */
const ITEM_IN_DOUBT = new Set(['IN_DOUBT', 'INTERNAL', 'UNAVAILABLE']);

/**
 * The relay's answer to a batch: each item (matched by transfer id) posted (a replay of an
 * earlier post answers the same), failed with its reason, or still in doubt. Rows the answer
 * does not mention stay as they were.
 */
export function applyResults(run: LocalRun, results: readonly BatchItemResult[], clock: Clock): LocalRun {
  const byId = new Map(results.map((r) => [r.transferId, r]));
  return withRows(
    run,
    run.rows.map((row): RunRow => {
      const result = byId.get(row.transferId);
      if (!result || !isOpen(row)) return row;
      const { error: _e, ...rest } = row;
      if (result.ok) return { ...rest, status: 'posted' };
      if (ITEM_IN_DOUBT.has(result.error.code)) return { ...rest, status: 'in_doubt', error: { code: result.error.code, message: result.error.message } };
      return { ...rest, status: 'failed', error: { code: result.error.code, message: result.error.message } };
    }),
    clock,
  );
}

/** The request that sends `chunk`: a customer's payments, or an administrator's cash movements. */
export function batchRequest(run: LocalRun, chunk: readonly RunRow[]): { op: 'transfer.batch'; args: OpArgs<'transfer.batch'> } | { op: 'admin.account.batch'; args: OpArgs<'admin.account.batch'> } {
  const atomic = run.atomic;
  if (run.kind === 'payments') {
    return {
      op: 'transfer.batch',
      args: {
        transfers: chunk.map((r) => ({ transferId: r.transferId, to: r.account, amount: r.amount, ...(r.memo !== undefined && { memo: r.memo }) })),
        atomic,
        runId: run.runId,
      },
    };
  }
  return {
    op: 'admin.account.batch',
    args: {
      kind: run.kind === 'deposits' ? 'deposit' : 'withdraw',
      items: chunk.map((r) => ({ transferId: r.transferId, account: r.account, amount: r.amount, ...(r.memo !== undefined && { memo: r.memo }) })),
      atomic,
      runId: run.runId,
    },
  };
}

export interface RunCounts {
  rows: number;
  total: number;
  posted: number;
  failed: number;
  inDoubt: number;
  pending: number;
  excluded: number;
  sent: number;
}

export function runCounts(run: LocalRun): RunCounts {
  const c: RunCounts = { rows: 0, total: 0, posted: 0, failed: 0, inDoubt: 0, pending: 0, excluded: 0, sent: 0 };
  for (const r of run.rows) {
    if (r.status === 'excluded') {
      c.excluded++;
      continue;
    }
    c.rows++;
    c.total += r.amount;
    if (r.status === 'posted') {
      c.posted++;
      c.sent += r.amount;
    } else if (r.status === 'failed') c.failed++;
    else if (r.status === 'in_doubt') c.inDoubt++;
    else c.pending++;
  }
  return c;
}

/** What the runner is doing with a run, if anything. */
export type RunnerActivity = 'running' | 'pausing' | undefined;

export function runState(run: LocalRun, activity: RunnerActivity): RunState {
  if (activity) return activity;
  if (!isResumable(run)) return 'done';
  const touched = run.declared || run.rows.some((r) => r.status === 'posted' || r.status === 'failed' || r.status === 'in_doubt');
  return touched ? 'paused' : 'ready';
}

export function summarize(run: LocalRun, activity: RunnerActivity, problem?: { code: string; message: string }): RunSummary {
  const summary: RunSummary = {
    runId: run.runId,
    kind: run.kind,
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
    atomic: run.atomic,
    digest: run.digest,
    currency: run.currency,
    state: runState(run, activity),
    ...runCounts(run),
  };
  if (problem && summary.state !== 'done') summary.problem = problem;
  return summary;
}
