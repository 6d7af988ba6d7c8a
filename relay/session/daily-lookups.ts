/**
 * The bulk payee-lookup budget (`account.lookupMany`): each user may look up at most `perDay`
 * distinct accounts per UTC day, over all their sessions. An account asked for again the same
 * day costs nothing more, so previewing a file twice (or a lost answer asked again) is free,
 * while walking the sequential account numbers to harvest masked names stops at the budget.
 *
 * Kept in memory per relay, as the per-minute `account.lookup` limit is: a restart starts the
 * day's count again, and each relay sharing a store counts apart (docs/SECURITY.md).
 */
export class DailyLookupBudget {
  private day = '';
  private seen = new Map<string, Set<string>>();

  constructor(
    readonly perDay: number,
    private readonly clock: () => number,
  ) {}

  /**
   * Charges `accounts` to `user`, all or none: true when the new ones fit in what is left
   * today (they are then counted), false when they do not (nothing is counted).
   */
  take(user: string, accounts: readonly string[]): boolean {
    const seen = this.today(user);
    const fresh = new Set(accounts.filter((a) => !seen.has(a)));
    if (seen.size + fresh.size > this.perDay) return false;
    for (const a of fresh) seen.add(a);
    return true;
  }

  /** What is left of the user's budget today. */
  remaining(user: string): number {
    return Math.max(0, this.perDay - this.today(user).size);
  }

  private today(user: string): Set<string> {
    const day = new Date(this.clock()).toISOString().slice(0, 10);
    if (day !== this.day) {
      // A new day: every count starts again, and yesterday's sets are let go.
      this.day = day;
      this.seen = new Map();
    }
    let seen = this.seen.get(user);
    if (!seen) {
      seen = new Set();
      this.seen.set(user, seen);
    }
    return seen;
  }
}
