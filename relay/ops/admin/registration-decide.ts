import { BankError } from '../../../common/errors.js';
import { toWireUser } from '../../auth/user-view.js';
import { defineOp } from '../registry.js';

/** Approving opens the user's account and lets them sign in; rejecting closes the user. */
export default defineOp('admin.registration.decide', async ({ args, conn, relay }) => {
  const admin = conn.auth!;
  const by = { actor: admin.username, role: admin.role };
  const user = await relay.users.withUser(args.username, async () => {
    const current = await relay.users.require(args.username);
    if (current.status !== 'pending') throw new BankError('CONFLICT', `${args.username} is not waiting for a decision (status: ${current.status})`);
    const audit = { ...by, action: 'admin.registration.decide', target: args.username, outcome: args.approve ? 'approved' : 'rejected' };
    if (args.approve) {
      const next = { ...current, status: 'active' as const };
      await relay.ledger.openAccount(args.username, [{ type: 'user', user: next, from: current.version }], [audit]);
      return next;
    }
    const next = { ...current, status: 'closed' as const };
    await relay.commits.commit([{ type: 'user', user: next, from: current.version }], [audit]);
    return next;
  });
  const account = (await relay.ledger.accountsOf(user.username))[0];
  relay.events.toUserEverywhere(user.username, 'account.status', { ...(account && { account: account.account }), username: user.username, status: user.status });
  return { user: await toWireUser(relay.ledger, user, relay.clock()) };
});
