import type { User } from '../../common/schemas/models.js';
import type { LedgerStore } from '../ledger/ledger-store.js';
import type { UserRecord } from './records.js';

/** The wire's `User` (PROTOCOL §5): the record plus effective limits and live balances. */
export async function toWireUser(ledger: LedgerStore, u: UserRecord): Promise<User> {
  const [limits, accounts] = await Promise.all([ledger.limitsOf(u.username), ledger.accountsOf(u.username)]);
  return {
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    status: u.status,
    createdAt: u.createdAt,
    limits,
    accounts,
  };
}
