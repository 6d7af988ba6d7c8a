import { BankError } from '../../../common/errors.js';
import type { LookupItemResult } from '../../../common/schemas/ops.js';
import type { RelayContext } from '../../context.js';
import { maskName } from '../../ledger/mask-name.js';
import { defineOp } from '../registry.js';

/**
 * The payees of a payment file, up to a thousand at once, each answered in its place as
 * account.lookup would (masked name), or why it cannot be paid: unknown or closed (NOT_FOUND),
 * frozen (ACCOUNT_FROZEN), the person's own account (BAD_REQUEST). The distinct accounts are
 * charged to the user's daily bulk budget first, all or none.
 */
export default defineOp('account.lookupMany', async ({ args, conn, relay }) => {
  const { username } = conn.auth!;
  if (!relay.bulkLookups.take(username, args.accounts)) {
    const left = relay.bulkLookups.remaining(username);
    throw new BankError('RATE_LIMITED', `too many payees looked up today: at most ${relay.config.bulkLookupsPerDay} distinct accounts a day, ${left} left; nothing was looked up`);
  }
  const own = new Set((await relay.ledger.accountStatesOf(username)).map((a) => a.account));
  const results = await Promise.all(args.accounts.map((account) => lookUp(relay, own, account)));
  return { results, remaining: relay.bulkLookups.remaining(username) };
});

async function lookUp(relay: RelayContext, own: ReadonlySet<string>, account: string): Promise<LookupItemResult> {
  const refused = (code: 'NOT_FOUND' | 'ACCOUNT_FROZEN' | 'BAD_REQUEST', message: string): LookupItemResult => ({ account, ok: false, error: { code, message } });
  if (own.has(account)) return refused('BAD_REQUEST', `${account} is your own account`);
  const state = await relay.ledger.account(account);
  if (!state || state.owner === null || state.status === 'closed') return refused('NOT_FOUND', `no account ${account}`);
  if (state.status === 'frozen') return refused('ACCOUNT_FROZEN', `account ${account} is frozen and cannot receive money`);
  const owner = await relay.users.get(state.owner);
  return { account, ok: true, displayName: maskName(owner?.displayName ?? state.owner) };
}
