import type { RelayContext } from '../context.js';
import { CloseCode } from '../transport/wire.js';

/**
 * Ends a user's stored sessions (all, or all but one) and closes their live connections,
 * telling each why first (`session.revoked`). Returns how many sessions ended.
 */
export async function revokeSessions(
  relay: RelayContext,
  username: string,
  reason: string,
  by: { actor: string; role: 'user' | 'admin' | 'system' },
  exceptKey?: string,
): Promise<number> {
  const ended = await relay.sessions.endAllFor(username, exceptKey, reason, by.actor, by.role);
  for (const key of ended) {
    const conn = relay.live.forSession(key);
    if (!conn) continue;
    relay.events.toConnections([conn], 'session.revoked', { reason });
    relay.live.unbind(conn);
    conn.auth = null;
    conn.close(CloseCode.sessionRevoked, 'session revoked');
  }
  return ended.length;
}
