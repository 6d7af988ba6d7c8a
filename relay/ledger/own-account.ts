import { BankError } from '../../common/errors.js';
import type { LedgerStore } from './ledger-store.js';
import type { AccountState } from './types.js';

/** The caller's account: the one named, which must be theirs, or their first. */
export async function ownAccount(ledger: LedgerStore, username: string, account: string | undefined): Promise<AccountState> {
  if (account === undefined) {
    const first = (await ledger.accountStatesOf(username))[0];
    if (!first) throw new BankError('NOT_FOUND', 'you have no account yet');
    return first;
  }
  const found = await ledger.account(account);
  // Someone else's account looks the same as a missing one.
  if (!found || found.owner !== username) throw new BankError('NOT_FOUND', `you have no account ${account}`);
  return found;
}
