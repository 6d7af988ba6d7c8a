import type { BatchItemResult } from '../../../common/schemas/ops.js';
import type { UiResponse } from '../../../extension/src/shared/api.js';

/*
 * A relay as payment runs see it, in memory: run.start records a run, transfer.batch and
 * admin.account.batch apply each item once per transfer id (a replay answers the first post),
 * all or none when atomic. Tests script what goes wrong: an answer lost after the batch applied
 * (IN_DOUBT), a batch that never answers (the worker dies with it in flight), a refusal before
 * anything moved (OFFLINE), payees that do not exist.
 */

type Fault = 'lose-answer' | 'hang' | 'offline';

export interface SentItem {
  transferId: string;
  account: string;
  amount: number;
}

export class FakeRunRelay {
  /** transferId → how often it was applied (must never pass 1). */
  readonly applied = new Map<string, number>();
  /** Every item of every batch that reached the relay, in order. */
  readonly sent: SentItem[] = [];
  readonly batches: { op: string; ids: string[]; atomic: boolean; runId?: string }[] = [];
  readonly starts: unknown[] = [];
  /** Accounts that answer NOT_FOUND. */
  readonly unknownAccounts = new Set<string>();
  /** Faults for the next batches, in order (one per batch). */
  private readonly faults: (Fault | undefined)[] = [];
  /** Resolves the batches that hang (never, unless a test lets them). */
  readonly hanging: (() => void)[] = [];
  /** Calls made with each op. */
  readonly calls: string[] = [];

  /** The n-th batch from now (0 = the next) goes wrong this way. */
  fail(n: number, fault: Fault): void {
    this.faults[n] = fault;
  }

  timesApplied(transferId: string): number {
    return this.applied.get(transferId) ?? 0;
  }

  timesSent(transferId: string): number {
    return this.sent.filter((s) => s.transferId === transferId).length;
  }

  readonly call = async (op: string, args: unknown): Promise<UiResponse> => {
    this.calls.push(op);
    if (op === 'run.start') {
      this.starts.push(args);
      return { ok: true, result: { run: {}, sameFile: [] } };
    }
    if (op !== 'transfer.batch' && op !== 'admin.account.batch') return { ok: false, error: { code: 'UNKNOWN_OP', message: `no ${op} here` } };
    const a = args as { transfers?: { transferId: string; to: string; amount: number }[]; items?: { transferId: string; account: string; amount: number }[]; atomic?: boolean; runId?: string };
    const items = (a.transfers ?? []).map((t) => ({ transferId: t.transferId, account: t.to, amount: t.amount })).concat(a.items ?? []);
    const fault = this.faults.shift();
    if (fault === 'offline') return { ok: false, error: { code: 'OFFLINE', message: 'not connected to the relay' } };
    this.batches.push({ op, ids: items.map((i) => i.transferId), atomic: a.atomic ?? false, ...(a.runId !== undefined && { runId: a.runId }) });
    this.sent.push(...items);
    const results = this.apply(items, a.atomic ?? false);
    if (fault === 'hang') return new Promise<UiResponse>((resolve) => this.hanging.push(() => resolve({ ok: true, result: { results } })));
    if (fault === 'lose-answer') return { ok: false, error: { code: 'IN_DOUBT', message: 'the connection dropped before the answer' } };
    return { ok: true, result: { results } };
  };

  private apply(items: SentItem[], atomic: boolean): BatchItemResult[] {
    const refused = (i: SentItem) => this.unknownAccounts.has(i.account);
    if (atomic && items.some(refused)) {
      return items.map((i) =>
        refused(i)
          ? { transferId: i.transferId, ok: false, error: { code: 'NOT_FOUND', message: `no account ${i.account}` } }
          : { transferId: i.transferId, ok: false, error: { code: 'BATCH_ABORTED', message: 'not applied: the batch is atomic' } },
      );
    }
    return items.map((i): BatchItemResult => {
      if (refused(i)) return { transferId: i.transferId, ok: false, error: { code: 'NOT_FOUND', message: `no account ${i.account}` } };
      if (!this.applied.has(i.transferId)) this.applied.set(i.transferId, 1);
      const transfer = { id: i.transferId, from: '0000-0000-0000-0001', to: i.account, amount: i.amount, ts: '2024-05-01T10:00:00.000Z', status: 'posted' as const };
      return { transferId: i.transferId, ok: true, transfer, balance: 0 };
    });
  }
}
