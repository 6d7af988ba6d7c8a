import pg from 'pg';
import type { SharedEvent } from '../../session/events.js';

/**
 * Events across relays on the PostgreSQL store (issue 8): each committed batch announces the
 * ids of what it posted with NOTIFY, inside its own transaction, so an event is only ever
 * heard for a change that committed. Every relay LISTENs and delivers to its own sessions,
 * fetching the documents by id. Payloads stay far below PostgreSQL's 8,000-byte limit: ids
 * only, in chunks.
 */
export const EVENT_CHANNEL = 'bank_events';

/**
 * What one notification says: which relay sent it (so it can skip its own), and either the ids
 * of transfers posted, the keys of sessions ended, or one small event for other relays' sessions.
 */
export interface RelayNotice {
  relay: string;
  posted?: string[];
  ended?: string[];
  event?: SharedEvent;
}


/** Ids per notification: 36-byte UUIDs (and any client-made id up to 64) stay under 8,000 bytes. */
const IDS_PER_NOTICE = 100;
/** PostgreSQL refuses a payload of 8,000 bytes or more. */
export const MAX_PAYLOAD = 7_900;

/**
 * Queues the notifications for what the current transaction posted and ended (sent at COMMIT,
 * dropped at ROLLBACK).
 */
export async function announce(client: pg.ClientBase, relay: string, what: { posted: readonly string[]; ended: readonly string[] }): Promise<void> {
  for (const field of ['posted', 'ended'] as const) {
    const ids = what[field];
    for (let i = 0; i < ids.length; i += IDS_PER_NOTICE) {
      const notice: RelayNotice = { relay, [field]: ids.slice(i, i + IDS_PER_NOTICE) };
      await client.query('SELECT pg_notify($1, $2)', [EVENT_CHANNEL, JSON.stringify(notice)]);
    }
  }
}

/** Sends one event to the other relays now (no transaction: at most once, like a live event). False if it is too large to send. */
export async function shareEvent(pool: pg.Pool, relay: string, event: SharedEvent): Promise<boolean> {
  const payload = JSON.stringify({ relay, event } satisfies RelayNotice);
  if (Buffer.byteLength(payload) > MAX_PAYLOAD) return false;
  await pool.query('SELECT pg_notify($1, $2)', [EVENT_CHANNEL, payload]);
  return true;
}

/** One relay's subscription: a dedicated connection that LISTENs. */
export class EventListener {
  private constructor(private readonly client: pg.Client) {}

  static async open(connectionString: string, onNotice: (notice: RelayNotice) => void, onError: (err: Error) => void): Promise<EventListener> {
    const client = new pg.Client({ connectionString });
    await client.connect();
    client.on('notification', (msg) => {
      if (msg.channel !== EVENT_CHANNEL || msg.payload === undefined) return;
      let notice: unknown;
      try {
        notice = JSON.parse(msg.payload);
      } catch {
        return;
      }
      if (isNotice(notice)) onNotice(notice);
    });
    client.on('error', onError);
    await client.query(`LISTEN ${EVENT_CHANNEL}`);
    return new EventListener(client);
  }

  close(): Promise<void> {
    return this.client.end();
  }
}

function isNotice(v: unknown): v is RelayNotice {
  if (typeof v !== 'object' || v === null) return false;
  const n = v as Partial<RelayNotice>;
  const strings = (a: unknown) => a === undefined || (Array.isArray(a) && a.every((id) => typeof id === 'string'));
  const event = n.event === undefined || (typeof n.event === 'object' && n.event !== null && typeof n.event.name === 'string' && typeof n.event.to === 'object' && n.event.to !== null);
  return typeof n.relay === 'string' && strings(n.posted) && strings(n.ended) && event;
}
