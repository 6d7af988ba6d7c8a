import { stat } from 'node:fs/promises';
import path from 'node:path';
import { resolveConfig, type RelayConfig } from '../config.js';
import type { BankStore } from '../store/bank-store.js';
import { openPool } from '../store/postgres/connect.js';
import { PgBank } from '../store/postgres/pg-bank.js';
import { isPostgresUrl, redactUrl } from '../store/postgres/url.js';
import { BankDb } from '../store/db.js';
import { CommitQueue } from '../store/commit-queue.js';
import { UserStore } from '../auth/users.js';
import { openDatabase, StartupError } from '../store/open.js';
import { CliError } from './errors.js';
import { Ledger } from '../ledger/ledger.js';
import { ledgerRules } from '../ledger/rules.js';
import { idSnapshotPath } from '../ledger/transfer-id-snapshot.js';

export interface OfflineBank {
  bank: BankDb;
  commits: CommitQueue;
  users: UserStore;
  /** Loads the ledger (all accounts into memory) on first use. */
  ledger(): Promise<Ledger>;
  close(): Promise<void>;
}

/**
 * The database without a relay, for operator commands; refused while a relay holds it.
 * `existing`: the command checks a bank, so a mistyped --data must fail, not create one.
 */
export async function openBankOffline(config: RelayConfig, opts: { existing?: boolean } = {}): Promise<OfflineBank> {
  if (opts.existing) {
    const isDir = await stat(path.join(config.dataDir, 'db')).then((s) => s.isDirectory(), () => false);
    if (!isDir) throw new CliError(`no bank database in ${config.dataDir}: check --data (the relay creates it on first start)`);
  }
  let bank: BankDb;
  try {
    bank = await openDatabase(config.dataDir);
  } catch (err) {
    if (err instanceof StartupError) throw new CliError(err.message);
    throw err;
  }
  const commits = new CommitQueue(bank, await bank.auditHead());
  const users = new UserStore(bank, commits, config);
  let ledger: Promise<Ledger> | undefined;
  return {
    bank,
    commits,
    users,
    ledger: () => (ledger ??= Ledger.load(bank, commits, ledgerRules(config), () => new Date(), undefined, { idSnapshot: idSnapshotPath(config.dataDir) })),
    async close() {
      await commits.drain();
      const loaded = ledger && (await ledger.catch(() => undefined));
      // Best effort, as at the relay's stop: without it the next start scans the ids.
      if (loaded && !loaded.isHalted) await loaded.saveIdSnapshot(idSnapshotPath(config.dataDir)).catch(() => false);
      await bank.close();
    },
  };
}

/**
 * The bank to check, for `ledger verify` and `audit verify`: the PostgreSQL store named by
 * --store (read-only here: nothing is migrated or written), else the LevelDB bank in --data.
 */
export async function openBankToVerify(values: { data?: string | undefined; store?: string | undefined }): Promise<{ bank: BankStore; close(): Promise<void> }> {
  if (values.store !== undefined && values.store !== 'leveldb') {
    if (!isPostgresUrl(values.store)) throw new CliError('--store takes "leveldb" or a postgres:// URL', 2);
    const bank = new PgBank(openPool(values.store, 2));
    try {
      await bank.pool.query('SELECT version FROM bank_schema_migrations LIMIT 1');
    } catch (err) {
      await bank.close().catch(() => undefined);
      throw new CliError(`no bank in the PostgreSQL store at ${redactUrl(values.store)}: ${(err as Error).message}`);
    }
    return { bank, close: () => bank.close() };
  }
  const offline = await openBankOffline(resolveConfig({ dataDir: values.data ?? './data' }), { existing: true });
  return { bank: offline.bank, close: () => offline.close() };
}
