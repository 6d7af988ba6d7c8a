import { BankError } from '../../../common/errors.js';
import { toWireUser } from '../../auth/user-view.js';
import { revokeSessions } from '../../session/revoke.js';
import { defineOp } from '../registry.js';

/** Freeze, unfreeze or close a user and all their accounts; closing needs every balance at 0. */
export default defineOp('admin.user.setStatus', async ({ args, conn, relay }) => {
  const admin = conn.auth!;
  const by = { actor: admin.username, role: admin.role };
  if (args.username === admin.username && args.status !== 'active') {
    throw new BankError('FORBIDDEN', 'you cannot freeze or close your own user; ask another administrator');
  }
  const { user, previous } = await relay.users.withUser(args.username, async () => {
    const current = await relay.users.require(args.username);
    if (current.status === 'pending') throw new BankError('CONFLICT', `${args.username} is waiting for approval: decide the registration instead`);
    if (current.status === 'closed') throw new BankError('CONFLICT', `${args.username} is closed; a closed user cannot be changed`);
    const next = { ...current, status: args.status };
    const audit = { ...by, action: 'admin.user.setStatus', target: args.username, outcome: args.status, details: { from: current.status } };
    await relay.ledger.setOwnerStatus(args.username, args.status, [{ type: 'user', user: next, from: current.version }], [audit]);
    const accounts = await relay.ledger.accountsOf(next.username);
    if (accounts.length === 0) relay.events.toUserEverywhere(next.username, 'account.status', { username: next.username, status: args.status });
    for (const account of accounts) {
      relay.events.toUserEverywhere(next.username, 'account.status', { account: account.account, username: next.username, status: args.status });
    }
    // Inside the lock: a sign-in or resume racing with this sees the new status or loses its session.
    if (args.status !== 'active') await revokeSessions(relay, next.username, `this user was ${args.status} by the bank`, by);
    return { user: next, previous: current.status };
  });
  if (args.status === 'frozen' && previous !== 'frozen') {
    relay.events.toAdminsEverywhere('admin.alert', {
      kind: 'frozen',
      message: `${admin.username} froze ${user.username}`,
      data: { username: user.username, by: admin.username },
    });
  }
  return { user: await toWireUser(relay.ledger, user, relay.clock()) };
});
