import { assertMaySignIn } from '../../auth/users.js';
import { bindSession, signedInResult } from '../../auth/bind.js';
import { withFailureBudget } from '../../auth/failure-budget.js';
import { defineOp } from '../registry.js';

export default defineOp('auth.login', async ({ args, conn, relay }) =>
  withFailureBudget(relay.loginFailuresByIp, conn.address, 'failed sign-ins', () =>
    // Issued and bound under the user's lock, so a concurrent revocation sees this session.
    relay.users.checkPassword(args.username, args.password, conn, async (user) => {
      assertMaySignIn(user);
      const { token, handle } = await relay.sessions.issue(user, 'auth.login');
      bindSession(relay, conn, user, handle);
      return signedInResult(relay, user, token, handle);
    }),
  ),
);
