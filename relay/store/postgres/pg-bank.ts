import type pg from 'pg';
import type { AuditEntry, AuditHead, Entry } from '../../../common/schemas/models.js';
import { EMPTY_HEAD, type ChainVerdict } from '../../audit/chain.js';
import type { SessionRecord, UserRecord } from '../../auth/records.js';
import { legOf } from '../../ledger/legs.js';
import type { LedgerVerdict } from '../../ledger/verdict.js';
import type { TransferRecord } from '../../ledger/types.js';
import type { RunRecord } from '../../ledger/runs.js';
import type { BankStore, RunFilter, RunPlace } from '../bank-store.js';
import { verifyPgAudit, verifyPgLedger } from './verify.js';

/** Rows per round trip when walking a range. */
const PAGE = 500;

/**
 * The PostgreSQL store's read side (bank-store.ts BankStore), over the schema in
 * migrations.ts. It owns the connection pool; writes go through the bank's writer and this
 * store's LedgerStorage (pg-storage.ts), which share it.
 */
export class PgBank implements BankStore {
  readonly kind = 'postgres' as const;

  constructor(readonly pool: pg.Pool) {}

  async getUsers(names: readonly string[]): Promise<(UserRecord | undefined)[]> {
    return this.byKey<UserRecord>('SELECT username AS k, record AS v FROM users WHERE username = ANY($1::text[])', names);
  }

  users(after?: string): AsyncIterable<UserRecord> {
    return this.pages<{ username: string; record: UserRecord }, UserRecord>(
      (last) => ({ text: 'SELECT username, record FROM users WHERE username > $1 ORDER BY username LIMIT $2', values: [last ?? after ?? '', PAGE] }),
      (r) => r.username,
      (r) => r.record,
    );
  }

  async hasAdmin(): Promise<boolean> {
    const row = (await this.pool.query<{ value: unknown }>('SELECT value FROM meta WHERE key = $1', ['hasAdmin'])).rows[0];
    return row?.value === true;
  }

  async getSessions(keys: readonly string[]): Promise<(SessionRecord | undefined)[]> {
    return this.byKey<SessionRecord>('SELECT key AS k, record AS v FROM sessions WHERE key = ANY($1::text[])', keys);
  }

  sessions(): AsyncIterable<[string, SessionRecord]> {
    return this.pages<{ key: string; record: SessionRecord }, [string, SessionRecord]>(
      (last) => ({ text: 'SELECT key, record FROM sessions WHERE key > $1 ORDER BY key LIMIT $2', values: [last ?? '', PAGE] }),
      (r) => r.key,
      (r) => [r.key, r.record],
    );
  }

  async sessionKeysOf(username: string): Promise<string[]> {
    return (await this.pool.query<{ key: string }>('SELECT key FROM sessions WHERE username = $1', [username])).rows.map((r) => r.key);
  }

  async auditHead(): Promise<AuditHead> {
    const row = (await this.pool.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_head')).rows[0];
    return row ? { seq: Number(row.seq), hash: row.hash } : EMPTY_HEAD;
  }

  auditEntries(afterSeq: number, upToSeq?: number): AsyncIterable<AuditEntry> {
    return this.pages<{ seq: string; entry: AuditEntry }, AuditEntry>(
      (last) => ({ text: 'SELECT seq, entry FROM audit WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3', values: [last ?? afterSeq, upToSeq ?? Number.MAX_SAFE_INTEGER, PAGE] }),
      (r) => r.seq,
      (r) => r.entry,
    );
  }

  async auditEntry(seq: number): Promise<AuditEntry | undefined> {
    return (await this.pool.query<{ entry: AuditEntry }>('SELECT entry FROM audit WHERE seq = $1', [seq])).rows[0]?.entry;
  }

  /** An account's legs, newest first: each read from its transfer by the index on that leg's side. */
  entriesOf(account: string, below?: number): AsyncIterable<[number, Entry]> {
    return this.pages<{ seq: string; record: TransferRecord }, [number, Entry]>(
      (last) => ({
        text: `SELECT seq, record FROM (
           (SELECT from_entry AS seq, record FROM transfers WHERE from_account = $1 AND from_entry < $2 ORDER BY from_entry DESC LIMIT $3)
           UNION ALL
           (SELECT to_entry AS seq, record FROM transfers WHERE to_account = $1 AND to_entry < $2 ORDER BY to_entry DESC LIMIT $3)
         ) legs ORDER BY seq DESC LIMIT $3`,
        values: [account, last ?? below ?? Number.MAX_SAFE_INTEGER, PAGE],
      }),
      (r) => r.seq,
      (r) => [Number(r.seq), legOf(r.record, account)],
    );
  }

  transfersNewestFirst(below?: number): AsyncIterable<TransferRecord> {
    return this.pages<{ seq: string; record: TransferRecord }, TransferRecord>(
      (last) => ({ text: 'SELECT seq, record FROM transfers WHERE seq < $1 ORDER BY seq DESC LIMIT $2', values: [last ?? below ?? Number.MAX_SAFE_INTEGER, PAGE] }),
      (r) => r.seq,
      (r) => r.record,
    );
  }

  async getRuns(ids: readonly string[]): Promise<(RunRecord | undefined)[]> {
    return this.byKey<RunRecord>('SELECT run_id AS k, record AS v FROM runs WHERE run_id = ANY($1::text[])', ids);
  }

  async *runsNewestFirst(filter: RunFilter, below?: RunPlace): AsyncIterable<RunRecord> {
    let place = below;
    for (;;) {
      const rows = (
        await this.pool.query<{ record: RunRecord }>(
          `SELECT record FROM runs
           WHERE ($1::text IS NULL OR owner = $1) AND ($2::text IS NULL OR digest = $2)
             AND ($3::text IS NULL OR (created_at, run_id) < ($3, $4))
           ORDER BY created_at DESC, run_id DESC LIMIT $5`,
          [filter.owner ?? null, filter.digest ?? null, place?.createdAt ?? null, place?.runId ?? '', PAGE],
        )
      ).rows;
      for (const r of rows) yield r.record;
      if (rows.length < PAGE) return;
      const last = rows[rows.length - 1]!.record;
      place = { createdAt: last.createdAt, runId: last.runId };
    }
  }

  verifyLedger(): Promise<LedgerVerdict> {
    return this.withClient(verifyPgLedger);
  }

  verifyAudit(): Promise<ChainVerdict> {
    return this.withClient(verifyPgAudit);
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  private async withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      return await fn(client);
    } finally {
      client.release();
    }
  }

  /** Values by key, in the keys' order (undefined where none is stored). */
  private async byKey<V>(text: string, keys: readonly string[]): Promise<(V | undefined)[]> {
    if (keys.length === 0) return [];
    const found = new Map((await this.pool.query<{ k: string; v: V }>(text, [[...new Set(keys)]])).rows.map((r) => [r.k, r.v]));
    return keys.map((k) => found.get(k));
  }

  /**
   * Walks a range page by page with keyset pagination: `query(last)` reads the page after the
   * row whose key was `last` (undefined for the first), so every page is an index range.
   */
  private async *pages<R extends pg.QueryResultRow, V>(query: (last: string | undefined) => { text: string; values: unknown[] }, key: (row: R) => string, value: (row: R) => V): AsyncGenerator<V> {
    let last: string | undefined;
    for (;;) {
      const { text, values } = query(last);
      const rows = (await this.pool.query<R>(text, values)).rows;
      for (const r of rows) yield value(r);
      if (rows.length < PAGE) return;
      last = key(rows[rows.length - 1]!);
    }
  }
}
