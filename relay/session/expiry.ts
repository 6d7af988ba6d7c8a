import type { RelayContext } from '../context.js';

/** How often connected sessions are checked against their time limits. */
export const EXPIRY_TICK_MS = 1000;
/** How often stored sessions that expired unseen are deleted. */
export const SWEEP_EVERY_MS = 10 * 60_000;

/**
 * Ends connected sessions when they reach their idle or absolute limit, not when they next send
 * a request: each is told `session.expired`, signed out (the connection stays open for a new
 * sign-in), and its stored session deleted. Events stop at the limit itself: the event bus
 * skips sessions past it, so the gap until this tick carries nothing. Returns how many ended.
 */
export function expireLiveSessions(relay: Pick<RelayContext, 'live' | 'events' | 'sessions' | 'log' | 'clock'>): number {
  const now = relay.clock();
  let ended = 0;
  for (const conn of [...relay.live.sessionConnections()]) {
    const auth = conn.auth;
    if (!auth || !relay.sessions.isExpired(auth.session.record, now)) continue;
    relay.live.unbind(conn);
    conn.auth = null;
    const idle = now < auth.session.record.expiresAt;
    relay.events.toConnections([conn], 'session.expired', {
      reason: idle ? 'the session was idle for too long' : 'the session reached its time limit',
    });
    relay.sessions.end(auth.session, 'expired', 'system').catch((err: unknown) => relay.log.warn('could not record an expired session', { err }));
    ended++;
  }
  return ended;
}

/** Starts the expiry tick and the sweep of stored sessions; returns what stops them. */
export function startSessionTimers(relay: Pick<RelayContext, 'live' | 'events' | 'sessions' | 'log' | 'clock'>): () => void {
  const tick = setInterval(() => expireLiveSessions(relay), EXPIRY_TICK_MS);
  let sweeping = false;
  const sweep = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    relay.sessions
      .sweep()
      .then((n) => n > 0 && relay.log.info('expired sessions deleted', { sessions: n }))
      .catch((err: unknown) => relay.log.warn('session sweep failed', { err }))
      .finally(() => (sweeping = false));
  }, SWEEP_EVERY_MS);
  tick.unref();
  sweep.unref();
  return () => {
    clearInterval(tick);
    clearInterval(sweep);
  };
}
