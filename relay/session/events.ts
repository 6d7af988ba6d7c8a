import { z } from 'zod';
import { utf8Encode } from '../../common/encoding.js';
import { eventDefs, isEventName, type EventData, type EventName } from '../../common/schemas/events.js';
import type { SessionHandle } from '../auth/sessions.js';
import type { ClientConnection } from './client-connection.js';
import type { LiveConnections } from './live.js';

/**
 * An event raised on one relay for people who may be connected to another (a shared store):
 * its data is checked against the event's own schema on delivery (deliverShared).
 */
export const sharedEventSchema = z.object({
  to: z.union([z.strictObject({ user: z.string() }), z.strictObject({ admins: z.literal(true) })]),
  name: z.string(),
  data: z.unknown(),
});
export type SharedEvent = z.infer<typeof sharedEventSchema>;

/** Serializes (and UTF-8 encodes) each event once and seals it per recipient (PROTOCOL §6). */
export class EventBus {
  /**
   * Set when other relays serve the same bank (the PostgreSQL store): `…Everywhere` events are
   * handed to it too. Transfers' events are not: every relay raises those itself from the
   * store's notifications.
   */
  share: ((event: SharedEvent) => void) | undefined;

  /**
   * Set by the relay: whether a session is over (past its time limit, or ended). Its connection
   * gets no more events, even before the expiry tick signs it out.
   */
  sessionOver: ((session: SessionHandle, now: number) => boolean) | undefined;

  constructor(private readonly live: LiveConnections, private readonly clock: () => number = Date.now) {}

  private encode<N extends EventName>(event: N, data: EventData<N>): Uint8Array {
    return utf8Encode(JSON.stringify({ event, data, ts: this.now() }));
  }

  /** The clock as ISO 8601, made again only when it has moved on (a batch's events share a millisecond). */
  private now(): string {
    const ms = this.clock();
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastIso = new Date(ms).toISOString();
    }
    return this.lastIso;
  }

  private lastMs = Number.NaN;
  private lastIso = '';

  toConnections<N extends EventName>(conns: Iterable<ClientConnection>, event: N, data: EventData<N>): number {
    let json: Uint8Array | undefined;
    let sent = 0;
    const over = this.sessionOver;
    const now = over ? this.clock() : 0;
    for (const conn of conns) {
      if (over && conn.auth && over(conn.auth.session, now)) continue;
      json ??= this.encode(event, data);
      if (conn.sendEncoded(json)) sent++;
    }
    return sent;
  }

  /** Whether `username` has a session on this relay (events for nobody need not be made). */
  reaches(username: string): boolean {
    return this.live.hasUser(username);
  }

  /** Whether `username` has a session on this relay besides `except` (a session key). */
  reachesOtherThan(username: string, except: string | undefined): boolean {
    for (const conn of this.live.forUser(username)) if (conn.auth?.session.key !== except) return true;
    return false;
  }

  /** Whether an admin has a session on this relay. */
  reachesAdmins(): boolean {
    for (const _ of this.live.admins()) return true;
    return false;
  }

  toUser<N extends EventName>(username: string, event: N, data: EventData<N>): number {
    return this.toConnections(this.live.forUser(username), event, data);
  }

  /** To a user's sessions but one (`except`, a session key): the one that already knows. */
  toUserExcept<N extends EventName>(username: string, except: string | undefined, event: N, data: EventData<N>): number {
    if (except === undefined) return this.toUser(username, event, data);
    return this.toConnections(othersThan(this.live.forUser(username), except), event, data);
  }

  toAdmins<N extends EventName>(event: N, data: EventData<N>): number {
    return this.toConnections(this.live.admins(), event, data);
  }

  /** To a user's sessions on this relay and on every other relay of the bank. */
  toUserEverywhere<N extends EventName>(username: string, event: N, data: EventData<N>): void {
    this.toUser(username, event, data);
    this.share?.({ to: { user: username }, name: event, data });
  }

  /** To the admins connected to this relay and to every other relay of the bank. */
  toAdminsEverywhere<N extends EventName>(event: N, data: EventData<N>): void {
    this.toAdmins(event, data);
    this.share?.({ to: { admins: true }, name: event, data });
  }

  /** Delivers an event another relay shared, once it checks out against the event's schema. False if it does not. */
  deliverShared(event: SharedEvent): boolean {
    if (!isEventName(event.name)) return false;
    const parsed = eventDefs[event.name].safeParse(event.data);
    if (!parsed.success) return false;
    const data = parsed.data as EventData<typeof event.name>;
    if ('user' in event.to) this.toUser(event.to.user, event.name, data);
    else this.toAdmins(event.name, data);
    return true;
  }
}

function* othersThan(conns: Iterable<ClientConnection>, sessionKey: string): Iterable<ClientConnection> {
  for (const c of conns) if (c.auth?.session.key !== sessionKey) yield c;
}
