import type { RelayContext } from '../context.js';
import { CloseCode } from '../transport/wire.js';
import type { EventBus } from './events.js';
import type { LiveConnections } from './live.js';

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
  closeEndedSessions(relay.live, relay.events, ended, reason);
  return ended.length;
}

/**
 * Closes this relay's connections on sessions that have ended (here, or on another relay of
 * the bank), telling each why first (`session.revoked`). Returns how many it closed.
 */
export function closeEndedSessions(live: LiveConnections, events: EventBus, keys: Iterable<string>, reason: string): number {
  let closed = 0;
  for (const key of keys) {
    const conn = live.forSession(key);
    if (!conn) continue;
    // Signed out first: the bus sends nothing more to an ended session, this last word aside.
    live.unbind(conn);
    conn.auth = null;
    events.toConnections([conn], 'session.revoked', { reason });
    conn.close(CloseCode.sessionRevoked, 'session revoked');
    closed++;
  }
  return closed;
}
