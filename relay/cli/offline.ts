import type { RelayConfig } from '../config.js';
import { BankDb } from '../store/db.js';
import { CommitQueue } from '../store/commit-queue.js';
import { UserStore } from '../auth/users.js';
import { openDatabase, StartupError } from '../store/open.js';
import { CliError } from './errors.js';

export interface OfflineBank {
  bank: BankDb;
  commits: CommitQueue;
  users: UserStore;
  close(): Promise<void>;
}

/** The database without a relay, for operator commands; refused while a relay holds it. */
export async function openBankOffline(config: RelayConfig): Promise<OfflineBank> {
  let bank: BankDb;
  try {
    bank = await openDatabase(config.dataDir);
  } catch (err) {
    if (err instanceof StartupError) throw new CliError(err.message);
    throw err;
  }
  const commits = new CommitQueue(bank, await bank.auditHead());
  const users = new UserStore(bank, commits, config);
  return {
    bank,
    commits,
    users,
    async close() {
      await commits.drain();
      await bank.close();
    },
  };
}
