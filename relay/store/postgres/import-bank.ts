import type pg from 'pg';
import type { BankExport } from '../bank-store.js';
import { holdsBank } from './migrations.js';

/** Rows per INSERT … SELECT unnest(…). */
const CHUNK = 5000;

export interface ImportCounts {
  users: number;
  sessions: number;
  owners: number;
  accounts: number;
  transfers: number;
  runs: number;
  audit: number;
}

/** Thrown when the target already holds a bank: an import never merges into one. */
export class TargetNotEmptyError extends Error {}

/**
 * Copies a bank (read through its store's export, in domain terms) into a migrated, empty
 * PostgreSQL database (`bank-relay migrate`), in one transaction: the target ends up with all
 * of it or, on any error, none of it. Records are copied as they are (the same documents), so
 * verification on the target sees exactly the bank the source held. The source must not change meanwhile: the CLI opens it offline,
 * which a running relay's lock refuses.
 */
export async function importBank(source: BankExport, client: pg.ClientBase, progress: (copied: number) => void = () => {}): Promise<ImportCounts> {
  const counts: ImportCounts = { users: 0, sessions: 0, owners: 0, accounts: 0, transfers: 0, runs: 0, audit: 0 };
  let copied = 0;
  await client.query('BEGIN');
  try {
    if (await holdsBank(client)) throw new TargetNotEmptyError('the target database already holds a bank (users, accounts, transfers or audit entries); migrate into an empty database');

    /** Inserts `rows` in chunks; answers how many. */
    const copy = async <T>(rows: AsyncIterable<T>, sql: string, columns: (chunk: T[]) => unknown[]): Promise<number> => {
      let n = 0;
      for await (const chunk of chunked(rows, CHUNK)) {
        await client.query(sql, columns(chunk));
        n += chunk.length;
        progress((copied += chunk.length));
      }
      return n;
    };

    counts.users = await copy(source.users(), 'INSERT INTO users (username, record) SELECT * FROM unnest($1::text[], $2::jsonb[])', (rows) => [rows.map((u) => u.username), rows.map((u) => JSON.stringify(u))]);
    counts.sessions = await copy(source.sessions(), 'INSERT INTO sessions (key, username, record) SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[])', (rows) => [
      rows.map(([k]) => k),
      rows.map(([, v]) => v.username),
      rows.map(([, v]) => JSON.stringify(v)),
    ]);
    counts.owners = await copy(source.ownersAll(), 'INSERT INTO owners (owner, state) SELECT * FROM unnest($1::text[], $2::jsonb[])', (rows) => [rows.map(([k]) => k), rows.map(([, v]) => JSON.stringify(v))]);
    counts.accounts = await copy(source.accountsAll(), 'INSERT INTO accounts (account, owner, balance, record) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::jsonb[])', (rows) => [
      rows.map((a) => a.account),
      rows.map((a) => a.owner ?? ''),
      rows.map((a) => a.balance),
      rows.map((a) => JSON.stringify(a)),
    ]);
    counts.transfers = await copy(
      source.transfersInOrder(),
      `INSERT INTO transfers (id, seq, from_account, to_account, amount, from_entry, to_entry, record)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[], $8::jsonb[])`,
      (rows) => [
        rows.map((t) => t.id),
        rows.map((t) => t.seq),
        rows.map((t) => t.from),
        rows.map((t) => t.to),
        rows.map((t) => t.amount),
        rows.map((t) => t.fromEntry),
        rows.map((t) => t.toEntry),
        rows.map((t) => JSON.stringify(t)),
      ],
    );
    counts.runs = await copy(source.runsAll(), 'INSERT INTO runs (run_id, owner, created_at, digest, record) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[])', (rows) => [
      rows.map((r) => r.runId),
      rows.map((r) => r.owner),
      rows.map((r) => r.createdAt),
      rows.map((r) => r.digest),
      rows.map((r) => JSON.stringify(r)),
    ]);
    counts.audit = await copy(source.auditEntries(0), 'INSERT INTO audit (seq, entry) SELECT * FROM unnest($1::bigint[], $2::jsonb[])', (rows) => [rows.map((e) => e.seq), rows.map((e) => JSON.stringify(e))]);
    const head = await source.auditHead();
    await client.query('UPDATE audit_head SET seq = $1, hash = $2', [head.seq, head.hash]);
    if (await source.hasAdmin()) await client.query('INSERT INTO meta (key, value) VALUES ($1, $2)', ['hasAdmin', 'true']);
    await client.query('COMMIT');
    return counts;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

async function* chunked<T>(rows: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let chunk: T[] = [];
  for await (const row of rows) {
    chunk.push(row);
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}
