import type { Entry } from '../../common/schemas/models.js';
import type { TransferRecord } from './types.js';

/** A transfer's two entries (legs), as each account's history shows them: paying, then receiving. */
export function legsOf(t: TransferRecord): [Entry, Entry] {
  const memo = t.memo !== undefined ? { memo: t.memo } : {};
  return [
    { transferId: t.id, ts: t.ts, amount: -t.amount, counterparty: t.to, ...memo, balanceAfter: t.fromBalanceAfter },
    { transferId: t.id, ts: t.ts, amount: t.amount, counterparty: t.from, ...memo, balanceAfter: t.toBalanceAfter },
  ];
}

/** The leg `account` has in transfer `t`, as its history shows it. */
export function legOf(t: TransferRecord, account: string): Entry {
  const [out, into] = legsOf(t);
  return t.from === account ? out : into;
}
