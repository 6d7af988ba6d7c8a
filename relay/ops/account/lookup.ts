import { BankError } from '../../../common/errors.js';
import { maskName } from '../../ledger/mask-name.js';
import { defineOp } from '../registry.js';

/** Payee confirmation: the masked name behind an account number, rate-limited per session. */
export default defineOp('account.lookup', async ({ args, conn, relay }) => {
  if (!relay.lookupLimit.take(conn.auth!.username)) {
    throw new BankError('RATE_LIMITED', `too many account lookups: at most ${relay.config.lookupsPerMinute} a minute`);
  }
  const account = await relay.ledger.account(args.account);
  if (!account || account.owner === null || account.status === 'closed') throw new BankError('NOT_FOUND', `no account ${args.account}`);
  const owner = await relay.users.get(account.owner);
  return { account: account.account, displayName: maskName(owner?.displayName ?? account.owner) };
});
