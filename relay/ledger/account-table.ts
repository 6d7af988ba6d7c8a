import type { AccountState } from './types.js';

/** Accounts per page of the table. */
const PAGE_BITS = 12;
const PAGE = 1 << PAGE_BITS;
/** Serials above this go to the map (a page array this long is still small). */
const MAX_PAGED = 2 ** 31 - 1;

/**
 * Every account in memory, found by its number. Account numbers carry a serial that the bank
 * hands out in order ("DBcc" + 10 digits), so accounts sit in pages indexed by it: no hashing,
 * and loading a million at a start costs a few array writes each, where a Map of a million
 * strings takes about a second on a small machine. A number not of that shape (none the relay
 * makes) is kept in a Map. The stored account must carry the number asked for, check digits
 * included, so a wrong number never finds another's account.
 */
/** What reading accounts by number needs: the table, or a Map of them. */
export interface AccountLookup {
  get(account: string): AccountState | undefined;
  values(): Iterable<AccountState>;
  readonly size: number;
}

export class AccountTable implements AccountLookup {
  private readonly pages: (AccountState | undefined)[][] = [];
  private readonly others = new Map<string, AccountState>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(account: string): AccountState | undefined {
    const serial = pagedSerial(account);
    if (serial < 0) return this.others.get(account);
    const a = this.pages[serial >>> PAGE_BITS]?.[serial & (PAGE - 1)];
    if (a !== undefined && a.account === account) return a;
    return this.others.size > 0 ? this.others.get(account) : undefined;
  }

  has(account: string): boolean {
    return this.get(account) !== undefined;
  }

  /** Adds an account, or replaces the one stored under its number. */
  set(a: AccountState): void {
    const serial = pagedSerial(a.account);
    if (serial < 0) {
      if (!this.others.has(a.account)) this.count++;
      this.others.set(a.account, a);
      return;
    }
    const page = (this.pages[serial >>> PAGE_BITS] ??= new Array<AccountState | undefined>(PAGE).fill(undefined));
    const at = serial & (PAGE - 1);
    const held = page[at];
    if (held !== undefined && held.account !== a.account) {
      // Two numbers with one serial (different check digits): only one can be paged.
      if (!this.others.has(a.account)) this.count++;
      this.others.set(a.account, a);
      return;
    }
    if (held === undefined) this.count++;
    page[at] = a;
  }

  *values(): IterableIterator<AccountState> {
    for (const page of this.pages) {
      if (page === undefined) continue;
      for (const a of page) if (a !== undefined) yield a;
    }
    yield* this.others.values();
  }
}

/** The serial of a number shaped "DB" + 12 digits, when it can be paged; else -1. */
function pagedSerial(account: string): number {
  if (account.length !== 14 || account.charCodeAt(0) !== 68 || account.charCodeAt(1) !== 66) return -1;
  let serial = 0;
  for (let i = 2; i < 14; i++) {
    const d = account.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    if (i >= 4) serial = serial * 10 + d;
  }
  return serial <= MAX_PAGED ? serial : -1;
}
