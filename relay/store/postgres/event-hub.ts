import type pg from 'pg';
import { z } from 'zod';
import { newClient, type Sql } from './connect.js';
import type { EndedSession } from '../../ledger/commands.js';
import { sharedEventSchema, type SharedEvent } from '../../session/events.js';

/**
 * Events across relays on the PostgreSQL store (issue 8): each committed batch announces the
 * ids of what it posted with NOTIFY, inside its own transaction, so an event is only ever
 * heard for a change that committed. Every relay LISTENs and delivers to its own sessions,
 * fetching the documents by id. Payloads stay far below PostgreSQL's 8,000-byte limit: ids
 * only, in chunks.
 */
export const EVENT_CHANNEL = 'bank_events';

/** The longest reason a notice carries for the sessions it ends (the relay's own sentences are far shorter). */
const MAX_REASON = 200;

/**
 * What one notification says: which relay sent it (so it can skip its own), and either the ids
 * of transfers posted, the keys of sessions ended (with why, when known), or one small event
 * for other relays' sessions. Checked on arrival like any input from outside the process.
 */
const relayNoticeSchema = z.object({
  relay: z.string(),
  posted: z.array(z.string()).optional(),
  ended: z.array(z.string()).optional(),
  reason: z.string().max(MAX_REASON).optional(),
  event: sharedEventSchema.optional(),
});
export type RelayNotice = z.infer<typeof relayNoticeSchema>;

/** Ids per notification: 36-byte UUIDs (and any client-made id up to 64) stay under 8,000 bytes. */
const IDS_PER_NOTICE = 100;
/** PostgreSQL refuses a payload of 8,000 bytes or more. */
export const MAX_PAYLOAD = 7_900;


/**
 * The statements that queue the notifications for what the current transaction posted and
 * ended (sent at COMMIT, dropped at ROLLBACK). Ended sessions go out grouped by reason.
 */
export function notices(relay: string, what: { posted: readonly string[]; ended: readonly EndedSession[] }): Sql[] {
  const out: RelayNotice[] = chunks(what.posted).map((posted) => ({ relay, posted }));
  const byReason = new Map<string | undefined, EndedSession[]>();
  for (const s of what.ended) {
    const reason = s.reason?.slice(0, MAX_REASON);
    const group = byReason.get(reason);
    if (group) group.push(s);
    else byReason.set(reason, [s]);
  }
  for (const [reason, sessions] of byReason) {
    for (const ended of chunks(sessions.map((s) => s.key))) out.push(reason === undefined ? { relay, ended } : { relay, ended, reason });
  }
  return out.map((notice) => ({ text: 'SELECT pg_notify($1, $2)', values: [EVENT_CHANNEL, JSON.stringify(notice)] }));
}

function chunks(ids: readonly string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_NOTICE) out.push(ids.slice(i, i + IDS_PER_NOTICE));
  return out;
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
    const client = newClient(connectionString, onError);
    await client.connect();
    client.on('notification', (msg) => {
      if (msg.channel !== EVENT_CHANNEL || msg.payload === undefined) return;
      let payload: unknown;
      try {
        payload = JSON.parse(msg.payload);
      } catch {
        return;
      }
      const notice = relayNoticeSchema.safeParse(payload);
      if (notice.success) onNotice(notice.data);
    });
    await client.query(`LISTEN ${EVENT_CHANNEL}`);
    return new EventListener(client);
  }

  close(): Promise<void> {
    return this.client.end();
  }
}

/**
 * A LISTEN that keeps itself up: when its connection is lost it opens another every
 * `retryMs` until one holds. `listening` is false meanwhile (the relay's /healthz says so),
 * since notifications sent in between are not heard.
 */
export class KeptListener {
  private current: EventListener | undefined;
  private closed = false;
  listening = false;

  constructor(
    private readonly connectionString: string,
    private readonly onNotice: (notice: RelayNotice) => void,
    private readonly log: { lost(err: Error): void; retrying(err: Error): void },
    private readonly retryMs = 1_000,
  ) {}

  /** The first attempt; on failure it goes on retrying in the background. */
  async start(): Promise<void> {
    try {
      let opened: EventListener | undefined;
      const listener = await EventListener.open(this.connectionString, this.onNotice, (err) => opened && this.lost(opened, err));
      opened = listener;
      if (this.closed) return void (await listener.close());
      this.current = listener;
      this.listening = true;
    } catch (err) {
      if (this.closed) return;
      this.log.retrying(err as Error);
      this.retry();
    }
  }

  private lost(listener: EventListener, err: Error): void {
    if (this.closed || this.current !== listener) return;
    this.current = undefined;
    this.listening = false;
    this.log.lost(err);
    void listener.close().catch(() => undefined);
    this.retry();
  }

  private retry(): void {
    setTimeout(() => void this.start(), this.retryMs).unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listening = false;
    await this.current?.close();
  }
}
