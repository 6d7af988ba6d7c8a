import type { RelayConfig } from '../../config.js';
import { UserStore } from '../../auth/users.js';
import { ledgerRules } from '../../ledger/rules.js';
import { openPool } from './connect.js';
import { migrate } from './migrations.js';
import { PgBank } from './pg-bank.js';
import type { PgCommits } from './pg-commits.js';
import type { PgLedger } from './pg-ledger.js';
import { openPgWriters } from './pg-writers.js';

/** The PostgreSQL store without a relay (operator tools, the bench's set-up): migrated, with its cash account. */
export interface PgOffline {
  bank: PgBank;
  commits: PgCommits;
  ledger: PgLedger;
  users: UserStore;
  close(): Promise<void>;
}

export async function openPgOffline(config: RelayConfig): Promise<PgOffline> {
  const pool = openPool(config.store, 3);
  const bank = new PgBank(pool);
  try {
    const client = await pool.connect();
    try {
      await migrate(client);
    } finally {
      client.release();
    }
    const { writer, commits, ledger } = await openPgWriters(bank, ledgerRules(config));
    return {
      bank,
      commits,
      ledger,
      users: new UserStore(bank, commits, config),
      async close() {
        await writer.drain();
        await bank.close();
      },
    };
  } catch (err) {
    await bank.close().catch(() => undefined);
    throw err;
  }
}
