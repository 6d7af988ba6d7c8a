/** What `ledger verify` answers, on either store (`admin.ledger.verify`, `bank-relay ledger verify`). */
export interface LedgerVerdict {
  ok: boolean;
  accounts: number;
  transfers: number;
  sum: number;
  /** The first discrepancy, in words, when ok is false. */
  problem?: string;
}
