import type { User } from '../../common/schemas/models.js';
import type { LedgerStore } from '../ledger/ledger-store.js';
import type { UserRecord } from './records.js';

/**
 * The wire's `User` (PROTOCOL §5): the record plus effective limits and live balances, and a
 * password reset waiting for approval (its hash never leaves the relay) until it expires.
 */
export async function toWireUser(ledger: LedgerStore, u: UserRecord, now: number): Promise<User> {
  const [limits, accounts] = await Promise.all([ledger.limitsOf(u.username), ledger.accountsOf(u.username)]);
  const reset = u.passwordReset;
  return {
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    status: u.status,
    createdAt: u.createdAt,
    limits,
    accounts,
    ...(reset &&
      reset.expiresAt > now && {
        passwordReset: { requestedBy: reset.requestedBy, requestedAt: new Date(reset.requestedAt).toISOString(), expiresAt: new Date(reset.expiresAt).toISOString() },
      }),
    ...(u.legacy && { legacy: { username: u.legacy.username, ...(u.legacy.account !== undefined && { account: u.legacy.account }) } }),
  };
}
