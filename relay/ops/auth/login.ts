import { BankError } from '../../../common/errors.js';
import { assertMaySignIn } from '../../auth/users.js';
import { bindSession, signedInResult } from '../../auth/bind.js';
import { withFailureBudget } from '../../auth/failure-budget.js';
import { defineOp } from '../registry.js';

export default defineOp('auth.login', async ({ args, conn, relay }) =>
  withFailureBudget(relay.loginFailuresByIp, conn.address, 'failed sign-ins', async () =>
    // Issued and bound under the user's lock, so a concurrent revocation sees this session.
    // A name today's rules do not allow may be an old username from the Qt bank (legacy import).
    relay.users.checkPassword((await relay.legacy.signInName(args.username)) ?? args.username, args.password, conn, async (user) => {
      assertMaySignIn(user);
      // Not even issued for a connection that has gone (its token could reach nobody).
      if (!conn.isOpen) throw new BankError('UNAVAILABLE', 'the connection closed before the sign-in finished');
      const { token, handle } = await relay.sessions.issue(user, 'auth.login');
      try {
        bindSession(relay, conn, user, handle);
      } catch (err) {
        await relay.sessions.end(handle, 'abandoned', user.username, user.role, 'auth.login');
        throw err;
      }
      return signedInResult(relay, user, token, handle);
    }),
  ),
);
