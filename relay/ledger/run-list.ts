import { BankError } from '../../common/errors.js';
import type { Run } from '../../common/schemas/models.js';
import type { BankStore, RunFilter, RunPlace } from '../store/bank-store.js';
import { toWireRun } from './runs.js';

/** A page of payment runs, newest first: the cursor names the last run given (when it started, its id). */
export async function listRuns(bank: BankStore, filter: RunFilter, limit: number, cursor?: string): Promise<{ runs: Run[]; next?: string }> {
  const runs: Run[] = [];
  for await (const r of bank.runsNewestFirst(filter, cursor !== undefined ? parseRunCursor(cursor) : undefined)) {
    if (runs.length === limit) {
      const last = runs[runs.length - 1]!;
      return { runs, next: `${last.createdAt}|${last.runId}` };
    }
    runs.push(toWireRun(r));
  }
  return { runs };
}

function parseRunCursor(cursor: string): RunPlace {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\|([0-9a-f-]{36})$/.exec(cursor);
  if (!m) throw new BankError('BAD_REQUEST', 'cursor: not a cursor this relay gave out');
  return { createdAt: m[1]!, runId: m[2]! };
}
