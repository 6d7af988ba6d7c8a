import type { Entry } from '../../common/schemas/models.js';
import type { AccountLookup } from './account-table.js';

/**
 * The per-account half of `ledger verify`, whatever the store: fed every entry in (account, n)
 * order, it checks that each account's entries run 1..n with running balances, end at the
 * account's balance and number, and that an account with no entries holds nothing. The first
 * problem, in words, ends the check.
 */
export class EntryChainCheck {
  private current: { account: string; n: number; balance: number } | undefined;
  private readonly seen = new Set<string>();
  /** Entries fed so far. */
  count = 0;

  constructor(private readonly accounts: AccountLookup) {}

  next(account: string, n: number, e: Pick<Entry, 'amount' | 'balanceAfter'>): string | undefined {
    if (this.current?.account !== account) {
      const problem = this.close();
      if (problem) return problem;
      this.current = { account, n: 0, balance: 0 };
      this.seen.add(account);
    }
    const c = this.current;
    if (n !== c.n + 1) return `account ${account}: entry ${c.n + 1} is missing (found ${n})`;
    c.n = n;
    c.balance += e.amount;
    if (e.balanceAfter !== c.balance) return `account ${account} entry ${n}: balanceAfter ${e.balanceAfter}, running sum ${c.balance}`;
    this.count++;
    return undefined;
  }

  finish(): string | undefined {
    const problem = this.close();
    if (problem) return problem;
    for (const a of this.accounts.values()) {
      if (!this.seen.has(a.account) && (a.balance !== 0 || a.entrySeq !== 0)) return `account ${a.account}: balance ${a.balance} with no entries`;
    }
    return undefined;
  }

  private close(): string | undefined {
    const c = this.current;
    if (!c) return undefined;
    const a = this.accounts.get(c.account);
    if (!a) return `entries exist for unknown account ${c.account}`;
    if (a.entrySeq !== c.n) return `account ${a.account} records ${a.entrySeq} entries but has ${c.n}`;
    if (a.balance !== c.balance) return `account ${a.account}: balance ${a.balance} but its entries sum to ${c.balance}`;
    return undefined;
  }
}
