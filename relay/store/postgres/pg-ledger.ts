import type { Account, Limits } from '../../../common/schemas/models.js';
import type { AccountStatus } from '../../../common/schemas/primitives.js';
import type { AuditDraft } from '../../audit/chain.js';
import { effectiveLimits, type MoveEffect, type MoveRequest } from '../../ledger/engine.js';
import type { LedgerStore, MoveResult } from '../../ledger/ledger-store.js';
import type { AccountState, LedgerRules, OwnerState } from '../../ledger/types.js';
import type { GenericOp } from '../bank-store.js';
import { BatchedGet } from '../batched-get.js';
import type { PgBank } from './pg-bank.js';
import type { PgLedgerWriter } from './ledger-writer.js';

/**
 * The ledger on the PostgreSQL store: balances live in the database, shared by every relay on
 * it, and are read from there (point reads batched per tick); every change goes through this
 * relay's group-commit writer (ledger-writer.ts), whose batches run the same engine as the
 * embedded store under the audit-head lock.
 */
export class PgLedger implements LedgerStore {
  private readonly accountReads: BatchedGet<AccountState>;
  private readonly ownerReads: BatchedGet<OwnerState>;
  /** Each owner's accounts, in opening order: every owner asked for in one tick, one query. */
  private readonly accountsByOwner: BatchedGet<AccountState[]>;
  private known = { accounts: 0, transfers: 0 };

  constructor(
    private readonly bank: PgBank,
    private readonly writer: PgLedgerWriter,
    private readonly rules: LedgerRules,
    /** Tells this relay's sessions about a transfer this relay posted (others hear it by NOTIFY). */
    private readonly onPosted: (effect: MoveEffect) => void,
  ) {
    this.accountReads = new BatchedGet(bank.accounts);
    this.ownerReads = new BatchedGet(bank.owners);
    this.accountsByOwner = new BatchedGet({
      getMany: async (owners: string[]) => {
        const res = await bank.pool.query<{ owner: string; record: AccountState }>(
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

  get currency(): string {
    return this.rules.currency;
  }

  toWire(a: AccountState): Account {
    return { account: a.account, balance: a.balance, currency: this.currency, status: a.status };
  }

  async accountStatesOf(owner: string): Promise<AccountState[]> {
    return (await this.accountsByOwner.get(owner)) ?? [];
  }

  async accountsOf(owner: string): Promise<Account[]> {
    return (await this.accountStatesOf(owner)).map((a) => this.toWire(a));
  }

  account(number: string): Promise<AccountState | undefined> {
    return this.accountReads.get(number);
  }

  async limitsOf(owner: string): Promise<Limits> {
    return effectiveLimits(this.rules, await this.ownerReads.get(owner));
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

  async move(req: MoveRequest, audit: Omit<AuditDraft, 'target' | 'outcome' | 'details'>): Promise<MoveResult> {
    const { transfer, balance, replay, effect } = await this.writer.move({ req, audit });
    if (effect) this.onPosted(effect);
    return { transfer, balance, replay };
  }

  /** The bank's own account, opened once on the database, by whichever relay starts first. */
  async openCashAccount(): Promise<void> {
    await this.writer.change({ kind: 'cash' });
  }

  async openAccount(owner: string, extra: GenericOp[], audit: AuditDraft[]): Promise<AccountState> {
    const result = await this.writer.change({ kind: 'open', owner, extra, audit });
    return accountsIn(result)[0]!;
  }

  async setOwnerStatus(owner: string, status: AccountStatus, extra: GenericOp[], audit: AuditDraft[]): Promise<AccountState[]> {
    return accountsIn(await this.writer.change({ kind: 'status', owner, status, extra, audit }));
  }

  async setLimits(owner: string, limits: Partial<Limits>, extra: GenericOp[], audit: AuditDraft[]): Promise<Limits> {
    const result = await this.writer.change({ kind: 'limits', owner, limits, extra, audit });
    if (!('limits' in result)) throw new Error('the writer answered a limits change without limits');
    return result.limits;
  }
}

function accountsIn(result: { accounts: AccountState[] } | { limits: Limits }): AccountState[] {
  if (!('accounts' in result)) throw new Error('the writer answered an account change without accounts');
  return result.accounts;
}
