import { withFailureBudget } from '../../auth/failure-budget.js';
import { revokeSessions } from '../../session/revoke.js';
import { defineOp } from '../registry.js';

/** A new password ends the user's other sessions: whoever else held one must sign in again. */
export default defineOp('auth.changePassword', async ({ args, conn, relay }) => {
  const auth = conn.auth!;
  await withFailureBudget(relay.loginFailuresByIp, conn.address, 'failed password checks', () =>
    relay.users.changePassword(auth.username, args.oldPassword, args.newPassword, conn, async () => {
      await revokeSessions(relay, auth.username, 'the password was changed', { actor: auth.username, role: auth.role }, auth.session.key);
    }),
  );
  return {};
});
