import { utf8Encode } from '../../common/encoding.js';
import type { EventData, EventName } from '../../common/schemas/events.js';
import type { ClientConnection } from './client-connection.js';
import type { LiveConnections } from './live.js';

/** Serializes (and UTF-8 encodes) each event once and seals it per recipient (PROTOCOL §6). */
export class EventBus {
  constructor(private readonly live: LiveConnections, private readonly clock: () => number = Date.now) {}

  private encode<N extends EventName>(event: N, data: EventData<N>): Uint8Array {
    return utf8Encode(JSON.stringify({ event, data, ts: new Date(this.clock()).toISOString() }));
  }

  toConnections<N extends EventName>(conns: Iterable<ClientConnection>, event: N, data: EventData<N>): number {
    let json: Uint8Array | undefined;
    let sent = 0;
    for (const conn of conns) {
      json ??= this.encode(event, data);
      if (conn.sendEncoded(json)) sent++;
    }
    return sent;
  }

  toUser<N extends EventName>(username: string, event: N, data: EventData<N>): number {
    return this.toConnections(this.live.forUser(username), event, data);
  }

  toAdmins<N extends EventName>(event: N, data: EventData<N>): number {
    return this.toConnections(this.live.admins(), event, data);
  }
}
