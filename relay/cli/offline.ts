import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { RelayConfig } from '../config.js';
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
