import type pg from 'pg';
import type { AuditEntry, Entry } from '../../../common/schemas/models.js';
import type { AccountState, OwnerState, TransferRecord } from '../../ledger/types.js';
import { AUDIT_HEAD_KEY, type BankDb } from '../db.js';
import type { SessionRecord, UserRecord } from '../records.js';
import { scan } from '../scan.js';

/** Rows per INSERT … SELECT unnest(…). */
const CHUNK = 5000;

export interface ImportCounts {
  users: number;
  sessions: number;
  owners: number;
  accounts: number;
  transfers: number;
  entries: number;
  audit: number;
  meta: number;
}

/** Thrown when the target already holds a bank: an import never merges into one. */
export class TargetNotEmptyError extends Error {}

/**
 * Copies a LevelDB bank into a migrated, empty PostgreSQL database (`bank-relay migrate`), in
 * one transaction: the target ends up with all of it or, on any error, none of it. Values are
 * copied as stored (the same JSON documents), so verification on the target sees exactly the
 * bank the LevelDB directory held. The source must not change meanwhile: the CLI opens it
 * offline, which a running relay's lock refuses.
 */
export async function importLevelDb(bank: BankDb, client: pg.ClientBase, progress: (copied: number) => void = () => {}): Promise<ImportCounts> {
  const counts: ImportCounts = { users: 0, sessions: 0, owners: 0, accounts: 0, transfers: 0, entries: 0, audit: 0, meta: 0 };
  let copied = 0;
  const tick = (n: number) => progress((copied += n));
  await client.query('BEGIN');
  try {
    const held = await client.query<{ n: string }>(
      'SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM accounts) + (SELECT count(*) FROM audit) + (SELECT count(*) FROM transfers) AS n',
    );
    if (Number(held.rows[0]!.n) > 0) throw new TargetNotEmptyError('the target database already holds a bank (users, accounts, transfers or audit entries); migrate into an empty database');

    const copy = async <T>(iterator: { nextv(n: number): Promise<T[]>; close(): Promise<void> }, sql: string, columns: (rows: T[]) => unknown[]): Promise<number> => {
      let n = 0;
      await scan(iterator, async (batch) => {
        await client.query(sql, columns(batch));
        n += batch.length;
        tick(batch.length);
      }, { size: CHUNK });
      return n;
    };

    counts.users = await copy(bank.users.iterator(), 'INSERT INTO users (username, record) SELECT * FROM unnest($1::text[], $2::jsonb[])', (rows: [string, UserRecord][]) => [rows.map(([k]) => k), rows.map(([, v]) => JSON.stringify(v))]);
    counts.sessions = await copy(bank.sessions.iterator(), 'INSERT INTO sessions (key, username, record) SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[])', (rows: [string, SessionRecord][]) => [
      rows.map(([k]) => k),
      rows.map(([, v]) => v.username),
      rows.map(([, v]) => JSON.stringify(v)),
    ]);
    counts.owners = await copy(bank.owners.iterator(), 'INSERT INTO owners (owner, state) SELECT * FROM unnest($1::text[], $2::jsonb[])', (rows: [string, OwnerState][]) => [rows.map(([k]) => k), rows.map(([, v]) => JSON.stringify(v))]);
    counts.accounts = await copy(bank.accounts.values(), 'INSERT INTO accounts (account, owner, balance, record) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::jsonb[])', (rows: AccountState[]) => [
      rows.map((a) => a.account),
      rows.map((a) => a.owner ?? ''),
      rows.map((a) => a.balance),
      rows.map((a) => JSON.stringify(a)),
    ]);
    counts.transfers = await copy(bank.transfers.values(), 'INSERT INTO transfers (id, seq, from_account, to_account, amount, record) SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::jsonb[])', (rows: TransferRecord[]) => [
      rows.map((t) => t.id),
      rows.map((t) => t.seq),
      rows.map((t) => t.from),
      rows.map((t) => t.to),
      rows.map((t) => t.amount),
      rows.map((t) => JSON.stringify(t)),
    ]);
    counts.entries = await copy(bank.entries.iterator(), 'INSERT INTO entries (account, seq, transfer_id, record) SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::jsonb[])', (rows: [string, Entry][]) => [
      rows.map(([k]) => k.slice(0, k.indexOf('!'))),
      rows.map(([k]) => Number(k.slice(k.indexOf('!') + 1))),
      rows.map(([, e]) => e.transferId),
      rows.map(([, e]) => JSON.stringify(e)),
    ]);
    counts.audit = await copy(bank.audit.values(), 'INSERT INTO audit (seq, entry) SELECT * FROM unnest($1::bigint[], $2::jsonb[])', (rows: AuditEntry[]) => [rows.map((e) => e.seq), rows.map((e) => JSON.stringify(e))]);
    const head = await bank.auditHead();
    await client.query('UPDATE audit_head SET seq = $1, hash = $2', [head.seq, head.hash]);
    const meta: [string, unknown][] = [];
    for await (const [k, v] of bank.meta.iterator()) if (k !== AUDIT_HEAD_KEY) meta.push([k, v]);
    if (meta.length > 0) {
      await client.query('INSERT INTO meta (key, value) SELECT * FROM unnest($1::text[], $2::jsonb[])', [meta.map(([k]) => k), meta.map(([, v]) => JSON.stringify(v))]);
    }
    counts.meta = meta.length;
    await client.query('COMMIT');
    return counts;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
