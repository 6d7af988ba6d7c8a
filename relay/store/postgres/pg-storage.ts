import type pg from 'pg';
import type { AuditHead } from '../../../common/schemas/models.js';
import { CASH_ACCOUNT } from '../../../common/account-number.js';
import type { BatchEffects, BatchNeeds, RecordWrite } from '../../ledger/commands.js';
import { LedgerEngine } from '../../ledger/engine.js';
import type { RunRecord } from '../../ledger/runs.js';
import type { BatchTransaction, LedgerStorage } from '../../ledger/storage.js';
import type { AccountState, LedgerRules, OwnerState, TransferRecord } from '../../ledger/types.js';
import { sendTogether, type Sql } from './connect.js';
import { notices } from './event-hub.js';

/** At most this many movements in one SQL transaction. */
const MAX_BATCH = 4000;

/**
 * The PostgreSQL store's side of the bank's one writer: each batch is one SQL transaction that
 * reads the rows it touches, runs the same pure engine as the embedded store on them, and writes
 * what changed, in two network round trips.
 *
 * Every transaction first locks the one `audit_head` row. That gives the audit chain one total
 * order across relays, and it also orders every batch on the database, so two relays' batches
 * never take row locks in conflicting orders: no deadlock, on hot accounts either. Under that
 * lock a transfer id already stored (by any relay) is seen, so a `transferId` stays idempotent
 * across relays; the primary key on `transfers.id` backs it. Under it too the versions of the
 * users a batch writes are read, so a user changed by another relay since a change was made
 * from it refuses that change (execute.ts) instead of losing the other.
 *
 * A batch that fails to commit changes nothing in memory (the engine is built per batch).
 */
export class PgLedgerStorage implements LedgerStorage {
  readonly maxBatch = MAX_BATCH;

  constructor(
    private readonly pool: pg.Pool,
    private readonly rules: LedgerRules,
    /** This relay's name in cross-relay notifications; none are sent without it. */
    private readonly relay?: string,
  ) {}

  async begin(needs: BatchNeeds): Promise<BatchTransaction> {
    const client = await this.pool.connect();
    try {
      return await this.read(client, needs);
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      // A client whose transaction failed is not handed out again: the pool opens a fresh one.
      client.release(err instanceof Error ? err : true);
      throw err;
    }
  }

