import { CloseCode } from '../../transport/wire.js';
import { defineOp } from '../registry.js';

/** A new password ends the user's other sessions: whoever else held one must sign in again. */
export default defineOp('auth.changePassword', async ({ args, conn, relay }) => {
  const auth = conn.auth!;
  await relay.users.changePassword(auth.username, args.oldPassword, args.newPassword);
  const ended = await relay.sessions.endAllFor(auth.username, auth.session.key, 'password_changed', auth.username, auth.role);
  for (const key of ended) {
    const other = relay.live.forSession(key);
    if (!other) continue;
    relay.events.toConnections([other], 'session.revoked', { reason: 'the password was changed' });
    relay.live.unbind(other);
    other.auth = null;
    other.close(CloseCode.sessionRevoked, 'session revoked');
  }
  return {};
});
