import { BankError } from '../../common/errors.js';
import type { Ledger } from './ledger.js';
import type { AccountState } from './types.js';

/** The caller's account: the one named, which must be theirs, or their first. */
export function ownAccount(ledger: Ledger, username: string, account: string | undefined): AccountState {
  if (account === undefined) {
    const first = ledger.engine.accountsOf(username)[0];
    if (!first) throw new BankError('NOT_FOUND', 'you have no account yet');
    return first;
  }
  const found = ledger.account(account);
  // Someone else's account looks the same as a missing one.
  if (!found || found.owner !== username) throw new BankError('NOT_FOUND', `you have no account ${account}`);
  return found;
}
