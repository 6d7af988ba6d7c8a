import pg from 'pg';

/**
 * Events across relays on the PostgreSQL store (issue 8): each committed batch announces the
 * ids of what it posted with NOTIFY, inside its own transaction, so an event is only ever
 * heard for a change that committed. Every relay LISTENs and delivers to its own sessions,
 * fetching the documents by id. Payloads stay far below PostgreSQL's 8,000-byte limit: ids
 * only, in chunks.
 */
export const EVENT_CHANNEL = 'bank_events';

/** What one notification says: which relay posted (so it can skip its own) and the transfer ids. */
export interface PostedNotice {
  relay: string;
  posted: string[];
}

/** Transfer ids per notification: 36-byte UUIDs (and any client-made id up to 64) stay under 8,000 bytes. */
const IDS_PER_NOTICE = 100;

/** Queues the notifications for ids posted in the current transaction (sent at COMMIT, dropped at ROLLBACK). */
export async function announcePosted(client: pg.ClientBase, relay: string, ids: readonly string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += IDS_PER_NOTICE) {
    const notice: PostedNotice = { relay, posted: ids.slice(i, i + IDS_PER_NOTICE) };
    await client.query('SELECT pg_notify($1, $2)', [EVENT_CHANNEL, JSON.stringify(notice)]);
  }
}

/** One relay's subscription: a dedicated connection that LISTENs. */
export class EventListener {
  private constructor(private readonly client: pg.Client) {}

  static async open(connectionString: string, onPosted: (notice: PostedNotice) => void, onError: (err: Error) => void): Promise<EventListener> {
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
      if (isNotice(notice)) onPosted(notice);
    });
    client.on('error', onError);
    await client.query(`LISTEN ${EVENT_CHANNEL}`);
    return new EventListener(client);
  }

  close(): Promise<void> {
    return this.client.end();
  }
}

function isNotice(v: unknown): v is PostedNotice {
  if (typeof v !== 'object' || v === null) return false;
  const n = v as Partial<PostedNotice>;
  return typeof n.relay === 'string' && Array.isArray(n.posted) && n.posted.every((id) => typeof id === 'string');
}
