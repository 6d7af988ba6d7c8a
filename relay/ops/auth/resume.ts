import { BankError } from '../../../common/errors.js';
import { assertMaySignIn } from '../../auth/users.js';
import { bindSession, signedInResult } from '../../auth/bind.js';
import { defineOp } from '../registry.js';

/** Picks up a session on a new connection (after a reconnect or a restarted service worker). */
export default defineOp('auth.resume', async ({ args, conn, relay }) => {
  const found = await relay.sessions.find(args.token);
  // Under the user's lock, so a revocation (freeze, password reset) cannot interleave.
  return relay.users.withUser(found.username, async () => {
    const handle = await relay.sessions.find(args.token);
    const user = await relay.users.get(handle.username);
    if (!user) {
      await relay.sessions.end(handle, 'user_gone', 'system');
      throw new BankError('UNAUTHENTICATED', 'this session has ended; please sign in again');
    }
    try {
      assertMaySignIn(user);
    } catch (err) {
      await relay.sessions.end(handle, `user_${user.status}`, 'system');
      throw err;
    }
    await relay.sessions.resumed(handle, user);
    bindSession(relay, conn, user, handle);
    return signedInResult(relay, user, args.token, handle);
  });
});
