import { BankError, isBankError } from '../../../common/errors.js';
import { assertMaySignIn } from '../../auth/users.js';
import { bindSession, signedInResult } from '../../auth/bind.js';
import { defineOp } from '../registry.js';
import { inMinutes } from '../../session/rate-limit.js';

export default defineOp('auth.login', async ({ args, conn, relay }) => {
  const throttle = relay.loginFailuresByIp;
  // Checked before any scrypt work: a guessing address costs the relay nothing more.
  if (throttle?.isOver(conn.address)) {
    throw new BankError('RATE_LIMITED', `too many failed sign-ins from this network address; try again in ${inMinutes(throttle.retryAfterMs(conn.address))}`);
  }
  try {
    // Issued and bound under the user's lock, so a concurrent revocation sees this session.
    return await relay.users.checkPassword(args.username, args.password, async (user) => {
      assertMaySignIn(user);
      const { token, handle } = await relay.sessions.issue(user, 'auth.login');
      bindSession(relay, conn, user, handle);
      return signedInResult(relay, user, token, handle);
    });
  } catch (err) {
    if (isBankError(err) && (err.code === 'UNAUTHENTICATED' || err.code === 'LOCKED_OUT')) throttle?.record(conn.address);
    throw err;
  }
});
