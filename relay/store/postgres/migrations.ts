import type pg from 'pg';
import { StartupError } from '../../startup/startup-error.js';

/**
 * The PostgreSQL store's schema, as numbered migrations applied in order on start (issue 8).
 * Each runs in its own transaction with its row in `bank_schema_migrations`, so a migration is
 * applied wholly or not at all. Several relays starting at once take an advisory lock, so
 * exactly one applies each step. A database whose schema is newer than this relay knows is
 * refused, never written to.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'the bank: users, sessions, accounts, owners, transfers, entries, audit chain',
    sql: `
      CREATE TABLE users (
        username text PRIMARY KEY,
        record jsonb NOT NULL
      );
      CREATE TABLE sessions (
        key text PRIMARY KEY,
        username text NOT NULL,
        record jsonb NOT NULL
      );
      CREATE INDEX sessions_by_user ON sessions (username);
      CREATE TABLE accounts (
        account text PRIMARY KEY,
        owner text NOT NULL,
        balance bigint NOT NULL,
        record jsonb NOT NULL
      );
      CREATE INDEX accounts_by_owner ON accounts (owner);
      CREATE TABLE owners (
        owner text PRIMARY KEY,
        state jsonb NOT NULL
      );
      -- The transfer id is the idempotency key: unique across every relay on this database.
      CREATE TABLE transfers (
        id text PRIMARY KEY,
        seq bigint NOT NULL UNIQUE,
        from_account text NOT NULL REFERENCES accounts (account),
        to_account text NOT NULL REFERENCES accounts (account),
        amount bigint NOT NULL CHECK (amount > 0),
        record jsonb NOT NULL
      );
      CREATE TABLE entries (
        account text NOT NULL REFERENCES accounts (account),
        seq bigint NOT NULL,
        transfer_id text NOT NULL REFERENCES transfers (id),
        record jsonb NOT NULL,
        PRIMARY KEY (account, seq)
      );
      CREATE TABLE audit (
        seq bigint PRIMARY KEY,
        entry jsonb NOT NULL
      );
      -- One row: the audit chain's head, updated in the same transaction as every change, so
      -- the chain keeps one total order across relays.
      CREATE TABLE audit_head (
        only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
        seq bigint NOT NULL,
        hash text NOT NULL
      );
      INSERT INTO audit_head (seq, hash) VALUES (0, repeat('0', 64));
      CREATE TABLE meta (
        key text PRIMARY KEY,
        value jsonb NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'account serials indexed, so opening an account finds the next number without a scan',
    // Account numbers are "DBcc" + a 10-digit serial (relay/ledger/serial.ts).
    sql: `CREATE INDEX accounts_by_serial ON accounts ((substring(account from 5)::bigint));`,
  },
  {
    version: 3,
    name: 'text keys sort bytewise (COLLATE "C"), as on the embedded store, so cursors and ranges mean the same on both',
    // Whatever the database's default collation, key ranges and keyset pages use the primary
    // keys' indexes in LevelDB's order (pg-table.ts).
    sql: `
      ALTER TABLE users ALTER COLUMN username TYPE text COLLATE "C";
      ALTER TABLE sessions ALTER COLUMN key TYPE text COLLATE "C", ALTER COLUMN username TYPE text COLLATE "C";
      ALTER TABLE owners ALTER COLUMN owner TYPE text COLLATE "C";
      ALTER TABLE meta ALTER COLUMN key TYPE text COLLATE "C";
      ALTER TABLE entries ALTER COLUMN account TYPE text COLLATE "C", ALTER COLUMN transfer_id TYPE text COLLATE "C";
      ALTER TABLE transfers ALTER COLUMN id TYPE text COLLATE "C", ALTER COLUMN from_account TYPE text COLLATE "C", ALTER COLUMN to_account TYPE text COLLATE "C";
      ALTER TABLE accounts ALTER COLUMN account TYPE text COLLATE "C", ALTER COLUMN owner TYPE text COLLATE "C";
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** pg_advisory_lock key for migrations ("bank" in ASCII). */
const MIGRATION_LOCK = 0x62616e6b;

export interface MigrationOutcome {
  /** The schema version found before. */
  from: number;
  /** The schema version now. */
  to: number;
  /** Versions applied by this call (empty when another relay, or an earlier start, had). */
  applied: number[];
}

export async function migrate(client: pg.ClientBase, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationOutcome> {
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS bank_schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const found = await client.query<{ v: number }>('SELECT coalesce(max(version), 0)::int AS v FROM bank_schema_migrations');
    const from = found.rows[0]!.v;
    if (from > latest) {
      throw new StartupError(`the PostgreSQL schema is at version ${from}, newer than this relay knows (${latest}); upgrade the relay before starting it on this database`);
    }
    const applied: number[] = [];
    for (const m of migrations) {
      if (m.version <= from) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO bank_schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new StartupError(`migration ${m.version} (${m.name}) failed and was rolled back: ${(err as Error).message}`);
      }
      applied.push(m.version);
    }
    return { from, to: Math.max(from, latest), applied };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  }
}

/** The schema version a database holds; throws when it holds no bank schema at all. */
export async function installedVersion(q: pg.ClientBase | pg.Pool): Promise<number> {
  return (await q.query<{ v: number }>('SELECT coalesce(max(version), 0)::int AS v FROM bank_schema_migrations')).rows[0]!.v;
}

/** Whether a (migrated) database already holds a bank: users, accounts, transfers or audit entries. */
export async function holdsBank(q: pg.ClientBase | pg.Pool): Promise<boolean> {
  const held = await q.query<{ n: string }>(
    'SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM accounts) + (SELECT count(*) FROM audit) + (SELECT count(*) FROM transfers) AS n',
  );
  return Number(held.rows[0]!.n) > 0;
}
