import { randomUUID } from 'node:crypto';
import { BankError } from '../../../common/errors.js';
import { CASH_ACCOUNT } from '../../../common/account-number.js';
import { UserStore } from '../../auth/users.js';
import { toWireUser } from '../../auth/user-view.js';
import { defineOp } from '../registry.js';

/** An admin opens a user directly: active at once, with an account and an optional opening deposit. */
export default defineOp('admin.user.create', async ({ args, conn, relay }) => {
  const admin = conn.auth!;
  const by = { actor: admin.username, role: admin.role };
  if (args.openingDeposit !== undefined && args.role !== 'user') throw new BankError('BAD_REQUEST', 'openingDeposit: only customers (role user) have an account to deposit to');
  const record = await relay.users.prepare({ username: args.username, password: args.password, displayName: args.displayName, role: args.role, status: 'active' }, conn);
  await relay.users.withUser(args.username, async () => {
    await relay.users.assertFree(args.username);
    const created = UserStore.createdAudit(record, by, 'admin.user.create');
    if (args.role === 'user') await relay.ledger.openAccount(args.username, UserStore.insertOps(record), [created]);
    else await relay.commits.commit(UserStore.insertOps(record), [created]);
  });
  const account = (await relay.ledger.accountsOf(args.username))[0];
  if (args.openingDeposit !== undefined && account) {
    await relay.ledger.move(
      { kind: 'deposit', transferId: randomUUID(), from: CASH_ACCOUNT, to: account.account, amount: args.openingDeposit, memo: 'Opening deposit', actor: admin.username },
      { ...by, action: 'admin.account.deposit' },
    );
  }
  const user = await toWireUser(relay.ledger, record, relay.clock());
  return { user, accounts: user.accounts };
});
