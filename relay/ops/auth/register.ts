import { BankError } from '../../../common/errors.js';
import { defineOp } from '../registry.js';
import { inMinutes } from '../../session/rate-limit.js';

/** Self-service sign-up: the user waits as `pending` until an admin decides. */
export default defineOp('auth.register', async ({ args, conn, relay }) => {
  // Each sign-up costs a password hash, a record and an alert to every admin: bounded per address.
  const perIp = relay.registrationsByIp;
  if (perIp && !perIp.take(conn.address)) {
    throw new BankError('RATE_LIMITED', `too many sign-ups from this network address; try again in ${inMinutes(perIp.retryAfterMs(conn.address))}`);
  }
  const user = await relay.users.create(
    { username: args.username, password: args.password, displayName: args.displayName, role: 'user', status: 'pending' },
    { actor: args.username, role: 'anonymous' },
    'auth.register',
    conn,
  );
  relay.events.toAdminsEverywhere('admin.alert', {
    kind: 'registration',
    message: `${user.displayName} (${user.username}) asks to open an account`,
    data: { username: user.username, displayName: user.displayName, createdAt: user.createdAt },
  });
  return { status: 'pending' };
});
