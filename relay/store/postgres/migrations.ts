import type pg from 'pg';
import { StartupError } from '../../startup/startup-error.js';

/**
 * The PostgreSQL store's schema, as numbered migrations applied in order on start.
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
    // keys' indexes in LevelDB's order (PgBank's keyset pages, pg-bank.ts).
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
  {
    version: 4,
    name: "each account's history read from the transfers themselves (their legs' entry numbers, indexed), not kept twice in an entries table",
    // A transfer was written as three rows (itself and its two legs, each leg's document made
    // from it) with four foreign-key checks; now it is one row, half the server's work per
    // transfer. A leg's document is made from its transfer when read (ledger/legs.ts), as the
    // embedded store does. The engine only posts between accounts it holds, and `ledger verify`
    // checks every leg against its account, so the foreign keys go too. The stored entries are
    // checked against their transfers before they are dropped: any difference stops the
    // migration, which is rolled back whole.
    sql: `
      ALTER TABLE transfers ADD COLUMN from_entry bigint, ADD COLUMN to_entry bigint;
      UPDATE transfers SET from_entry = (record->>'fromEntry')::bigint, to_entry = (record->>'toEntry')::bigint;
      DO $$
      DECLARE
        bad record;
      BEGIN
        SELECT e.account, e.seq INTO bad
        FROM entries e
        LEFT JOIN transfers t ON t.id = e.transfer_id
          AND ((e.account = t.from_account AND e.seq = t.from_entry) OR (e.account = t.to_account AND e.seq = t.to_entry))
        WHERE t.id IS NULL OR e.record IS DISTINCT FROM jsonb_strip_nulls(jsonb_build_object(
          'transferId', t.record->'id', 'ts', t.record->'ts',
          'amount', CASE WHEN e.account = t.from_account AND e.seq = t.from_entry THEN -t.amount ELSE t.amount END,
          'counterparty', CASE WHEN e.account = t.from_account AND e.seq = t.from_entry THEN t.record->'to' ELSE t.record->'from' END,
          'memo', t.record->'memo',
          'balanceAfter', CASE WHEN e.account = t.from_account AND e.seq = t.from_entry THEN t.record->'fromBalanceAfter' ELSE t.record->'toBalanceAfter' END))
        LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'entry % of account % is not the leg its transfer records; run bank-relay ledger verify with the previous release', bad.seq, bad.account;
        END IF;
        IF (SELECT count(*) FROM entries) <> 2 * (SELECT count(*) FROM transfers) THEN
          RAISE EXCEPTION 'the entries table holds % rows for % transfers; run bank-relay ledger verify with the previous release', (SELECT count(*) FROM entries), (SELECT count(*) FROM transfers);
        END IF;
      END $$;
      ALTER TABLE transfers ALTER COLUMN from_entry SET NOT NULL, ALTER COLUMN to_entry SET NOT NULL;
      CREATE UNIQUE INDEX transfers_by_payer_entry ON transfers (from_account, from_entry);
      CREATE UNIQUE INDEX transfers_by_payee_entry ON transfers (to_account, to_entry);
      DROP TABLE entries;
      ALTER TABLE transfers DROP CONSTRAINT transfers_from_account_fkey, DROP CONSTRAINT transfers_to_account_fkey;
    `,
  },
  {
    version: 5,
    name: 'payment runs: each run as declared and counted by its batches, listed newest first, per owner too',
    // created_at is kept as the record's own ISO text (COLLATE "C"), so the order and the page
    // cursors are exactly the embedded store's.
    sql: `
      CREATE TABLE runs (
        run_id text COLLATE "C" PRIMARY KEY,
        owner text COLLATE "C" NOT NULL,
        created_at text COLLATE "C" NOT NULL,
        digest text NOT NULL,
        record jsonb NOT NULL
      );
      CREATE INDEX runs_by_start ON runs (created_at, run_id);
      CREATE INDEX runs_by_owner ON runs (owner, created_at, run_id);
    `,
  },
  {
    version: 6,
    name: "old Qt-bank account numbers: one user each, found without a scan",
    // The writer checks under the audit-head lock who holds a number it is about to record
    // (execute.ts); the index makes that a lookup and refuses a second holder outright.
    sql: `
      CREATE UNIQUE INDEX users_by_legacy_account ON users ((record->'legacy'->>'account'));
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
