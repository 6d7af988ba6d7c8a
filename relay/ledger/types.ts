import type { AccountStatus } from '../../common/schemas/primitives.js';
import type { Limits, Transfer } from '../../common/schemas/models.js';

/** An account as the ledger keeps it in memory and on disk (`accounts/<number>`). */
export interface AccountState {
  account: string;
  /** Username of the owner; null for the bank's cash account. */
  owner: string | null;
  status: AccountStatus;
  balance: number;
  /** Entries written so far for this account; the next entry's key is entrySeq + 1. */
  entrySeq: number;
  createdAt: string;
}

/** What the ledger keeps per customer: their limits (when set) and today's spending. */
export interface OwnerState {
  limits: Partial<Limits>;
  day: string;
  spent: number;
}

export type TransferKind = 'transfer' | 'deposit' | 'withdraw';

/** A transfer as stored (a row of its journal chunk on LevelDB, of `transfers` on PostgreSQL): the wire's Transfer plus what replays and verify need. */
export interface TransferRecord extends Transfer {
  kind: TransferKind;
  /** Position in the ledger's total order (on LevelDB it also names the journal chunk holding the transfer). */
  seq: number;
  /** Entry numbers of the two legs in their accounts. */
  fromEntry: number;
  toEntry: number;
  fromBalanceAfter: number;
  toBalanceAfter: number;
  /** Who asked: the customer, or the admin for deposits and withdrawals. */
  actor: string;
}

export interface LedgerRules {
  currency: string;
  largeTransferAlert: number;
  defaultLimits: Limits;
}
