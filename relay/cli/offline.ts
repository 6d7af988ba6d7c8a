import { stat } from 'node:fs/promises';
import path from 'node:path';
import { resolveConfig, type RelayConfig } from '../config.js';
import type { BankStore } from '../store/bank-store.js';
import { openPool } from '../store/postgres/connect.js';
import { PgBank } from '../store/postgres/pg-bank.js';
import { openPgOffline } from '../store/postgres/pg-offline.js';
import { installedVersion } from '../store/postgres/migrations.js';
import type { LedgerStore } from '../ledger/ledger-store.js';
import { isPostgresUrl, redactUrl } from '../store/postgres/url.js';
import type { BankDb } from '../store/leveldb/bank-db.js';
import { openDatabase } from '../store/leveldb/open-database.js';
import { LevelLedger } from '../store/leveldb/level-ledger.js';
import { idSnapshotPath } from '../store/leveldb/transfer-id-snapshot.js';
import { ledgerCheckpointPath } from '../store/leveldb/ledger-checkpoint.js';
import { quickCheck, refusalMessage } from '../store/leveldb/quick-check.js';
import { loadOrCreateIdentity, type RelayIdentity } from '../identity.js';
import { UserStore } from '../auth/users.js';
import { StartupError } from '../startup/startup-error.js';
import { CliError } from './errors.js';
import { Ledger } from '../ledger/ledger.js';
import { ledgerRules } from '../ledger/rules.js';
import { LedgerWriter, type CommitSink } from '../ledger/writer.js';

/** A LevelDB bank opened to write without a relay (operator commands, the bench's set-up). */
export interface OfflineBank {
  bank: BankDb;
  /** The ledger's memory and its LevelDB side (every account, read at open). */
  storage: LevelLedger;
  /** The data directory's identity key (it signs what `close` leaves for the next start). */
  identity: RelayIdentity;
  commits: LedgerWriter;
  ledger: Ledger;
  users: UserStore;
  close(): Promise<void>;
}

/** The database without a relay; refused while a relay holds it. */
async function openLevelDb(config: RelayConfig, opts: { existing?: boolean }): Promise<BankDb> {
  if (opts.existing) {
    const isDir = await stat(path.join(config.dataDir, 'db')).then((s) => s.isDirectory(), () => false);
    if (!isDir) throw new CliError(`no bank database in ${config.dataDir}: check --data (the relay creates it on first start)`);
  }
  try {
    return await openDatabase(config.dataDir);
  } catch (err) {
    if (err instanceof StartupError) throw new CliError(err.message);
    throw err;
  }
}

/**
 * The LevelDB bank to write without a relay, as the relay writes it: the ledger read into
 * memory, the bank's one writer, its cash account. `close` saves what a clean stop saves.
 */
export async function openBankOffline(config: RelayConfig, opts: { existing?: boolean } = {}): Promise<OfflineBank> {
  const bank = await openLevelDb(config, opts);
  try {
    const identity = await loadOrCreateIdentity(config.dataDir);
    const checkpoint = ledgerCheckpointPath(config.dataDir);
    const storage = await LevelLedger.load(bank, ledgerRules(config), { idSnapshot: idSnapshotPath(config.dataDir), checkpoint: { file: checkpoint, spki: identity.signer.spki } });
    const check = await quickCheck(bank, storage.startup);
    if (!check.ok) throw new CliError(refusalMessage(config.dataDir, check.problems).replace('refusing to serve', 'refusing to write'));
    const commits = new LedgerWriter(storage, () => new Date(), storage.auditHead);
    const ledger = new Ledger(commits, storage, storage.rules);
    await ledger.openCashAccount();
    return {
      bank,
      storage,
      identity,
      commits,
      ledger,
      users: new UserStore(bank, commits, config),
      async close() {
        await commits.drain();
        // Best effort, as at the relay's stop: without it the next start reads the journal.
        await storage.saveAtStop({ idSnapshot: idSnapshotPath(config.dataDir), checkpoint: { file: checkpoint, signer: identity.signer } }).catch(() => undefined);
        await bank.close();
      },
    };
  } catch (err) {
    await bank.close().catch(() => undefined);
    throw err;
  }
}

/** A LevelDB bank opened to read only (verify, migrate's source): nothing is loaded or written. */
export async function openBankToRead(config: RelayConfig): Promise<BankDb> {
  return openLevelDb(config, { existing: true });
}

/** True when an operator command's --store names a database rather than the embedded store. */
export function namesDatabase(store: string | undefined): store is string {
  return store !== undefined && store !== 'leveldb';
}

/** A bank that operator commands write to (`user add`, `demo`), on either store. */
export interface BankToWrite {
  /** Where it is, for messages: the data directory, or the store's URL without its password. */
  where: string;
  /** The option that names it again (`--data` or `--store`), for what to do next. */
  option: '--data' | '--store';
  users: UserStore;
  ledger(): Promise<LedgerStore>;
  /** The store's reads and the bank's one writer, for commands that write users beside the ledger (`legacy import`). */
  bank: BankStore;
  commits: CommitSink;
  close(): Promise<void>;
}

/**
 * The bank for `user add` and `demo`: the PostgreSQL store named by --store (relays may be
 * serving it meanwhile, since the database orders every write and each relay reads users and
 * balances from it; a new database is migrated first), else the LevelDB bank in --data (no relay
 * may be running on it).
 */
export async function openBankToWrite(values: { data?: string | undefined; store?: string | undefined }): Promise<BankToWrite> {
  if (namesDatabase(values.store)) {
    if (!isPostgresUrl(values.store)) throw new CliError('--store takes "leveldb" or a postgres:// URL', 2);
    const where = redactUrl(values.store);
    const opened = await openPgOffline(resolveConfig({ store: values.store })).catch((err: unknown) => {
      throw new CliError(`cannot open the PostgreSQL store at ${where}: ${(err as Error).message}`);
    });
    return { where, option: '--store', users: opened.users, ledger: () => Promise.resolve(opened.ledger), bank: opened.bank, commits: opened.commits, close: () => opened.close() };
  }
  const config = resolveConfig({ dataDir: values.data ?? './data' });
  const offline = await openBankOffline(config);
  return { where: config.dataDir, option: '--data', users: offline.users, ledger: () => Promise.resolve(offline.ledger), bank: offline.bank, commits: offline.commits, close: () => offline.close() };
}

/**
 * The bank to check, for `ledger verify` and `audit verify`: the PostgreSQL store named by
 * --store (read-only here: nothing is migrated or written), else the LevelDB bank in --data.
 */
export async function openBankToVerify(values: { data?: string | undefined; store?: string | undefined }): Promise<{ bank: BankStore; close(): Promise<void> }> {
  if (namesDatabase(values.store)) {
    if (!isPostgresUrl(values.store)) throw new CliError('--store takes "leveldb" or a postgres:// URL', 2);
    const bank = new PgBank(openPool(values.store, 2));
    try {
      await installedVersion(bank.pool);
    } catch (err) {
      await bank.close().catch(() => undefined);
      throw new CliError(`no bank in the PostgreSQL store at ${redactUrl(values.store)}: ${(err as Error).message}`);
    }
    return { bank, close: () => bank.close() };
  }
  const bank = await openBankToRead(resolveConfig({ dataDir: values.data ?? './data' }));
  return { bank, close: () => bank.close() };
}
