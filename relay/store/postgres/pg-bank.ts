import pg from 'pg';
import type { AuditEntry, AuditHead, Entry } from '../../../common/schemas/models.js';
import type { ChainVerdict } from '../../audit/chain.js';
import type { LedgerVerdict } from '../../ledger/verify.js';
import type { AccountState, OwnerState, TransferRecord } from '../../ledger/types.js';
import type { SessionRecord, UserRecord } from '../records.js';
import type { BankStore } from '../bank-store.js';
import { AUDIT_GENESIS, auditKey, entryKey } from '../db.js';
import { PgTable, type TableSpec } from './pg-table.js';
import { verifyPgAudit, verifyPgLedger } from './verify.js';

/** The largest bigint: `account!~` (past every entry of an account) maps onto it. */
const MAX_BIGINT = '9223372036854775807';

function textKey<V>(table: string, column: string, value: string): TableSpec<V> {
  return { table, keys: [{ column, type: 'text' }], value, encode: (k) => [k], decode: (r) => String(r[column]) };
}

/** A 16-digit sequence key (audit, txlog) onto a bigint column. */
function seqKey<V>(table: string, column: string, value: string, toValue?: (raw: unknown) => V): TableSpec<V> {
  return {
    table,
    keys: [{ column, type: 'bigint' }],
    value,
    encode: (k) => [/^\d+$/.test(k) ? k : '0'],
    decode: (r) => auditKey(Number(r[column])),
    ...(toValue && { toValue }),
  };
}

const entriesSpec: TableSpec<Entry> = {
  table: 'entries',
  keys: [
    { column: 'account', type: 'text' },
    { column: 'seq', type: 'bigint' },
  ],
  value: 'record',
  encode(k) {
    const bang = k.lastIndexOf('!');
    const account = bang < 0 ? k : k.slice(0, bang);
    const n = bang < 0 ? '' : k.slice(bang + 1);
    return [account, /^\d+$/.test(n) ? n : n === '' ? '0' : MAX_BIGINT];
  },
  decode: (r) => entryKey(String(r.account), Number(r.seq)),
};

/**
 * The PostgreSQL store's read side (bank-store.ts BankStore), over the schema in
 * migrations.ts. It owns the connection pool; writes go through PgCommits and PgLedger, which
 * share it.
 */
export class PgBank implements BankStore {
  readonly kind = 'postgres' as const;
  readonly users: PgTable<UserRecord>;
  readonly sessions: PgTable<SessionRecord>;
  readonly audit: PgTable<AuditEntry>;
  readonly meta: PgTable<unknown>;
  readonly accounts: PgTable<AccountState>;
  readonly owners: PgTable<OwnerState>;
  readonly transfers: PgTable<TransferRecord>;
  readonly txlog: PgTable<string>;
  readonly entries: PgTable<Entry>;

  constructor(readonly pool: pg.Pool) {
    this.users = new PgTable(pool, textKey('users', 'username', 'record'));
    this.sessions = new PgTable(pool, textKey('sessions', 'key', 'record'));
    this.audit = new PgTable(pool, seqKey('audit', 'seq', 'entry'));
    this.meta = new PgTable(pool, textKey('meta', 'key', 'value'));
    this.accounts = new PgTable(pool, textKey('accounts', 'account', 'record'));
    this.owners = new PgTable(pool, textKey('owners', 'owner', 'state'));
    this.transfers = new PgTable(pool, textKey('transfers', 'id', 'record'));
    this.txlog = new PgTable(pool, seqKey<string>('transfers', 'seq', 'id', (raw) => String(raw)));
    this.entries = new PgTable(pool, entriesSpec);
  }

  async getMeta<T>(key: string): Promise<T | undefined> {
    return (await this.meta.get(key)) as T | undefined;
  }

  async auditHead(): Promise<AuditHead> {
    const row = (await this.pool.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_head')).rows[0];
    return row ? { seq: Number(row.seq), hash: row.hash } : { seq: 0, hash: AUDIT_GENESIS };
  }

  verifyLedger(): Promise<LedgerVerdict> {
    return this.withClient(verifyPgLedger);
  }

  verifyAudit(): Promise<ChainVerdict> {
    return this.withClient(verifyPgAudit);
  }

  private async withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      return await fn(client);
    } finally {
      client.release();
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
