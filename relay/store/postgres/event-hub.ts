import type pg from 'pg';
import { z } from 'zod';
import { newClient, type Sql } from './connect.js';
import type { EndedSession } from '../../ledger/commands.js';
import { sharedEventSchema, type SharedEvent } from '../../session/events.js';

/**
 * Events across relays on the PostgreSQL store: each committed batch announces what it posted
 * with NOTIFY, inside its own transaction, so an event is only ever heard for a change that
 * committed. Every relay LISTENs and delivers to its own sessions. A commit's transfers hold
 * consecutive seqs, so a notice names a range of them, with the people they concern and which
 * of them a `transfer.batch` posted (told batch-wise, PROTOCOL §6): a relay where none of those
 * people is connected (and no admin waits for a large one) reads nothing, and the others read
 * only the range's transfers that concern someone connected there. A notice stays below
 * PostgreSQL's 8,000-byte limit: a commit too large for one goes out as several, never
 * splitting a batch; one batch concerning more people than a notice can name goes alone,
 * without their names, and is read whole.
 */
export const EVENT_CHANNEL = 'bank_events';

/** The longest reason a notice carries for the sessions it ends (the relay's own sentences are far shorter). */
const MAX_REASON = 200;

/**
 * What one notification says: which relay sent it (so it can skip its own), and either the
 * transfers posted (see above), the keys of sessions ended (with why, when known), or one small
 * event for other relays' sessions. Checked on arrival like any input from outside the process.
 */
const seq = z.number().int().min(1);
export const postedRangeSchema = z.object({
  first: seq,
  last: seq,
  /** Everyone the range's transfers concern; absent when too many to name. */
  owners: z.array(z.string()).optional(),
  /** Whether one of them is large (admins are told). */
  large: z.boolean().optional(),
  /** The first and last seq of each `transfer.batch` in the range. */
  batches: z.array(z.tuple([seq, seq])).optional(),
});
export type PostedRange = z.infer<typeof postedRangeSchema>;

const relayNoticeSchema = z.object({
  relay: z.string(),
  posted: postedRangeSchema.optional(),
  ended: z.array(z.string()).optional(),
  reason: z.string().max(MAX_REASON).optional(),
  event: sharedEventSchema.optional(),
});
export type RelayNotice = z.infer<typeof relayNoticeSchema>;

/** Session keys per notification: 100 keys of up to 64 characters stay under 8,000 bytes. */
const KEYS_PER_NOTICE = 100;
/** PostgreSQL refuses a payload of 8,000 bytes or more. */
export const MAX_PAYLOAD = 7_900;

/** What a commit posted, for its notices: each transfer's seq and whom it concerns, and its batches (runs of `posted`). */
export interface Posted {
  transfers: readonly { seq: number; owners: readonly (string | null)[]; large: boolean }[];
  batches: readonly { first: number; count: number }[];
}

/**
 * The statements that queue the notifications for what the current transaction posted and
 * ended (sent at COMMIT, dropped at ROLLBACK). Ended sessions go out grouped by reason.
 */
export function notices(relay: string, what: { posted: Posted; ended: readonly EndedSession[] }): Sql[] {
  const out: RelayNotice[] = postedRanges(relay, what.posted).map((posted) => ({ relay, posted }));
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

interface Piece {
  first: number;
  last: number;
  owners: Set<string>;
  large: boolean;
  batches: [number, number][];
  /** The notice's length so far, at most (ASCII names; a longer UTF-8 name is counted by bytes). */
  bytes: number;
}

/** A commit's transfers as ranges, one per notice: single transfers and whole batches packed in order while they fit. */
function postedRanges(relay: string, posted: Posted): PostedRange[] {
  const { transfers } = posted;
  if (transfers.length === 0) return [];
  // A notice with no names and no batches, its seqs as long as they get.
  const empty = Buffer.byteLength(JSON.stringify({ relay, posted: { first: Number.MAX_SAFE_INTEGER, last: Number.MAX_SAFE_INTEGER, owners: [], large: true, batches: [] } }));
  const out: PostedRange[] = [];
  let piece: Piece | undefined;
  const close = () => {
    if (!piece) return;
    const { first, last, owners, large, batches } = piece;
    out.push({ first, last, ...(piece.bytes <= MAX_PAYLOAD && { owners: [...owners] }), ...(large && { large: true }), ...(batches.length > 0 && { batches }) });
    piece = undefined;
  };
  // The names transfers [from, to) add to a piece holding `have`, and what they and the batch's seqs cost in bytes.
  const cost = (from: number, to: number, batch: boolean, have: ReadonlySet<string> | undefined) => {
    const names = new Set<string>();
    for (let i = from; i < to; i++) for (const o of transfers[i]!.owners) if (o !== null && !have?.has(o)) names.add(o);
    let bytes = batch ? 2 * String(Number.MAX_SAFE_INTEGER).length + 4 : 0;
    for (const n of names) bytes += Buffer.byteLength(JSON.stringify(n)) + 1;
    return { names, bytes };
  };
  const add = (from: number, to: number, batch: boolean) => {
    let more = cost(from, to, batch, piece?.owners);
    if (piece && piece.bytes + more.bytes > MAX_PAYLOAD) {
      close();
      more = cost(from, to, batch, undefined);
    }
    piece ??= { first: transfers[from]!.seq, last: transfers[from]!.seq, owners: new Set(), large: false, batches: [], bytes: empty };
    for (const n of more.names) piece.owners.add(n);
    piece.bytes += more.bytes;
    piece.last = transfers[to - 1]!.seq;
    for (let i = from; i < to; i++) piece.large ||= transfers[i]!.large;
    if (batch) piece.batches.push([transfers[from]!.seq, transfers[to - 1]!.seq]);
  };
  let next = 0;
  for (const b of posted.batches) {
    for (; next < b.first; next++) add(next, next + 1, false);
    if (b.count > 0) add(b.first, b.first + b.count, true);
    next = b.first + b.count;
  }
  for (; next < transfers.length; next++) add(next, next + 1, false);
  close();
  return out;
}

function chunks(ids: readonly string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < ids.length; i += KEYS_PER_NOTICE) out.push(ids.slice(i, i + KEYS_PER_NOTICE));
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
 * since notifications sent in between are not heard: once listening again it calls
 * `reopened`, for the relay to catch up on what it may have missed.
 */
export class KeptListener {
  private current: EventListener | undefined;
  private closed = false;
  private everOpened = false;
  listening = false;

  constructor(
    private readonly connectionString: string,
    private readonly onNotice: (notice: RelayNotice) => void,
    private readonly hooks: { lost(err: Error): void; retrying(err: Error): void; reopened(): void },
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
      if (this.everOpened) this.hooks.reopened();
      this.everOpened = true;
    } catch (err) {
      if (this.closed) return;
      this.hooks.retrying(err as Error);
      this.retry();
    }
  }

  private lost(listener: EventListener, err: Error): void {
    if (this.closed || this.current !== listener) return;
    this.current = undefined;
    this.listening = false;
    this.hooks.lost(err);
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
