import { decidePasswordReset } from '../../auth/password-reset.js';
import { toWireUser } from '../../auth/user-view.js';
import { revokeSessions } from '../../session/revoke.js';
import { defineOp } from '../registry.js';

/** A second administrator approves (or rejects) the reset of an administrator's password that another one asked for. */
export default defineOp('admin.user.approvePasswordReset', async ({ args, conn, relay }) => {
  const admin = conn.auth!;
  const by = { actor: admin.username, role: admin.role };
  const user = await relay.users.withUser(args.username, async () => {
    const current = await relay.users.require(args.username);
    const next = decidePasswordReset(current, admin.username, args.approve, relay.clock());
    const audit = {
      ...by,
      action: 'admin.user.approvePasswordReset',
      target: args.username,
      outcome: args.approve ? 'approved' : 'rejected',
      details: { requestedBy: current.passwordReset!.requestedBy },
    };
    await relay.commits.commit([{ type: 'user', user: next, from: current.version }], [audit]);
    if (args.approve) {
      // The administrator approving their own reset keeps the session they are using.
      const except = args.username === admin.username ? admin.session.key : undefined;
      await revokeSessions(relay, args.username, 'an administrator reset the password', by, except);
    }
    return next;
  });
  return { user: await toWireUser(relay.ledger, user, relay.clock()) };
});