  private async read(client: pg.PoolClient, needs: BatchNeeds): Promise<BatchTransaction> {
    const accountNumbers = [...needs.accounts];
    if (needs.cash) accountNumbers.push(CASH_ACCOUNT);
    // Round trip 1: the head lock and every row the batch reads, sent together (connect.ts). The
    // reads run once the lock is granted, so they see every batch committed before this one.
    const read = await sendTogether(client, [
      { text: 'BEGIN' },
      { text: 'SELECT seq, hash FROM audit_head FOR UPDATE' },
      { text: 'SELECT record FROM transfers WHERE id = ANY($1::text[])', values: [[...needs.transferIds]] },
      { text: 'SELECT record FROM accounts WHERE account = ANY($1::text[]) UNION SELECT record FROM accounts WHERE owner = ANY($2::text[])', values: [accountNumbers, [...needs.statusOwners]] },
      { text: 'SELECT owner, state FROM owners WHERE owner = ANY($1::text[])', values: [[...needs.owners]] },
      { text: 'SELECT coalesce(max(seq), 0) AS seq FROM transfers' },
      ...(needs.open ? [{ text: 'SELECT coalesce(max(substring(account from 5)::bigint), 0) + 1 AS next FROM accounts' }] : []),
      ...(needs.users.size > 0 ? [{ text: `SELECT username, coalesce((record->>'version')::bigint, 0) AS version FROM users WHERE username = ANY($1::text[])`, values: [[...needs.users]] }] : []),
      ...(needs.runs.size > 0 ? [{ text: 'SELECT record FROM runs WHERE run_id = ANY($1::text[])', values: [[...needs.runs]] }] : []),
      // users_by_legacy_account (migration 6) answers this, and backs it: one old number, one user.
      ...(needs.legacyAccounts.size > 0
        ? [{ text: `SELECT record->'legacy'->>'account' AS legacy_account, username FROM users WHERE record->'legacy'->>'account' = ANY($1::text[])`, values: [[...needs.legacyAccounts]] }]
        : []),
    ]);
    const headRow = read[1] as pg.QueryResult<{ seq: string; hash: string }>;
    const stored = read[2] as pg.QueryResult<{ record: TransferRecord }>;
    const accounts = read[3] as pg.QueryResult<{ record: AccountState }>;
    const owners = read[4] as pg.QueryResult<{ owner: string; state: OwnerState }>;
    const seq = read[5] as pg.QueryResult<{ seq: string }>;
    const serial = (needs.open ? read[6] : undefined) as pg.QueryResult<{ next: string }> | undefined;
    let next = needs.open ? 7 : 6;
    const users = (needs.users.size > 0 ? read[next++] : undefined) as pg.QueryResult<{ username: string; version: string }> | undefined;
    const runs = (needs.runs.size > 0 ? read[next++] : undefined) as pg.QueryResult<{ record: RunRecord }> | undefined;
    const holders = (needs.legacyAccounts.size > 0 ? read[next++] : undefined) as pg.QueryResult<{ legacy_account: string; username: string }> | undefined;
    if (headRow.rows.length !== 1) throw new Error('audit_head has no row: the schema was not migrated');
    const head: AuditHead = { seq: Number(headRow.rows[0]!.seq), hash: headRow.rows[0]!.hash };
    const engine = new LedgerEngine(this.rules);
    engine.load(
      accounts.rows.map((r) => r.record),
      owners.rows.map((r) => [r.owner, r.state] as [string, OwnerState]),
      Number(serial?.rows[0]!.next ?? 1),
      Number(seq.rows[0]!.seq),
    );
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      client.release(err);
    };
    return {
      engine,
      stored: new Map(stored.rows.map((r) => [r.record.id, r.record])),
      users: new Map((users?.rows ?? []).map((r) => [r.username, Number(r.version)])),
      runs: new Map((runs?.rows ?? []).map((r) => [r.record.runId, r.record])),
      legacyHolders: new Map((holders?.rows ?? []).map((r) => [r.legacy_account, r.username])),
      head,
      commit: async (effects) => {
        try {
          // Round trip 2: every write, the notifications and COMMIT, sent together.
          const posted = { transfers: effects.posted.map((e) => ({ seq: e.transfer.seq, owners: [e.from.owner, e.to.owner], large: e.large })), batches: effects.batches };
          await sendTogether(client, [...writeStatements(effects), ...(this.relay !== undefined ? notices(this.relay, { posted, ended: effects.ended }) : []), { text: 'COMMIT' }]);
          finish();
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          finish(err instanceof Error ? err : new Error(String(err)));
          throw err;
        }
      },
      release: async () => {
        try {
          await client.query('ROLLBACK');
          finish();
        } catch (err) {
          finish(err instanceof Error ? err : new Error(String(err)));
        }
      },
    };
  }
}

/**
 * All of a batch's rows in a handful of statements, whatever its size. Rows go as one JSON
 * array per table (one parameter, parsed once by the server) rather than as PostgreSQL array
 * literals, which the driver builds element by element.
 */
