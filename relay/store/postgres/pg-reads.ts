import type { LedgerReads } from '../../ledger/storage.js';
import type { AccountState, OwnerState } from '../../ledger/types.js';
import { BatchedGet } from '../batched-get.js';
import type { PgBank } from './pg-bank.js';

/**
 * The ledger's reads on the PostgreSQL store: balances live in the database, shared by every
 * relay on it, and are read from there, each kind of point read batched per tick.
 */
export class PgLedgerReads implements LedgerReads {
  private readonly accountReads: BatchedGet<AccountState>;
  private readonly ownerReads: BatchedGet<OwnerState>;
  /** Each owner's accounts, in opening order: every owner asked for in one tick, one query. */
  private readonly accountsByOwner: BatchedGet<AccountState[]>;
  private known = { accounts: 0, transfers: 0 };

  constructor(private readonly bank: PgBank) {
    const pool = bank.pool;
    this.accountReads = new BatchedGet({
      getMany: async (numbers: string[]) => {
        const rows = (await pool.query<{ record: AccountState }>('SELECT record FROM accounts WHERE account = ANY($1::text[])', [[...new Set(numbers)]])).rows;
        const found = new Map(rows.map((r) => [r.record.account, r.record]));
        return numbers.map((n) => found.get(n));
      },
    });
    this.ownerReads = new BatchedGet({
      getMany: async (owners: string[]) => {
        const rows = (await pool.query<{ owner: string; state: OwnerState }>('SELECT owner, state FROM owners WHERE owner = ANY($1::text[])', [[...new Set(owners)]])).rows;
        const found = new Map(rows.map((r) => [r.owner, r.state]));
        return owners.map((o) => found.get(o));
      },
    });
    this.accountsByOwner = new BatchedGet({
      getMany: async (owners: string[]) => {
        const res = await pool.query<{ owner: string; record: AccountState }>(
          'SELECT owner, record FROM accounts WHERE owner = ANY($1::text[]) ORDER BY substring(account from 5)::bigint',
          [[...new Set(owners)]],
        );
        const held = new Map<string, AccountState[]>();
        for (const r of res.rows) {
          const list = held.get(r.owner);
          if (list) list.push(r.record);
          else held.set(r.owner, [r.record]);
        }
        return owners.map((o) => held.get(o) ?? []);
      },
    });
  }

  account(number: string): Promise<AccountState | undefined> {
    return this.accountReads.get(number);
  }

  async accountsOf(owner: string): Promise<AccountState[]> {
    return (await this.accountsByOwner.get(owner)) ?? [];
  }

  ownerState(owner: string): Promise<OwnerState | undefined> {
    return this.ownerReads.get(owner);
  }

  counts(): { accounts: number; transfers: number } {
    return this.known;
  }

  /**
   * Reads the figures `counts` answers (the relay does so every few seconds). Both come from an
   * index's last entry, not a scan: accounts are numbered 0 (the cash account), 1, 2, … with no
   * gaps and never deleted, and transfers 1, 2, … in the ledger's order.
   */
  async refreshCounts(): Promise<void> {
    const row = (
      await this.bank.pool.query<{ accounts: string; transfers: string }>(
        'SELECT (SELECT coalesce(max(substring(account from 5)::bigint) + 1, 0) FROM accounts) AS accounts, (SELECT coalesce(max(seq), 0) FROM transfers) AS transfers',
      )
    ).rows[0]!;
    this.known = { accounts: Number(row.accounts), transfers: Number(row.transfers) };
  }
}
