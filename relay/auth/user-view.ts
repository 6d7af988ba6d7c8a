import type { User } from '../../common/schemas/models.js';
import type { Ledger } from '../ledger/ledger.js';
import type { UserRecord } from '../store/records.js';

/** The wire's `User` (PROTOCOL §5): the record plus effective limits and live balances. */
export async function toWireUser(ledger: Ledger, u: UserRecord): Promise<User> {
  await ledger.ensureOwners([u.username]);
  return {
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    status: u.status,
    createdAt: u.createdAt,
    limits: ledger.limitsOf(u.username),
    accounts: ledger.accountsOf(u.username),
  };
}