function writeStatements(e: BatchEffects): Sql[] {
  const out: Sql[] = [];
  if (e.opened.length > 0) {
    out.push({
      text: `INSERT INTO accounts (account, owner, balance, record)
       SELECT r->>'account', coalesce(r->>'owner', ''), (r->>'balance')::bigint, r FROM jsonb_array_elements($1::jsonb) r`,
      values: [JSON.stringify(e.opened)],
    });
  }
  if (e.posted.length > 0) {
    // A transfer is one row: its legs are read from it (pg-bank.ts entriesOf).
    out.push({
      text: `INSERT INTO transfers (id, seq, from_account, to_account, amount, from_entry, to_entry, record)
       SELECT r->>'id', (r->>'seq')::bigint, r->>'from', r->>'to', (r->>'amount')::bigint, (r->>'fromEntry')::bigint, (r->>'toEntry')::bigint, r
       FROM jsonb_array_elements($1::jsonb) r`,
      values: [JSON.stringify(e.posted.map((p) => p.transfer))],
    });
  }
  // Every account the batch changed, in its final state (one opened in this batch was inserted so above).
  const opened = new Set(e.opened);
  const changed = e.accounts.filter((a) => !opened.has(a));
  if (changed.length > 0) {
    out.push({
      text: `UPDATE accounts SET balance = (r->>'balance')::bigint, record = r
       FROM jsonb_array_elements($1::jsonb) r WHERE accounts.account = r->>'account'`,
      values: [JSON.stringify(changed)],
    });
  }
  if (e.owners.length > 0) {
    out.push({
      text: `INSERT INTO owners (owner, state) SELECT r->>0, r->1 FROM jsonb_array_elements($1::jsonb) r
       ON CONFLICT (owner) DO UPDATE SET state = excluded.state`,
      values: [JSON.stringify(e.owners)],
    });
  }
  out.push(...recordStatements(e.writes));
  if (e.runs.length > 0) {
    out.push({
      text: `INSERT INTO runs (run_id, owner, created_at, digest, record)
       SELECT r->>'runId', r->>'owner', r->>'createdAt', r->>'digest', r FROM jsonb_array_elements($1::jsonb) r
       ON CONFLICT (run_id) DO UPDATE SET record = excluded.record`,
      values: [JSON.stringify(e.runs)],
    });
  }
  if (e.audit.length > 0) {
    out.push(
      { text: `INSERT INTO audit (seq, entry) SELECT (r->>'seq')::bigint, r FROM jsonb_array_elements($1::jsonb) r`, values: [JSON.stringify(e.audit)] },
      { text: 'UPDATE audit_head SET seq = $1, hash = $2', values: [e.head.seq, e.head.hash] },
    );
  }
  return out;
}

/** Marks a key deleted among a batch's writes. */
const DELETE = Symbol('delete');

/** Users, sessions and flags: the last write of each key wins, then one upsert and one delete per table. */
function recordStatements(writes: readonly RecordWrite[]): Sql[] {
  const users = new Map<string, unknown>();
  const sessions = new Map<string, { username: string } | typeof DELETE>();
  /** Activity of sessions that may have been ended by another relay meanwhile: updated, never inserted. */
  const touched = new Map<string, unknown>();
  let hasAdmin = false;
  for (const w of writes) {
    if (w.type === 'user') users.set(w.user.username, w.user);
    else if (w.type === 'session') {
      sessions.set(w.key, w.session);
      touched.delete(w.key);
    } else if (w.type === 'touchSession') {
      if (sessions.get(w.key) === DELETE) continue;
      if (sessions.has(w.key)) sessions.set(w.key, w.session);
      else touched.set(w.key, w.session);
    } else if (w.type === 'endSession') {
      sessions.set(w.key, DELETE);
      touched.delete(w.key);
    } else hasAdmin = true;
  }
  const out: Sql[] = [];
  if (users.size > 0) {
    out.push({
      text: `INSERT INTO users (username, record) SELECT * FROM unnest($1::text[], $2::jsonb[])
       ON CONFLICT (username) DO UPDATE SET record = excluded.record`,
      values: [[...users.keys()], [...users.values()].map((v) => JSON.stringify(v))],
    });
  }
  const ended = [...sessions].filter(([, v]) => v === DELETE).map(([k]) => k);
  const kept = [...sessions].filter((kv): kv is [string, { username: string }] => kv[1] !== DELETE);
  if (ended.length > 0) out.push({ text: 'DELETE FROM sessions WHERE key = ANY($1::text[])', values: [ended] });
  if (kept.length > 0) {
    out.push({
      text: `INSERT INTO sessions (key, username, record) SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[])
       ON CONFLICT (key) DO UPDATE SET username = excluded.username, record = excluded.record`,
      values: [kept.map(([k]) => k), kept.map(([, v]) => v.username), kept.map(([, v]) => JSON.stringify(v))],
    });
  }
  if (touched.size > 0) {
    out.push({
      text: `UPDATE sessions s SET record = t.record FROM unnest($1::text[], $2::jsonb[]) AS t(key, record) WHERE s.key = t.key`,
      values: [[...touched.keys()], [...touched.values()].map((v) => JSON.stringify(v))],
    });
  }
  if (hasAdmin) out.push({ text: `INSERT INTO meta (key, value) VALUES ('hasAdmin', 'true') ON CONFLICT (key) DO UPDATE SET value = excluded.value` });
  return out;
}
