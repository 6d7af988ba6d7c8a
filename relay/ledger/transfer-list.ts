import { BankError } from '../../common/errors.js';
import type { Entry, Transfer } from '../../common/schemas/models.js';
import type { BankStore } from '../store/bank-store.js';
import { toWireTransfer } from './ledger.js';

export interface TransferQuery {
  account?: string;
  since?: string;
  until?: string;
  limit: number;
  cursor?: string;
}

/**
 * Transfers newest first, optionally of one account and within [since, until]. Walks the
 * ledger's order (or the account's entries) backwards, so the cursor stays exact under load.
 */
export async function listTransfers(bank: BankStore, q: TransferQuery): Promise<{ transfers: Transfer[]; next?: string }> {
  let upper: number | undefined;
  if (q.cursor !== undefined) {
    if (!/^\d{1,16}$/.test(q.cursor)) throw new BankError('BAD_REQUEST', 'cursor: not a cursor this relay gave out');
    upper = Number(q.cursor);
  }
  const since = q.since !== undefined ? Date.parse(q.since) : -Infinity;
  const until = q.until !== undefined ? Date.parse(q.until) : Infinity;
  const transfers: Transfer[] = [];
  let lastPos = 0;
  const take = (t: Transfer, pos: number): 'more' | 'full' | 'done' => {
    const ts = Date.parse(t.ts);
    if (ts < since) return 'done';
    if (ts > until) return 'more';
    if (transfers.length === q.limit) return 'full';
    transfers.push(t);
    lastPos = pos;
    return 'more';
  };
  if (q.account !== undefined) {
    for await (const [n, entry] of bank.entriesOf(q.account, upper)) {
      const verdict = take(fromEntry(q.account, entry), n);
      if (verdict === 'full') return { transfers, next: String(lastPos) };
      if (verdict === 'done') break;
    }
    return { transfers };
  }
  for await (const record of bank.transfersNewestFirst(upper)) {
    const verdict = take(toWireTransfer(record), record.seq);
    if (verdict === 'full') return { transfers, next: String(lastPos) };
    if (verdict === 'done') break;
  }
  return { transfers };
}

/** An entry holds everything its transfer had, seen from one side. */
function fromEntry(account: string, e: Entry): Transfer {
  const out = e.amount < 0;
  return {
    id: e.transferId,
    from: out ? account : e.counterparty,
    to: out ? e.counterparty : account,
    amount: Math.abs(e.amount),
    ...(e.memo !== undefined && { memo: e.memo }),
    ts: e.ts,
    status: 'posted',
  };
}
