import { BankError } from '../../common/errors.js';
import type { Run, RunKind } from '../../common/schemas/models.js';
import type { TransferKind } from './types.js';

/**
 * Payment runs as the ledger keeps them (pure: the writer calls these inside a batch, where
 * nothing interleaves). A run is declared once by its owner (`run.start`) and then counted by
 * the batches that carry its id, in the same durable write as the money they move, so the
 * counts are exactly what the ledger did: a row posts once whatever is replayed, and a row
 * refused earlier stops counting as failed once it posts.
 */

/** What the relay stores per run: the wire's Run, with the ids of the rows now failed instead of their count. */
export interface RunRecord extends Omit<Run, 'failed'> {
  /** Transfer ids whose latest answer in this run was a refusal (small: rows that failed and were not posted since). */
  failedIds: string[];
}

/** What `run.start` declares. */
export type RunDeclaration = Pick<Run, 'runId' | 'owner' | 'kind' | 'digest' | 'rows' | 'total' | 'atomic'>;

/** The movements each run kind is made of. */
const MOVES_OF: Record<RunKind, TransferKind> = { payments: 'transfer', deposits: 'deposit', withdrawals: 'withdraw' };

export function toWireRun(r: RunRecord): Run {
  const { failedIds, ...rest } = r;
  return { ...rest, failed: failedIds.length };
}

/**
 * Declares a run, or answers the one already declared under its id when the declaration is
 * the same (a `run.start` sent again). Another declaration under a taken id is a CONFLICT,
 * and so is one naming another owner's run: run ids are the client's and are not secrets.
 */
export function declareRun(existing: RunRecord | undefined, d: RunDeclaration, now: Date): { run: RunRecord; created: boolean } {
  if (existing) {
    const same = existing.owner === d.owner && existing.kind === d.kind && existing.digest === d.digest && existing.rows === d.rows && existing.total === d.total && existing.atomic === d.atomic;
    if (!same) throw new BankError('CONFLICT', `run ${d.runId} was already started with other rows; start a new run with a new id`);
    return { run: existing, created: false };
  }
  const ts = now.toISOString();
  return { run: { ...d, createdAt: ts, updatedAt: ts, posted: 0, sent: 0, failedIds: [] }, created: true };
}

/**
 * Refuses a batch that names a run it does not belong to: another person's run, or one of
 * another kind (a payments run cannot carry deposits). Checked before anything moves.
 */
export function checkRunBatch(run: RunRecord, actor: string, moves: readonly TransferKind[]): void {
  if (run.owner !== actor) throw new BankError('NOT_FOUND', `no payment run ${run.runId}`);
  const kind = MOVES_OF[run.kind];
  if (moves.some((m) => m !== kind)) throw new BankError('BAD_REQUEST', `run ${run.runId} is a run of ${run.kind}: its batches may carry nothing else`);
}

/** One item's outcome as a run counts it. */
export type RunItemOutcome = { transferId: string; posted: 'new'; amount: number } | { transferId: string; posted: 'replay' } | { transferId: string; failed: true };

/**
 * The run after one of its batches: each newly posted item counts once (a replay was counted
 * when it first posted), a refused item is failed until it posts. Answers the run unchanged
 * (the same object) when nothing it counts changed.
 */
export function countRunBatch(run: RunRecord, outcomes: readonly RunItemOutcome[], now: Date): RunRecord {
  let posted = run.posted;
  let sent = run.sent;
  const failed = new Set(run.failedIds);
  for (const o of outcomes) {
    if ('failed' in o) {
      failed.add(o.transferId);
      continue;
    }
    failed.delete(o.transferId);
    if (o.posted === 'new') {
      posted++;
      sent += o.amount;
    }
  }
  const failedIds = [...failed];
  if (posted === run.posted && sent === run.sent && sameMembers(failedIds, run.failedIds)) return run;
  return { ...run, posted, sent, failedIds, updatedAt: now.toISOString() };
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
