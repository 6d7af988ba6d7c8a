import { BankError } from '../../common/errors.js';
import type { OpResult } from '../../common/schemas/ops.js';
import type { RelayContext } from '../context.js';
import type { ClientConnection } from '../session/client-connection.js';
import { CloseCode } from '../transport/wire.js';
import type { SessionHandle } from './sessions.js';
import type { UserRecord } from './records.js';
import { mustChangePassword } from '../legacy/record.js';

/**
 * Attaches a session to this connection. A session lives on one connection at a time: if
 * another connection held it (a dead socket not yet noticed, say), that one is closed. A
 * connection that closed while the sign-in was checked gets nothing: nobody would hear of the
 * session, and bound to a dead connection it would linger as "connected".
 */
export function bindSession(relay: RelayContext, conn: ClientConnection, user: UserRecord, session: SessionHandle): void {
  if (!conn.isOpen) throw new BankError('UNAVAILABLE', 'the connection closed before the sign-in finished');
  if (conn.auth) relay.live.unbind(conn);
  conn.auth = { username: user.username, role: user.role, session };
  const previous = relay.live.bind(conn, session.key, user.username);
  if (previous) {
    relay.live.unbind(previous);
    previous.auth = null;
    previous.close(CloseCode.sessionTakenOver, 'session resumed on another connection');
  }
}

/** The result shared by auth.login and auth.resume (PROTOCOL §5). */
export async function signedInResult(relay: RelayContext, user: UserRecord, token: string, session: SessionHandle): Promise<OpResult<'auth.login'>> {
  return {
    token,
    expiresAt: new Date(relay.sessions.expiresAt(session.record)).toISOString(),
    user: {
      username: user.username,
      displayName: user.displayName,
      role: user.role,
      status: user.status,
      // An addition for users imported from the old Qt bank ("Legacy import" in PROTOCOL).
      ...(user.legacy && { legacy: { username: user.legacy.username, ...(user.legacy.account !== undefined && { account: user.legacy.account }) } }),
    },
    accounts: await relay.ledger.accountsOf(user.username),
    // An addition for passwords imported from the old Qt bank below today's policy.
    ...(mustChangePassword(user) && { mustChangePassword: true as const }),
  };
}
